"""Use cases of secure-mail access (seed 2): the outside recipient of a secure e-mail asks
for an access code with the link from the notice, and opens the mail with it.

The link is messaging's (it is resolved there on every request, so a withdrawn or expired
mail stops working at once); the code is identity's one-time code of purpose
``secure_mail_access`` bound to the guest participant the link opens. Asking again
replaces the code; every code sent counts against the limits of the recipient, the link
and the address or number (``identity.domain.rate_limits``). The right code is used once,
also under concurrent redemption, and buys a guest token for that one thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from identity.domain.codes import CodePurpose
from identity.domain.errors import (
    AccessCodeAttemptsUsedUp,
    AccessCodeNoLongerValid,
    AccessCodesUsedUp,
    CodeNoLongerValid,
    IncorrectAccessCode,
    IncorrectCode,
    ReadLinkNotFound,
    TooManyRequests,
)
from identity.domain.rate_limits import ACCESS_CODES_PER_GUEST, ACCESS_CODES_PER_LINK
from identity.domain.secure_mail_access import (
    ACCESS_CODE_LIFETIME,
    AccessCodeSent,
    GuestAccess,
    ReadLink,
    check_access_code,
    check_read_token,
)
from identity.service.one_time_codes import OneTimeCodes
from identity.service.ports import AccessTokens, Conversations, UnitOfWork
from identity.service.rate_limits import do_count
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

PURPOSE = CodePurpose.SECURE_MAIL_ACCESS


@dataclass
class SecureMailAccess:
    uow: Callable[[], UnitOfWork]
    codes: OneTimeCodes
    conversations: Conversations
    access_tokens: AccessTokens
    clock: Clock = utcnow

    async def do_send_code(self, token: str) -> AccessCodeSent:
        """Sends a new access code for the mail behind ``token`` (replacing any earlier
        one): by SMS when the sender gave a mobile number, else by e-mail. Raises
        :class:`ReadLinkNotFound` for a link that does not work, ``TooManyRequests`` past
        the recipient's codes of the hour or the sending limits of the address or number,
        and :class:`AccessCodesUsedUp` past the link's codes of the day (only a new link
        from the sender helps then). Each code has five tries: together these bound the
        guesses at a mail."""
        link = await self._resolve(token)
        now = self.clock()
        async with self.uow() as uow:
            await do_count(uow, ACCESS_CODES_PER_GUEST, link.participant_id, now)
            try:
                await do_count(uow, ACCESS_CODES_PER_LINK, f"{link.participant_id}\x00{token}", now)
            except TooManyRequests as refused:
                raise AccessCodesUsedUp(retry_after_seconds=refused.retry_after_seconds) from None
            issued = await self.codes.do_issue(
                uow,
                purpose=PURPOSE,
                subject=link.participant_id,
                channel=link.channel,
                recipient=link.recipient,
                organisation=link.organisation,
                lifetime=ACCESS_CODE_LIFETIME,
            )
            await uow.commit()
        log.info("secure_mail_access_code_sent", thread_id=link.thread_id, channel=issued.channel)
        return AccessCodeSent(issued.channel, link.masked_destination, issued.expires_at)

    async def do_open(self, token: str, code: str) -> GuestAccess:
        """Redeems ``code`` for the mail behind ``token`` and answers a guest token for its
        thread. A wrong code is :class:`IncorrectAccessCode` (the attempt counts); a used,
        expired or replaced one :class:`AccessCodeNoLongerValid`; once five wrong attempts
        used the code up, :class:`AccessCodeAttemptsUsedUp`."""
        typed = check_access_code(code)
        link = await self._resolve(token)
        now = self.clock()
        async with self.uow() as uow:
            try:
                await self.codes.do_redeem(uow, purpose=PURPOSE, subject=link.participant_id, code=typed)
            except IncorrectCode:
                raise IncorrectAccessCode(fields={"code": "is not correct"}) from None
            except CodeNoLongerValid:
                stored = await uow.one_time_codes.find(PURPOSE, link.participant_id)
                if stored is not None and stored.attempts_used_up(now):
                    raise AccessCodeAttemptsUsedUp(fields={"code": "ask for a new access code"}) from None
                raise AccessCodeNoLongerValid(fields={"code": "is no longer valid; ask for a new one"}) from None
            await uow.commit()
        expires_at = min(link.guest_token_expiry(now), now + self.access_tokens.ttl)
        access_token = self.access_tokens.issue_guest(
            participant_id=link.participant_id,
            thread_id=link.thread_id,
            # A guest has no session to revoke: the token is short-lived and reaches one thread.
            session_id=f"guest-{uuid.uuid4()}",
            now=now,
            expires_at=expires_at,
        )
        log.info("secure_mail_opened_with_code", thread_id=link.thread_id)
        return GuestAccess(access_token, link.thread_id, max(1, int((expires_at - now).total_seconds())))

    async def _resolve(self, token: str) -> ReadLink:
        link = await self.conversations.resolve_read_link(check_read_token(token))
        if link is None:
            raise ReadLinkNotFound()
        return link
