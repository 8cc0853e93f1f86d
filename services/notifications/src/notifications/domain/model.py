"""Notifications' domain: a delivery is one notice to one recipient over one channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from notifications.domain.errors import CannotRedrive


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Category(StrEnum):
    """What a notice is about; a person chooses channels per category."""

    #: Codes, password, lock, e-mail change: how a person keeps control of the account.
    SECURITY = "security"
    #: Invitations, activation, registration: how a person gets in.
    ACCOUNT = "account"
    #: New secure messages: optional, and may be bundled into a digest.
    MESSAGES = "messages"
    DELEGATIONS = "delegations"
    APPOINTMENTS = "appointments"
    RESULTS = "results"


#: Categories a person cannot switch off: without them nobody could get in or stay safe.
MANDATORY_CATEGORIES = frozenset({Category.SECURITY, Category.ACCOUNT})

#: Parameters that hold a secret the recipient needs (a code, a link token, a password).
#: They are kept only as long as the delivery may still be sent: a sent or undeliverable
#: delivery forgets them at once, a dead letter after the retention an operator has to
#: re-drive it.
SECRET_PARAMS = frozenset({"code", "token", "read_token", "temporary_password"})


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: Permanently refused, or every attempt failed: a dead letter an operator can re-drive.
    FAILED = "failed"


@dataclass
class Delivery:
    """A notice waiting to go out, or the record that it went (or why it did not).

    ``recipient`` is an e-mail address or, for SMS, an E.164 number. ``account_id`` is the
    recipient's account ("" for someone without one). Deliveries with the same
    ``digest_key`` that are queued together go out as one mail.
    """

    id: str
    source_id: str
    organisation_id: str
    template: str
    channel: Channel
    recipient: str
    language: str
    params: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    category: Category = Category.MESSAGES
    account_id: str = ""
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = 0
    failure_reason: str = ""
    sent_at: datetime | None = None
    message_id: str = field(default_factory=lambda: f"<{uuid.uuid4().hex}@zorgpost>")
    digest_key: str | None = None
    #: After this the notice is useless (an expired code or link): it is not sent any more.
    expires_at: datetime | None = None

    @property
    def is_optional(self) -> bool:
        """May the recipient switch this kind of notice off (so it offers unsubscribing)?"""
        return self.category not in MANDATORY_CATEGORIES

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def mark_sent(self, now: datetime) -> None:
        """Records success and forgets the secrets: a sent notice is never sent again."""
        self.attempts += 1
        self.status = DeliveryStatus.SENT
        self.sent_at = now
        self.failure_reason = ""
        self._forget_secrets()

    def mark_failed_attempt(self, now: datetime, reason: str, *, permanent: bool, policy: RetryPolicy) -> None:
        """Schedules the next attempt, or gives up on a permanent failure or the last attempt."""
        self.attempts += 1
        self.failure_reason = reason[:500]
        if permanent or self.attempts >= policy.max_attempts:
            self.status = DeliveryStatus.FAILED
        else:
            self.next_attempt_at = now + policy.delay_after(self.attempts)

    def mark_undeliverable(self, reason: str) -> None:
        """Gives up without an attempt: there is nothing that could be sent (expired, no address)."""
        self.status = DeliveryStatus.FAILED
        self.failure_reason = reason[:500]
        self._forget_secrets()

    @property
    def holds_secrets(self) -> bool:
        return any(name in SECRET_PARAMS for name in self.params)

    def forget_secrets_of_dead_letter(self, now: datetime) -> None:
        """A dead letter past its retention forgets its codes and tokens. Without them it
        could only go out broken, so it expires now: a re-drive refuses it from then on.
        A dead letter without secrets is left as it is (it can still be re-driven)."""
        if self.status is not DeliveryStatus.FAILED or not self.holds_secrets:
            return
        self._forget_secrets()
        if self.expires_at is None or self.expires_at > now:
            self.expires_at = now

    def can_redrive(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.FAILED and bool(self.recipient) and not self.is_expired(now)

    def redrive(self, now: datetime) -> None:
        """Puts a dead letter back in the queue with a fresh set of attempts.

        Precondition: the delivery failed, has an address and has not expired (an expired
        code or link would only confuse). Its last failure reason stays visible until the
        next attempt replaces it.
        """
        if self.status is not DeliveryStatus.FAILED:
            raise CannotRedrive(f"Delivery {self.id} is {self.status}, not failed.")
        if not self.recipient or self.is_expired(now):
            raise CannotRedrive(f"Delivery {self.id} has no address or has expired; it cannot be sent.")
        self.status = DeliveryStatus.QUEUED
        self.attempts = 0
        self.next_attempt_at = now

    def _forget_secrets(self) -> None:
        self.params = {name: value for name, value in self.params.items() if name not in SECRET_PARAMS}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base: timedelta
    cap: timedelta

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential: base, 2·base, 4·base … never more than ``cap``."""
        delay: timedelta = self.base * (2 ** (attempts - 1))
        return min(delay, self.cap)


def mask_recipient(recipient: str) -> str:
    """What a sender sees of an address or number: enough to recognise, not to harvest."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    hidden = max(len(recipient) - 8, 0)
    return recipient[:6] + "*" * hidden + recipient[6 + hidden :]
