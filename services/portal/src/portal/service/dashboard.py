"""The portal's first page (seed 4, "Welkom terug"): activity since the previous login, the
next appointment, what waits for the caller, and how well the account is secured."""

from __future__ import annotations

from portal.domain.activity import ActivityCounts, Dashboard, SecurityStatus, next_visit
from portal.domain.documents import DocumentKind
from portal.domain.people import PersonCaller
from portal.domain.questionnaires import QuestionnaireStatus
from portal.domain.trajectories import TrajectoryStatus
from portal.service.common import Services
from zorgpost_kit.auth import Principal
from zorgpost_kit.roles import Capability

UPCOMING = 5


def check_dashboard(principal: Principal) -> None:
    """The dashboard is for the people the portal serves and the practitioners who work in it
    (:class:`~zorgpost_kit.auth.NotPermitted` for other staff roles and guests)."""
    if not (principal.can(Capability.USE_PORTAL) or principal.can(Capability.PRACTISE_CARE)):
        principal.require(Capability.USE_PORTAL)


async def get_dashboard(services: Services, caller: PersonCaller, session_id: str, access_token: str) -> Dashboard:
    """The dashboard of the person the token is about. "Since" is the previous login of this
    caller in this portal (a parent looking at a child's portal has their own), and stays
    the same for every visit within one session. The security status is the caller's own
    account's, shown only in their own portal."""
    now = services.clock()
    security = None
    if not caller.on_behalf:
        status = await services.identity.security_status(access_token)
        security = SecurityStatus(*status) if status is not None else None
    person, organisation, actor = caller.person_id, caller.organisation_id, caller.actor_id
    async with services.uow() as uow:
        visit = next_visit(await uow.visits.get_for_update(person, actor), session_id, now)
        await uow.visits.put(person, actor, visit)
        since = visit.since
        activity = ActivityCounts()
        if since is not None:
            activity = ActivityCounts(
                new_documents=await uow.documents.count_new(
                    person, organisation, {DocumentKind.DOCUMENT, DocumentKind.AGREEMENT}, since
                ),
                new_reports=await uow.documents.count_new(person, organisation, {DocumentKind.REPORT}, since),
                appointments_held=await uow.appointments.count_held(person, organisation, since, now),
                new_messages=await uow.message_activity.count_received(person, organisation, since),
                new_diary_notes=await uow.diary.count_new(person, organisation, actor, since),
                new_results=await uow.results.count_new(person, organisation, since),
                new_questionnaires=sum(
                    1 for q in await uow.questionnaires.of_person(person, organisation) if q.sent_at > since
                ),
            )
        upcoming = await uow.appointments.upcoming(person, organisation, now, None, UPCOMING)
        trajectories = await uow.trajectories.of_person(person, organisation)
        questionnaires = await uow.questionnaires.of_person(person, organisation)
        awaiting = await uow.documents.count_awaiting(person, organisation, actor)
        await uow.commit()
    return Dashboard(
        person_id=person,
        since=since,
        activity=activity,
        next_appointment=upcoming[0] if upcoming else None,
        upcoming_appointments=upcoming,
        active_trajectories=sum(1 for t in trajectories if t.status is TrajectoryStatus.ACTIVE),
        awaiting_my_approval=awaiting,
        open_questionnaires=sum(1 for q in questionnaires if q.status is QuestionnaireStatus.OPEN),
        security=security,
    )
