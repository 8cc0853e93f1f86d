"""/api/v1/me/access-requests and /api/v1/access-requests: a parent asks online for access
to a child's portal; the practice's staff approve (which grants the delegation under the
Dutch age rules) or reject with a reason (seed 5, "Portaal account voor familieleden of
kinderen")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import MULTI_LINE, PathId, date, errors, identifier, line, text
from gateway.routes.delegations import DelegationOut, PartyOut, delegation_out, party_out
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import delegations_pb2

router = APIRouter(tags=["access requests"])

Relation = Literal["parent", "carer", "guardian"]
Status = Literal["pending", "approved", "rejected"]


class AccessRequestIn(BaseModel):
    """Every field is checked at once (422 names each bad one). From 16 the child decides
    about its own portal: 409 ``child_is_sixteen``."""

    child_first_name: str = line(max_length=100)
    child_last_name: str = line(max_length=100)
    child_birth_date: str = date(description="YYYY-MM-DD; the child must be under 16 today (Dutch calendar).")
    #: "guardian": a guardian (voogd) with parental authority. Checked by identity with
    #: the other fields, so a form hears of every bad field at once.
    relation: str = Field(max_length=16, json_schema_extra={"enum": ["parent", "carer", "guardian"]})
    note: str = Field(
        default="",
        max_length=1000,
        description="Optional, for the practice only (never in a mail).",
        json_schema_extra={"anyOf": [{"pattern": MULTI_LINE}, {"maxLength": 0}]},
    )


class ApproveIn(BaseModel):
    #: The child's record at the practice (one of the request's ``candidates``). Leave
    #: empty for a child under 12 without one (a record without login is made from the
    #: request); from 12 the child's own account.
    person_account_id: str = identifier(required=False)
    #: Under 12, without ``person_account_id``: make a new record even though the practice
    #: has a client with the child's name and birth date (otherwise 409
    #: ``possible_duplicate_client``).
    new_record: bool = False


class RejectIn(BaseModel):
    #: Shown to the parent on their page; the mail says only that the practice decided.
    reason: str = text(max_length=1000)


class AccessRequestOut(BaseModel):
    id: str
    organisation_id: str
    requester: PartyOut
    child_first_name: str
    child_last_name: str
    child_birth_date: str
    relation: Relation
    note: str
    status: Status
    requested_at: datetime
    decided_at: datetime | None
    #: Why the practice said no (rejected only).
    reason: str | None
    #: The delegation an approval granted, as it stands now (its ``status``
    #: "awaiting_consent" until a child of 12 to 15 consents, then "active").
    delegation: DelegationOut | None


class AccessRequestReviewOut(AccessRequestOut):
    """A request as the practice decides on it."""

    #: While pending: the practice's clients born on the child's birth date, to approve
    #: for one of them (its ``account_id`` as ``person_account_id``).
    candidates: list[PartyOut]
    #: While pending: approving without ``person_account_id`` makes a new record without
    #: login (the child is under 12 today).
    new_record_allowed: bool


class AccessRequestPageOut(BaseModel):
    items: list[AccessRequestOut]
    #: Pass as ``cursor`` for the next page; null on the last one.
    next_cursor: str | None


def _access_request(message: delegations_pb2.AccessRequest) -> AccessRequestOut:
    return AccessRequestOut(
        id=message.id,
        organisation_id=message.organisation_id,
        requester=party_out(message.requester),
        child_first_name=message.child_first_name,
        child_last_name=message.child_last_name,
        child_birth_date=message.child_birth_date,
        relation=cast(Relation, message.relation),
        note=message.note,
        status=cast(Status, message.status),
        requested_at=to_datetime(message.requested_at),
        decided_at=to_datetime(message.decided_at) if message.HasField("decided_at") else None,
        reason=message.reason or None,
        delegation=delegation_out(message.delegation) if message.HasField("delegation") else None,
    )


_Cursor = Annotated[str, Query(max_length=300, description="next_cursor of the previous page")]


# --- the parent ------------------------------------------------------------------------------


@router.post("/me/access-requests", status_code=201, response_model=AccessRequestOut, responses=errors(404, 409))
async def submit_access_request(body: AccessRequestIn, caller: CurrentCaller, clients: Clients) -> AccessRequestOut:
    """A parent (a person of the practice, with their own token) asks their practice for
    access to a child's portal; a receipt goes by mail. 409 ``child_is_sixteen`` from the
    16th birthday (the child's written consent, arranged with the practice, is the way
    then); 409 ``access_request_exists`` while one for the same child is pending; 409
    ``too_many_access_requests`` with 5 pending; 409 ``requester_too_young`` under 18;
    409 ``no_practice_to_ask`` for an account without a practice; 403 with an act-as token."""
    message = await clients.call(
        clients.delegations.SubmitAccessRequest,
        delegations_pb2.SubmitAccessRequestRequest(**body.model_dump()),
        caller,
    )
    return _access_request(message)


@router.get("/me/access-requests", response_model=list[AccessRequestOut], responses=errors())
async def my_access_requests(caller: CurrentCaller, clients: Clients) -> list[AccessRequestOut]:
    """The caller's own requests, newest first (the latest 50)."""
    response = await clients.call(
        clients.delegations.ListMyAccessRequests, delegations_pb2.ListMyAccessRequestsRequest(), caller
    )
    return [_access_request(message) for message in response.items]


@router.get("/me/access-requests/{access_request_id}", response_model=AccessRequestOut, responses=errors(404))
async def my_access_request(access_request_id: PathId, caller: CurrentCaller, clients: Clients) -> AccessRequestOut:
    """One of the caller's own requests; anyone else's is 404."""
    message = await clients.call(
        clients.delegations.GetMyAccessRequest,
        delegations_pb2.AccessRequestIdRequest(access_request_id=access_request_id),
        caller,
    )
    return _access_request(message)


# --- the practice ----------------------------------------------------------------------------


@router.get("/access-requests", response_model=AccessRequestPageOut, responses=errors())
async def list_access_requests(
    caller: CurrentCaller, clients: Clients, status: Status | None = None, cursor: _Cursor = ""
) -> AccessRequestPageOut:
    """Staff who manage clients (staff, practitioner): their practice's requests, oldest
    first, 50 a page."""
    page = await clients.call(
        clients.delegations.ListAccessRequests,
        delegations_pb2.ListAccessRequestsRequest(status=status or "", cursor=cursor),
        caller,
    )
    return AccessRequestPageOut(
        items=[_access_request(message) for message in page.items], next_cursor=page.next_cursor or None
    )


@router.get("/access-requests/{access_request_id}", response_model=AccessRequestReviewOut, responses=errors(404))
async def get_access_request(
    access_request_id: PathId, caller: CurrentCaller, clients: Clients
) -> AccessRequestReviewOut:
    """A request of the caller's practice; another practice's is 404. While pending, with
    the practice's clients born on the child's birth date to choose the child from."""
    message = await clients.call(
        clients.delegations.GetAccessRequest,
        delegations_pb2.AccessRequestIdRequest(access_request_id=access_request_id),
        caller,
    )
    return AccessRequestReviewOut(
        **_access_request(message).model_dump(),
        candidates=[party_out(candidate) for candidate in message.candidates],
        new_record_allowed=message.new_record_allowed,
    )


@router.post(
    "/access-requests/{access_request_id}/approve", response_model=AccessRequestOut, responses=errors(404, 409)
)
async def approve_access_request(
    access_request_id: PathId, body: ApproveIn, caller: CurrentCaller, clients: Clients
) -> AccessRequestOut:
    """Grants the parent the delegation, as ``POST /delegations`` does: under 12 active at
    once, from 12 waiting for the child's consent from its own account (name it in
    ``person_account_id``; 404 naming the field otherwise, or when its birth date differs;
    422 naming it when its name differs from the request's). 409
    ``access_request_decided``, ``child_turned_sixteen`` (turned 16 since: reject instead),
    ``possible_duplicate_client`` (under 12 without ``person_account_id``: the practice has
    a client with this name and birth date; choose it, or send ``new_record``),
    ``requester_not_client``, ``delegation_exists``, ``delegation_not_allowed``."""
    message = await clients.call(
        clients.delegations.ApproveAccessRequest,
        delegations_pb2.ApproveAccessRequestRequest(
            access_request_id=access_request_id,
            person_account_id=body.person_account_id,
            new_record=body.new_record,
        ),
        caller,
    )
    return _access_request(message)


@router.post("/access-requests/{access_request_id}/reject", response_model=AccessRequestOut, responses=errors(404, 409))
async def reject_access_request(
    access_request_id: PathId, body: RejectIn, caller: CurrentCaller, clients: Clients
) -> AccessRequestOut:
    """Says no with a reason the parent reads on their page; the parent gets a mail that
    the practice decided (without the reason). 409 ``access_request_decided``."""
    message = await clients.call(
        clients.delegations.RejectAccessRequest,
        delegations_pb2.RejectAccessRequestRequest(access_request_id=access_request_id, reason=body.reason),
        caller,
    )
    return _access_request(message)
