"""Contact persons per theme (seed 3, "Contactpersonengegevens beheren").

An organisation names, per theme, the people the department's messages about that theme
are announced to. A new contact person, and one whose e-mail address changed, is
unconfirmed until they follow the link in the confirmation mail; only confirmed contact
persons count for a theme (the start page's tasks) and receive notices.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from zorgpost_kit.events import DomainEvent

#: How long a confirmation link works.
CONFIRMATION_LIFETIME = timedelta(days=14)

#: The fields a person edits, in the order a change mail lists them.
EDITABLE_FIELDS = ("first_name", "last_name", "email", "phone", "theme_ids")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_confirmation(now: datetime) -> tuple[str, str, datetime]:
    """A fresh link token, its hash (all the store keeps) and when it stops working."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token), now + CONFIRMATION_LIFETIME


@dataclass(frozen=True)
class ContactDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    theme_ids: tuple[str, ...]


@dataclass(frozen=True)
class ContactPerson:
    id: str
    organisation_id: str
    details: ContactDetails
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None = None
    confirmation_hash: str | None = None
    confirmation_expires_at: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def display_name(self) -> str:
        return f"{self.details.first_name} {self.details.last_name}"

    def changed_fields(self, details: ContactDetails) -> list[str]:
        before, after = self.details, details
        changed = [
            name for name in EDITABLE_FIELDS if name != "theme_ids" and getattr(before, name) != getattr(after, name)
        ]
        if set(before.theme_ids) != set(after.theme_ids):
            changed.append("theme_ids")
        return changed

    def with_details(self, details: ContactDetails, now: datetime) -> ContactPerson:
        return replace(self, details=details, updated_at=now)

    def unconfirmed(self, confirmation_hash: str, expires_at: datetime) -> ContactPerson:
        """Waiting for (another) confirmation: a new address must prove it is theirs."""
        return replace(self, confirmed_at=None, confirmation_hash=confirmation_hash, confirmation_expires_at=expires_at)

    def confirm(self, now: datetime) -> ContactPerson:
        return replace(self, confirmed_at=now, confirmation_hash=None, confirmation_expires_at=None, updated_at=now)


def new_contact_person(organisation_id: str, details: ContactDetails, now: datetime) -> tuple[ContactPerson, str]:
    """An unconfirmed contact person and the token of their confirmation link."""
    token, token_hash, expires_at = new_confirmation(now)
    person = ContactPerson(
        id=str(uuid.uuid4()),
        organisation_id=organisation_id,
        details=details,
        created_at=now,
        updated_at=now,
        confirmation_hash=token_hash,
        confirmation_expires_at=expires_at,
    )
    return person, token


def themes_without_confirmed_contact(theme_ids: list[str], persons: list[ContactPerson]) -> list[str]:
    """The themes (in the given order) no confirmed contact person covers: each is a task."""
    covered = {theme for person in persons if person.confirmed for theme in person.details.theme_ids}
    return [theme for theme in theme_ids if theme not in covered]


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True, kw_only=True)
class ContactPersonAdded(DomainEvent):
    """A new contact person: the confirmation mail with ``token`` goes to ``email``."""

    contact_person_id: str
    organisation_id: str
    organisation_name: str
    email: str
    display_name: str
    token: str
    expires_at: datetime
    theme_names: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ContactPersonChanged(DomainEvent):
    """Details changed: the person is told which. With a new e-mail address,
    ``previous_email`` is told too and ``token`` confirms the new one."""

    contact_person_id: str
    organisation_id: str
    organisation_name: str
    email: str
    display_name: str
    changed_fields: tuple[str, ...]
    previous_email: str = ""
    token: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ContactPersonConfirmed(DomainEvent):
    contact_person_id: str
    organisation_id: str


@dataclass(frozen=True, kw_only=True)
class ContactPersonRemoved(DomainEvent):
    contact_person_id: str
    organisation_id: str
    organisation_name: str
    email: str
    display_name: str


__all__ = [
    "CONFIRMATION_LIFETIME",
    "ContactDetails",
    "ContactPerson",
    "ContactPersonAdded",
    "ContactPersonChanged",
    "ContactPersonConfirmed",
    "ContactPersonRemoved",
    "hash_token",
    "new_confirmation",
    "new_contact_person",
    "themes_without_confirmed_contact",
]
