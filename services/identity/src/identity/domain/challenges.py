"""The second steps of signing in: a login waiting for its second factor, and a password
reset link waiting to be used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.second_factors import FactorMethod

#: Wrong codes (or answers) a login challenge or a reset link survives.
MAX_CHALLENGE_ATTEMPTS = 5


@dataclass
class LoginChallenge:
    """The password was right; tokens follow once ``method``'s code is."""

    id: str
    account_id: str
    method: FactorMethod
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    completed_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.completed_at is None and now < self.expires_at and self.attempts < MAX_CHALLENGE_ATTEMPTS


@dataclass
class PasswordReset:
    """A mailed reset link (stored by the hash of its token)."""

    id: str
    account_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at and self.attempts < MAX_CHALLENGE_ATTEMPTS
