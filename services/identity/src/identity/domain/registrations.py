"""Self-registration for a practice's portal (seed 5).

A person asks for access; the practice's staff approve or reject the request; approval
mails a link, opening it sends an SMS code to the mobile number given, and the code plus
a password that meets the practice's policy make the account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from identity.domain.errors import RegistrationDecided, RegistrationLinkExpired, RegistrationLinkUsed
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.people import display_name

REGISTRATION_LINK_LIFETIME = timedelta(days=7)


class RegistrationStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"


@dataclass
class Registration:
    id: str
    organisation_id: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    birth_date: date
    language: str
    requested_at: datetime
    status: RegistrationStatus = RegistrationStatus.REQUESTED
    decided_at: datetime | None = None
    decided_by: str | None = None
    token_hash: str | None = None
    link_expires_at: datetime | None = None
    account_id: str | None = None

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)

    def recipient(self) -> Recipient:
        return Recipient(self.account_id or "", self.email, self.mobile, self.display_name, self.language)

    def approve(self, staff_account_id: str, token_hash: str, now: datetime) -> None:
        if self.status is not RegistrationStatus.REQUESTED:
            raise RegistrationDecided()
        self.status, self.decided_at, self.decided_by = RegistrationStatus.APPROVED, now, staff_account_id
        self.token_hash, self.link_expires_at = token_hash, now + REGISTRATION_LINK_LIFETIME

    def reject(self, staff_account_id: str, now: datetime) -> None:
        if self.status is not RegistrationStatus.REQUESTED:
            raise RegistrationDecided()
        self.status, self.decided_at, self.decided_by = RegistrationStatus.REJECTED, now, staff_account_id

    def check_link_usable(self, now: datetime) -> None:
        if self.status is RegistrationStatus.COMPLETED:
            raise RegistrationLinkUsed()
        if self.status is not RegistrationStatus.APPROVED or self.link_expires_at is None:
            raise RegistrationLinkUsed()
        if now >= self.link_expires_at:
            raise RegistrationLinkExpired()

    def complete(self, account_id: str, now: datetime) -> None:
        self.check_link_usable(now)
        self.status, self.account_id, self.token_hash = RegistrationStatus.COMPLETED, account_id, None


@dataclass(frozen=True, kw_only=True)
class RegistrationRequested(OrganisationNotice):
    """A receipt to the person who asked for portal access."""

    registration_id: str


@dataclass(frozen=True, kw_only=True)
class RegistrationApproved(OrganisationNotice):
    """The link that continues the registration goes to the person."""

    registration_id: str
    token: str = field(repr=False)
    expires_at: datetime


def mask_mobile(mobile: str) -> str:
    """The number as a page may show it ("+316******78"): enough to recognise, not to use."""
    if len(mobile) <= 6:
        return "*" * len(mobile)
    return mobile[:4] + "*" * (len(mobile) - 6) + mobile[-2:]
