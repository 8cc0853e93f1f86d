"""Organisations and the accounts of the people in them (staff, clients, citizens).

No SQLAlchemy, no protobuf: plain objects and the rules that hold for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from zorgpost_kit import calendar


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
        return calendar.age_on(self.birth_date, day)

    @property
    def can_log_in(self) -> bool:
        return self.status is AccountStatus.ACTIVE and self.password_hash is not None

    @property
    def personal_words(self) -> tuple[str, ...]:
        """What a new password of this account must not contain."""
        return tuple(
            word
            for word in (self.first_name, self.last_name, self.display_name, self.email, self.username)
            if word
        )


@dataclass(frozen=True)
class Me:
    """An account as its owner sees it."""

    account: Account
    organisation: Organisation | None
    roles: frozenset[Role] = field(default_factory=frozenset)
