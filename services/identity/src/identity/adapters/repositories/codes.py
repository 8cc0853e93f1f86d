"""One-time codes, second factors (and their recovery codes), and the counters that limit
how often Zorgpost sends a code or a receipt for one address or account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Row, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import one_time_codes, rate_counters, recovery_codes, second_factors
from identity.domain.codes import CodePurpose, OneTimeCode, Redemption
from identity.domain.rate_limits import RateCounter
from identity.domain.second_factors import EnrolledFactor, FactorMethod


class SqlOneTimeCodeRepository:
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

    async def find(self, purpose: CodePurpose, subject: str) -> OneTimeCode | None:
        row = (
            await self._session.execute(
                select(one_time_codes).where(
                    one_time_codes.c.purpose == purpose.value, one_time_codes.c.subject == subject
                )
            )
        ).first()
        if row is None:
            return None
        return OneTimeCode(
            id=row.id,
            purpose=purpose,
            subject=subject,
            code_hash=row.code_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
            max_attempts=row.max_attempts,
            attempts=row.attempts,
            used_at=row.used_at,
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


class SqlSecondFactorRepository:
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


class SqlRecoveryCodeRepository:
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


class SqlRateCounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, limit_name: str, key: str, now: datetime) -> RateCounter:
        """Locked until the transaction ends: concurrent requests for one key count in turn."""
        await self._session.execute(
            pg_insert(rate_counters)
            .values(limit_name=limit_name, key_hash=key, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["limit_name", "key_hash"])
        )
        row = (
            await self._session.execute(
                select(rate_counters)
                .where(rate_counters.c.limit_name == limit_name, rate_counters.c.key_hash == key)
                .with_for_update()
            )
        ).one()
        return RateCounter(row.limit_name, row.key_hash, row.window_started_at, row.requests)

    async def save(self, counter: RateCounter) -> None:
        await self._session.execute(
            update(rate_counters)
            .where(rate_counters.c.limit_name == counter.limit_name, rate_counters.c.key_hash == counter.key)
            .values(window_started_at=counter.window_started_at, requests=counter.count)
        )
