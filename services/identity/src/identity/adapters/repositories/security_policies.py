"""Each organisation's security policy, stored as columns of its row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import organisations
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy


class SqlSecurityPolicyRepository:
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
