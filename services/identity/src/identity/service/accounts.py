"""Organisations and accounts: making them (staff and demo or test people; the other ways
in are invitations, practice-made accounts and self-registrations), and the check every
way in shares: an address, username or mobile number belongs to one account only (seed 5:
``jansen+kind1@gmail.com`` is an address of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from identity.domain.accounts import Account, AccountStatus, Organisation, OrganisationKind, Role
from identity.domain.errors import EmailInUse, MobileInUse, OrganisationExists, UsernameInUse
from identity.domain.organisations import ORGANISATION_NAME_MAX_LENGTH
from identity.service.ports import PasswordHasher, UnitOfWork
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_name


async def check_contact_details_free(
    uow: UnitOfWork,
    *,
    email: str | None = None,
    username: str | None = None,
    mobile: str | None = None,
    except_account_id: str | None = None,
) -> None:
    """Raises the first of :class:`EmailInUse`, :class:`UsernameInUse`, :class:`MobileInUse`
    that applies (an account's own details do not count against it)."""
    if email:
        holder = await uow.accounts.find_for_login(email)
        if holder is not None and holder.id != except_account_id:
            raise EmailInUse(fields={"email": "is already in use"})
    if username:
        holder = await uow.accounts.find_for_login(username)
        if holder is not None and holder.id != except_account_id:
            raise UsernameInUse(fields={"username": "is already taken"})
    if mobile and await uow.accounts.mobile_in_use(mobile, except_account_id=except_account_id):
        raise MobileInUse(fields={"mobile": "is used by another account"})


def check_new_organisation(name: str) -> str:
    """The organisation's name as it will be shown (one line, nothing link-like)."""
    errors = FieldErrors()
    checked = check_name(name, "name", errors, max_length=ORGANISATION_NAME_MAX_LENGTH)
    errors.raise_if_any()
    return checked


async def do_create_organisation(
    uow_factory: Callable[[], UnitOfWork], name: str, kind: OrganisationKind = OrganisationKind.OTHER
) -> Organisation:
    """An organisation without anyone in it (tests and demo data; an operator onboards one
    with :meth:`identity.service.organisations.Organisations.do_onboard`)."""
    checked = check_new_organisation(name)
    async with uow_factory() as uow:
        if await uow.organisations.find_by_name(checked):
            raise OrganisationExists(fields={"name": "is already in use"})
        organisation = Organisation(str(uuid.uuid4()), checked, kind)
        await uow.organisations.add(organisation)
        await uow.commit()
    return organisation


@dataclass(frozen=True)
class NewAccount:
    email: str
    display_name: str


def check_new_account(email: str, display_name: str) -> NewAccount:
    errors = FieldErrors()
    address = check_email(email, "email", errors).lower()
    name = check_name(display_name, "display_name", errors)
    errors.raise_if_any()
    return NewAccount(address, name)


async def do_create_account(
    uow_factory: Callable[[], UnitOfWork],
    hasher: PasswordHasher,
    *,
    email: str,
    display_name: str,
    password: str,
    organisation_id: str | None,
    roles: frozenset[Role],
) -> Account:
    """Creates an active account with a password (staff, or demo and test people)."""
    checked = check_new_account(email, display_name)
    async with uow_factory() as uow:
        await check_contact_details_free(uow, email=checked.email)
        account = Account(
            id=str(uuid.uuid4()),
            email=checked.email,
            display_name=checked.display_name,
            password_hash=hasher.hash(password),
            organisation_id=organisation_id,
            roles=roles,
            status=AccountStatus.ACTIVE,
        )
        await uow.accounts.add(account)
        await uow.commit()
    return account
