"""Notifications' domain: a delivery is one notice to one recipient over one channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: Permanently refused, or every attempt failed: a dead letter an operator can re-drive.
    FAILED = "failed"


@dataclass
class Delivery:
    """A notice waiting to go out, or the record that it went (or why it did not)."""

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
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = 0
    failure_reason: str = ""
    sent_at: datetime | None = None
    message_id: str = field(default_factory=lambda: f"<{uuid.uuid4().hex}@zorgpost>")

    def mark_sent(self, now: datetime) -> None:
        self.attempts += 1
        self.status = DeliveryStatus.SENT
        self.sent_at = now
        self.failure_reason = ""

    def mark_failed_attempt(self, now: datetime, reason: str, *, permanent: bool, policy: RetryPolicy) -> None:
        """Schedules the next attempt, or gives up on a permanent failure or the last attempt."""
        self.attempts += 1
        self.failure_reason = reason[:500]
        if permanent or self.attempts >= policy.max_attempts:
            self.status = DeliveryStatus.FAILED
        else:
            self.next_attempt_at = now + policy.delay_after(self.attempts)


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
