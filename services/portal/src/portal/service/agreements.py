"""The agreement gate of a care trajectory: who must approve "De overeenkomst", who did, and
the moment the trajectory becomes active."""

from __future__ import annotations

from datetime import date, datetime

from portal.domain.trajectories import AgreementState, Trajectory, TrajectoryStatus, agreement_parties
from portal.service.common import record_action
from portal.service.ports import PortalUnitOfWork


async def agreement_state(uow: PortalUnitOfWork, trajectory: Trajectory, today: date) -> AgreementState:
    """Who must approve the trajectory's agreement now (the client from 12, the parents with
    authority while the client is under 16), and who did."""
    record = await uow.clients.get(trajectory.person_id, trajectory.organisation_id)
    delegates = await uow.delegates.active_for(trajectory.person_id, trajectory.organisation_id)
    parties = agreement_parties(
        trajectory.person_id,
        record.display_name if record else "",
        record.birth_date if record else None,
        [(link.delegate_id, link.delegate_name) for link in delegates],
        today,
    )
    approved: dict[str, datetime] = {}
    if trajectory.agreement_document_id:
        document = await uow.documents.get(trajectory.agreement_document_id)
        if document is not None:
            approved = {approval.approved_by: approval.approved_at for approval in document.approvals}
    return AgreementState(parties, approved)


async def activate_if_agreed(
    uow: PortalUnitOfWork, document_id: str, today: date, now: datetime, actor_id: str
) -> None:
    """After an approval of an agreement: the trajectory becomes active once every party
    approved (in the caller's unit of work)."""
    trajectory = await uow.trajectories.by_agreement(document_id, lock=True)
    if trajectory is None or trajectory.status is not TrajectoryStatus.AWAITING_AGREEMENT:
        return
    if (await agreement_state(uow, trajectory, today)).complete and trajectory.activate(now):
        await uow.trajectories.save(trajectory)
        await record_action(
            uow, trajectory.person_id, trajectory.organisation_id, actor_id, "trajectory.activated", trajectory.id, now
        )
