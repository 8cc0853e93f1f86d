"""Invitations into a secure conversation (seed 1), and into an organisation's staff.

Staff invite an e-mail address; the link in the mail lets the recipient create an account,
attach the invitation to an account they already have, or decline. An invitation is used
at most once, expires (14 days by default), can be revoked by staff, and re-sending it
replaces the link: only the newest link works.

A staff invitation (``roles`` set, no thread) comes from an organisation's administrator, or
from the operator for an organisation's first administrator: accepting it makes the account
a member of the organisation's staff with those roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain.accounts import Role
from identity.domain.errors import InvitationExpired, InvitationRevoked, InvitationUsed
from identity.domain.notices import OrganisationNotice, Recipient
from zorgpost_kit.events import DomainEvent

INVITATION_LIFETIME = timedelta(days=14)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


@dataclass
class Invitation:
    id: str
    organisation_id: str
    #: Empty when the operator invited an organisation's first administrator.
    inviter_account_id: str
    email: str
    #: The conversation the invitee joins: an opaque reference owned by messaging (empty
    #: for a staff invitation).
    thread_id: str
    language: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    decided_at: datetime | None = None
    #: The account the invitation was attached to, once accepted.
    account_id: str | None = None
    #: The staff roles accepting gives (empty: an invitation into a conversation).
    roles: frozenset[Role] = frozenset()

    @property
    def is_staff_invitation(self) -> bool:
        return bool(self.roles)

    def state_on(self, now: datetime) -> str:
        """``open``, ``expired``, or the status it ended with."""
        if self.status is InvitationStatus.PENDING:
            return "open" if now < self.expires_at else "expired"
        return self.status.value

    def check_open(self, now: datetime) -> None:
        """Raises unless the invitation can still be accepted or declined."""
        self._check_pending()
        if now >= self.expires_at:
            raise InvitationExpired()

    def _check_pending(self) -> None:
        if self.status is InvitationStatus.REVOKED:
            raise InvitationRevoked()
        if self.status is not InvitationStatus.PENDING:
            raise InvitationUsed()

    def accept(self, account_id: str, now: datetime) -> None:
        self.check_open(now)
        self.status, self.decided_at, self.account_id = InvitationStatus.ACCEPTED, now, account_id

    def decline(self, now: datetime) -> None:
        self.check_open(now)
        self.status, self.decided_at = InvitationStatus.DECLINED, now

    def revoke(self, now: datetime) -> None:
        """Staff withdraw a pending invitation (also an expired one); its link stops working."""
        self._check_pending()
        self.status, self.decided_at = InvitationStatus.REVOKED, now

    def renew(self, token_hash: str, now: datetime, lifetime: timedelta = INVITATION_LIFETIME) -> None:
        """A new link (the old one stops working at once) and a new expiry."""
        self._check_pending()
        self.token_hash, self.expires_at = token_hash, now + lifetime


@dataclass(frozen=True, kw_only=True)
class InvitationSent(OrganisationNotice):
    """The mail with the invitation link goes to the invitee (also after a re-send)."""

    invitation_id: str
    inviter_name: str
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class InvitationDeclined(DomainEvent):
    """The invitee declined; the inviter is told."""

    invitation_id: str
    organisation_id: str
    organisation_name: str
    inviter: Recipient
    invitee_email: str


#: The kinds of conversation people are invited into (seed 1's chats); the other kinds have
#: their own ways in (a secure mail's read link, an organisation's shared inbox).
INVITABLE_KINDS = frozenset({"chat"})


@dataclass(frozen=True, kw_only=True)
class InvitationAccepted(DomainEvent):
    """The invitee accepted, with a new or an existing account: messaging makes the account
    a participant of the conversation (after checking the thread is the inviter's)."""

    invitation_id: str
    thread_id: str
    account_id: str
    #: The name the others in the conversation see.
    display_name: str
    accepted_at: datetime
    organisation_id: str
    inviter_account_id: str

    @classmethod
    def of(cls, invitation: Invitation, display_name: str) -> InvitationAccepted:
        """The event of an invitation that was just accepted (``account_id`` and
        ``decided_at`` set)."""
        assert invitation.account_id is not None and invitation.decided_at is not None
        return cls(
            invitation_id=invitation.id,
            thread_id=invitation.thread_id,
            account_id=invitation.account_id,
            display_name=display_name,
            accepted_at=invitation.decided_at,
            organisation_id=invitation.organisation_id,
            inviter_account_id=invitation.inviter_account_id,
            occurred_at=invitation.decided_at,
        )
