"""Identity's repositories: named queries that return domain objects."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import accounts, organisations, refresh_tokens, sessions
from identity.domain.model import Account, AccountStatus, Organisation, RefreshToken, Role, Session


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, organisation: Organisation) -> None:
        await self._session.execute(insert(organisations).values(id=organisation.id, name=organisation.name))

    async def get(self, organisation_id: str) -> Organisation | None:
        row = (await self._session.execute(select(organisations).where(organisations.c.id == organisation_id))).first()
        return Organisation(row.id, row.name) if row else None

    async def find_by_name(self, name: str) -> Organisation | None:
        row = (await self._session.execute(select(organisations).where(organisations.c.name == name))).first()
        return Organisation(row.id, row.name) if row else None


def _account(row: Row[tuple[object, ...]]) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        organisation_id=row.organisation_id,
        roles=frozenset(Role(role) for role in row.roles),
        status=AccountStatus(row.status),
        username=row.username,
        language=row.language,
        first_name=row.first_name,
        last_name=row.last_name,
        mobile=row.mobile,
        birth_date=row.birth_date,
        country=row.country,
        must_change_password=row.must_change_password,
    )


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, account: Account) -> None:
        await self._session.execute(
            insert(accounts).values(
                id=account.id,
                organisation_id=account.organisation_id,
                email=account.email.lower(),
                username=account.username.lower() if account.username else None,
                display_name=account.display_name,
                password_hash=account.password_hash,
                roles=sorted(account.roles),
                status=account.status,
                language=account.language,
                first_name=account.first_name,
                last_name=account.last_name,
                mobile=account.mobile,
                birth_date=account.birth_date,
                country=account.country,
                must_change_password=account.must_change_password,
            )
        )

    async def get(self, account_id: str) -> Account | None:
        row = (await self._session.execute(select(accounts).where(accounts.c.id == account_id))).first()
        return _account(row) if row else None

    async def find_for_login(self, login_name: str) -> Account | None:
        """By username or e-mail address, case-insensitively."""
        name = login_name.strip().lower()
        row = (
            await self._session.execute(
                select(accounts).where(or_(accounts.c.email == name, accounts.c.username == name))
            )
        ).first()
        return _account(row) if row else None

    async def set_password_hash(self, account_id: str, password_hash: str) -> None:
        await self._session.execute(
            update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash)
        )


def session_from_row(row: Row[tuple[object, ...]]) -> Session:
    return Session(
        id=row.id,
        account_id=row.account_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        idle_ttl=timedelta(seconds=row.idle_ttl_seconds),
        user_agent=row.user_agent,
        ip_address=row.ip_address,
        revoked_at=row.revoked_at,
    )


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, device_session: Session) -> None:
        await self._session.execute(
            insert(sessions).values(
                id=device_session.id,
                account_id=device_session.account_id,
                created_at=device_session.created_at,
                last_seen_at=device_session.last_seen_at,
                expires_at=device_session.expires_at,
                idle_ttl_seconds=int(device_session.idle_ttl.total_seconds()),
                user_agent=device_session.user_agent,
                ip_address=device_session.ip_address,
            )
        )

    async def get_for_update(self, session_id: str) -> Session | None:
        row = (
            await self._session.execute(select(sessions).where(sessions.c.id == session_id).with_for_update())
        ).first()
        return session_from_row(row) if row else None

    async def save(self, device_session: Session) -> None:
        await self._session.execute(
            update(sessions)
            .where(sessions.c.id == device_session.id)
            .values(
                last_seen_at=device_session.last_seen_at,
                revoked_at=device_session.revoked_at,
                user_agent=device_session.user_agent,
                ip_address=device_session.ip_address,
            )
        )

    async def is_active(self, session_id: str, now: datetime) -> bool:
        row = (
            await self._session.execute(
                select(sessions.c.id).where(
                    sessions.c.id == session_id,
                    sessions.c.revoked_at.is_(None),
                    sessions.c.expires_at > now,
                    sessions.c.last_seen_at + func.make_interval(0, 0, 0, 0, 0, 0, sessions.c.idle_ttl_seconds) > now,
                )
            )
        ).first()
        return row is not None


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        await self._session.execute(
            insert(refresh_tokens).values(
                id=token.id, session_id=token.session_id, token_hash=token.token_hash, created_at=token.created_at
            )
        )

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        """Locks the row: two concurrent refreshes with one token cannot both rotate it."""
        row = (
            await self._session.execute(
                select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        if row is None:
            return None
        return RefreshToken(row.id, row.session_id, row.token_hash, row.created_at, row.used_at)

    async def mark_used(self, token_id: str, now: datetime) -> None:
        await self._session.execute(update(refresh_tokens).where(refresh_tokens.c.id == token_id).values(used_at=now))


#: Rows of ``accounts`` as domain objects, for the other repositories that read the table.
account_from_row = _account
