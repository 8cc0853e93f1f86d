"""Brute-force protection per login name: a growing wait after repeated failures.

Failures are counted per *login name as typed* (normalised), not per account, so an
unknown name is throttled exactly like a known one and the answers never reveal which
accounts exist. The state lives in the database so every instance of identity sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.policy import SecurityPolicy

#: The window of ``SecurityPolicy.max_failures_per_hour``.
HOUR = timedelta(hours=1)


def normalise_login_name(login_name: str) -> str:
    """The name as throttled: trimmed, lower-case, without NUL (which PostgreSQL cannot
    store and no real login name contains)."""
    return login_name.replace("\x00", "").strip().lower()


def can_be_login_name(login_name: str) -> bool:
    """False for a name no account can have (a NUL character): it is not even looked up."""
    return "\x00" not in login_name


@dataclass
class LoginThrottle:
    login_name: str
    window_started_at: datetime
    consecutive_failures: int = 0
    failures_in_window: int = 0
    locked_until: datetime | None = None

    def wait(self, now: datetime) -> timedelta:
        """How long before the next attempt is heard (zero: now)."""
        if self.locked_until is None or self.locked_until <= now:
            return timedelta(0)
        return self.locked_until - now

    def do_record_failure(self, policy: SecurityPolicy, now: datetime) -> bool:
        """Counts a failure and sets the wait it earns. True when this failure started the
        first lock of a run of failures (or reached the hourly cap): the moment to tell the
        owner, once, rather than at every later failure of the same attack."""
        if now >= self.window_started_at + HOUR:
            self.window_started_at = now
            self.failures_in_window = 0
        was_locked = self.wait(now) > timedelta(0)
        self.consecutive_failures += 1
        self.failures_in_window += 1
        until = now + policy.lockout_wait(self.consecutive_failures)
        if self.failures_in_window >= policy.max_failures_per_hour:
            # The hourly cap holds whatever the per-failure waits add up to.
            until = max(until, self.window_started_at + HOUR)
        if until > now:
            self.locked_until = until
        first_of_run = (
            self.consecutive_failures == policy.lockout_threshold
            or self.failures_in_window == policy.max_failures_per_hour
        )
        return not was_locked and until > now and first_of_run

    def do_record_success(self) -> None:
        """A successful login forgives the consecutive failures (the hourly count stays)."""
        self.consecutive_failures = 0
        self.locked_until = None
