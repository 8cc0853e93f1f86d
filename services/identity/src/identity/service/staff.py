"""An organisation's administrators run its staff: invite colleagues with roles (the
invitation flow of seed 1: the invitee makes an account or attaches an existing one), list
them with their last login and second factors, change their roles, deactivate them.

Only an administrator of the organisation may (403 otherwise); a staff member of another
organisation is unknown here (404). The organisation always keeps an active administrator.
A change of roles and a deactivation end the member's current access tokens in every
service within seconds (:class:`AccessRevoked`); a deactivation also ends their sessions,
while the conversations they took part in stay with the organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from identity.domain.accounts import Account, AccountStatus, Role
from identity.domain.errors import AlreadyStaff, InvitationNotFound, StaffMemberDeactivated, StaffMemberNotFound
from identity.domain.invitations import INVITATION_LIFETIME, Invitation
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.people import check_language
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.domain.staff import (
    StaffDeactivated,
    StaffInvitationSent,
    StaffListing,
    StaffRolesChanged,
    check_keeps_an_administrator,
    check_staff_roles,
)
from identity.service.callers import StaffMember, staff_member
from identity.service.common import parse_id
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email


@dataclass(frozen=True)
class StaffInvitationRequest:
    email: str
    roles: frozenset[Role]
    language: str


def check_staff_invitation(email: str, roles: Sequence[str], language: str) -> StaffInvitationRequest:
    errors = FieldErrors()
    address = check_email(email, "email", errors).lower()
    checked_roles = check_staff_roles(roles, errors)
    chosen_language = check_language(language, errors)
    errors.raise_if_any()
    return StaffInvitationRequest(address, checked_roles, chosen_language)


def check_roles_change(roles: Sequence[str]) -> frozenset[Role]:
    errors = FieldErrors()
    checked = check_staff_roles(roles, errors)
    errors.raise_if_any()
    return checked


@dataclass(frozen=True)
class StaffInvitationListing:
    invitation: Invitation
    state: str


@dataclass
class StaffManagement:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def do_invite(self, principal: Principal, *, email: str, roles: Sequence[str], language: str) -> Invitation:
        """Invites ``email`` to join the caller's organisation's staff with ``roles`` and mails
        the link (:class:`StaffInvitationSent`). An open invitation to the same address is
        renewed instead (new link and roles; the earlier link stops working).
        :class:`AlreadyStaff` when the address already works for the organisation."""
        request = check_staff_invitation(email, roles, language)
        now = self.clock()
        token = new_link_token()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_STAFF)
            existing = await uow.accounts.find_for_login(request.email)
            if (
                existing is not None
                and existing.organisation_id == admin.organisation.id
                and existing.works_for_organisation
                and existing.status is AccountStatus.ACTIVE
            ):
                raise AlreadyStaff(fields={"email": "already works for your organisation"})
            invitation = await uow.invitations.find_open_staff_invitation_for_update(
                admin.organisation.id, request.email, now
            )
            if invitation is None:
                invitation = Invitation(
                    id=str(uuid.uuid4()),
                    organisation_id=admin.organisation.id,
                    inviter_account_id=admin.account.id,
                    email=request.email,
                    thread_id="",
                    language=request.language,
                    token_hash=hash_link_token(token),
                    created_at=now,
                    expires_at=now + INVITATION_LIFETIME,
                    roles=request.roles,
                )
                await uow.invitations.add(invitation)
            else:
                invitation.renew(hash_link_token(token), now)
                invitation.roles = request.roles
                await uow.invitations.save(invitation)
            uow.emit(self._sent(invitation, admin, token))
            await uow.commit()
        return invitation

    async def list_invitations(self, principal: Principal) -> list[StaffInvitationListing]:
        """The organisation's staff invitations, newest first."""
        now = self.clock()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_STAFF)
            found = await uow.invitations.list_for_organisation(admin.organisation.id, staff=True)
        return [StaffInvitationListing(invitation, invitation.state_on(now)) for invitation in found]

    async def do_revoke_invitation(self, principal: Principal, invitation_id: str) -> StaffInvitationListing:
        now = self.clock()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_STAFF)
            invitation = await self._invitation(uow, invitation_id, admin.organisation.id)
            invitation.revoke(now)
            await uow.invitations.save(invitation)
            await uow.commit()
        return StaffInvitationListing(invitation, invitation.state_on(now))

    async def do_resend_invitation(self, principal: Principal, invitation_id: str) -> StaffInvitationListing:
        """A new link (the old one stops working), valid for another 14 days."""
        now = self.clock()
        token = new_link_token()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_STAFF)
            invitation = await self._invitation(uow, invitation_id, admin.organisation.id)
            invitation.renew(hash_link_token(token), now)
            await uow.invitations.save(invitation)
            uow.emit(self._sent(invitation, admin, token))
            await uow.commit()
        return StaffInvitationListing(invitation, invitation.state_on(now))

    async def list_staff(self, principal: Principal) -> list[StaffListing]:
        """Every staff member (deactivated ones too) with their last login and second factors."""
        now = self.clock()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_STAFF)
            return await uow.staff.list_for_organisation(admin.organisation.id)

    async def do_change_roles(self, principal: Principal, account_id: str, roles: Sequence[str]) -> Account:
        """Gives the member exactly ``roles``. The member is told (:class:`StaffRolesChanged`)
        and their current access tokens stop working everywhere (a refresh gives them the new
        roles). :class:`LastAdministrator` when it would leave the organisation without one."""
        new_roles = check_roles_change(roles)
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_STAFF)
            await self._serialise(uow, admin)
            member = await self._member(uow, account_id, admin)
            # The revocation time is taken under the member's row lock, which a refresh also
            # takes: every token minted before it is revoked, every later one has the new roles.
            now = self.clock()
            if member.status is not AccountStatus.ACTIVE:
                raise StaffMemberDeactivated()
            previous = member.staff_roles
            if previous == new_roles:
                return member
            check_keeps_an_administrator(
                await uow.staff.administrators_for_update(admin.organisation.id), member.id, new_roles
            )
            await uow.accounts.set_membership(member.id, admin.organisation.id, new_roles)
            member.roles = new_roles | (member.roles - previous)
            uow.emit(AccessRevoked(account_id=member.id, revoked_at=now, reason=RevocationReason.ROLES_CHANGED))
            uow.emit(
                StaffRolesChanged(
                    **OrganisationNotice.sender(admin.organisation),
                    recipient=Recipient.of(member),
                    roles=tuple(sorted(new_roles)),
                    previous_roles=tuple(sorted(previous)),
                    changed_by_account_id=admin.account.id,
                    changed_by_name=admin.account.display_name,
                )
            )
            await uow.commit()
        return member

    async def do_deactivate(self, principal: Principal, account_id: str) -> Account:
        """Ends the member's access at once: their login is disabled, every session and
        refresh token ends, their access tokens are refused everywhere within seconds, and
        they leave every team. They are told (:class:`StaffDeactivated`); the conversations
        they took part in stay with the organisation. Deactivating a deactivated member
        changes nothing. :class:`LastAdministrator` for the organisation's last one."""
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_STAFF)
            await self._serialise(uow, admin)
            member = await self._member(uow, account_id, admin)
            now = self.clock()  # under the member's row lock, as in do_change_roles
            if member.status is AccountStatus.DISABLED:
                return member
            check_keeps_an_administrator(
                await uow.staff.administrators_for_update(admin.organisation.id), member.id, None
            )
            await uow.accounts.set_status(member.id, AccountStatus.DISABLED)
            member.status = AccountStatus.DISABLED
            await uow.sessions.revoke_all_except(member.id, None, now)
            await uow.teams.remove_member_everywhere(member.id)
            uow.emit(AccessRevoked(account_id=member.id, revoked_at=now, reason=RevocationReason.DEACTIVATED))
            uow.emit(
                StaffDeactivated(
                    **OrganisationNotice.sender(admin.organisation),
                    recipient=Recipient.of(member),
                    deactivated_by_account_id=admin.account.id,
                    deactivated_by_name=admin.account.display_name,
                )
            )
            await uow.commit()
        return member

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    async def _serialise(uow: UnitOfWork, admin: StaffMember) -> None:
        """Changes to the organisation's staff run one after the other (the organisation's
        row locked first, as its deactivation does): two administrators demoting each other
        at once would otherwise lock their two rows in opposite orders and deadlock."""
        await uow.organisations.get_for_update(admin.organisation.id)

    @staticmethod
    async def _member(uow: UnitOfWork, account_id: str, admin: StaffMember) -> Account:
        parsed = parse_id(account_id)
        member = (
            None if parsed is None else await uow.staff.get_in_organisation_for_update(parsed, admin.organisation.id)
        )
        if member is None:
            raise StaffMemberNotFound()
        return member

    @staticmethod
    async def _invitation(uow: UnitOfWork, invitation_id: str, organisation_id: str) -> Invitation:
        parsed = parse_id(invitation_id)
        invitation = (
            None if parsed is None else await uow.invitations.get_in_organisation_for_update(parsed, organisation_id)
        )
        if invitation is None or not invitation.is_staff_invitation:
            raise InvitationNotFound()
        return invitation

    @staticmethod
    def _sent(invitation: Invitation, admin: StaffMember, token: str) -> StaffInvitationSent:
        return StaffInvitationSent(
            **OrganisationNotice.sender(admin.organisation),
            recipient=Recipient("", invitation.email, "", "", invitation.language),
            invitation_id=invitation.id,
            inviter_name=admin.account.display_name,
            token=token,
            expires_at=invitation.expires_at,
            administrator=Role.ADMIN in invitation.roles,
        )
