"""The one set of fakes for the portal's use cases: an in-memory unit of work with the
dashboard's queries (nothing is kept without a commit, as in PostgreSQL). It implements the
protocols of ``portal.service.ports``, so a use case takes it as it is.

(Named after the service: test directories are not packages, so two services' ``fakes``
modules would clash.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from portal.domain.model import Appointment, TrajectoryStatus


@dataclass(frozen=True)
class StoredAppointment:
    appointment: Appointment
    cancelled: bool = False


@dataclass
class Store:
    """What the database holds between units of work."""

    appointments: list[StoredAppointment] = field(default_factory=list)
    #: (person id, status) per trajectory.
    trajectories: list[tuple[str, TrajectoryStatus]] = field(default_factory=list)
    last_visits: dict[str, datetime] = field(default_factory=dict)
    commits: int = 0


class FakeDashboardQueries:
    def __init__(self, store: Store, visits: dict[str, datetime]) -> None:
        self._store = store
        self._visits = visits

    async def upcoming_appointments(self, person_id: str, now: datetime, limit: int = 5) -> list[Appointment]:
        upcoming = sorted(
            (
                stored.appointment
                for stored in self._store.appointments
                if stored.appointment.person_id == person_id and stored.appointment.starts_at >= now
                and not stored.cancelled
            ),
            key=lambda appointment: appointment.starts_at,
        )
        return upcoming[:limit]

    async def count_active_trajectories(self, person_id: str) -> int:
        active = [person for person, status in self._store.trajectories if status is TrajectoryStatus.ACTIVE]
        return active.count(person_id)

    async def swap_last_visit(self, person_id: str, now: datetime) -> datetime | None:
        previous = self._visits.get(person_id)
        self._visits[person_id] = now
        return previous


class FakeUnitOfWork:
    """Reads the store; visits are written to a copy that :meth:`commit` writes back."""

    dashboard: FakeDashboardQueries

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._visits = dict(self._store.last_visits)
        self.dashboard = FakeDashboardQueries(self._store, self._visits)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store.last_visits = dict(self._visits)
        self._store.commits += 1
