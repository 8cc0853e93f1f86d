"""/api/v1/helpdesk: a question to the technical helpdesk ("Hulp nodig?" → "Technische
helpdesk", seed 3). It becomes a ticket in the shared inbox of the department(s) that
supervise the asker's organisation (they run its e-counter; a department's own staff ask
their own), answered there by its helpdesk, and the address given gets a confirmation
(Dutch, or English on request) with a link to the ticket, never the question. Limited per
client address like the routes that mail or check a code (:mod:`gateway.rate_limit`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import email, errors, text
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["helpdesk"])

MAX_QUESTION = 100_000


class HelpdeskQuestionIn(BaseModel):
    #: Where the confirmation goes.
    email: str = email()
    question: str = text(max_length=MAX_QUESTION)
    language: Literal["nl", "en"] = Field(default="nl", description="of the confirmation mail")


class HelpdeskTicketOut(BaseModel):
    #: The ticket's thread (kind helpdesk): ``GET /threads/{id}``.
    id: str
    #: Whose helpdesk answers it.
    organisation_name: str


@router.post(
    "/helpdesk/questions",
    status_code=201,
    response_model=HelpdeskTicketOut,
    responses=errors(401, 403, 409, 422, 429),
)
async def ask_helpdesk(body: HelpdeskQuestionIn, caller: CurrentCaller, clients: Clients) -> HelpdeskTicketOut:
    """A question to the technical helpdesk that serves the caller's organisation (staff): a
    ticket in the shared inbox of the department(s) supervising it, where their helpdesk
    answers it (the asker's colleagues do not see it), and a confirmation mail to
    ``email``. 409 ``no_helpdesk`` when no department supervises the organisation; 422
    names ``email`` (malformed) or ``question`` (empty); 429 with ``Retry-After`` past the
    per-address limit."""
    ticket = await clients.call(
        clients.messaging.AskHelpdesk,
        messaging_pb2.AskHelpdeskRequest(email=body.email, question=body.question, language=body.language),
        caller,
    )
    return HelpdeskTicketOut(id=ticket.thread_id, organisation_name=ticket.organisation_name)
