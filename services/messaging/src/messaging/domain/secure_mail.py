"""Secure e-mail (seed 2): read links, their lifetime per organisation, sending limits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_READ_LINK_DAYS = 30
MIN_READ_LINK_DAYS = 1
MAX_READ_LINK_DAYS = 365


def hash_read_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ReadLink:
    """A "Bericht lezen" link for a guest. The plain token exists only in the event that
    carries it to the notice; the store keeps the hash."""

    token_hash: str
    thread_id: str
    participant_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def works_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def new_read_link(thread_id: str, participant_id: str, now: datetime, days: int) -> tuple[str, ReadLink]:
    """(plain token, link)."""
    token = secrets.token_urlsafe(32)
    return token, ReadLink(hash_read_token(token), thread_id, participant_id, now, now + timedelta(days=days))


@dataclass(frozen=True)
class SecureMailSettings:
    organisation_id: str
    read_link_days: int = DEFAULT_READ_LINK_DAYS


@dataclass(frozen=True)
class SendingLimit:
    """At most ``limit`` secure mails per ``window`` for one key (an address, an account)."""

    scope: str
    limit: int
    window: timedelta

    def window_start(self, now: datetime) -> datetime:
        seconds = int(self.window.total_seconds())
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % seconds, now.tzinfo)

    def retry_after_seconds(self, now: datetime) -> int:
        end = self.window_start(now) + self.window
        return max(1, int((end - now).total_seconds()) + 1)


def recipient_key(email: str) -> str:
    """Addresses are limited without being stored: the key is a hash of the lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
