"""The portal's first page."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.domain.model import Dashboard
from portal.service.ports import UnitOfWorkFactory
from zorgpost_kit.auth import Principal
from zorgpost_kit.roles import Capability


async def get_dashboard(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, now: datetime | None = None
) -> Dashboard:
    """The dashboard of the person the token is about (the child, when a parent acts for it),
    and the time of that person's previous visit, so the page can show what is new. For
    the people the portal serves and the practitioners who work in it (:class:`NotPermitted`
    for other staff roles and guests)."""
    if not (principal.can(Capability.USE_PORTAL) or principal.can(Capability.PRACTISE_CARE)):
        principal.require(Capability.USE_PORTAL)
    now = now or datetime.now(UTC)
    person_id = principal.subject_id
    async with uow_factory() as uow:
        dashboard = Dashboard(
            person_id=person_id,
            upcoming_appointments=await uow.dashboard.upcoming_appointments(person_id, now),
            active_trajectories=await uow.dashboard.count_active_trajectories(person_id),
            last_visit_at=await uow.dashboard.swap_last_visit(person_id, now),
        )
        await uow.commit()
    return dashboard
