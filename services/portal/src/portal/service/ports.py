"""What the portal's use cases need from the world, as protocols: the unit of work and the
dashboard's queries. The adapters implement them (``portal.adapters``); the unit tests pass
fakes (``tests/unit/portal/portal_fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from portal.domain.model import Appointment


class DashboardQueries(Protocol):
    async def upcoming_appointments(self, person_id: str, now: datetime, limit: int = 5) -> list[Appointment]:
        """The person's appointments from ``now`` on that were not cancelled, soonest first."""

    async def count_active_trajectories(self, person_id: str) -> int: ...

    async def swap_last_visit(self, person_id: str, now: datetime) -> datetime | None:
        """Records a visit at ``now``; returns the one before it (None on a first visit)."""


class PortalUnitOfWork(Protocol):
    """One transaction over the queries; nothing is kept unless :meth:`commit` ran."""

    @property
    def dashboard(self) -> DashboardQueries: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], PortalUnitOfWork]
