"""Invitations into a secure conversation, and into an organisation's staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import invitations
from identity.domain.accounts import Role
from identity.domain.invitations import Invitation, InvitationStatus


def _invitation(row: Row[tuple[object, ...]]) -> Invitation:
    return Invitation(
        id=row.id,
        organisation_id=row.organisation_id,
        inviter_account_id=row.inviter_account_id or "",
        email=row.email,
        thread_id=row.thread_id or "",
        language=row.language,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=InvitationStatus(row.status),
        decided_at=row.decided_at,
        account_id=row.account_id,
        roles=frozenset(Role(role) for role in row.roles),
    )


class SqlInvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invitation: Invitation) -> None:
        await self._session.execute(
            insert(invitations).values(
                id=invitation.id,
                organisation_id=invitation.organisation_id,
                inviter_account_id=invitation.inviter_account_id or None,
                email=invitation.email,
                thread_id=invitation.thread_id or None,
                language=invitation.language,
                token_hash=invitation.token_hash,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                status=invitation.status.value,
                roles=sorted(invitation.roles),
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

    async def list_for_organisation(
        self, organisation_id: str, *, staff: bool = False, limit: int = 500
    ) -> list[Invitation]:
        kind = invitations.c.thread_id.is_(None) if staff else invitations.c.thread_id.is_not(None)
        rows = (
            await self._session.execute(
                select(invitations)
                .where(invitations.c.organisation_id == organisation_id, kind)
                .order_by(invitations.c.created_at.desc())
                .limit(limit)
            )
        ).all()
        return [_invitation(row) for row in rows]

    async def find_open_staff_invitation_for_update(
        self, organisation_id: str, email: str, now: datetime
    ) -> Invitation | None:
        row = (
            await self._session.execute(
                select(invitations)
                .where(
                    invitations.c.organisation_id == organisation_id,
                    invitations.c.email == email,
                    invitations.c.thread_id.is_(None),
                    invitations.c.status == InvitationStatus.PENDING.value,
                    invitations.c.expires_at > now,
                )
                .order_by(invitations.c.created_at.desc())
                .limit(1)
                .with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

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
                roles=sorted(invitation.roles),
            )
        )
