"""Use cases that create organisations and accounts."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.errors import EmailInUse
from identity.domain.model import Account, AccountStatus, Organisation, Role
from zorgpost_kit.errors import AlreadyExists, FieldErrors
from zorgpost_kit.validation import check_email


class OrganisationExists(AlreadyExists):
    code = "organisation_exists"
    default_message = "An organisation with this name exists."


async def do_create_organisation(uow_factory: Callable[[], IdentityUnitOfWork], name: str) -> Organisation:
    errors = FieldErrors()
    if not name.strip():
        errors.add("name", "is required")
    errors.raise_if_any()
    async with uow_factory() as uow:
        if await uow.organisations.find_by_name(name.strip()):
            raise OrganisationExists(fields={"name": "is already in use"})
        organisation = Organisation(str(uuid.uuid4()), name.strip())
        await uow.organisations.add(organisation)
        await uow.commit()
    return organisation


async def do_create_account(
    uow_factory: Callable[[], IdentityUnitOfWork],
    hasher: PasswordHasher,
    *,
    email: str,
    display_name: str,
    password: str,
    organisation_id: str | None,
    roles: frozenset[Role],
) -> Account:
    """Creates an active account with a password (staff, or demo and test people)."""
    errors = FieldErrors()
    normalised = check_email(email, "email", errors).lower()
    if not display_name.strip():
        errors.add("display_name", "is required")
    errors.raise_if_any()
    async with uow_factory() as uow:
        if await uow.accounts.find_for_login(normalised):
            raise EmailInUse(fields={"email": "is already in use"})
        account = Account(
            id=str(uuid.uuid4()),
            email=normalised,
            display_name=display_name.strip(),
            password_hash=hasher.hash(password),
            organisation_id=organisation_id,
            roles=roles,
            status=AccountStatus.ACTIVE,
        )
        await uow.accounts.add(account)
        await uow.commit()
    return account
