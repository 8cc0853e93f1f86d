"""Which organisations a government department supervises, and in which themes."""

from __future__ import annotations

from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import supervisions
from identity.domain.supervision import Supervision


def _supervision(row: Row[tuple[object, ...]]) -> Supervision:
    return Supervision(row.supervisor_organisation_id, row.supervised_organisation_id, tuple(row.themes), row.since)


class SqlSupervisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_update(self, supervisor_id: str, supervised_id: str) -> Supervision | None:
        row = (
            await self._session.execute(
                select(supervisions)
                .where(
                    supervisions.c.supervisor_organisation_id == supervisor_id,
                    supervisions.c.supervised_organisation_id == supervised_id,
                )
                .with_for_update()
            )
        ).first()
        return _supervision(row) if row else None

    async def add(self, supervision: Supervision) -> None:
        await self._session.execute(
            pg_insert(supervisions)
            .values(
                supervisor_organisation_id=supervision.supervisor_organisation_id,
                supervised_organisation_id=supervision.supervised_organisation_id,
                themes=list(supervision.themes),
                since=supervision.since,
            )
            .on_conflict_do_nothing()
        )

    async def set_themes(self, supervisor_id: str, supervised_id: str, themes: tuple[str, ...]) -> None:
        await self._session.execute(
            update(supervisions)
            .where(
                supervisions.c.supervisor_organisation_id == supervisor_id,
                supervisions.c.supervised_organisation_id == supervised_id,
            )
            .values(themes=list(themes))
        )

    async def remove(self, supervisor_id: str, supervised_id: str) -> None:
        await self._session.execute(
            delete(supervisions).where(
                supervisions.c.supervisor_organisation_id == supervisor_id,
                supervisions.c.supervised_organisation_id == supervised_id,
            )
        )

    async def list_supervised_by(self, supervisor_id: str) -> list[Supervision]:
        rows = (
            await self._session.execute(
                select(supervisions)
                .where(supervisions.c.supervisor_organisation_id == supervisor_id)
                .order_by(supervisions.c.since, supervisions.c.supervised_organisation_id)
            )
        ).all()
        return [_supervision(row) for row in rows]

    async def list_supervisors_of(self, supervised_id: str) -> list[Supervision]:
        rows = (
            await self._session.execute(
                select(supervisions)
                .where(supervisions.c.supervised_organisation_id == supervised_id)
                .order_by(supervisions.c.since, supervisions.c.supervisor_organisation_id)
            )
        ).all()
        return [_supervision(row) for row in rows]
