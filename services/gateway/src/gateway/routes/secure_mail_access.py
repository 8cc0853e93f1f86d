"""/api/v1/secure-mail-access/{token}: the outside recipient of a secure e-mail (seed 2),
who has no account, opens it with the link from the notice ({public_url}/secure-mail/{token})
and an access code.

1. ``POST …/code`` sends an access code (by SMS when the sender gave a mobile number,
   otherwise by e-mail "Uw toegangscode"); valid 15 minutes, asking again replaces it.
2. ``POST …/open`` with the code answers a guest access token and the mail (the same thread
   JSON as ``GET /threads/{id}``). The token works for at most 15 minutes on
   ``GET /threads/{id}``, ``POST /threads/{id}/messages`` (reply, with files) and the
   attachment downloads of this one thread; every other route answers it 404. A later visit
   asks for a new code.

The link's token is the credential: neither route takes an access token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients
from gateway.openapi import errors
from gateway.routes.thread_models import ThreadOut, thread_out
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import secure_mail_access_pb2
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["secure mail access"])

#: How many of the latest messages the opened mail shows (older ones: GET /threads/{id}).
OPENED_MESSAGES = 50


class AccessCodeSentOut(BaseModel):
    #: How the code went: "sms" when the sender gave a mobile number, else "email".
    channel: Literal["sms", "email"]
    #: Where it went, partly hidden ("+316******78", "a***@example.org").
    destination: str
    #: Until when the code works (15 minutes).
    expires_at: datetime


#: What a person types for a code: digits, perhaps grouped with spaces or dashes.
ACCESS_CODE = r"^[0-9 -]*[0-9][0-9 -]*$"


class OpenIn(BaseModel):
    #: The access code from the SMS or mail (spaces and dashes are ignored).
    code: str = Field(min_length=1, max_length=32, pattern=ACCESS_CODE)


class OpenedOut(BaseModel):
    #: A guest token for this one thread (Authorization: Bearer …), for at most 15 minutes.
    access_token: str
    token_type: Literal["Bearer"]
    #: Seconds the token lives.
    expires_in: int
    #: The mail, as GET /threads/{id} answers it.
    thread: ThreadOut


@dataclass(frozen=True)
class _Guest:
    """The guest token as the credentials of the call that reads the mail."""

    access_token: str


@router.post(
    "/secure-mail-access/{token}/code",
    status_code=202,
    response_model=AccessCodeSentOut,
    responses=errors(404, 429),
)
async def request_access_code(token: str, clients: Clients) -> AccessCodeSentOut:
    """Sends an access code for the mail behind the link: by SMS when the sender gave a
    mobile number, otherwise by e-mail. A new code replaces the earlier one. 404
    ``read_link_not_found`` for an unknown, expired or withdrawn link; 429
    ``too_many_requests`` (with ``Retry-After``) past 10 codes an hour to one address or number."""
    sent = await clients.call(
        clients.secure_mail_access.RequestAccessCode, secure_mail_access_pb2.RequestAccessCodeRequest(token=token)
    )
    return AccessCodeSentOut(
        channel=sent.channel,
        destination=sent.destination,
        expires_at=to_datetime(sent.expires_at),
    )


@router.post(
    "/secure-mail-access/{token}/open",
    response_model=OpenedOut,
    responses=errors(401, 404, 429),
)
async def open_secure_mail(token: str, body: OpenIn, clients: Clients) -> OpenedOut:
    """Opens the mail with its access code: a guest token and the thread with its messages.
    The code works once (of simultaneous tries exactly one opens the mail). 401
    ``incorrect_access_code`` (the try counts) or ``access_code_no_longer_valid`` (used,
    expired or replaced: ask a new one); 429 ``too_many_code_attempts`` after five wrong
    tries; 404 ``read_link_not_found`` for a link that does not work. Opening marks the mail
    opened: the sender can no longer withdraw it."""
    access = await clients.call(
        clients.secure_mail_access.OpenSecureMail,
        secure_mail_access_pb2.OpenSecureMailRequest(token=token, code=body.code),
    )
    view = await clients.call(
        clients.messaging.GetThread,
        messaging_pb2.GetThreadRequest(thread_id=access.thread_id, limit=OPENED_MESSAGES),
        _Guest(access.access_token),
    )
    return OpenedOut(
        access_token=access.access_token, token_type="Bearer", expires_in=access.expires_in, thread=thread_out(view)
    )
