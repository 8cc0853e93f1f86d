"""Repositories of identity's security tables: organisation policies, one-time codes, login
throttles, second factors, recovery codes, login challenges, password resets, credentials
and the sessions a person sees as devices."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Row, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import (
    accounts,
    login_challenges,
    login_throttles,
    one_time_codes,
    organisations,
    password_resets,
    recovery_codes,
    second_factors,
    sessions,
)
from identity.adapters.repositories import session_from_row
from identity.domain.challenges import LoginChallenge, PasswordReset
from identity.domain.codes import CodePurpose, OneTimeCode, Redemption
from identity.domain.model import Session
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy
from identity.domain.second_factors import EnrolledFactor, FactorMethod
from identity.domain.throttle import LoginThrottle


class SecurityPolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, organisation_id: str | None) -> SecurityPolicy:
        """The organisation's policy; the default (ASVS, no second factor) for people
        outside any organisation."""
        if organisation_id is None:
            return SecurityPolicy()
        row = (await self._session.execute(select(organisations).where(organisations.c.id == organisation_id))).first()
        if row is None:
            return SecurityPolicy()
        return SecurityPolicy(
            password=PasswordPolicy.for_preset(PasswordPreset(row.password_preset)),
            second_factor=SecondFactor(row.second_factor),
            code_lifetime=timedelta(seconds=row.code_lifetime_seconds),
            lockout_threshold=row.lockout_threshold,
            lockout_step=timedelta(seconds=row.lockout_step_seconds),
            lockout_max=timedelta(seconds=row.lockout_max_seconds),
            max_failures_per_hour=row.max_failures_per_hour,
            secret_question=row.secret_question,
        )

    async def save(self, organisation_id: str, policy: SecurityPolicy) -> None:
        await self._session.execute(
            update(organisations)
            .where(organisations.c.id == organisation_id)
            .values(
                password_preset=policy.password.preset.value,
                second_factor=policy.second_factor.value,
                code_lifetime_seconds=int(policy.code_lifetime.total_seconds()),
                lockout_threshold=policy.lockout_threshold,
                lockout_step_seconds=int(policy.lockout_step.total_seconds()),
                lockout_max_seconds=int(policy.lockout_max.total_seconds()),
                max_failures_per_hour=policy.max_failures_per_hour,
                secret_question=policy.secret_question,
            )
        )


class OneTimeCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, code: OneTimeCode) -> None:
        """Stores ``code`` as the one live code of its purpose and subject; an earlier code
        for them (used or not) is gone."""
        values = {
            "id": code.id,
            "code_hash": code.code_hash,
            "created_at": code.created_at,
            "expires_at": code.expires_at,
            "attempts": 0,
            "max_attempts": code.max_attempts,
            "used_at": None,
        }
        statement = pg_insert(one_time_codes).values(purpose=code.purpose.value, subject=code.subject, **values)
        await self._session.execute(
            statement.on_conflict_do_update(constraint="uq_one_time_codes_purpose_subject", set_=values)
        )

    @staticmethod
    def _live(purpose: CodePurpose, subject: str, now: datetime) -> ColumnElement[bool]:
        return (
            (one_time_codes.c.purpose == purpose.value)
            & (one_time_codes.c.subject == subject)
            & one_time_codes.c.used_at.is_(None)
            & (one_time_codes.c.expires_at > now)
            & (one_time_codes.c.attempts < one_time_codes.c.max_attempts)
        )

    async def use(self, purpose: CodePurpose, subject: str, code_hash: str, now: datetime) -> bool:
        """Uses the live code when ``code_hash`` matches it. Single use under concurrency:
        the conditional UPDATE takes the row lock, and a concurrent redemption re-evaluates
        ``used_at IS NULL`` once the first commits, so exactly one gets True."""
        used = (
            await self._session.execute(
                update(one_time_codes)
                .where(self._live(purpose, subject, now) & (one_time_codes.c.code_hash == code_hash))
                .values(used_at=now)
                .returning(one_time_codes.c.id)
            )
        ).first()
        return used is not None

    async def count_wrong_attempt(self, purpose: CodePurpose, subject: str, now: datetime) -> Redemption:
        """Counts a wrong try against the live code: WRONG, or NO_LIVE_CODE when there is
        none (never issued, used, expired or out of attempts)."""
        counted = (
            await self._session.execute(
                update(one_time_codes)
                .where(self._live(purpose, subject, now))
                .values(attempts=one_time_codes.c.attempts + 1)
                .returning(one_time_codes.c.id)
            )
        ).first()
        return Redemption.WRONG if counted is not None else Redemption.NO_LIVE_CODE


class LoginThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, login_name: str, now: datetime) -> LoginThrottle:
        """The throttle of ``login_name``, locked until the transaction ends, so attempts
        on one name are judged one after the other (on every instance)."""
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


def _factor(row: Row[tuple[object, ...]]) -> EnrolledFactor:
    return EnrolledFactor(
        account_id=row.account_id,
        method=FactorMethod(row.method),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        totp_secret_sealed=row.totp_secret_encrypted,
        last_totp_step=row.last_totp_step,
    )


class SecondFactorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_account(self, account_id: str) -> list[EnrolledFactor]:
        rows = (
            await self._session.execute(
                select(second_factors)
                .where(second_factors.c.account_id == account_id)
                .order_by(second_factors.c.method)
            )
        ).all()
        return [_factor(row) for row in rows]

    async def get(self, account_id: str, method: FactorMethod) -> EnrolledFactor | None:
        row = (
            await self._session.execute(
                select(second_factors).where(
                    second_factors.c.account_id == account_id, second_factors.c.method == method.value
                )
            )
        ).first()
        return _factor(row) if row else None

    async def put(self, factor: EnrolledFactor) -> None:
        """Stores a (re-)enrolment: replaces any earlier enrolment of the same method."""
        values = {
            "totp_secret_encrypted": factor.totp_secret_sealed,
            "created_at": factor.created_at,
            "confirmed_at": factor.confirmed_at,
            "last_totp_step": factor.last_totp_step,
        }
        await self._session.execute(
            pg_insert(second_factors)
            .values(account_id=factor.account_id, method=factor.method.value, **values)
            .on_conflict_do_update(index_elements=["account_id", "method"], set_=values)
        )

    async def claim_totp_step(self, account_id: str, step: int) -> bool:
        """Records ``step`` as used; False when it (or a later one) was used already, also
        when two requests race with the same code."""
        claimed = (
            await self._session.execute(
                update(second_factors)
                .where(
                    second_factors.c.account_id == account_id,
                    second_factors.c.method == FactorMethod.TOTP.value,
                    second_factors.c.last_totp_step.is_(None) | (second_factors.c.last_totp_step < step),
                )
                .values(last_totp_step=step)
                .returning(second_factors.c.account_id)
            )
        ).first()
        return claimed is not None


class RecoveryCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace_all(self, account_id: str, code_hashes: list[str], ids: list[str], now: datetime) -> None:
        """The account's recovery codes become exactly these; earlier ones stop working."""
        await self._session.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
        await self._session.execute(
            insert(recovery_codes),
            [
                {"id": code_id, "account_id": account_id, "code_hash": code_hash, "created_at": now}
                for code_id, code_hash in zip(ids, code_hashes, strict=True)
            ],
        )

    async def redeem(self, account_id: str, code_hash: str, now: datetime) -> bool:
        """Uses an unused recovery code of the account; single use under concurrency."""
        used = (
            await self._session.execute(
                update(recovery_codes)
                .where(
                    recovery_codes.c.account_id == account_id,
                    recovery_codes.c.code_hash == code_hash,
                    recovery_codes.c.used_at.is_(None),
                )
                .values(used_at=now)
                .returning(recovery_codes.c.id)
            )
        ).first()
        return used is not None

    async def count_unused(self, account_id: str) -> int:
        return int(
            (
                await self._session.execute(
                    select(func.count())
                    .select_from(recovery_codes)
                    .where(recovery_codes.c.account_id == account_id, recovery_codes.c.used_at.is_(None))
                )
            ).scalar_one()
        )


class LoginChallengeRepository:
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


class PasswordResetRepository:
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


class CredentialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set_password(self, account_id: str, password_hash: str, *, must_change: bool) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=password_hash, must_change_password=must_change)
        )


def _active(now: datetime) -> ColumnElement[bool]:
    return (
        sessions.c.revoked_at.is_(None)
        & (sessions.c.expires_at > now)
        & (sessions.c.last_seen_at + func.make_interval(0, 0, 0, 0, 0, 0, sessions.c.idle_ttl_seconds) > now)
    )


class DeviceRepository:
    """Sessions as the person sees them: the devices signed in to their account."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_active_for_account(self, account_id: str, now: datetime) -> list[Session]:
        rows = (
            await self._session.execute(
                select(sessions)
                .where(sessions.c.account_id == account_id, _active(now))
                .order_by(sessions.c.last_seen_at.desc())
            )
        ).all()
        return [session_from_row(row) for row in rows]

    async def revoke(self, account_id: str, session_id: str, now: datetime) -> bool:
        """Revokes one of the account's active sessions; False when it has no such session."""
        revoked = (
            await self._session.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.account_id == account_id, _active(now))
                .values(revoked_at=now)
                .returning(sessions.c.id)
            )
        ).first()
        return revoked is not None

    async def revoke_all_except(self, account_id: str, keep_session_id: str | None, now: datetime) -> int:
        """Revokes every active session of the account but ``keep_session_id``."""
        condition = (sessions.c.account_id == account_id) & sessions.c.revoked_at.is_(None)
        if keep_session_id is not None:
            condition &= sessions.c.id != keep_session_id
        result = await self._session.execute(
            update(sessions).where(condition).values(revoked_at=now).returning(sessions.c.id)
        )
        return len(result.all())

    async def touch(self, session_id: str, now: datetime) -> None:
        """Records that the device was just used (at most once a minute, to spare writes)."""
        await self._session.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.last_seen_at < now - timedelta(minutes=1))
            .values(last_seen_at=now)
        )
