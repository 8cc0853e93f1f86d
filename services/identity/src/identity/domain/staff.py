"""An organisation's staff as its administrators run it: roles, invitations, deactivation.

A staff account works for one organisation and holds one or more staff roles there
(:data:`zorgpost_kit.roles.STAFF_ROLES`); what each role may do is the kit's one table
(:mod:`zorgpost_kit.roles`). An organisation keeps at least one active administrator at
all times: without one nobody could manage it any more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from identity.domain.accounts import Account, AccountStatus, Role
from identity.domain.errors import LastAdministrator
from identity.domain.notices import OrganisationNotice
from identity.domain.second_factors import FactorMethod
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.events import DomainEvent
from zorgpost_kit.roles import STAFF_ROLES
from zorgpost_kit.roles import check_staff_roles as split_staff_roles


def check_staff_roles(names: Sequence[str], errors: FieldErrors, field: str = "roles") -> frozenset[Role]:
    """One or more staff roles (admin, staff, practitioner, case_handler, helpdesk)."""
    roles, unknown = split_staff_roles(names)
    if unknown:
        errors.add(field, f"unknown role {unknown[0]!r}: use {', '.join(role.value for role in STAFF_ROLES)}")
    elif not roles:
        errors.add(field, "give at least one role")
    return roles


@dataclass(frozen=True)
class StaffListing:
    """A staff member as the administrator's list shows them."""

    account: Account
    last_login_at: datetime | None
    #: Confirmed second factors.
    second_factors: frozenset[FactorMethod] = field(default_factory=frozenset)

    @property
    def active(self) -> bool:
        return self.account.status is AccountStatus.ACTIVE


def check_keeps_an_administrator(
    administrators: Iterable[str], account_id: str, roles_after: frozenset[Role] | None
) -> None:
    """Raises :class:`LastAdministrator` when changing ``account_id`` to ``roles_after``
    (None: deactivating it) would leave the organisation without an active administrator.
    ``administrators`` are the ids of its active administrators now."""
    remaining = set(administrators)
    if roles_after is None or Role.ADMIN not in roles_after:
        remaining.discard(account_id)
    else:
        remaining.add(account_id)
    if not remaining:
        raise LastAdministrator()


@dataclass(frozen=True, kw_only=True)
class StaffInvitationSent(OrganisationNotice):
    """The mail with the link to join the organisation's staff (also after a re-send)."""

    invitation_id: str
    #: Empty when the operator invited the organisation's first administrator.
    inviter_name: str
    token: str = field(repr=False)
    expires_at: datetime
    #: The invitation makes the invitee an administrator.
    administrator: bool


@dataclass(frozen=True, kw_only=True)
class StaffJoined(DomainEvent):
    organisation_id: str
    account_id: str
    roles: tuple[str, ...]
    invitation_id: str


@dataclass(frozen=True, kw_only=True)
class StaffRolesChanged(OrganisationNotice):
    """The staff member is told their roles changed."""

    roles: tuple[str, ...]
    previous_roles: tuple[str, ...]
    changed_by_account_id: str
    changed_by_name: str


@dataclass(frozen=True, kw_only=True)
class StaffDeactivated(OrganisationNotice):
    """The staff member is told their access ended."""

    deactivated_by_account_id: str
    deactivated_by_name: str
