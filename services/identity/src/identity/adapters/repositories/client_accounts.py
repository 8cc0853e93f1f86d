"""The activation links of accounts a practice made for its clients."""

from __future__ import annotations

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import activation_links
from identity.domain.client_accounts import ActivationLink


def _activation(row: Row[tuple[object, ...]]) -> ActivationLink:
    return ActivationLink(
        account_id=row.account_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        failed_attempts=row.failed_attempts,
        used_at=row.used_at,
    )


class SqlActivationLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, link: ActivationLink) -> None:
        """``link`` becomes the account's one activation link; an earlier one stops working."""
        values = {
            "token_hash": link.token_hash,
            "created_at": link.created_at,
            "expires_at": link.expires_at,
            "failed_attempts": 0,
            "used_at": None,
        }
        await self._session.execute(
            pg_insert(activation_links)
            .values(account_id=link.account_id, **values)
            .on_conflict_do_update(index_elements=["account_id"], set_=values)
        )

    async def get_by_token_hash_for_update(self, token_hash: str) -> ActivationLink | None:
        row = (
            await self._session.execute(
                select(activation_links).where(activation_links.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _activation(row) if row else None

    async def get_by_token_hash(self, token_hash: str) -> ActivationLink | None:
        row = (
            await self._session.execute(select(activation_links).where(activation_links.c.token_hash == token_hash))
        ).first()
        return _activation(row) if row else None

    async def save(self, link: ActivationLink) -> None:
        await self._session.execute(
            update(activation_links)
            .where(activation_links.c.account_id == link.account_id)
            .values(failed_attempts=link.failed_attempts, used_at=link.used_at)
        )
