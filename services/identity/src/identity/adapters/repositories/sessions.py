"""Authentication and sessions: signed-in devices and their refresh tokens, the login
throttle, logins waiting for a second factor, and password reset links."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Row, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import login_challenges, login_throttles, password_resets, refresh_tokens, sessions
from identity.domain.authentication import LoginChallenge, PasswordReset
from identity.domain.second_factors import FactorMethod
from identity.domain.sessions import RefreshToken, Session
from identity.domain.throttle import LoginThrottle


def _session(row: Row[tuple[object, ...]]) -> Session:
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


def _active(now: datetime) -> ColumnElement[bool]:
    return (
        sessions.c.revoked_at.is_(None)
        & (sessions.c.expires_at > now)
        & (sessions.c.last_seen_at + func.make_interval(0, 0, 0, 0, 0, 0, sessions.c.idle_ttl_seconds) > now)
    )


class SqlSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, device: Session) -> None:
        await self._session.execute(
            insert(sessions).values(
                id=device.id,
                account_id=device.account_id,
                created_at=device.created_at,
                last_seen_at=device.last_seen_at,
                expires_at=device.expires_at,
                idle_ttl_seconds=int(device.idle_ttl.total_seconds()),
                user_agent=device.user_agent,
                ip_address=device.ip_address,
            )
        )

    async def get_for_update(self, session_id: str) -> Session | None:
        row = (
            await self._session.execute(select(sessions).where(sessions.c.id == session_id).with_for_update())
        ).first()
        return _session(row) if row else None

    async def save(self, device: Session) -> None:
        await self._session.execute(
            update(sessions)
            .where(sessions.c.id == device.id)
            .values(
                last_seen_at=device.last_seen_at,
                revoked_at=device.revoked_at,
                user_agent=device.user_agent,
                ip_address=device.ip_address,
            )
        )

    async def is_active(self, session_id: str, now: datetime) -> bool:
        query = select(sessions.c.id).where(sessions.c.id == session_id, _active(now))
        return (await self._session.execute(query)).first() is not None

    async def list_active_for_account(self, account_id: str, now: datetime) -> list[Session]:
        rows = (
            await self._session.execute(
                select(sessions)
                .where(sessions.c.account_id == account_id, _active(now))
                .order_by(sessions.c.last_seen_at.desc())
            )
        ).all()
        return [_session(row) for row in rows]

    async def revoke(self, account_id: str, session_id: str, now: datetime) -> bool:
        revoked = (
            await self._session.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.account_id == account_id, _active(now))
                .values(revoked_at=now)
                .returning(sessions.c.id)
            )
        ).first()
        return revoked is not None

    async def revoke_all_except(self, account_id: str, keep_session_id: str | None, now: datetime) -> list[str]:
        condition = (sessions.c.account_id == account_id) & sessions.c.revoked_at.is_(None)
        if keep_session_id is not None:
            condition &= sessions.c.id != keep_session_id
        result = await self._session.execute(
            update(sessions).where(condition).values(revoked_at=now).returning(sessions.c.id)
        )
        return [row.id for row in result.all()]

    async def touch(self, session_id: str, now: datetime) -> None:
        # At most once a minute, to spare writes.
        await self._session.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.last_seen_at < now - timedelta(minutes=1))
            .values(last_seen_at=now)
        )


class SqlRefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        await self._session.execute(
            insert(refresh_tokens).values(
                id=token.id, session_id=token.session_id, token_hash=token.token_hash, created_at=token.created_at
            )
        )

    async def account_id_for(self, token_hash: str) -> str | None:
        """The account whose session the token belongs to, read without a lock."""
        return (
            await self._session.execute(
                select(sessions.c.account_id)
                .select_from(refresh_tokens.join(sessions, sessions.c.id == refresh_tokens.c.session_id))
                .where(refresh_tokens.c.token_hash == token_hash)
            )
        ).scalar_one_or_none()

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


class SqlLoginThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, login_name: str, now: datetime) -> LoginThrottle:
        """Locked until the transaction ends, so attempts on one name are judged one after
        the other (on every instance)."""
        await self._session.execute(
            pg_insert(login_throttles)
            .values(login_name=login_name, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["login_name"])
        )
        row = (
            await self._session.execute(
                select(login_throttles).where(login_throttles.c.login_name == login_name).with_for_update()
            )
        ).one()
        return LoginThrottle(
            login_name=row.login_name,
            window_started_at=row.window_started_at,
            consecutive_failures=row.consecutive_failures,
            failures_in_window=row.failures_in_window,
            locked_until=row.locked_until,
        )

    async def save(self, throttle: LoginThrottle) -> None:
        await self._session.execute(
            update(login_throttles)
            .where(login_throttles.c.login_name == throttle.login_name)
            .values(
                consecutive_failures=throttle.consecutive_failures,
                failures_in_window=throttle.failures_in_window,
                window_started_at=throttle.window_started_at,
                locked_until=throttle.locked_until,
            )
        )


class SqlLoginChallengeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, challenge: LoginChallenge) -> None:
        await self._session.execute(
            insert(login_challenges).values(
                id=challenge.id,
                account_id=challenge.account_id,
                method=challenge.method.value,
                created_at=challenge.created_at,
                expires_at=challenge.expires_at,
            )
        )

    async def account_id_of(self, challenge_id: str) -> str | None:
        """The challenge's account, read without a lock (to lock the account first)."""
        return (
            await self._session.execute(
                select(login_challenges.c.account_id).where(login_challenges.c.id == challenge_id)
            )
        ).scalar_one_or_none()

    async def get_for_update(self, challenge_id: str) -> LoginChallenge | None:
        row = (
            await self._session.execute(
                select(login_challenges).where(login_challenges.c.id == challenge_id).with_for_update()
            )
        ).first()
        if row is None:
            return None
        return LoginChallenge(
            id=row.id,
            account_id=row.account_id,
            method=FactorMethod(row.method),
            created_at=row.created_at,
            expires_at=row.expires_at,
            attempts=row.attempts,
            completed_at=row.completed_at,
        )

    async def save(self, challenge: LoginChallenge) -> None:
        await self._session.execute(
            update(login_challenges)
            .where(login_challenges.c.id == challenge.id)
            .values(attempts=challenge.attempts, completed_at=challenge.completed_at)
        )


class SqlPasswordResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, reset: PasswordReset) -> None:
        await self._session.execute(
            insert(password_resets).values(
                id=reset.id,
                account_id=reset.account_id,
                token_hash=reset.token_hash,
                created_at=reset.created_at,
                expires_at=reset.expires_at,
            )
        )

    async def account_id_of(self, token_hash: str) -> str | None:
        """The reset's account, read without a lock (to lock the account first)."""
        return (
            await self._session.execute(
                select(password_resets.c.account_id).where(password_resets.c.token_hash == token_hash)
            )
        ).scalar_one_or_none()

    async def get_by_token_hash_for_update(self, token_hash: str) -> PasswordReset | None:
        row = (
            await self._session.execute(
                select(password_resets).where(password_resets.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        if row is None:
            return None
        return PasswordReset(
            id=row.id,
            account_id=row.account_id,
            token_hash=row.token_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
            attempts=row.attempts,
            used_at=row.used_at,
        )

    async def save(self, reset: PasswordReset) -> None:
        await self._session.execute(
            update(password_resets)
            .where(password_resets.c.id == reset.id)
            .values(attempts=reset.attempts, used_at=reset.used_at)
        )

    async def end_all_for_account(self, account_id: str, now: datetime) -> None:
        """Every open link of the account stops working (after a successful reset)."""
        await self._session.execute(
            update(password_resets)
            .where(password_resets.c.account_id == account_id, password_resets.c.used_at.is_(None))
            .values(used_at=now)
        )
