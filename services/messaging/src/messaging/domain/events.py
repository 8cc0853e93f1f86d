"""Messaging's events (protobuf only in ``adapters/events.py``). None carries content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class SecureMailSent(DomainEvent):
    """``messaging.secure_mail.sent``: the guest recipient's first notice, with its link."""

    secure_mail_id: str
    thread_id: str
    organisation_id: str
    organisation_name: str
    sender_account_id: str
    sender_display_name: str
    recipient_participant_id: str
    recipient_email: str
    recipient_mobile: str | None
    read_token: str
    read_link_expires_at: datetime
    sent_at: datetime
    language: str


@dataclass(frozen=True, kw_only=True)
class SecureMailLinkResent(DomainEvent):
    """``messaging.secure_mail.link_resent``: a fresh link for the guest recipient."""

    thread_id: str
    organisation_id: str
    organisation_name: str
    recipient_participant_id: str
    recipient_email: str
    recipient_mobile: str | None
    read_token: str
    read_link_expires_at: datetime
    language: str
    resent_by_account_id: str


@dataclass(frozen=True)
class MessageRecipient:
    kind: str
    reason: str
    participant_id: str = ""
    account_id: str = ""
    organisation_id: str = ""
    display_name: str = ""
    email: str = ""
    mobile: str = ""
    read_token: str = ""
    read_link_expires_at: datetime | None = None
    language: str = ""


@dataclass(frozen=True, kw_only=True)
class MessageSent(DomainEvent):
    """``messaging.message.sent``: once per message, naming whom to notify (not the content)."""

    message_id: str
    thread_id: str
    thread_kind: str
    organisation_id: str
    organisation_name: str
    sender_participant_id: str
    sender_account_id: str
    sender_display_name: str
    sent_by_guest: bool
    seq: int
    sent_at: datetime
    has_attachments: bool
    recipients: tuple[MessageRecipient, ...] = field(default_factory=tuple)
    #: Who acted for the sender (an act-as token), "" when the sender wrote it themself.
    acting_account_id: str = ""
