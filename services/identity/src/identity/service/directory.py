"""Look-ups for other services acting for a staff member: a member of the caller's own
organisation (to hand a thread to, to start one with), an organisation by id. The caller
is checked against the database (session, a role that works the shared inbox); anything outside their reach is
:class:`AccountNotFound` / :class:`OrganisationNotFound`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from identity.domain.accounts import Account, AccountStatus, Organisation
from identity.domain.errors import AccountNotFound, OrganisationNotFound
from identity.service.callers import staff_member
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.roles import Capability


@dataclass
class Directory:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def member(self, principal: Principal, account_id: str) -> Account:
        """An active account of the calling staff member's organisation."""
        async with self.uow() as uow:
            caller = await staff_member(uow, principal, self.clock(), Capability.WORK_SHARED_INBOX)
            account = await uow.accounts.get(account_id) if account_id else None
        if (
            account is None
            or account.organisation_id != caller.organisation.id
            or account.status is not AccountStatus.ACTIVE
        ):
            raise AccountNotFound()
        return account

    async def organisation(self, principal: Principal, organisation_id: str) -> Organisation:
        async with self.uow() as uow:
            await staff_member(uow, principal, self.clock(), Capability.WORK_SHARED_INBOX)
            organisation = await uow.organisations.get(organisation_id) if organisation_id else None
        if organisation is None:
            raise OrganisationNotFound()
        return organisation
