"""How often a person may make Zorgpost send something on their behalf.

An unauthenticated request for portal access mails a receipt, and every code request sends
an SMS or an e-mail: without a limit, anyone could make Zorgpost mail or text any address
over and over under a real practice's name. Each limit counts per key (an e-mail address, a
mobile number, an account) in a fixed window; the counters live in the database, so every
instance of identity counts together.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.errors import TooManyRequests


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_count`` per ``window`` for one key."""

    name: str
    max_count: int
    window: timedelta

    def key(self, value: str) -> str:
        """The stored key: a hash, so the counters keep no addresses or numbers in clear."""
        return hashlib.sha256(f"{self.name}\x00{value.strip().lower()}".encode()).hexdigest()


#: Requests for portal access, per e-mail address and per mobile number given.
REGISTRATIONS_PER_EMAIL = RateLimit("registrations_per_email", 3, timedelta(hours=1))
REGISTRATIONS_PER_MOBILE = RateLimit("registrations_per_mobile", 3, timedelta(hours=1))
#: One-time codes sent (first sends and resends alike), per account and per address or
#: number they go to.
CODES_PER_ACCOUNT = RateLimit("codes_per_account", 10, timedelta(hours=1))
CODES_PER_DESTINATION = RateLimit("codes_per_destination", 10, timedelta(hours=1))
#: Secure-mail access codes (seed 2). Whoever holds a "Bericht lezen" link may ask for
#: codes, and each code has five tries: these bound the guesses. Per guest participant (the
#: outside recipient of one mail) an hour, and per link a day; past the daily one only a new
#: link from the sender helps. Per address or number they count apart from the codes of
#: accounts (CODES_PER_DESTINATION), so a link's holder cannot use up someone's login codes.
ACCESS_CODES_PER_GUEST = RateLimit("access_codes_per_guest", 3, timedelta(hours=1))
ACCESS_CODES_PER_LINK = RateLimit("access_codes_per_link", 10, timedelta(days=1))
ACCESS_CODES_PER_DESTINATION = RateLimit("access_codes_per_destination", 10, timedelta(hours=1))
#: Password reset links mailed, per account (beyond it no mail is sent, and the answer
#: stays the same, so it reveals nothing about which addresses have an account).
RESET_LINKS_PER_ACCOUNT = RateLimit("reset_links_per_account", 5, timedelta(hours=1))


def retry_after_seconds(wait: timedelta) -> int:
    """Whole seconds, rounded up: retrying at the advertised moment must succeed."""
    return max(1, math.ceil(wait.total_seconds()))


@dataclass
class RateCounter:
    """The count of one limit for one key in the current window."""

    limit_name: str
    key: str
    window_started_at: datetime
    count: int = 0

    def wait(self, limit: RateLimit, now: datetime) -> timedelta:
        """How long before one more is allowed (zero: now)."""
        if now >= self.window_started_at + limit.window or self.count < limit.max_count:
            return timedelta(0)
        return self.window_started_at + limit.window - now

    def do_count(self, limit: RateLimit, now: datetime) -> None:
        """Counts one more, or raises :class:`TooManyRequests` (with the wait) when the
        window's allowance is used up; a new window starts once the old one is over."""
        if now >= self.window_started_at + limit.window:
            self.window_started_at, self.count = now, 0
        wait = self.wait(limit, now)
        if wait > timedelta(0):
            raise TooManyRequests(retry_after_seconds=retry_after_seconds(wait))
        self.count += 1
