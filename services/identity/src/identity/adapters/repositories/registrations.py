"""Requests for portal access (self-registrations) and the practice's decisions on them."""

from __future__ import annotations

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import registrations
from identity.domain.registrations import Registration, RegistrationStatus


def _registration(row: Row[tuple[object, ...]]) -> Registration:
    return Registration(
        id=row.id,
        organisation_id=row.organisation_id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        mobile=row.mobile,
        birth_date=row.birth_date,
        language=row.language,
        requested_at=row.requested_at,
        status=RegistrationStatus(row.status),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        token_hash=row.token_hash,
        link_expires_at=row.link_expires_at,
        account_id=row.account_id,
    )


class SqlRegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, registration: Registration) -> None:
        await self._session.execute(
            insert(registrations).values(
                id=registration.id,
                organisation_id=registration.organisation_id,
                first_name=registration.first_name,
                last_name=registration.last_name,
                email=registration.email,
                mobile=registration.mobile,
                birth_date=registration.birth_date,
                language=registration.language,
                requested_at=registration.requested_at,
                status=registration.status.value,
            )
        )

    async def get_in_organisation_for_update(self, registration_id: str, organisation_id: str) -> Registration | None:
        row = (
            await self._session.execute(
                select(registrations)
                .where(registrations.c.id == registration_id, registrations.c.organisation_id == organisation_id)
                .with_for_update()
            )
        ).first()
        return _registration(row) if row else None

    async def get_by_token_hash_for_update(self, token_hash: str) -> Registration | None:
        row = (
            await self._session.execute(
                select(registrations).where(registrations.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _registration(row) if row else None

    async def list_for_organisation(
        self, organisation_id: str, status: RegistrationStatus | None, *, limit: int = 500
    ) -> list[Registration]:
        query = select(registrations).where(registrations.c.organisation_id == organisation_id)
        if status is not None:
            query = query.where(registrations.c.status == status.value)
        rows = (await self._session.execute(query.order_by(registrations.c.requested_at).limit(limit))).all()
        return [_registration(row) for row in rows]

    async def save(self, registration: Registration) -> None:
        await self._session.execute(
            update(registrations)
            .where(registrations.c.id == registration.id)
            .values(
                status=registration.status.value,
                decided_at=registration.decided_at,
                decided_by=registration.decided_by,
                token_hash=registration.token_hash,
                link_expires_at=registration.link_expires_at,
                account_id=registration.account_id,
            )
        )
