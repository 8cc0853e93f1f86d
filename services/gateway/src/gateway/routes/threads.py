"""/api/v1/threads: every kind of conversation (chat, secure mail, …): list, start, open,
send (text and files), read receipts, likes, "seen by", forwarding, search, file download.

A guest token (a secure-mail recipient who opened the mail with an access code) works only
on GET /threads/{id}, GET /threads/{id}/messages, POST /threads/{id}/read, POST
/threads/{id}/messages and the attachment download, and only for its own thread; every
other route answers it 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

import grpc
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from gateway.deps import Clients, CurrentCaller, ThreadCaller, require_thread_scope
from gateway.openapi import MULTI_LINE, SINGLE_LINE, errors, identifier, line, optional, text
from gateway.problems import ProblemException
from gateway.routes.thread_models import (
    MessageOut,
    ThreadKindName,
    ThreadOut,
    ThreadSummaryOut,
    message_out,
    summary_out,
    thread_out,
)
from gateway.timestamps import to_datetime
from gateway.uploads import close_files, file_parts, message_parts, multipart_schema
from zorgpost.messaging.v1 import messaging_pb2
from zorgpost_kit.grpc_client import call_metadata

router = APIRouter(tags=["threads"])

#: Uploads and downloads get longer than the default deadline.
TRANSFER_TIMEOUT_SECONDS = 120.0
#: What a download can be: messaging's allowed types (judged on the content).
DOWNLOAD_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain",
)
#: Messaging's limits on what a person writes.
MAX_SUBJECT = 200
MAX_BODY = 100_000
MAX_REFERENCE = 100

_Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
_Cursor = Annotated[
    str,
    Query(
        max_length=200,
        description="next_cursor of the previous page (anything else: 422 `cursor`)",
    ),
]


class ThreadPageOut(BaseModel):
    items: list[ThreadSummaryOut]
    #: Pass as ?cursor= for the next page; null on the last page.
    next_cursor: str | None


class MessagePageOut(BaseModel):
    #: Newest first.
    items: list[MessageOut]
    next_cursor: str | None


class CreateThreadIn(BaseModel):
    kind: Literal["chat", "org_case", "econsult", "care"] = "chat"
    subject: str = line(max_length=MAX_SUBJECT)
    body: str = optional({"pattern": MULTI_LINE}, max_length=MAX_BODY, description="An optional first message.")
    reference: str = optional(
        {"pattern": SINGLE_LINE}, max_length=MAX_REFERENCE, description="An optional case number."
    )


class ParticipantRefIn(BaseModel):
    """Whom a thread is for: a person's account or another organisation (give one)."""

    account_id: str = identifier(required=False, description="a person's account")
    organisation_id: str = identifier(required=False, description="another organisation, as its shared inbox")


class StartThreadIn(BaseModel):
    kind: Literal["care", "org_case"]
    subject: str = line(max_length=MAX_SUBJECT)
    body: str = optional({"pattern": MULTI_LINE}, max_length=MAX_BODY, description="An optional first message.")
    reference: str = optional(
        {"pattern": SINGLE_LINE}, max_length=MAX_REFERENCE, description="An optional case number."
    )
    participants: list[ParticipantRefIn] = Field(
        min_length=1,
        max_length=5,
        description="care: up to five persons; org case: one other organisation.",
    )


class PostMessageIn(BaseModel):
    body: str = text(max_length=MAX_BODY)


class ReadIn(BaseModel):
    #: Read up to this message (null: the latest).
    up_to_message_id: str | None = Field(default=None, max_length=64)


class ReadStateOut(BaseModel):
    thread_id: str
    read_up_to_seq: int
    unread_count: int


class LikeOut(BaseModel):
    message_id: str
    like_count: int
    liked_by_me: bool


class ReaderOut(BaseModel):
    participant_id: str
    display_name: str
    seen_at: datetime


class SeenByOut(BaseModel):
    message_id: str
    readers: list[ReaderOut]


class ForwardIn(BaseModel):
    to_thread_id: str = identifier(description="a conversation the caller takes part in")


class SearchHitOut(BaseModel):
    thread_id: str
    thread_subject: str
    thread_kind: ThreadKindName
    message: MessageOut


class SearchPageOut(BaseModel):
    items: list[SearchHitOut]
    next_cursor: str | None


# ----------------------------------------------------------------------------- conversations
@router.get("/threads", response_model=ThreadPageOut, responses=errors(401, 404, 422))
async def list_threads(
    caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> ThreadPageOut:
    """The caller's conversations, newest activity first, with the other party's name, the
    last message and the unread count. Keyset-paged: pass ``next_cursor`` as ``cursor``."""
    page = await clients.call(
        clients.messaging.ListThreads, messaging_pb2.ListThreadsRequest(cursor=cursor, limit=limit), caller
    )
    return ThreadPageOut(items=[summary_out(item) for item in page.items], next_cursor=page.next_cursor or None)


@router.post("/threads", status_code=201, response_model=ThreadOut, responses=errors(401, 404, 409, 422))
async def create_thread(body: CreateThreadIn, caller: CurrentCaller, clients: Clients) -> ThreadOut:
    """Starts a conversation (a chat by default) with the caller as its first participant;
    others join by invitation (POST /invitations with its ``thread_id``). 409
    ``not_allowed_for_kind`` when the caller may not start this kind."""
    view = await clients.call(
        clients.messaging.CreateThread,
        messaging_pb2.CreateThreadRequest(
            kind=body.kind, subject=body.subject, body=body.body, reference=body.reference
        ),
        caller,
    )
    return thread_out(view)


@router.post(
    "/threads/start",
    status_code=201,
    response_model=ThreadOut,
    responses=errors(403, 409),
)
async def start_thread(body: StartThreadIn, caller: CurrentCaller, clients: Clients) -> ThreadOut:
    """Staff: starts a care or org-case conversation together with whom it is for: persons of
    the caller's organisation (care: up to five) or another organisation (org case, as its
    shared inbox). They see it at once and are told of its first message. 422 names each
    participant that is not someone the caller may start it with (``participants[i]``); 403
    for anyone but staff. (An e-consult only a patient asks: POST /portal/econsults.)"""
    header = messaging_pb2.StartThreadRequest(
        kind=body.kind,
        subject=body.subject,
        body=body.body,
        reference=body.reference,
        participants=[
            messaging_pb2.ParticipantRef(account_id=p.account_id)
            if p.account_id
            else messaging_pb2.ParticipantRef(organisation_id=p.organisation_id)
            for p in body.participants
        ],
    )
    view = await clients.call(clients.messaging.StartThread, start_chunks(header), caller)
    return thread_out(view)


async def start_chunks(
    header: messaging_pb2.StartThreadRequest, files: list[UploadFile] | tuple[UploadFile, ...] = ()
) -> AsyncIterator[messaging_pb2.StartThreadChunk]:
    """StartThread's stream: the header, then each file's name and type and its bytes."""
    yield messaging_pb2.StartThreadChunk(header=header)
    async for part in file_parts(list(files)):
        if isinstance(part, bytes):
            yield messaging_pb2.StartThreadChunk(data=part)
        else:
            yield messaging_pb2.StartThreadChunk(file=part)


@router.get("/threads/{thread_id}", response_model=ThreadOut, responses=errors(401, 404, 422))
async def get_thread(thread_id: str, caller: ThreadCaller, clients: Clients, limit: _Limit = 50) -> ThreadOut:
    """A conversation with its latest messages (oldest first), for any participant, a guest
    token for this thread included. Opening it marks it read (the others see "seen by")."""
    require_thread_scope(caller, thread_id)
    view = await clients.call(
        clients.messaging.GetThread, messaging_pb2.GetThreadRequest(thread_id=thread_id, limit=limit), caller
    )
    return thread_out(view)


@router.get("/threads/{thread_id}/messages", response_model=MessagePageOut, responses=errors(401, 404, 422))
async def list_messages(
    thread_id: str, caller: ThreadCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 50
) -> MessagePageOut:
    """Older messages, newest first: start with the thread's ``older_cursor``. Any
    participant, a guest token for this thread included."""
    require_thread_scope(caller, thread_id)
    page = await clients.call(
        clients.messaging.ListMessages,
        messaging_pb2.ListMessagesRequest(thread_id=thread_id, cursor=cursor, limit=limit),
        caller,
    )
    return MessagePageOut(items=[message_out(m) for m in page.messages], next_cursor=page.next_cursor or None)


_POST_MESSAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PostMessageIn.model_json_schema()},
            "multipart/form-data": multipart_schema(
                {
                    "body": {
                        "type": "string",
                        "maxLength": MAX_BODY,
                        "description": "the text (may be empty when files come)",
                    }
                }
            ),
        },
    }
}


async def _chunks(thread_id: str, text: str, files: list[UploadFile]) -> AsyncIterator[messaging_pb2.PostMessageChunk]:
    yield messaging_pb2.PostMessageChunk(header=messaging_pb2.PostMessageHeader(thread_id=thread_id, body=text))
    async for part in file_parts(files):
        if isinstance(part, bytes):
            yield messaging_pb2.PostMessageChunk(data=part)
        else:
            yield messaging_pb2.PostMessageChunk(file=part)


@router.post(
    "/threads/{thread_id}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=errors(401, 404, 409, 413, 415, 422),
    openapi_extra=_POST_MESSAGE_BODY,
)
async def post_message(thread_id: str, request: Request, caller: ThreadCaller, clients: Clients) -> MessageOut:
    """Sends a message: JSON ``{"body"}``, or multipart with ``body`` and ``files`` (each at
    most 20 MiB by default; pdf, png, jpeg, heic, docx, xlsx or txt, judged on the content).
    Any participant, a guest token for this thread included. 404 for an unknown thread or
    one the caller is not in; 413 a file too large; 415 a type not allowed or not what it
    claims; 422 an empty text without files or a bad file name (``errors`` names
    ``files[i]``). Nothing is stored when anything is refused."""
    require_thread_scope(caller, thread_id)
    parsed, files = await message_parts(
        request,
        PostMessageIn,
        before_form=lambda: clients.call(
            clients.messaging.CheckPostAccess, messaging_pb2.ThreadRef(thread_id=thread_id), caller
        ),
        defaults={"body": ""},
    )
    try:
        message = await clients.call(
            clients.messaging.PostMessage,
            _chunks(thread_id, parsed.body, files),
            caller,
            timeout=TRANSFER_TIMEOUT_SECONDS,
        )
    finally:
        await close_files(files)
    return message_out(message)


@router.post("/threads/{thread_id}/read", response_model=ReadStateOut, responses=errors(401, 404, 422))
async def mark_read(thread_id: str, caller: ThreadCaller, clients: Clients, body: ReadIn | None = None) -> ReadStateOut:
    """Marks the conversation read (up to a message, default the latest): the sender sees it
    under "seen by", open clients get a ``thread.read`` event. Any participant, a guest token
    for this thread included."""
    require_thread_scope(caller, thread_id)
    state = await clients.call(
        clients.messaging.MarkRead,
        messaging_pb2.MarkReadRequest(
            thread_id=thread_id, up_to_message_id=(body.up_to_message_id if body else None) or ""
        ),
        caller,
    )
    return ReadStateOut(thread_id=state.thread_id, read_up_to_seq=state.read_up_to_seq, unread_count=state.unread_count)


# ----------------------------------------------------------------------------- one message
async def _like(message_id: str, caller: CurrentCaller, clients: Clients, *, liked: bool) -> LikeOut:
    method = clients.messaging.LikeMessage if liked else clients.messaging.UnlikeMessage
    state = await clients.call(method, messaging_pb2.MessageRef(message_id=message_id), caller)
    return LikeOut(message_id=state.message_id, like_count=state.like_count, liked_by_me=state.liked_by_me)


@router.post("/messages/{message_id}/like", response_model=LikeOut, responses=errors(401, 404, 409))
async def like_message(message_id: str, caller: CurrentCaller, clients: Clients) -> LikeOut:
    """Likes a message (once per person; again changes nothing). 409 where the kind of
    conversation has no likes (secure mail)."""
    return await _like(message_id, caller, clients, liked=True)


@router.delete("/messages/{message_id}/like", response_model=LikeOut, responses=errors(401, 404, 409))
async def unlike_message(message_id: str, caller: CurrentCaller, clients: Clients) -> LikeOut:
    """Takes the caller's like back."""
    return await _like(message_id, caller, clients, liked=False)


@router.get("/messages/{message_id}/seen-by", response_model=SeenByOut, responses=errors(401, 404))
async def seen_by(message_id: str, caller: CurrentCaller, clients: Clients) -> SeenByOut:
    """ "Gezien door": who has seen the message and when, the sender excepted."""
    seen = await clients.call(clients.messaging.ListSeenBy, messaging_pb2.MessageRef(message_id=message_id), caller)
    return SeenByOut(
        message_id=seen.message_id,
        readers=[
            ReaderOut(participant_id=r.participant_id, display_name=r.display_name, seen_at=to_datetime(r.seen_at))
            for r in seen.readers
        ],
    )


@router.post(
    "/messages/{message_id}/forward",
    status_code=201,
    response_model=MessageOut,
    responses=errors(401, 404, 409, 422),
)
async def forward_message(message_id: str, body: ForwardIn, caller: CurrentCaller, clients: Clients) -> MessageOut:
    """Forwards a message (text and files) to another conversation the caller takes part in;
    a conversation they are not in is 404, as if it did not exist."""
    message = await clients.call(
        clients.messaging.ForwardMessage,
        messaging_pb2.ForwardMessageRequest(message_id=message_id, to_thread_id=body.to_thread_id),
        caller,
    )
    return message_out(message)


@router.get("/search", response_model=SearchPageOut, responses=errors(401, 422))
async def search_messages(
    caller: CurrentCaller,
    clients: Clients,
    q: Annotated[
        str, Query(min_length=1, max_length=200, pattern=r"\w", description="words to look for (at least one)")
    ],
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> SearchPageOut:
    """Messages in the caller's own conversations (and, for staff, their organisation's
    shared inbox) with every word given (a word also matches the start of a longer one),
    newest first."""
    page = await clients.call(
        clients.messaging.SearchMessages,
        messaging_pb2.SearchMessagesRequest(query=q, cursor=cursor, limit=limit),
        caller,
    )
    return SearchPageOut(
        items=[
            SearchHitOut(
                thread_id=hit.thread_id,
                thread_subject=hit.thread_subject,
                thread_kind=hit.thread_kind,
                message=message_out(hit.message),
            )
            for hit in page.hits
        ],
        next_cursor=page.next_cursor or None,
    )


# ----------------------------------------------------------------------------- files
def content_disposition(file_name: str) -> str:
    """Always a download, never inline; an ASCII fallback without quotes, backslashes or
    separators, and the real name percent-encoded (RFC 6266, RFC 8187)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in file_name) or "bijlage"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@router.get(
    "/threads/{thread_id}/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file, as a download, with the type its content was verified to be.",
            "content": {mime: {"schema": {"type": "string", "format": "binary"}} for mime in DOWNLOAD_TYPES},
        },
        **errors(401, 404, 409),
    },
)
async def download_attachment(
    thread_id: str, attachment_id: str, caller: ThreadCaller, clients: Clients
) -> StreamingResponse:
    """A file of a message, for participants of its thread only (a guest token for this
    thread included); 404 for anyone else. 409 ``attachment_quarantined`` while the virus
    scan has not found it clean."""
    require_thread_scope(caller, thread_id)
    call = clients.messaging.DownloadAttachment(
        messaging_pb2.AttachmentRef(thread_id=thread_id, attachment_id=attachment_id),
        metadata=call_metadata(caller.access_token),
        timeout=TRANSFER_TIMEOUT_SECONDS,
    )
    first = await call.read()
    if first is grpc.aio.EOF or not first.HasField("meta"):
        call.cancel()
        raise ProblemException(404, code="attachment_not_found", detail="No such file.")
    meta = first.meta

    async def content() -> AsyncIterator[bytes]:
        try:
            while True:
                chunk = await call.read()
                if chunk is grpc.aio.EOF:
                    return
                yield chunk.data
        finally:
            call.cancel()

    return StreamingResponse(
        content(),
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(meta.file_name),
            "Content-Length": str(meta.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Checksum-SHA256": meta.sha256,
        },
    )
