"""The address book: how to reach each account, as identity last announced it.

Events about messages name accounts, not addresses (messaging does not know them); the
address book turns an account id into an e-mail address, a mobile number, a language and a
name. Identity announces an account's whole state whenever it changes
(``identity.account.contact_details_changed``); the book keeps, per account, the state with
the latest ``changed_at``, so a redelivered or late event never undoes a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.domain.notices import Addressee

#: The only status in which an account is told about new messages.
ACTIVE = "active"


@dataclass(frozen=True)
class AddressBookEntry:
    account_id: str
    #: Empty for a person record without a login (nothing can be sent there).
    email: str
    #: E.164; empty when unknown.
    mobile: str
    language: str
    display_name: str
    organisation_id: str
    organisation_name: str
    roles: frozenset[str]
    #: "active", "pending_activation" or "disabled".
    status: str
    changed_at: datetime

    @property
    def reachable(self) -> bool:
        """An active account with somewhere to send to: a disabled or not yet activated
        account is not told about messages."""
        return self.status == ACTIVE and bool(self.email or self.mobile)

    def supersedes(self, stored: AddressBookEntry | None) -> bool:
        """Whether this state replaces ``stored`` (the same moment: the later event wins)."""
        return stored is None or self.changed_at >= stored.changed_at

    def addressee(self) -> Addressee:
        return Addressee(
            account_id=self.account_id,
            email=self.email,
            mobile=self.mobile,
            language=self.language,
            display_name=self.display_name,
        )
