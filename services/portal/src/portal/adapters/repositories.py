"""The portal's queries on PostgreSQL (the ports of ``portal.service.ports``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from portal.adapters.orm import appointments, care_trajectories, portal_visits
from portal.domain.model import Appointment, TrajectoryStatus


class SqlDashboardQueries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upcoming_appointments(self, person_id: str, now: datetime, limit: int = 5) -> list[Appointment]:
        rows = (
            await self._session.execute(
                select(appointments)
                .where(
                    appointments.c.person_id == person_id,
                    appointments.c.starts_at >= now,
                    appointments.c.cancelled_at.is_(None),
                )
                .order_by(appointments.c.starts_at)
                .limit(limit)
            )
        ).all()
        return [
            Appointment(row.id, row.person_id, row.starts_at, row.ends_at, row.with_name, row.location) for row in rows
        ]

    async def count_active_trajectories(self, person_id: str) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(care_trajectories)
            .where(care_trajectories.c.person_id == person_id, care_trajectories.c.status == TrajectoryStatus.ACTIVE)
        )
        return int(count or 0)

    async def swap_last_visit(self, person_id: str, now: datetime) -> datetime | None:
        """Records this visit and returns the one before it."""
        previous = await self._session.scalar(
            select(portal_visits.c.last_visit_at).where(portal_visits.c.person_id == person_id).with_for_update()
        )
        await self._session.execute(
            pg_insert(portal_visits)
            .values(person_id=person_id, last_visit_at=now)
            .on_conflict_do_update(index_elements=[portal_visits.c.person_id], set_={"last_visit_at": now})
        )
        return previous
