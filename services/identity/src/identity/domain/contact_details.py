"""How to reach an account, as other services keep a copy of it (notifications' address
book: whom to tell about a new message, in which language, by mail or SMS).

Whenever an account comes into being or what this copy holds changes (address, number,
language, name, organisation, roles, status), identity says so with the account's whole
current state: a consumer that keeps the latest state by ``changed_at`` is right however
often or in whatever order the events reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import Account, Organisation
from identity.domain.notices import has_real_email
from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AccountContactDetailsChanged(DomainEvent):
    """An account's contact details as they are now (created, activated, changed, disabled)."""

    account_id: str
    #: Empty for a person record without a login of its own (nothing can be sent there).
    email: str
    mobile: str
    language: str
    display_name: str
    organisation_id: str
    organisation_name: str
    roles: tuple[str, ...]
    #: "active", "pending_activation" or "disabled".
    status: str
    changed_at: datetime

    @classmethod
    def of(cls, account: Account, organisation: Organisation | None, now: datetime) -> AccountContactDetailsChanged:
        return cls(
            account_id=account.id,
            email=account.email if has_real_email(account.email) else "",
            mobile=account.mobile or "",
            language=account.language,
            display_name=account.display_name,
            organisation_id=organisation.id if organisation else "",
            organisation_name=organisation.name if organisation else "",
            roles=tuple(sorted(role.value for role in account.roles)),
            status=account.status.value,
            changed_at=now,
            occurred_at=now,
        )
