"""Signing in beyond the password: a login waiting for its second factor, a password reset
link waiting to be used, and the security notices the owner of an account receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from identity.domain.notices import OrganisationNotice
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


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(OrganisationNotice):
    """Someone asked to reset an existing account's password; the link carries ``token``."""

    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(OrganisationNotice):
    """The password was changed or reset: a security notice to the owner."""

    changed_at: datetime


@dataclass(frozen=True, kw_only=True)
class AccountLocked(OrganisationNotice):
    """Repeated failed logins started a wait: a security notice naming when it ends."""

    locked_until: datetime
