"""/api/v1/portal: the portal's conversations on messaging's one thread model — e-consults
(seed 5: a question with optional photos, answered once by the practice, then closed: a
reaction is a new e-consult) and care messages (seed 4: client or parent ↔ practitioner).
Reading and replying use the thread routes (GET /threads/{id}, POST /threads/{id}/messages)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import MULTI_LINE, SINGLE_LINE, errors, line, text
from gateway.problems import ProblemException
from gateway.routes.thread_models import ThreadOut, ThreadSummaryOut, summary_out, thread_out
from gateway.routes.threads import start_chunks
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["portal"])

PORTAL_KINDS = ["econsult", "care"]
MAX_REQUEST_BYTES = 128 * 1024 * 1024
MAX_PHOTOS = 10
TRANSFER_TIMEOUT_SECONDS = 120.0

_Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
_Cursor = Annotated[str, Query(max_length=200, description="next_cursor of the previous page")]


class EconsultIn(BaseModel):
    subject: str = line(max_length=200)
    question: str = text(max_length=100_000)


class ConversationPageOut(BaseModel):
    items: list[ThreadSummaryOut]
    next_cursor: str | None


class CareMessageIn(BaseModel):
    subject: str = line(max_length=200)
    body: str = text(max_length=100_000)


@router.get("/portal/messages", response_model=ConversationPageOut, responses=errors())
async def messages(
    caller: CurrentCaller,
    clients: Clients,
    kind: Literal["econsult", "care", ""] = "",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> ConversationPageOut:
    """ "Berichten": the person's e-consults and care conversations, newest activity first
    (``state`` "closed" for an answered e-consult)."""
    page = await clients.call(
        clients.messaging.ListThreads,
        messaging_pb2.ListThreadsRequest(cursor=cursor, limit=limit, kinds=[kind] if kind else PORTAL_KINDS),
        caller,
    )
    return ConversationPageOut(items=[summary_out(t) for t in page.items], next_cursor=page.next_cursor or None)


_ECONSULT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["subject", "question"],
                    "properties": {
                        "subject": {"type": "string", "maxLength": 200, "pattern": SINGLE_LINE},
                        "question": {"type": "string", "maxLength": 100_000, "pattern": MULTI_LINE},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
            "application/json": {"schema": EconsultIn.model_json_schema()},
        },
    }
}


async def _econsult_parts(request: Request) -> tuple[str, str, list[UploadFile]]:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise ProblemException(413, code="attachment_too_large", detail="The request is larger than allowed.")
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=MAX_PHOTOS, max_fields=10)
        subject, question = form.get("subject", ""), form.get("question", "")
        if any(not isinstance(item, UploadFile) for item in form.getlist("photos")):
            raise RequestValidationError([{"loc": ("body", "photos"), "msg": "must be files", "type": "value_error"}])
        photos = [item for item in form.getlist("photos") if isinstance(item, UploadFile)]
        return (subject if isinstance(subject, str) else ""), (question if isinstance(question, str) else ""), photos
    if content_type in ("application/json", ""):
        try:
            body = EconsultIn.model_validate_json(await request.body())
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} if e["type"] != "json_invalid" else e for e in error.errors()]
            ) from None
        return body.subject, body.question, []
    raise ProblemException(415, code="unsupported_media_type", detail="Send multipart/form-data or application/json.")


@router.post(
    "/portal/econsults",
    status_code=201,
    response_model=ThreadOut,
    responses=errors(409, 413, 415),
    openapi_extra=_ECONSULT_BODY,
)
async def ask_econsult(request: Request, caller: CurrentCaller, clients: Clients) -> ThreadOut:
    """ "Vraag stellen": a non-urgent question to one's practice, with optional ``photos``
    (multipart; each checked on its content), stored at once with its photos or not at all.
    The practice's answer closes it: a reaction is a new e-consult. A question for one's
    child is asked in the child's portal (act-as), not in one's own."""
    subject, question, photos = await _econsult_parts(request)
    if not question.strip():
        # The question itself is what the practice answers: photos come with one, not instead.
        raise RequestValidationError([{"loc": ("body", "question"), "msg": "is required", "type": "missing"}])
    header = messaging_pb2.StartThreadRequest(kind="econsult", subject=subject, body=question)
    try:
        view = await clients.call(
            clients.messaging.StartThread, start_chunks(header, photos), caller, timeout=TRANSFER_TIMEOUT_SECONDS
        )
    finally:
        for photo in photos:
            await photo.close()
    return thread_out(view)


@router.post("/portal/care-messages", status_code=201, response_model=ThreadOut, responses=errors(409))
async def new_care_message(body: CareMessageIn, caller: CurrentCaller, clients: Clients) -> ThreadOut:
    """ "Nieuw bericht" to the practice (seed 4); the practitioners answer in the same
    conversation (POST /threads/{id}/messages), and so does the client or parent."""
    header = messaging_pb2.StartThreadRequest(kind="care", subject=body.subject, body=body.body)
    view = await clients.call(clients.messaging.StartThread, start_chunks(header), caller)
    return thread_out(view)


@router.get("/portal/practice/econsults", response_model=ConversationPageOut, responses=errors())
async def econsults_to_answer(
    caller: CurrentCaller,
    clients: Clients,
    kind: Literal["econsult", "care"] = "econsult",
    folder: Literal["received", "sent"] = "received",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> ConversationPageOut:
    """The practice's e-consults (or care conversations) in its shared inbox, newest first;
    answer with POST /threads/{id}/messages (an e-consult then closes)."""
    page = await clients.call(
        clients.messaging.ListInbox,
        messaging_pb2.ListInboxRequest(folder=folder, cursor=cursor, limit=limit, kinds=[kind]),
        caller,
    )
    return ConversationPageOut(items=[summary_out(t) for t in page.items], next_cursor=page.next_cursor or None)
