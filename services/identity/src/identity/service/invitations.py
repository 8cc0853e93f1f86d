"""Invitations into a secure conversation (seed 1): staff send, list, revoke and re-send
them; the invitee looks at one, makes an account with it, attaches it to an account they
have (logged in already, or logging in with it), or declines it. Accepting links the person
to the inviting organisation as its client (see :mod:`identity.domain.accounts`).

A staff invitation (an administrator's, :mod:`identity.service.staff`, or the operator's
for a first administrator) takes the same way in; accepting it makes the account a member of
the organisation's staff with the invitation's roles.

A link token is checked before anything else of a request that carries it: above all
before a password, so an unknown or dead link is never a way to try passwords."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, Role
from identity.domain.errors import (
    AlreadyStaff,
    ConversationNotFound,
    ConversationNotInvitable,
    InvitationNotFound,
    OrganisationDeactivated,
    OrganisationNotFound,
    StaffOfAnotherOrganisation,
)
from identity.domain.invitations import (
    INVITABLE_KINDS,
    INVITATION_LIFETIME,
    Invitation,
    InvitationAccepted,
    InvitationDeclined,
    InvitationSent,
)
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.people import check_chosen_password, check_language, check_username, display_name
from identity.domain.policy import PasswordRule
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.domain.staff import StaffJoined
from identity.domain.terms import CURRENT_VERSIONS, Document, acceptances, check_accepted_current_versions
from identity.service.accounts import check_contact_details_free
from identity.service.authentication import Authentication, Challenge, ClientInfo, Tokens, check_credentials
from identity.service.callers import own_account, staff_member
from identity.service.ports import Conversations, PasswordHasher, UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_name, check_text

THREAD_ID_MAX_LENGTH = 200


@dataclass(frozen=True)
class InvitationView:
    """What the invitee sees before answering (no thread: that is for after accepting)."""

    invitation_id: str
    organisation_name: str
    inviter_name: str
    email: str
    #: "open", "expired", "accepted", "declined" or "revoked".
    state: str
    expires_at: datetime
    password_rules: list[PasswordRule]
    terms_version: str
    privacy_version: str
    #: The staff roles accepting gives (empty: an invitation into a conversation).
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class InvitationListing:
    invitation: Invitation
    state: str


@dataclass(frozen=True)
class Accepted:
    """The invitation is attached to ``account_id``; the person lands in ``thread_id``.
    ``account_id`` is empty after a dry run (nothing was saved)."""

    account_id: str
    login_name: str
    thread_id: str


@dataclass(frozen=True)
class NewAccount:
    first_name: str
    last_name: str
    username: str
    password: str
    password_confirmation: str
    terms_version: str
    privacy_version: str


@dataclass(frozen=True)
class AcceptedWithLogin:
    """The login's answer: tokens (and the invitation is attached, ``accepted``), or the
    second-factor challenge (the invitation waits for POST /invitations/{token}/accept)."""

    login: Tokens | Challenge
    accepted: Accepted | None


@dataclass(frozen=True)
class InvitationRequest:
    email: str
    thread_id: str
    language: str


def check_invitation(email: str, thread_id: str, language: str) -> InvitationRequest:
    errors = FieldErrors()
    address = check_email(email, "email", errors).lower()
    thread = check_text(thread_id, "thread_id", errors, max_length=THREAD_ID_MAX_LENGTH)
    chosen_language = check_language(language, errors)
    errors.raise_if_any()
    return InvitationRequest(address, thread, chosen_language)


@dataclass(frozen=True)
class CheckedNewAccount:
    """What the invitee typed, checked as far as it can be without the invitation (the
    password is judged by the inviting organisation's policy once the link is known)."""

    first_name: str
    last_name: str
    username: str | None
    password: str
    password_confirmation: str


def check_invitee_account(details: NewAccount, errors: FieldErrors) -> CheckedNewAccount:
    """Records every bad field in ``errors`` (raised with the password's, in one answer)."""
    first = check_name(details.first_name, "first_name", errors)
    last = check_name(details.last_name, "last_name", errors)
    username = check_username(details.username, errors)
    check_accepted_current_versions(details.terms_version, details.privacy_version, errors)
    return CheckedNewAccount(first, last, username, details.password, details.password_confirmation)


@dataclass
class Invitations:
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    #: Logs the invitee in for "I already have an account".
    authentication: Authentication
    #: Messaging: the conversation an invitation is for must be one the inviter is in.
    conversations: Conversations
    clock: Clock = utcnow

    # --- staff --------------------------------------------------------------------------

    async def do_send(
        self, principal: Principal, access_token: str, *, email: str, thread_id: str, language: str
    ) -> Invitation:
        """Invites ``email`` into the conversation ``thread_id`` for the caller's
        organisation (staff only) and emits :class:`InvitationSent` with a fresh link.

        The conversation must be a chat the caller takes part in, as messaging answers the
        caller's own token (``access_token``): :class:`ConversationNotFound` (404) when it
        does not exist or they are not in it, :class:`ConversationNotInvitable` (422) for
        another kind; both name ``thread_id``."""
        request = check_invitation(email, thread_id, language)
        address, thread, chosen_language = request.email, request.thread_id, request.language
        now = self.clock()
        token = new_link_token()
        principal.require(Capability.INVITE_TO_CONVERSATION)
        # Messaging is asked before the transaction opens: no database connection waits on
        # another service's answer.
        await self._check_conversation(thread, access_token)
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.INVITE_TO_CONVERSATION)
            invitation = Invitation(
                id=str(uuid.uuid4()),
                organisation_id=staff.organisation.id,
                inviter_account_id=staff.account.id,
                email=address,
                thread_id=thread,
                language=chosen_language,
                token_hash=hash_link_token(token),
                created_at=now,
                expires_at=now + INVITATION_LIFETIME,
            )
            await uow.invitations.add(invitation)
            uow.emit(self._sent(invitation, staff.organisation, staff.account, token))
            await uow.commit()
        return invitation

    async def list_for_staff(self, principal: Principal) -> list[InvitationListing]:
        """The invitations of the caller's organisation, newest first (staff only)."""
        now = self.clock()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.INVITE_TO_CONVERSATION)
            found = await uow.invitations.list_for_organisation(staff.organisation.id)
        return [InvitationListing(invitation, invitation.state_on(now)) for invitation in found]

    async def do_revoke(self, principal: Principal, invitation_id: str) -> InvitationListing:
        """Withdraws a pending invitation of the caller's organisation: its link stops working."""
        now = self.clock()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.INVITE_TO_CONVERSATION)
            invitation = await self._of_organisation(uow, invitation_id, staff.organisation.id)
            invitation.revoke(now)
            await uow.invitations.save(invitation)
            await uow.commit()
        return InvitationListing(invitation, invitation.state_on(now))

    async def do_resend(self, principal: Principal, invitation_id: str) -> InvitationListing:
        """Mails a new link (the old one stops working) valid for another 14 days."""
        now = self.clock()
        token = new_link_token()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.INVITE_TO_CONVERSATION)
            invitation = await self._of_organisation(uow, invitation_id, staff.organisation.id)
            invitation.renew(hash_link_token(token), now)
            await uow.invitations.save(invitation)
            inviter = await uow.accounts.get(invitation.inviter_account_id) or staff.account
            uow.emit(self._sent(invitation, staff.organisation, inviter, token))
            await uow.commit()
        return InvitationListing(invitation, invitation.state_on(now))

    # --- the invitee ----------------------------------------------------------------------

    async def view(self, token: str) -> InvitationView:
        """The invitation behind a link, whatever its state (the page says "expired" etc.)."""
        now = self.clock()
        async with self.uow() as uow:
            invitation = await uow.invitations.get_by_token_hash(hash_link_token(token))
            if invitation is None:
                raise InvitationNotFound()
            organisation = await self._organisation(uow, invitation.organisation_id)
            inviter = await uow.accounts.get(invitation.inviter_account_id)
            policy = await uow.security_policies.get(invitation.organisation_id)
        return InvitationView(
            invitation_id=invitation.id,
            organisation_name=organisation.name,
            inviter_name=inviter.display_name if inviter else organisation.name,
            email=invitation.email,
            state=invitation.state_on(now),
            expires_at=invitation.expires_at,
            password_rules=policy.password.rules(),
            terms_version=CURRENT_VERSIONS[Document.TERMS],
            privacy_version=CURRENT_VERSIONS[Document.PRIVACY],
            roles=invitation.roles,
        )

    async def do_accept_with_new_account(self, token: str, details: NewAccount, *, dry_run: bool) -> Accepted:
        """Makes an account for the invited address (fixed: the one invited), checked
        against the inviting organisation's password policy, records the accepted terms
        and privacy versions, and attaches the invitation. Every bad field is named at
        once; with ``dry_run`` everything is checked and nothing saved (the summary step).

        A staff invitation makes a staff account of the organisation with its roles; for
        a former colleague whose account the organisation deactivated, that account comes
        back with the new password and roles instead."""
        errors = FieldErrors()
        checked = check_invitee_account(details, errors)
        first, last, username = checked.first_name, checked.last_name, checked.username
        now = self.clock()
        async with self.uow() as uow:
            invitation = await self._by_token(uow, token)
            invitation.check_open(now)
            organisation = await self._active_organisation(uow, invitation.organisation_id)
            policy = await uow.security_policies.get(invitation.organisation_id)
            check_chosen_password(
                policy.password,
                details.password,
                details.password_confirmation,
                errors,
                personal=(first, last, invitation.email, username or ""),
                language=invitation.language,
            )
            errors.raise_if_any()
            former = await self._former_colleague(uow, invitation)
            await check_contact_details_free(
                uow, email=invitation.email, username=username, except_account_id=former.id if former else None
            )
            if dry_run:
                return Accepted("", username or invitation.email, invitation.thread_id)
            account = Account(
                id=former.id if former else str(uuid.uuid4()),
                email=invitation.email,
                display_name=display_name(first, last),
                password_hash=self.hasher.hash(details.password),
                organisation_id=organisation.id,
                roles=invitation.roles if invitation.is_staff_invitation else frozenset({Role.PERSON}),
                status=AccountStatus.ACTIVE,
                username=username,
                language=invitation.language,
                first_name=first,
                last_name=last,
            )
            if former is None:
                await uow.accounts.add(account)
            else:
                await self._reactivate(uow, account, now)
            await uow.terms_acceptances.add_all(acceptances(account.id, now))
            self._accept(uow, invitation, account, now)
            if not invitation.is_staff_invitation:
                await uow.client_links.add(ClientLink(account.id, organisation.id, now))
            await uow.invitations.save(invitation)
            await uow.commit()
        return Accepted(account.id, username or account.email, invitation.thread_id)

    async def do_accept_with_account(self, token: str, principal: Principal) -> Accepted:
        """Attaches the invitation to the caller's existing account ("I already have an
        account"); any address may accept a link it received."""
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            invitation = await self._by_token(uow, token)
            await self._attach(uow, invitation, account, now)
            await uow.commit()
        return Accepted(account.id, account.username or account.email, invitation.thread_id)

    async def do_accept_with_login(
        self, token: str, *, username: str, password: str, client: ClientInfo
    ) -> AcceptedWithLogin:
        """"I already have an account", logging in on the invitation page: the link is
        checked first (unknown, expired, used or revoked answers so, and no password is
        looked at, so no failed login is even counted), then the login runs as at
        ``/auth/login``, with its throttle. With tokens the invitation is attached to the
        account; when a second factor is asked, it is attached after that step through
        :meth:`do_accept_with_account`."""
        credentials = check_credentials(username, password)
        async with self.uow() as uow:
            invitation = await uow.invitations.get_by_token_hash(hash_link_token(token))
            if invitation is None:
                raise InvitationNotFound()
            invitation.check_open(self.clock())
        login = await self.authentication.do_login(credentials.username, credentials.password, client)
        if isinstance(login, Challenge):
            return AcceptedWithLogin(login, None)
        now = self.clock()
        async with self.uow() as uow:
            account = await uow.accounts.get(login.account_id)
            assert account is not None
            invitation = await self._by_token(uow, token)
            await self._attach(uow, invitation, account, now)
            await uow.commit()
        if invitation.is_staff_invitation:
            # The login's tokens carry what the account was before it joined the staff:
            # rotated at once, they carry its organisation and roles now.
            login = await self.authentication.do_refresh(login.refresh_token, client)
        return AcceptedWithLogin(login, Accepted(account.id, account.username or account.email, invitation.thread_id))

    async def do_decline(self, token: str) -> None:
        """Declines the invitation; :class:`InvitationDeclined` tells the inviter."""
        now = self.clock()
        async with self.uow() as uow:
            invitation = await self._by_token(uow, token)
            invitation.decline(now)
            await uow.invitations.save(invitation)
            organisation = await self._organisation(uow, invitation.organisation_id)
            inviter = await uow.accounts.get(invitation.inviter_account_id)
            if inviter is not None:
                uow.emit(
                    InvitationDeclined(
                        invitation_id=invitation.id,
                        organisation_id=organisation.id,
                        organisation_name=organisation.name,
                        inviter=Recipient.of(inviter),
                        invitee_email=invitation.email,
                    )
                )
            await uow.commit()

    # --- helpers ------------------------------------------------------------------------

    async def _attach(self, uow: UnitOfWork, invitation: Invitation, account: Account, now: datetime) -> None:
        """Accepts ``invitation`` for an existing ``account``: a staff invitation makes it a
        member of the organisation's staff (its home moves there; its tokens issued until
        now stop working, as after any change of roles); any other links it to the
        organisation as a client (its home, when it had none)."""
        invitation.check_open(now)
        organisation = await self._active_organisation(uow, invitation.organisation_id)
        if invitation.is_staff_invitation:
            if account.works_for_organisation and account.status is AccountStatus.ACTIVE:
                if account.organisation_id == organisation.id:
                    raise AlreadyStaff()
                raise StaffOfAnotherOrganisation()
            await uow.accounts.set_membership(account.id, organisation.id, invitation.roles)
            uow.emit(AccessRevoked(account_id=account.id, revoked_at=now, reason=RevocationReason.ROLES_CHANGED))
        else:
            await uow.client_links.add(ClientLink(account.id, organisation.id, now))
            if account.organisation_id is None:
                await uow.accounts.set_membership(account.id, organisation.id, account.roles)
        self._accept(uow, invitation, account, now)
        await uow.invitations.save(invitation)

    @staticmethod
    async def _former_colleague(uow: UnitOfWork, invitation: Invitation) -> Account | None:
        """For a staff invitation: the invited address's account when the organisation
        deactivated it (it comes back instead of a new one)."""
        if not invitation.is_staff_invitation:
            return None
        account = await uow.accounts.find_for_login(invitation.email)
        if (
            account is not None
            and account.status is AccountStatus.DISABLED
            and account.organisation_id == invitation.organisation_id
            and account.works_for_organisation
        ):
            return account
        return None

    @staticmethod
    async def _reactivate(uow: UnitOfWork, account: Account, now: datetime) -> None:
        assert account.password_hash is not None and account.organisation_id is not None
        await uow.accounts.save_profile(account)
        await uow.accounts.set_username(account.id, account.username)
        await uow.accounts.set_password(account.id, account.password_hash, must_change=False)
        await uow.accounts.set_membership(account.id, account.organisation_id, account.roles)
        await uow.accounts.set_status(account.id, AccountStatus.ACTIVE)

    @staticmethod
    def _joined(invitation: Invitation, account_id: str) -> StaffJoined:
        return StaffJoined(
            organisation_id=invitation.organisation_id,
            account_id=account_id,
            roles=tuple(sorted(invitation.roles)),
            invitation_id=invitation.id,
        )

    async def _active_organisation(self, uow: UnitOfWork, organisation_id: str) -> Organisation:
        organisation = await self._organisation(uow, organisation_id)
        if not organisation.is_active:
            raise OrganisationDeactivated()
        return organisation

    async def _check_conversation(self, thread_id: str, access_token: str) -> None:
        kind = await self.conversations.thread_kind(thread_id, access_token)
        if kind is None:
            raise ConversationNotFound(fields={"thread_id": "is not a conversation you take part in"})
        if kind not in INVITABLE_KINDS:
            raise ConversationNotInvitable(fields={"thread_id": "nobody can be invited into this kind of conversation"})

    @classmethod
    def _accept(cls, uow: UnitOfWork, invitation: Invitation, account: Account, now: datetime) -> None:
        """Attaches the invitation and, in the same unit of work, emits what follows from
        it: :class:`StaffJoined` for a staff invitation, else :class:`InvitationAccepted`
        (messaging adds the account to the conversation)."""
        invitation.accept(account.id, now)
        if invitation.is_staff_invitation:
            uow.emit(cls._joined(invitation, account.id))
        else:
            uow.emit(InvitationAccepted.of(invitation, account.display_name))

    @staticmethod
    def _sent(invitation: Invitation, organisation: Organisation, inviter: Account, token: str) -> InvitationSent:
        return InvitationSent(
            **OrganisationNotice.sender(organisation),
            recipient=Recipient("", invitation.email, "", "", invitation.language),
            invitation_id=invitation.id,
            inviter_name=inviter.display_name,
            token=token,
            expires_at=invitation.expires_at,
        )

    @staticmethod
    async def _by_token(uow: UnitOfWork, token: str) -> Invitation:
        # Locked: two answers to one link (a double click, two tabs) are judged in turn.
        invitation = await uow.invitations.get_by_token_hash_for_update(hash_link_token(token))
        if invitation is None:
            raise InvitationNotFound()
        return invitation

    @staticmethod
    async def _of_organisation(uow: UnitOfWork, invitation_id: str, organisation_id: str) -> Invitation:
        """An invitation into a conversation (staff invitations are the administrators')."""
        invitation = await uow.invitations.get_in_organisation_for_update(invitation_id, organisation_id)
        if invitation is None or invitation.is_staff_invitation:
            raise InvitationNotFound()
        return invitation

    @staticmethod
    async def _organisation(uow: UnitOfWork, organisation_id: str) -> Organisation:
        organisation = await uow.organisations.get(organisation_id)
        if organisation is None:
            raise OrganisationNotFound()
        return organisation
