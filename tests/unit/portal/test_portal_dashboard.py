"""The portal's first page on the shared fakes: what is coming for the person the token is
about (the child, when a parent acts for it), how many trajectories run, and when the person
last looked, so the page can show what is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from portal_fakes import FakeUnitOfWork, Store, StoredAppointment

from portal.domain.model import Appointment, TrajectoryStatus
from portal.service.dashboard import get_dashboard
from zorgpost_kit.auth import Principal

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SAM = "account-sam"
PARENT = "account-ouder"
SAM_HIMSELF = Principal(SAM, SAM, "s-1", "org-kindenmeer", "Kind & meer", frozenset({"person"}))
PARENT_FOR_SAM = Principal(SAM, PARENT, "s-2", "org-kindenmeer", "Kind & meer", frozenset({"person"}))


def appointment(person_id: str, hours_from_now: float, name: str = "J. Jansen") -> Appointment:
    starts = NOW + timedelta(hours=hours_from_now)
    return Appointment(f"a-{person_id}-{hours_from_now}", person_id, starts, starts + timedelta(minutes=45), name, "")


@pytest.fixture
def store() -> Store:
    return Store()


async def test_the_dashboard_shows_the_persons_next_five_appointments_soonest_first(store: Store) -> None:
    store.appointments = [StoredAppointment(appointment(SAM, hours)) for hours in (50, 2, 30, 100, 8, 70)]
    store.appointments += [
        StoredAppointment(appointment(SAM, -1)),  # already begun
        StoredAppointment(appointment(SAM, 1), cancelled=True),
        StoredAppointment(appointment("account-someone-else", 3)),
    ]

    dashboard = await get_dashboard(lambda: FakeUnitOfWork(store), SAM_HIMSELF, now=NOW)

    assert [a.starts_at - NOW for a in dashboard.upcoming_appointments] == [
        timedelta(hours=hours) for hours in (2, 8, 30, 50, 70)
    ]
    assert {a.person_id for a in dashboard.upcoming_appointments} == {SAM}


async def test_only_active_trajectories_are_counted(store: Store) -> None:
    store.trajectories = [
        (SAM, TrajectoryStatus.ACTIVE),
        (SAM, TrajectoryStatus.ENDED),
        (SAM, TrajectoryStatus.ACTIVE),
        ("account-someone-else", TrajectoryStatus.ACTIVE),
    ]

    dashboard = await get_dashboard(lambda: FakeUnitOfWork(store), SAM_HIMSELF, now=NOW)

    assert dashboard.active_trajectories == 2


async def test_each_visit_shows_when_the_previous_one_was(store: Store) -> None:
    first = await get_dashboard(lambda: FakeUnitOfWork(store), SAM_HIMSELF, now=NOW)
    later = NOW + timedelta(days=3)
    second = await get_dashboard(lambda: FakeUnitOfWork(store), SAM_HIMSELF, now=later)

    assert first.last_visit_at is None
    assert second.last_visit_at == NOW
    assert store.last_visits == {SAM: later}


async def test_a_parent_acting_for_a_child_sees_the_childs_dashboard(store: Store) -> None:
    store.appointments = [StoredAppointment(appointment(SAM, 4)), StoredAppointment(appointment(PARENT, 5))]

    dashboard = await get_dashboard(lambda: FakeUnitOfWork(store), PARENT_FOR_SAM, now=NOW)

    assert dashboard.person_id == SAM
    assert [a.person_id for a in dashboard.upcoming_appointments] == [SAM]
    # The visit counts as the child's page being seen: the parent has no portal of their own here.
    assert set(store.last_visits) == {SAM}
