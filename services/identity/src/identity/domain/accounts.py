"""Organisations and the accounts of the people in them (staff, clients, citizens).

Who belongs where (the membership model):

- A **staff account** works for one organisation: ``organisation_id`` and one or more staff
  roles there (admin, staff, practitioner, case_handler, helpdesk; what each may do is
  :mod:`zorgpost_kit.roles`). Its token names that organisation and those roles.
- A **person** (citizen, client, patient) is linked to every organisation that serves them
  (:class:`ClientLink`: a patient of a practice, a client of a youth care practice, a
  citizen a municipality invited into a conversation) and may have several. One of the
  links is their *home* (``organisation_id``): the first organisation that linked them.
  The home decides the rules of their sign-in (one password, one security policy: the
  home's) and is the organisation their token names (``org``, with its kind), so it picks
  the portal they land in. ``GET /me/organisations`` lists every link.
- An account that accepts a staff invitation becomes a staff account of that organisation
  (its home moves there); its links as a client stay recorded.

No SQLAlchemy, no protobuf: plain objects and the rules that hold for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from zorgpost_kit import calendar
from zorgpost_kit.roles import STAFF_ROLES, Role

__all__ = [
    "Account",
    "AccountStatus",
    "ClientLink",
    "Me",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Role",
]


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"
    GOVERNMENT_DEPARTMENT = "government_department"
    GP_PRACTICE = "gp_practice"
    YOUTH_CARE_PRACTICE = "youth_care_practice"
    CARE_ORGANISATION = "care_organisation"
    OTHER = "other"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    #: Its staff can no longer sign in; its history stays.
    DEACTIVATED = "deactivated"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    #: Created by a practice, waiting for the person to activate it.
    PENDING_ACTIVATION = "pending_activation"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: OrganisationKind = OrganisationKind.OTHER
    status: OrganisationStatus = OrganisationStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status is OrganisationStatus.ACTIVE


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
    def works_for_organisation(self) -> bool:
        """A staff account: it holds one or more staff roles in its organisation. A staff
        account works for exactly one organisation (``organisation_id``)."""
        return self.organisation_id is not None and bool(self.roles & frozenset(STAFF_ROLES))

    @property
    def staff_roles(self) -> frozenset[Role]:
        return self.roles & frozenset(STAFF_ROLES)

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
class ClientLink:
    """A person served by an organisation."""

    account_id: str
    organisation_id: str
    linked_at: datetime


@dataclass(frozen=True)
class Me:
    """An account as its owner sees it."""

    account: Account
    organisation: Organisation | None
    roles: frozenset[Role] = field(default_factory=frozenset)
