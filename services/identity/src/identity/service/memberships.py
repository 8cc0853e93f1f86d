"""The organisations a caller belongs to (see the membership model in
:mod:`identity.domain.accounts`): the one a staff member works for, or every organisation
that serves a person, with the home one marked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from identity.domain.accounts import Organisation
from identity.service.callers import own_account
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow


@dataclass(frozen=True)
class Membership:
    organisation: Organisation
    #: "staff" or "client".
    relation: str
    #: The organisation the caller's token names and whose policy their sign-in follows.
    home: bool


async def my_organisations(
    uow_factory: Callable[[], UnitOfWork], principal: Principal, clock: Clock = utcnow
) -> list[Membership]:
    """The home organisation first, then the others in the order they linked the person."""
    async with uow_factory() as uow:
        account = await own_account(uow, principal, clock())
        links = await uow.client_links.list_for_account(account.id)
        wanted = {link.organisation_id for link in links}
        if account.organisation_id:
            wanted.add(account.organisation_id)
        organisations = await uow.organisations.get_many(wanted)
    memberships: list[Membership] = []
    home = organisations.get(account.organisation_id or "")
    if home is not None:
        memberships.append(Membership(home, "staff" if account.works_for_organisation else "client", True))
    for link in links:
        if link.organisation_id != account.organisation_id and link.organisation_id in organisations:
            memberships.append(Membership(organisations[link.organisation_id], "client", False))
    return memberships
