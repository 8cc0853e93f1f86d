"""Who is calling, checked against the database on every call: the token says who it was
issued to; these checks make a revoked session, a role taken away or an ended delegation
count on the very next request. Every use case about the caller's own account starts here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import Account, AccountStatus, Organisation
from identity.domain.errors import (
    AccountNotFound,
    ActingOnBehalfNotAllowed,
    DelegationNotActive,
    OrganisationNotFound,
    SessionEnded,
)
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.roles import Capability, capabilities_of


async def active_account(uow: UnitOfWork, principal: Principal, now: datetime) -> Account:
    """The account the token was issued to, once its session is confirmed still active."""
    if not await uow.sessions.is_active(principal.session_id, now):
        raise SessionEnded()
    account = await uow.accounts.get(principal.subject_id)
    if account is None:
        raise AccountNotFound()
    return account


async def own_account(uow: UnitOfWork, principal: Principal, now: datetime) -> Account:
    """The caller's own account, its session still active. An act-as token is refused:
    a delegate changes nothing about the account of the person they act for here."""
    if principal.acts_on_behalf:
        raise ActingOnBehalfNotAllowed()
    return await active_account(uow, principal, now)


@dataclass(frozen=True)
class StaffMember:
    account: Account
    organisation: Organisation


async def staff_member(uow: UnitOfWork, principal: Principal, now: datetime, capability: Capability) -> StaffMember:
    """The calling staff member and their organisation, as the database says now, when both
    the token and the account's current roles give ``capability`` (:class:`NotPermitted`
    otherwise: a role taken away counts here on the very next request)."""
    principal.require(capability)
    account = await own_account(uow, principal, now)
    if (
        account.status is not AccountStatus.ACTIVE
        or not account.works_for_organisation
        or account.organisation_id != principal.organisation_id
        or capability not in capabilities_of(account.roles, in_organisation=True)
    ):
        raise NotPermitted(capability)
    assert account.organisation_id is not None
    organisation = await uow.organisations.get(account.organisation_id)
    if organisation is None:
        raise OrganisationNotFound()
    return StaffMember(account, organisation)


async def check_delegation_behind(uow: UnitOfWork, principal: Principal) -> None:
    """For an act-as token (``act.sub`` set): raises unless the delegation from the
    person to the actor is active right now."""
    if principal.acts_on_behalf and not await uow.delegations.is_active(principal.subject_id, principal.actor_id):
        raise DelegationNotActive()


async def organisation_of(uow: UnitOfWork, account: Account) -> Organisation | None:
    """The organisation an account belongs to (None for a citizen without one)."""
    return await uow.organisations.get(account.organisation_id) if account.organisation_id else None
