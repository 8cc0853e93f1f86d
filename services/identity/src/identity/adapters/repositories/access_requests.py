"""Parents' requests for access to a child's portal, and the practice's decisions on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import access_requests
from identity.domain.access_requests import (
    AccessRequest,
    AccessRequestPage,
    AccessRequestStatus,
    Relation,
    encode_cursor,
)
from identity.domain.errors import AccessRequestExists


def _request(row: Row[tuple[object, ...]]) -> AccessRequest:
    return AccessRequest(
        id=row.id,
        organisation_id=row.organisation_id,
        requester_account_id=row.requester_account_id,
        child_first_name=row.child_first_name,
        child_last_name=row.child_last_name,
        child_birth_date=row.child_birth_date,
        relation=Relation(row.relation),
        note=row.note,
        requested_at=row.requested_at,
        status=AccessRequestStatus(row.status),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        reason=row.reason,
        delegation_id=row.delegation_id,
    )


class SqlAccessRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: AccessRequest) -> None:
        """Raises :class:`AccessRequestExists` when a pending request for the same child
        was stored meanwhile (the unique index decides between two at once)."""
        inserted = await self._session.execute(
            pg_insert(access_requests)
            .values(
                id=request.id,
                organisation_id=request.organisation_id,
                requester_account_id=request.requester_account_id,
                child_first_name=request.child_first_name,
                child_last_name=request.child_last_name,
                child_key=request.child_key,
                child_birth_date=request.child_birth_date,
                relation=request.relation.value,
                note=request.note,
                requested_at=request.requested_at,
                status=request.status.value,
            )
            .on_conflict_do_nothing()
            .returning(access_requests.c.id)
        )
        if inserted.first() is None:
            raise AccessRequestExists()

    async def get(self, access_request_id: str, *, for_update: bool = False) -> AccessRequest | None:
        query = select(access_requests).where(access_requests.c.id == access_request_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _request(row) if row else None

    async def find_pending(self, requester_account_id: str, child_key: str, child_birth_date: date) -> bool:
        row = (
            await self._session.execute(
                select(access_requests.c.id).where(
                    access_requests.c.requester_account_id == requester_account_id,
                    access_requests.c.child_key == child_key,
                    access_requests.c.child_birth_date == child_birth_date,
                    access_requests.c.status == AccessRequestStatus.PENDING.value,
                )
            )
        ).first()
        return row is not None

    async def count_pending(self, requester_account_id: str) -> int:
        found = await self._session.scalar(
            select(func.count())
            .select_from(access_requests)
            .where(
                access_requests.c.requester_account_id == requester_account_id,
                access_requests.c.status == AccessRequestStatus.PENDING.value,
            )
        )
        return int(found or 0)

    async def list_by_requester(self, requester_account_id: str, *, limit: int) -> list[AccessRequest]:
        rows = (
            await self._session.execute(
                select(access_requests)
                .where(access_requests.c.requester_account_id == requester_account_id)
                .order_by(access_requests.c.requested_at.desc(), access_requests.c.id.desc())
                .limit(limit)
            )
        ).all()
        return [_request(row) for row in rows]

    async def list_for_organisation(
        self,
        organisation_id: str,
        status: AccessRequestStatus | None,
        *,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> AccessRequestPage:
        query = select(access_requests).where(access_requests.c.organisation_id == organisation_id)
        if status is not None:
            query = query.where(access_requests.c.status == status.value)
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(
                    access_requests.c.requested_at > at,
                    and_(access_requests.c.requested_at == at, access_requests.c.id > last_id),
                )
            )
        rows = (
            await self._session.execute(
                query.order_by(access_requests.c.requested_at, access_requests.c.id).limit(limit + 1)
            )
        ).all()
        items = [_request(row) for row in rows[:limit]]
        return AccessRequestPage(items, encode_cursor(items[-1]) if len(rows) > limit else None)

    async def save(self, request: AccessRequest) -> None:
        await self._session.execute(
            update(access_requests)
            .where(access_requests.c.id == request.id)
            .values(
                status=request.status.value,
                decided_at=request.decided_at,
                decided_by=request.decided_by,
                reason=request.reason,
                delegation_id=request.delegation_id,
            )
        )
