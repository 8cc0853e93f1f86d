"""Secure e-mail beyond sending (seed 2): the organisation's shared inbox for its staff
(received / sent, unread, assigned to a colleague), withdrawing an unopened mail, a fresh
read link, a signed-in person writing to their organisation, the read-link lifetime."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import IDENTIFIER, WholeNumber, bounded, errors, line, text
from gateway.routes.thread_models import ThreadOut, ThreadSummaryOut, summary_out, thread_out
from gateway.timestamps import to_datetime
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["secure mail"])


class InboxPageOut(BaseModel):
    items: list[ThreadSummaryOut]
    next_cursor: str | None
    #: Threads with messages nobody of the organisation has read yet.
    unread_threads: int


class AssignIn(BaseModel):
    """The inbox shows the assignee's name as identity knows it."""

    assignee_account_id: str | None = Field(
        max_length=64,
        json_schema_extra={"anyOf": [{"type": "string", "pattern": IDENTIFIER, "maxLength": 64}, {"type": "null"}]},
        description="an active staff member of the organisation (422 `assignee_account_id` otherwise); null: nobody",
    )


class ReadLinkOut(BaseModel):
    thread_id: str
    expires_at: datetime


class WriteToOrganisationIn(BaseModel):
    subject: str = line(max_length=200)
    body: str = text(max_length=100_000)


class SecureMailSettingsIn(BaseModel):
    read_link_days: WholeNumber = bounded(
        1, 365, description='How long the "Bericht lezen" link in a notice works (days).'
    )


class SecureMailSettingsOut(SecureMailSettingsIn):
    organisation_id: str


@router.get("/secure-mail-inbox", response_model=InboxPageOut, responses=errors(401, 403, 422))
async def list_inbox(
    caller: CurrentCaller,
    clients: Clients,
    folder: Literal["received", "sent"] = "received",
    assigned_to_me: bool = False,
    cursor: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InboxPageOut:
    """Staff: the organisation's shared inbox, newest first. ``received``: threads with
    messages from outside the organisation; ``sent``: threads its staff wrote in. Every staff
    member of the organisation sees the same inbox, and no other organisation's."""
    page = await clients.call(
        clients.messaging.ListInbox,
        messaging_pb2.ListInboxRequest(folder=folder, cursor=cursor, limit=limit, assigned_to_me=assigned_to_me),
        caller,
    )
    return InboxPageOut(
        items=[summary_out(item) for item in page.items],
        next_cursor=page.next_cursor or None,
        unread_threads=page.unread_threads,
    )


@router.post("/threads/{thread_id}/assign", response_model=ThreadSummaryOut, responses=errors(401, 403, 404, 422))
async def assign_thread(thread_id: str, body: AssignIn, caller: CurrentCaller, clients: Clients) -> ThreadSummaryOut:
    """Staff: hands a thread of the organisation's inbox to a colleague, who is told of later
    messages and finds it under ``assigned_to_me`` (null: to nobody). 422
    ``assignee_account_id`` for anyone but an active staff member of the organisation."""
    summary = await clients.call(
        clients.messaging.AssignThread,
        messaging_pb2.AssignThreadRequest(thread_id=thread_id, assignee_account_id=body.assignee_account_id or ""),
        caller,
    )
    return summary_out(summary)


@router.post(
    "/secure-mails/{secure_mail_id}/withdraw",
    response_model=ThreadSummaryOut,
    responses=errors(401, 403, 404, 409),
)
async def withdraw_secure_mail(secure_mail_id: str, caller: CurrentCaller, clients: Clients) -> ThreadSummaryOut:
    """The staff member who sent it takes back a secure mail the recipient has not opened
    yet (409 ``already_opened`` otherwise; 403 ``only_sender_may_withdraw`` for colleagues);
    its links stop working."""
    summary = await clients.call(
        clients.messaging.WithdrawSecureMail, messaging_pb2.ThreadRef(thread_id=secure_mail_id), caller
    )
    return summary_out(summary)


@router.post(
    "/secure-mails/{secure_mail_id}/resend-link",
    response_model=ReadLinkOut,
    responses=errors(401, 403, 404, 409, 429),
)
async def resend_read_link(secure_mail_id: str, caller: CurrentCaller, clients: Clients) -> ReadLinkOut:
    """Staff: mails the recipient a fresh "Bericht lezen" link (e.g. when the old one
    expired). Counts against the sending limit per address (429 with ``Retry-After``)."""
    resent = await clients.call(
        clients.messaging.ResendReadLink, messaging_pb2.ThreadRef(thread_id=secure_mail_id), caller
    )
    return ReadLinkOut(thread_id=resent.thread_id, expires_at=to_datetime(resent.expires_at))


@router.post(
    "/secure-mails/to-organisation",
    status_code=201,
    response_model=ThreadOut,
    responses=errors(401, 403, 409, 422, 429),
)
async def write_to_organisation(body: WriteToOrganisationIn, caller: CurrentCaller, clients: Clients) -> ThreadOut:
    """A signed-in citizen, client or patient writes a secure mail to the organisation their
    account belongs to; it lands in that organisation's shared inbox. 403 for staff, 409
    ``no_organisation`` for an account without one, 429 past the sending limit."""
    view = await clients.call(
        clients.messaging.WriteToOrganisation,
        messaging_pb2.WriteToOrganisationRequest(subject=body.subject, body=body.body),
        caller,
    )
    return thread_out(view)


@router.get("/organisation/secure-mail-settings", response_model=SecureMailSettingsOut, responses=errors(401, 403))
async def get_secure_mail_settings(caller: CurrentCaller, clients: Clients) -> SecureMailSettingsOut:
    """Staff: the organisation's secure-mail settings."""
    settings = await clients.call(
        clients.messaging.GetSecureMailSettings, messaging_pb2.GetSecureMailSettingsRequest(), caller
    )
    return SecureMailSettingsOut(organisation_id=settings.organisation_id, read_link_days=settings.read_link_days)


@router.put(
    "/organisation/secure-mail-settings",
    response_model=SecureMailSettingsOut,
    responses=errors(401, 403, 422),
)
async def update_secure_mail_settings(
    body: SecureMailSettingsIn, caller: CurrentCaller, clients: Clients
) -> SecureMailSettingsOut:
    """Staff: how long read links work from now on (links already sent keep their expiry).
    For now any staff member may; once identity has an administrator role, only they."""
    settings = await clients.call(
        clients.messaging.UpdateSecureMailSettings,
        messaging_pb2.SecureMailSettings(read_link_days=body.read_link_days),
        caller,
    )
    return SecureMailSettingsOut(organisation_id=settings.organisation_id, read_link_days=settings.read_link_days)
