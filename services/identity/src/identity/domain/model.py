"""Identity's domain: organisations, accounts and their sessions.

No SQLAlchemy, no protobuf: plain objects and the rules that hold for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    #: Works for an organisation: sends secure mail, invites, manages clients.
    STAFF = "staff"
    #: A citizen, client or patient.
    PERSON = "person"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    #: Created by a practice, waiting for the person to activate it.
    PENDING_ACTIVATION = "pending_activation"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str


@dataclass
class Account:
    id: str
    email: str
    display_name: str
    password_hash: str | None
    organisation_id: str | None
    roles: frozenset[Role]
    status: AccountStatus = AccountStatus.ACTIVE
    username: str | None = None
    language: str = "nl"
    first_name: str = ""
    last_name: str = ""
    mobile: str | None = None
    birth_date: date | None = None
    country: str = "NL"
    must_change_password: bool = False

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (None when the birth date is unknown)."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def can_log_in(self) -> bool:
        return self.status is AccountStatus.ACTIVE and self.password_hash is not None


@dataclass
class Session:
    """A signed-in device. Refresh tokens belong to it; revoking it ends them all."""

    id: str
    account_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_ttl: timedelta
    user_agent: str = ""
    ip_address: str = ""
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.last_seen_at + self.idle_ttl and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now


@dataclass(frozen=True)
class RefreshToken:
    """Stored by hash only. Each is used once; a second use means it was stolen."""

    id: str
    session_id: str
    token_hash: str
    created_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class Me:
    """An account as its owner sees it."""

    account: Account
    organisation: Organisation | None
    roles: frozenset[Role] = field(default_factory=frozenset)
