"""Delegations (one person acting for another) and which portal a person opens after login."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Row, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import accounts, delegations, portal_preferences
from identity.domain.delegations import Delegation, DelegationKind, DelegationStatus, EndReason


def _delegation(row: Row[tuple[object, ...]]) -> Delegation:
    return Delegation(
        id=row.id,
        organisation_id=row.organisation_id,
        person_account_id=row.person_account_id,
        delegate_account_id=row.delegate_account_id,
        kind=DelegationKind(row.kind),
        status=DelegationStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        granted_at=row.granted_at,
        ended_at=row.ended_at,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
    )


_OPEN = (DelegationStatus.ACTIVE.value, DelegationStatus.AWAITING_CONSENT.value)


def _involving(account_id: str) -> ColumnElement[bool]:
    return (delegations.c.person_account_id == account_id) | (delegations.c.delegate_account_id == account_id)


class SqlDelegationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delegation: Delegation) -> None:
        await self._session.execute(
            insert(delegations).values(
                id=delegation.id,
                organisation_id=delegation.organisation_id,
                person_account_id=delegation.person_account_id,
                delegate_account_id=delegation.delegate_account_id,
                kind=delegation.kind.value,
                status=delegation.status.value,
                created_at=delegation.created_at,
                created_by=delegation.created_by,
                granted_at=delegation.granted_at,
            )
        )

    async def get(self, delegation_id: str) -> Delegation | None:
        row = (await self._session.execute(select(delegations).where(delegations.c.id == delegation_id))).first()
        return _delegation(row) if row else None

    async def get_for_update(self, delegation_id: str) -> Delegation | None:
        row = (
            await self._session.execute(select(delegations).where(delegations.c.id == delegation_id).with_for_update())
        ).first()
        return _delegation(row) if row else None

    async def find_open(self, person_account_id: str, delegate_account_id: str) -> Delegation | None:
        row = (
            await self._session.execute(
                select(delegations).where(
                    delegations.c.person_account_id == person_account_id,
                    delegations.c.delegate_account_id == delegate_account_id,
                    delegations.c.status.in_(_OPEN),
                )
            )
        ).first()
        return _delegation(row) if row else None

    async def is_active(self, person_account_id: str, delegate_account_id: str) -> bool:
        row = (
            await self._session.execute(
                select(delegations.c.id).where(
                    delegations.c.person_account_id == person_account_id,
                    delegations.c.delegate_account_id == delegate_account_id,
                    delegations.c.status == DelegationStatus.ACTIVE.value,
                )
            )
        ).first()
        return row is not None

    async def list_involving(self, account_id: str) -> list[Delegation]:
        """Every delegation for or by the account, newest first (ended ones too: history)."""
        rows = (
            await self._session.execute(
                select(delegations)
                .where(_involving(account_id))
                .order_by(delegations.c.created_at.desc())
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def list_open_involving_for_update(self, account_id: str) -> list[Delegation]:
        rows = (
            await self._session.execute(
                select(delegations)
                .where(_involving(account_id), delegations.c.status.in_(_OPEN))
                .with_for_update()
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def list_open_parental_for_update(self, born_on_or_before: date) -> list[Delegation]:
        """Open parental delegations whose person was born on or before the given day
        (the candidates for ending at 16), locked, skipping rows another worker holds."""
        rows = (
            await self._session.execute(
                select(delegations)
                .join(accounts, accounts.c.id == delegations.c.person_account_id)
                .where(
                    delegations.c.kind == DelegationKind.PARENTAL.value,
                    delegations.c.status.in_(_OPEN),
                    accounts.c.birth_date <= born_on_or_before,
                )
                .with_for_update(of=delegations, skip_locked=True)
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def save(self, delegation: Delegation) -> None:
        await self._session.execute(
            update(delegations)
            .where(delegations.c.id == delegation.id)
            .values(
                status=delegation.status.value,
                granted_at=delegation.granted_at,
                ended_at=delegation.ended_at,
                end_reason=delegation.end_reason.value if delegation.end_reason else None,
            )
        )


class SqlPortalPreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_id: str) -> str | None:
        row = (
            await self._session.execute(
                select(portal_preferences.c.person_account_id).where(portal_preferences.c.account_id == account_id)
            )
        ).first()
        return str(row.person_account_id) if row else None

    async def put(self, account_id: str, person_account_id: str) -> None:
        await self._session.execute(
            pg_insert(portal_preferences)
            .values(account_id=account_id, person_account_id=person_account_id)
            .on_conflict_do_update(index_elements=["account_id"], set_={"person_account_id": person_account_id})
        )

    async def forget(self, account_id: str, person_account_id: str) -> None:
        """The account opens its own portal again if it preferred this person's (the
        delegation between them ended)."""
        await self._session.execute(
            delete(portal_preferences).where(
                portal_preferences.c.account_id == account_id,
                portal_preferences.c.person_account_id == person_account_id,
            )
        )
