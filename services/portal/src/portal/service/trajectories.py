"""Care trajectories (seed 4): the practice starts one with its agreement, every party
approves it, the practice ends it; the end reaches identity as ``portal.trajectory.ended``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.domain.documents import DocumentKind
from portal.domain.errors import TrajectoryNotFound
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.domain.trajectories import (
    AGREEMENT_TITLE,
    AgreementState,
    Practitioner,
    Trajectory,
    TrajectoryEndedEvent,
    TrajectoryStatus,
)
from portal.service.agreements import agreement_state
from portal.service.common import Services, parse_id, record_action
from portal.service.dossier import require_client
from portal.service.ports import PortalUnitOfWork
from portal.service.publishing import FileUpload, add_published
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_name, check_single_line, check_text

MAX_PRACTITIONERS = 10


@dataclass(frozen=True)
class TrajectoryView:
    trajectory: Trajectory
    agreement: AgreementState


async def _views(uow: PortalUnitOfWork, trajectories: list[Trajectory], today: date) -> list[TrajectoryView]:
    return [TrajectoryView(t, await agreement_state(uow, t, today)) for t in trajectories]


async def list_trajectories(services: Services, caller: PersonCaller) -> list[TrajectoryView]:
    async with services.uow() as uow:
        found = await uow.trajectories.of_person(caller.person_id, caller.organisation_id)
        return await _views(uow, found, services.today())


# ----------------------------------------------------------------------------- the practice
@dataclass(frozen=True)
class StartDraft:
    person_id: str
    title: str
    practitioners: list[Practitioner]
    agreement_file_name: str
    agreement_content_type: str
    agreement_data: bytes


def check_start(draft: StartDraft, practice: PracticeCaller) -> tuple[str, list[Practitioner]]:
    errors = FieldErrors()
    title = check_single_line(draft.title, "title", errors, max_length=200)
    team = [Practitioner(practice.account_id, practice.name)]
    if len(draft.practitioners) > MAX_PRACTITIONERS:
        errors.add("practitioners", f"at most {MAX_PRACTITIONERS}")
    for index, practitioner in enumerate(draft.practitioners):
        account_id = parse_id(practitioner.account_id)
        name = check_name(practitioner.name, f"practitioners[{index}].name", errors)
        if account_id is None:
            errors.add(f"practitioners[{index}].account_id", "is not an account id")
        elif all(member.account_id != account_id for member in team):
            team.append(Practitioner(account_id, name))
    if not draft.agreement_data:
        errors.add("agreement", "the agreement (De overeenkomst) is required")
    errors.raise_if_any()
    return title, team


async def do_start(services: Services, practice: PracticeCaller, draft: StartDraft) -> TrajectoryView:
    """The trajectory, waiting for its agreement; the agreement is published in the client's
    documents (every party is told) and asks every party's approval."""
    title, team = check_start(draft, practice)
    now = services.clock()
    async with services.uow() as uow:
        record = await require_client(uow, draft.person_id, practice.organisation_id, "person_id")
        trajectory = Trajectory(
            id=new_id(),
            person_id=record.person_id,
            organisation_id=practice.organisation_id,
            title=title,
            practitioners=team,
            status=TrajectoryStatus.AWAITING_AGREEMENT,
            created_at=now,
            created_by=practice.account_id,
        )
        agreement = await add_published(
            uow,
            practice,
            record.person_id,
            DocumentKind.AGREEMENT,
            AGREEMENT_TITLE,
            FileUpload(draft.agreement_file_name, draft.agreement_content_type, draft.agreement_data),
            requires_approval=True,
            trajectory_id=trajectory.id,
            max_bytes=services.max_file_bytes,
            now=now,
        )
        trajectory.agreement_document_id = agreement.id
        await uow.trajectories.add(trajectory)
        await record_action(
            uow,
            record.person_id,
            practice.organisation_id,
            practice.account_id,
            "trajectory.started",
            trajectory.id,
            now,
        )
        view = TrajectoryView(trajectory, await agreement_state(uow, trajectory, services.today()))
        await uow.commit()
    return view


async def do_end(services: Services, practice: PracticeCaller, trajectory_id: str, reason: str) -> TrajectoryView:
    """Ends the trajectory and raises ``portal.trajectory.ended`` in the same transaction:
    identity then ends the client's portal access, unless another trajectory of the client
    (here or at another practice) is still open."""
    errors = FieldErrors()
    text = check_text(reason, "reason", errors, max_length=1000, required=False)
    errors.raise_if_any()
    now = services.clock()
    identifier = parse_id(trajectory_id)
    async with services.uow() as uow:
        trajectory = await uow.trajectories.get(identifier, practice.organisation_id, lock=True) if identifier else None
        if trajectory is None:
            raise TrajectoryNotFound()
        trajectory.end(now, practice.account_id, text)
        await uow.trajectories.save(trajectory)
        others = await uow.trajectories.count_open(trajectory.person_id, except_id=trajectory.id)
        uow.emit(
            TrajectoryEndedEvent(
                trajectory_id=trajectory.id,
                person_account_id=trajectory.person_id,
                organisation_id=trajectory.organisation_id,
                ended_at=now,
                other_trajectory_active=others > 0,
                occurred_at=now,
            )
        )
        await record_action(
            uow,
            trajectory.person_id,
            practice.organisation_id,
            practice.account_id,
            "trajectory.ended",
            trajectory.id,
            now,
        )
        view = TrajectoryView(trajectory, await agreement_state(uow, trajectory, services.today()))
        await uow.commit()
    return view


async def list_for_practice(
    services: Services, practice: PracticeCaller, person_id: str, status: str
) -> list[TrajectoryView]:
    wanted = None
    if status:
        try:
            wanted = TrajectoryStatus(status)
        except ValueError:
            raise InvalidArgument(fields={"status": "is awaiting_agreement, active or ended"}) from None
    async with services.uow() as uow:
        person = None
        if person_id:
            person = (await require_client(uow, person_id, practice.organisation_id, "person_id")).person_id
        found = await uow.trajectories.of_organisation(practice.organisation_id, person, wanted)
        return await _views(uow, found, services.today())
