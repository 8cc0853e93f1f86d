"""Messaging's domain: threads and their messages; a secure e-mail is a thread with an
outside recipient who reads it with a link and an access code (seed 2)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from zorgpost_kit.events import DomainEvent


class ThreadKind(StrEnum):
    SECURE_MAIL = "secure_mail"
    CONVERSATION = "conversation"


@dataclass(frozen=True)
class SendSecureMail:
    """Command: a staff member sends a secure e-mail to an outside address."""

    sender_account_id: str
    organisation_id: str
    organisation_name: str
    recipient_email: str
    recipient_mobile: str | None
    subject: str
    body: str
    language: str = "nl"


@dataclass(frozen=True, kw_only=True)
class SecureMailSent(DomainEvent):
    """Event ``messaging.secure_mail.sent``: carries what the notice needs, not the content."""

    secure_mail_id: str
    thread_id: str
    organisation_id: str
    organisation_name: str
    sender_account_id: str
    recipient_email: str
    recipient_mobile: str | None
    read_token: str
    sent_at: datetime
    language: str


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    author_account_id: str
    body: str
    created_at: datetime


@dataclass
class SecureMail:
    """A thread started by a staff member for one outside recipient."""

    id: str
    thread_id: str
    organisation_id: str
    sender_account_id: str
    recipient_email: str
    recipient_mobile: str | None
    subject: str
    first_message: Message
    read_token_hash: str
    sent_at: datetime
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def send(cls, command: SendSecureMail, *, now: datetime | None = None) -> SecureMail:
        """Creates the mail and raises :class:`SecureMailSent`.

        The read token exists in plain text only in the event (for the link in the notice);
        the mail keeps its hash.
        """
        sent_at = now or datetime.now(UTC)
        thread_id = str(uuid.uuid4())
        read_token = secrets.token_urlsafe(32)
        mail = cls(
            id=thread_id,
            thread_id=thread_id,
            organisation_id=command.organisation_id,
            sender_account_id=command.sender_account_id,
            recipient_email=command.recipient_email,
            recipient_mobile=command.recipient_mobile,
            subject=command.subject,
            first_message=Message(str(uuid.uuid4()), thread_id, command.sender_account_id, command.body, sent_at),
            read_token_hash=hash_read_token(read_token),
            sent_at=sent_at,
        )
        mail.events.append(
            SecureMailSent(
                secure_mail_id=mail.id,
                thread_id=thread_id,
                organisation_id=command.organisation_id,
                organisation_name=command.organisation_name,
                sender_account_id=command.sender_account_id,
                recipient_email=command.recipient_email,
                recipient_mobile=command.recipient_mobile,
                read_token=read_token,
                sent_at=sent_at,
                language=command.language,
            )
        )
        return mail


def hash_read_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
