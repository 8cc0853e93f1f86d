"""/api/v1/secure-mails: staff send secure e-mail and see whether the notice went out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import email, errors, line, text
from gateway.routes.notifications import DeliveryOut, fetch_deliveries
from gateway.timestamps import to_datetime
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["secure mail"])


class SecureMailIn(BaseModel):
    recipient_email: str = email()
    recipient_mobile: str | None = Field(
        default=None,
        max_length=40,
        description="Where the SMS notice goes: +31612345678, or 0612345678 (Dutch); null or empty: none.",
        json_schema_extra={
            "anyOf": [{"type": "string", "format": "mobile"}, {"type": "string", "maxLength": 0}, {"type": "null"}]
        },
    )
    subject: str = line(max_length=200)
    body: str = text(max_length=100_000)
    #: The language of the recipient's notices.
    language: Literal["nl", "en"] = "nl"


class SecureMailOut(BaseModel):
    id: str
    thread_id: str
    recipient_email: str
    recipient_mobile: str | None
    subject: str
    sender_account_id: str
    organisation_id: str
    sent_at: datetime


@router.post("/secure-mails", status_code=201, response_model=SecureMailOut, responses=errors(429))
async def send_secure_mail(body: SecureMailIn, caller: CurrentCaller, clients: Clients) -> SecureMailOut:
    """Stores the mail and notifies the recipient (without the content). Staff only. The
    answer's ``thread_id`` is the thread GET /threads/{id} shows. 429 with ``Retry-After``
    past the sending limit per recipient address or per account."""
    mail = await clients.call(
        clients.messaging.SendSecureMail,
        messaging_pb2.SendSecureMailRequest(
            recipient_email=body.recipient_email,
            recipient_mobile=body.recipient_mobile or "",
            subject=body.subject,
            body=body.body,
            language=body.language,
        ),
        caller,
    )
    return SecureMailOut(
        id=mail.id,
        thread_id=mail.thread_id,
        recipient_email=mail.recipient_email,
        recipient_mobile=mail.recipient_mobile or None,
        subject=mail.subject,
        sender_account_id=mail.sender_account_id,
        organisation_id=mail.organisation_id,
        sent_at=to_datetime(mail.sent_at),
    )


@router.get("/secure-mails/{secure_mail_id}/deliveries", response_model=list[DeliveryOut], responses=errors())
async def list_secure_mail_deliveries(
    secure_mail_id: str, caller: CurrentCaller, clients: Clients
) -> list[DeliveryOut]:
    """Whether the notice of a secure e-mail was delivered: queued, sent or failed."""
    return list(await fetch_deliveries(caller, clients, secure_mail_id))
