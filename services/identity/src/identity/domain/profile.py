"""Changing one's own e-mail address or mobile number: the change takes effect only once
confirmed at the new address (a link) or on the new number (an SMS code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain.errors import ContactChangeExpired
from identity.domain.notices import OrganisationNotice

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


class ContactKind(StrEnum):
    EMAIL = "email"
    MOBILE = "mobile"


@dataclass(frozen=True)
class ContactChange:
    """A pending change; a newer request of the same kind replaces it."""

    account_id: str
    kind: ContactKind
    new_value: str
    #: The e-mail confirmation link's hash; None for a mobile change (an SMS code confirms it).
    token_hash: str | None
    requested_at: datetime
    expires_at: datetime

    def check_usable(self, now: datetime) -> None:
        if now >= self.expires_at:
            raise ContactChangeExpired()


@dataclass(frozen=True, kw_only=True)
class EmailChangeRequested(OrganisationNotice):
    """The confirmation link goes to the new address, a notice to the old one."""

    new_email: str
    token: str = field(repr=False)
    expires_at: datetime
