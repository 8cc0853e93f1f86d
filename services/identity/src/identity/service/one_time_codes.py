"""The reusable one-time code step of every flow that sends a code (login, password reset,
enrolment of a second factor, and PART B's activation, registration and mobile change).

Use inside the caller's unit of work, so the code and the flow's own change commit
together::

    issued = await codes.do_issue(uow, purpose=CodePurpose.REGISTRATION, subject=registration.id,
                                  channel=CodeChannel.SMS, recipient=Recipient.of(account),
                                  organisation=organisation, lifetime=policy.code_lifetime)
    ...
    await codes.do_redeem(uow, purpose=CodePurpose.REGISTRATION, subject=registration.id, code=typed)

:meth:`OneTimeCodes.do_redeem` counts a refused code in a transaction of its own, so the
wrong attempt counts although the caller's block then ends in an error and rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.codes import (
    CodeChannel,
    CodeHasher,
    CodePurpose,
    IssuedCode,
    OneTimeCode,
    Redemption,
    generate_code,
)
from identity.domain.errors import CodeNoLongerValid, IncorrectCode
from identity.domain.events import OneTimeCodeIssued, OrganisationNotice, Recipient
from identity.domain.model import Organisation


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class OneTimeCodes:
    uow: Callable[[], IdentityUnitOfWork]
    hasher: CodeHasher
    clock: Callable[[], datetime] = utcnow

    async def do_issue(
        self,
        uow: IdentityUnitOfWork,
        *,
        purpose: CodePurpose,
        subject: str,
        channel: CodeChannel,
        recipient: Recipient,
        organisation: Organisation | None,
        lifetime: timedelta,
    ) -> IssuedCode:
        """Makes a new code for (purpose, subject), replacing any earlier one (a resend),
        and emits :class:`OneTimeCodeIssued` so notifications sends it by ``channel``.
        Nothing is stored or sent unless the caller commits."""
        now = self.clock()
        code = generate_code()
        expires_at = now + lifetime
        await uow.one_time_codes.replace(
            OneTimeCode(
                id=str(uuid.uuid4()),
                purpose=purpose,
                subject=subject,
                code_hash=self.hasher.hash(purpose, subject, code),
                created_at=now,
                expires_at=expires_at,
            )
        )
        uow.emit(
            OneTimeCodeIssued(
                **OrganisationNotice.sender(organisation),
                recipient=recipient,
                purpose=purpose.value,
                channel=channel.value,
                code=code,
                expires_at=expires_at,
            )
        )
        return IssuedCode(purpose, subject, channel, expires_at)

    async def do_redeem(self, uow: IdentityUnitOfWork, *, purpose: CodePurpose, subject: str, code: str) -> None:
        """Returns when ``code`` is the live code of (purpose, subject), which is then used
        up in the caller's transaction (of concurrent redemptions exactly one gets here).
        Otherwise counts the wrong attempt (committed on its own) and raises
        :class:`IncorrectCode` (try again) or :class:`CodeNoLongerValid` (ask for a new one)."""
        now = self.clock()
        if await uow.one_time_codes.use(purpose, subject, self.hasher.hash(purpose, subject, code), now):
            return
        # Its own transaction: the caller's rolls back with the error below, the count must not.
        async with self.uow() as counting:
            outcome = await counting.one_time_codes.count_wrong_attempt(purpose, subject, now)
            await counting.commit()
        if outcome is Redemption.WRONG:
            raise IncorrectCode(fields={"code": "is not correct"})
        raise CodeNoLongerValid(fields={"code": "is no longer valid; ask for a new one"})
