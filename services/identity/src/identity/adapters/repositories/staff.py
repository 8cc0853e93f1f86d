"""An organisation's staff as its administrators see it: who they are, their roles, when they
last signed in and which second factors they have."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import accounts, second_factors, sessions
from identity.adapters.repositories.accounts import account_from_row
from identity.domain.accounts import Account, AccountStatus, Role
from identity.domain.second_factors import FactorMethod
from identity.domain.staff import StaffListing
from zorgpost_kit.roles import STAFF_ROLES


def _holds_a_staff_role() -> ColumnElement[bool]:
    return or_(*(accounts.c.roles.any(role.value) for role in STAFF_ROLES))


class SqlStaffDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_organisation(self, organisation_id: str) -> list[StaffListing]:
        """Every staff account of the organisation, deactivated ones too, by name."""
        last_login = (
            select(sessions.c.account_id, func.max(sessions.c.created_at).label("last_login_at"))
            .group_by(sessions.c.account_id)
            .subquery()
        )
        rows = (
            await self._session.execute(
                select(accounts, last_login.c.last_login_at)
                .outerjoin(last_login, last_login.c.account_id == accounts.c.id)
                .where(accounts.c.organisation_id == organisation_id, _holds_a_staff_role())
                .order_by(func.lower(accounts.c.display_name), accounts.c.id)
            )
        ).all()
        ids = [row.id for row in rows]
        factors: dict[str, set[FactorMethod]] = {}
        if ids:
            confirmed = (
                await self._session.execute(
                    select(second_factors.c.account_id, second_factors.c.method).where(
                        second_factors.c.account_id.in_(ids), second_factors.c.confirmed_at.is_not(None)
                    )
                )
            ).all()
            for factor in confirmed:
                factors.setdefault(factor.account_id, set()).add(FactorMethod(factor.method))
        return [
            StaffListing(account_from_row(row), row.last_login_at, frozenset(factors.get(row.id, set())))
            for row in rows
        ]

    async def get_in_organisation_for_update(self, account_id: str, organisation_id: str) -> Account | None:
        """The staff account (active or deactivated) of the organisation, locked."""
        row = await self._one(account_id, organisation_id)
        return account_from_row(row) if row else None

    async def administrators_for_update(self, organisation_id: str) -> set[str]:
        """The ids of the organisation's active administrators, locked: two administrators
        who give up the role at the same moment are judged one after the other."""
        rows = (
            await self._session.execute(
                select(accounts.c.id)
                .where(
                    accounts.c.organisation_id == organisation_id,
                    accounts.c.status == AccountStatus.ACTIVE.value,
                    accounts.c.roles.any(Role.ADMIN.value),
                )
                .order_by(accounts.c.id)
                .with_for_update()
            )
        ).all()
        return {row.id for row in rows}

    async def active_ids(self, organisation_id: str, account_ids: set[str]) -> set[str]:
        """Which of ``account_ids`` are active staff of the organisation."""
        if not account_ids:
            return set()
        rows = (
            await self._session.execute(
                select(accounts.c.id).where(
                    accounts.c.id.in_(account_ids),
                    accounts.c.organisation_id == organisation_id,
                    accounts.c.status == AccountStatus.ACTIVE.value,
                    _holds_a_staff_role(),
                )
            )
        ).all()
        return {row.id for row in rows}

    async def active_with_emails(self, organisation_id: str, emails: set[str], roles: frozenset[str]) -> list[Account]:
        """The active staff accounts of the organisation whose address (lower-cased) is one
        of ``emails`` and who hold one of ``roles``: an index-friendly look-up, without the
        last-login and second-factor figures of :meth:`list_for_organisation`."""
        if not emails or not roles:
            return []
        rows = (
            await self._session.execute(
                select(accounts).where(
                    func.lower(accounts.c.email).in_(emails),
                    accounts.c.organisation_id == organisation_id,
                    accounts.c.status == AccountStatus.ACTIVE.value,
                    or_(*(accounts.c.roles.any(role) for role in sorted(roles))),
                )
            )
        ).all()
        return [account_from_row(row) for row in rows]

    async def active_ids_of_organisation_for_update(self, organisation_id: str) -> list[str]:
        rows = (
            await self._session.execute(
                select(accounts.c.id)
                .where(
                    accounts.c.organisation_id == organisation_id,
                    accounts.c.status == AccountStatus.ACTIVE.value,
                    _holds_a_staff_role(),
                )
                .order_by(accounts.c.id)
                .with_for_update()
            )
        ).all()
        return [row.id for row in rows]

    async def _one(self, account_id: str, organisation_id: str) -> Row[tuple[object, ...]] | None:
        return (
            await self._session.execute(
                select(accounts)
                .where(
                    accounts.c.id == account_id,
                    accounts.c.organisation_id == organisation_id,
                    _holds_a_staff_role(),
                )
                .with_for_update()
            )
        ).first()
