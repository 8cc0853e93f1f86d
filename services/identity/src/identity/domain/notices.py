"""How a notice (mail or SMS) addresses a person, and on whose behalf it is sent.

Notices never carry care content: they say who wrote or what happened, with a link. Their
events name the recipient and the organisation; notifications renders and sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from identity.domain.accounts import Account, Organisation
from zorgpost_kit.events import DomainEvent

#: The e-mail domain of person records without a login of their own (a child under 12
#: whose parent acts for it). ``.invalid`` is reserved (RFC 2606): nothing can be sent there.
NO_LOGIN_EMAIL_DOMAIN = "no-login.invalid"


def no_login_email(account_id: str) -> str:
    """The placeholder address of a person record without login (accounts need a unique address)."""
    return f"{account_id}@{NO_LOGIN_EMAIL_DOMAIN}"


def has_real_email(email: str) -> bool:
    return not email.endswith("@" + NO_LOGIN_EMAIL_DOMAIN)


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
        """The account as a notice's recipient; a record without login has no address to mail."""
        email = account.email if has_real_email(account.email) else ""
        return cls(account.id, email, account.mobile or "", account.display_name, account.language)


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
