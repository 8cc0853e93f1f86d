"""The portal's use cases on the shared fakes, with a clock the test sets: the dashboard
counts from the previous login; the agreement activates its trajectory when the last party
approves; booking and cancelling raise the confirmations (to the person and their delegate)
and free the slot; a repeat prescription by the noon rule; the diary is each author's own;
everything done for someone names who did it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from portal_fakes import FakeIdentity, Store, make_services

from portal.domain.delegations import DelegateLink
from portal.domain.errors import DiaryEntryNotFound, SlotTaken, TooLateToCancel
from portal.domain.notices import AppointmentBooked, AppointmentCancelled, DocumentPublished
from portal.domain.people import PersonCaller, PracticeCaller
from portal.domain.trajectories import TrajectoryEndedEvent, TrajectoryStatus
from portal.service import appointments, dashboard, diary, documents, dossier, medication, trajectories
from portal.service.common import Services
from portal.service.publishing import FileUpload
from portal.service.search import check_query
from portal.service.trajectories import StartDraft
from zorgpost_kit.calendar import SettableClock
from zorgpost_kit.errors import InvalidArgument

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday 11:00 in Amsterdam
ORG = "org-kind"
PRACTICE = PracticeCaller("staff", ORG, "Kind & meer", "Kim")
KID, MUM, PATIENT = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
)
PDF = b"%PDF-1.4\n%%EOF\n"


def me(person: str = PATIENT, actor: str | None = None) -> PersonCaller:
    return PersonCaller(person, actor or person, ORG, "Kind & meer")


async def _family(services: Services, store: Store, kid_age: int = 13) -> None:
    born = date(2026 - kid_age, 1, 1)
    await dossier.do_register_client(
        services, PRACTICE, KID, born, {"first_name": "Jip", "last_name": "O", "email": "jip@x.nl"}, "nl"
    )
    await dossier.do_register_client(
        services, PRACTICE, MUM, date(1985, 1, 1), {"first_name": "Olga", "last_name": "O", "email": "olga@x.nl"}, "nl"
    )
    store.data.delegates["d"] = DelegateLink("d", ORG, KID, MUM, "Olga O", "olga@x.nl", "nl", True, NOW)


async def test_the_dashboard_counts_from_the_previous_login() -> None:
    clock = SettableClock(NOW)
    services, _ = make_services(clock, FakeIdentity(status=(True, True)))
    await dossier.do_register_client(services, PRACTICE, PATIENT, None, {"first_name": "P", "last_name": "Q"}, "nl")
    first = await dashboard.get_dashboard(services, me(), "session-1", "token")
    assert first.since is None and first.security is not None and first.security.secret_question
    clock.advance(timedelta(minutes=10))
    await documents.do_publish(
        services,
        PRACTICE,
        documents.PublishDraft(
            PATIENT, "report", "Verslag", True, FileUpload("v.pdf", "application/pdf", PDF)
        ),
    )
    clock.advance(timedelta(days=1))
    again = await dashboard.get_dashboard(services, me(), "session-2", "token")
    assert again.since == NOW
    assert (again.activity.new_reports, again.activity.new_documents, again.awaiting_my_approval) == (1, 0, 1)
    # In someone else's portal the security status is not shown.
    acting = await dashboard.get_dashboard(services, me(PATIENT, MUM), "session-3", "token")
    assert acting.security is None and acting.since is None


async def test_the_last_partys_approval_activates_the_trajectory() -> None:
    clock = SettableClock(NOW)
    services, store = make_services(clock)
    await _family(services, store)
    view = await trajectories.do_start(
        services, PRACTICE, StartDraft(KID, "Traject", [], "o.pdf", "application/pdf", PDF)
    )
    assert [p.role for p in view.agreement.parties] == ["client", "parent"]
    published = [e for e in store.events if isinstance(e, DocumentPublished)]
    assert [{r.account_id for r in e.recipients} for e in published] == [{KID, MUM}]
    agreement = view.trajectory.agreement_document_id
    assert agreement is not None

    await documents.do_approve(services, me(KID, MUM), agreement)
    assert store.data.trajectories[view.trajectory.id].status is TrajectoryStatus.AWAITING_AGREEMENT
    clock.advance(timedelta(minutes=1))
    approved = await documents.do_approve(services, me(KID), agreement)
    again = await documents.do_approve(services, me(KID), agreement)
    assert [a.approved_at for a in approved.approvals] == [a.approved_at for a in again.approvals]
    trajectory = store.data.trajectories[view.trajectory.id]
    assert (trajectory.status, trajectory.activated_at) == (TrajectoryStatus.ACTIVE, NOW + timedelta(minutes=1))
    actions = [(a.action, a.actor_id, a.person_id) for a in store.data.actions if a.action.startswith("document.")]
    assert ("document.approved", MUM, KID) in actions and ("document.approved", KID, KID) in actions

    ended = await trajectories.do_end(services, PRACTICE, view.trajectory.id, "klaar")
    assert ended.trajectory.status is TrajectoryStatus.ENDED
    [event] = [e for e in store.events if isinstance(e, TrajectoryEndedEvent)]
    assert (event.person_account_id, event.other_trajectory_active) == (KID, False)


async def test_booking_and_cancelling_confirm_to_the_person_and_their_delegate_and_free_the_slot() -> None:
    clock = SettableClock(NOW)
    services, store = make_services(clock)
    await _family(services, store)
    slot = await appointments.do_add_slot(
        services, PRACTICE, "", "Dokter", NOW + timedelta(days=2), NOW + timedelta(days=2, minutes=10), ""
    )
    booked = await appointments.do_book(services, me(KID, MUM), slot.id, "")
    with pytest.raises(SlotTaken):
        await appointments.do_book(services, me(MUM), slot.id, "")
    [confirmation] = [e for e in store.events if isinstance(e, AppointmentBooked)]
    assert {r.email for r in confirmation.recipients} == {"jip@x.nl", "olga@x.nl"}
    assert booked.created_by == MUM and booked.person_id == KID

    clock.advance(timedelta(hours=25))
    with pytest.raises(TooLateToCancel):
        await appointments.do_cancel(services, me(KID), booked.id)
    clock.set(NOW + timedelta(hours=1))
    await appointments.do_cancel(services, me(KID), booked.id)
    [cancelled] = [e for e in store.events if isinstance(e, AppointmentCancelled)]
    assert cancelled.cancelled_by == "patient"
    free = await appointments.list_free_slots(services, me(MUM), "2026-11-27", "2026-12-05", "")
    assert [s.id for s in free] == [slot.id]


async def test_a_repeat_prescription_on_friday_morning_is_ready_on_monday() -> None:
    clock = SettableClock(NOW)
    services, _ = make_services(clock)
    await dossier.do_register_client(services, PRACTICE, PATIENT, None, {"first_name": "P", "last_name": "Q"}, "nl")
    chronic = await medication.do_add_medication(services, PRACTICE, PATIENT, "Metformine", "", True, "")
    request = await medication.do_request_prescription(services, me(), [chronic.id], "")
    assert request.ready_on == date(2026, 11, 30)
    clock.advance(timedelta(hours=2))  # 13:00: past the cut-off
    later = await medication.do_request_prescription(services, me(), [chronic.id], "")
    assert later.ready_on == date(2026, 12, 1)


async def test_the_diary_is_each_authors_own() -> None:
    services, store = make_services(SettableClock(NOW))
    await _family(services, store)
    mine = await diary.do_write(services, me(KID), "Alleen voor mij", False)
    await diary.do_write(services, me(KID, MUM), "Van mama", True)
    assert [e.body for e in (await diary.list_mine(services, me(KID, MUM), "", 20))[0]] == ["Van mama"]
    with pytest.raises(DiaryEntryNotFound):
        await diary.do_update(services, me(KID, MUM), mine.id, "Overschreven", False)
    assert [e.body for e in (await diary.list_shared(services, PRACTICE, KID, "", 20))[0]] == ["Van mama"]


def test_a_dossier_search_is_trimmed_and_refuses_what_cannot_be_searched() -> None:
    assert check_query("  bloed \t onderzoek ") == "bloed onderzoek"
    for refused in ("x", " x ", "x" * 101, "ab\x00c"):
        with pytest.raises(InvalidArgument) as raised:
            check_query(refused)
        assert "q" in raised.value.fields
