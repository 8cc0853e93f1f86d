"""Invitations into a secure conversation."""

from __future__ import annotations

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import invitations
from identity.domain.invitations import Invitation, InvitationStatus


def _invitation(row: Row[tuple[object, ...]]) -> Invitation:
    return Invitation(
        id=row.id,
        organisation_id=row.organisation_id,
        inviter_account_id=row.inviter_account_id,
        email=row.email,
        thread_id=row.thread_id,
        language=row.language,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=InvitationStatus(row.status),
        decided_at=row.decided_at,
        account_id=row.account_id,
    )


class SqlInvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invitation: Invitation) -> None:
        await self._session.execute(
            insert(invitations).values(
                id=invitation.id,
                organisation_id=invitation.organisation_id,
                inviter_account_id=invitation.inviter_account_id,
                email=invitation.email,
                thread_id=invitation.thread_id,
                language=invitation.language,
                token_hash=invitation.token_hash,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                status=invitation.status.value,
            )
        )

    async def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        row = (await self._session.execute(select(invitations).where(invitations.c.token_hash == token_hash))).first()
        return _invitation(row) if row else None

    async def get_by_token_hash_for_update(self, token_hash: str) -> Invitation | None:
        """Locks the row: two concurrent answers to one invitation are judged in turn."""
        row = (
            await self._session.execute(
                select(invitations).where(invitations.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def get_in_organisation_for_update(self, invitation_id: str, organisation_id: str) -> Invitation | None:
        row = (
            await self._session.execute(
                select(invitations)
                .where(invitations.c.id == invitation_id, invitations.c.organisation_id == organisation_id)
                .with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def list_for_organisation(self, organisation_id: str, *, limit: int = 500) -> list[Invitation]:
        rows = (
            await self._session.execute(
                select(invitations)
                .where(invitations.c.organisation_id == organisation_id)
                .order_by(invitations.c.created_at.desc())
                .limit(limit)
            )
        ).all()
        return [_invitation(row) for row in rows]

    async def save(self, invitation: Invitation) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation.id)
            .values(
                token_hash=invitation.token_hash,
                expires_at=invitation.expires_at,
                status=invitation.status.value,
                decided_at=invitation.decided_at,
                account_id=invitation.account_id,
            )
        )
