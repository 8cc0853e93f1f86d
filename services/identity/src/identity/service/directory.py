"""Look-ups for other services acting for a staff member: a member of the caller's own
organisation (to hand a thread to, to start one with), an organisation by id, which
addresses belong to colleagues who work the shared inbox and e-counter. The caller
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
from zorgpost_kit.roles import GRANTED_BY, Capability, capabilities_of

#: How many addresses one look-up may name (an organisation's contact persons).
MAX_EMAILS = 500


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

    async def inbox_staff(self, principal: Principal, emails: list[str]) -> set[str]:
        """Which of ``emails`` (any case) are addresses of active staff of the caller's
        organisation whose current roles work its shared inbox and e-counter; lower-cased."""
        wanted = {email.strip().lower() for email in emails[:MAX_EMAILS] if email.strip()}
        async with self.uow() as uow:
            caller = await staff_member(uow, principal, self.clock(), Capability.WORK_SHARED_INBOX)
            found = await uow.staff.active_with_emails(
                caller.organisation.id,
                wanted,
                frozenset(role.value for role in GRANTED_BY[Capability.WORK_SHARED_INBOX]),
            )
        return {
            account.email.lower()
            for account in found
            if Capability.WORK_SHARED_INBOX in capabilities_of(account.roles, in_organisation=True)
        }
