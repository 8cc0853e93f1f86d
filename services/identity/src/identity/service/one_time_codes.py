"""The one-time code step of every flow that sends a code: the second factor at login, a
password reset, enrolling a second factor, a self-registration, a mobile number change.

Use inside the caller's unit of work, so the code and the flow's own change commit
together::

    issued = await codes.do_issue(uow, purpose=CodePurpose.REGISTRATION, subject=registration.id,
                                  channel=CodeChannel.SMS, recipient=recipient,
                                  organisation=organisation, lifetime=policy.code_lifetime)
    ...
    await codes.do_redeem(uow, purpose=CodePurpose.REGISTRATION, subject=registration.id, code=typed)

Every code sent counts against the sending limits per account and per address or number
(:data:`~identity.domain.rate_limits.CODES_PER_ACCOUNT`,
:data:`~identity.domain.rate_limits.CODES_PER_DESTINATION`), whichever flow sends it;
secure-mail access codes against a per-address limit of their own
(:data:`~identity.domain.rate_limits.ACCESS_CODES_PER_DESTINATION`).
:meth:`OneTimeCodes.do_redeem` counts a refused code in a transaction of its own, so the
wrong attempt counts although the caller's block then ends in an error and rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from identity.domain.accounts import Organisation
from identity.domain.codes import (
    CodeChannel,
    CodeHasher,
    CodePurpose,
    IssuedCode,
    OneTimeCode,
    OneTimeCodeIssued,
    Redemption,
    generate_code,
)
from identity.domain.errors import CodeNoLongerValid, IncorrectCode
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.rate_limits import ACCESS_CODES_PER_DESTINATION, CODES_PER_ACCOUNT, CODES_PER_DESTINATION
from identity.service.ports import UnitOfWork
from identity.service.rate_limits import do_count
from zorgpost_kit.calendar import Clock, utcnow


@dataclass
class OneTimeCodes:
    uow: Callable[[], UnitOfWork]
    hasher: CodeHasher
    clock: Clock = utcnow

    async def do_issue(
        self,
        uow: UnitOfWork,
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
        Raises :class:`~identity.domain.errors.TooManyRequests` once the account or the
        address has had its allowance of codes. Nothing is stored or sent unless the caller
        commits."""
        now = self.clock()
        if recipient.account_id:
            await do_count(uow, CODES_PER_ACCOUNT, recipient.account_id, now)
        destination = recipient.mobile if channel is CodeChannel.SMS else recipient.email
        # A secure mail's access codes count apart: a link's holder cannot use up the
        # login codes of the person behind the address.
        per_destination = (
            ACCESS_CODES_PER_DESTINATION if purpose is CodePurpose.SECURE_MAIL_ACCESS else CODES_PER_DESTINATION
        )
        await do_count(uow, per_destination, f"{channel.value}:{destination}", now)
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

    async def do_redeem(self, uow: UnitOfWork, *, purpose: CodePurpose, subject: str, code: str) -> None:
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
