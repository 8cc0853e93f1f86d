"""Secure e-mail (seed 2): read links, their lifetime per organisation, sending limits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from messaging.domain.threads import Access, ThreadState
from zorgpost_kit.auth import Principal

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


def counted_address(email: str) -> str:
    """The mailbox an address reaches, for counting only: lower-cased, without a ``+tag``
    in the local part (``Anna+1@x.nl`` and ``anna+2@x.nl`` both reach ``anna@x.nl``)."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return domain
    return f"{local.split('+', 1)[0] or local}@{domain}"


def recipient_key(email: str) -> str:
    """Addresses are limited without being stored: the key is a hash of the mailbox the
    address reaches (:func:`counted_address`); the address itself is kept as given."""
    return hashlib.sha256(counted_address(email).encode()).hexdigest()


def withdrawable_by(principal: Principal | None, access: Access) -> bool:
    """Whether ``principal`` may take this thread back now: what ``do_withdraw`` allows,
    said before it is tried (a page offers "Intrekken" only then)."""
    thread = access.thread
    guests = [p for p in access.participants if p.is_guest]
    return (
        principal is not None
        and thread.policy.withdrawable_until_opened
        and thread.state is ThreadState.OPEN
        and may_withdraw(principal, thread.created_by_account_id)
        and bool(guests)
        and all(guest.opened_at is None for guest in guests)
    )


def may_withdraw(principal: Principal, thread_created_by: str | None) -> bool:
    """Who may take a secure mail back: the staff member who sent it. Hook for the roles
    work: an administrator of the organisation may too, once identity has that role."""
    return thread_created_by is not None and thread_created_by == principal.subject_id
