"""The JSON shapes of threads, messages and attachments, shared by the thread, secure-mail
inbox and live-event routes, and their conversion from messaging's protobuf."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel

from gateway.timestamps import to_datetime
from zorgpost.messaging.v1 import messaging_pb2

ThreadKindName = Literal["chat", "secure_mail", "org_case", "econsult", "care", "helpdesk"]


class ParticipantOut(BaseModel):
    id: str
    kind: Literal["account", "guest", "organisation"]
    display_name: str
    account_id: str | None
    organisation_id: str | None


class AttachmentOut(BaseModel):
    id: str
    file_name: str
    #: The type the content was verified to be.
    content_type: str
    size: int
    sha256: str
    #: "not_scanned" (no virus scanner configured), "pending", "clean" or "infected";
    #: only not_scanned and clean files can be downloaded.
    scan_status: Literal["not_scanned", "pending", "clean", "infected"]
    download_url: str


class ForwardedOut(BaseModel):
    sender_name: str
    sent_at: datetime


class MessageOut(BaseModel):
    id: str
    thread_id: str
    seq: int
    body: str
    sender: ParticipantOut
    sent_at: datetime
    attachments: list[AttachmentOut]
    like_count: int
    liked_by_me: bool
    #: People other than the sender who have seen it.
    seen_by_count: int
    forwarded_from: ForwardedOut | None


class PreviewOut(BaseModel):
    message_id: str
    sender_name: str
    snippet: str
    sent_at: datetime


class OrganisationRefOut(BaseModel):
    id: str
    name: str


class AssigneeOut(BaseModel):
    account_id: str
    name: str


class ThreadSummaryOut(BaseModel):
    id: str
    kind: ThreadKindName
    subject: str
    state: Literal["open", "closed", "withdrawn"]
    reference: str | None
    organisation: OrganisationRefOut | None
    #: The other participants' names, as a conversation list shows them.
    other_party_name: str
    last_message: PreviewOut | None
    last_activity_at: datetime
    unread_count: int
    assigned_to: AssigneeOut | None
    created_at: datetime
    #: Secure mail: the outside recipient opened it (it can no longer be withdrawn).
    opened_by_recipient: bool
    message_count: int


class ThreadOut(ThreadSummaryOut):
    participants: list[ParticipantOut]
    #: The latest messages, oldest first.
    messages: list[MessageOut]
    #: For GET /threads/{id}/messages?cursor=…: the messages before these (null: none).
    older_cursor: str | None
    #: The caller may withdraw it now (POST /secure-mails/{id}/withdraw): they sent this
    #: secure mail and its recipient has not opened it. Only the sender withdraws.
    withdrawable_by_me: bool


def participant_out(participant: messaging_pb2.Participant) -> ParticipantOut:
    return ParticipantOut(
        id=participant.id,
        kind=participant.kind,  # type: ignore[arg-type]
        display_name=participant.display_name,
        account_id=participant.account_id or None,
        organisation_id=participant.organisation_id or None,
    )


def download_url(thread_id: str, attachment_id: str) -> str:
    return f"/api/v1/threads/{quote(thread_id)}/attachments/{quote(attachment_id)}"


def attachment_out(thread_id: str, a: messaging_pb2.Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.id,
        file_name=a.file_name,
        content_type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        scan_status=a.scan_status,  # type: ignore[arg-type]
        download_url=download_url(thread_id, a.id),
    )


def message_out(message: messaging_pb2.Message) -> MessageOut:
    forwarded = message.forwarded_from if message.HasField("forwarded_from") else None
    return MessageOut(
        id=message.id,
        thread_id=message.thread_id,
        seq=message.seq,
        body=message.body,
        sender=participant_out(message.sender),
        sent_at=to_datetime(message.sent_at),
        attachments=[attachment_out(message.thread_id, a) for a in message.attachments],
        like_count=message.like_count,
        liked_by_me=message.liked_by_me,
        seen_by_count=message.seen_by_count,
        forwarded_from=(
            ForwardedOut(sender_name=forwarded.sender_name, sent_at=to_datetime(forwarded.sent_at))
            if forwarded is not None
            else None
        ),
    )


def _summary_fields(summary: messaging_pb2.ThreadSummary) -> dict[str, object]:
    last = summary.last_message if summary.HasField("last_message") else None
    return {
        "id": summary.id,
        "kind": summary.kind,
        "subject": summary.subject,
        "state": summary.state,
        "reference": summary.reference or None,
        "organisation": (
            OrganisationRefOut(id=summary.organisation_id, name=summary.organisation_name)
            if summary.organisation_id
            else None
        ),
        "other_party_name": summary.other_party_name,
        "last_message": (
            PreviewOut(
                message_id=last.message_id,
                sender_name=last.sender_name,
                snippet=last.snippet,
                sent_at=to_datetime(last.sent_at),
            )
            if last is not None
            else None
        ),
        "last_activity_at": to_datetime(summary.last_activity_at),
        "unread_count": summary.unread_count,
        "assigned_to": (
            AssigneeOut(account_id=summary.assigned_to_account_id, name=summary.assigned_to_name)
            if summary.assigned_to_account_id
            else None
        ),
        "created_at": to_datetime(summary.created_at),
        "opened_by_recipient": summary.opened_by_recipient,
        "message_count": summary.message_count,
    }


def summary_out(summary: messaging_pb2.ThreadSummary) -> ThreadSummaryOut:
    return ThreadSummaryOut.model_validate(_summary_fields(summary))


def thread_out(view: messaging_pb2.ThreadView) -> ThreadOut:
    return ThreadOut.model_validate(
        {
            **_summary_fields(view.summary),
            "participants": [participant_out(p) for p in view.participants],
            "messages": [message_out(m) for m in view.messages],
            "older_cursor": view.older_cursor or None,
            "withdrawable_by_me": view.withdrawable_by_me,
        }
    )
