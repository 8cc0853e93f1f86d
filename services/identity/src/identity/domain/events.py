"""Identity's domain events: plain frozen dataclasses, one per fact (protobuf stays in
``adapters/events.py``).

Some carry a secret the person must receive (a code, a link token): those fields are kept
out of ``repr`` so an event never prints one into a log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from identity.domain.model import Account, Organisation
from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to (``account_id`` empty for someone without an account yet)."""

    account_id: str
    email: str
    mobile: str = ""
    display_name: str = ""
    language: str = "nl"

    @classmethod
    def of(cls, account: Account) -> Recipient:
        return cls(account.id, account.email, account.mobile or "", account.display_name, account.language)


class Sender(TypedDict):
    organisation_id: str
    organisation_name: str


@dataclass(frozen=True, kw_only=True)
class OrganisationNotice(DomainEvent):
    """A notice to a person on behalf of an organisation (empty id and name: none)."""

    organisation_id: str
    organisation_name: str
    recipient: Recipient

    @staticmethod
    def sender(organisation: Organisation | None) -> Sender:
        """The organisation fields of a notice, for ``Event(**sender(org), ...)``."""
        return Sender(
            organisation_id=organisation.id if organisation else "",
            organisation_name=organisation.name if organisation else "",
        )


@dataclass(frozen=True, kw_only=True)
class OneTimeCodeIssued(OrganisationNotice):
    """A code to type in was made; notifications sends it by ``channel`` ("sms", "email")."""

    purpose: str
    channel: str
    code: str = field(repr=False)
    expires_at: datetime


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
