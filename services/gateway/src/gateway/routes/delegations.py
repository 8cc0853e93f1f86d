"""/api/v1/delegations and /api/v1/me/delegations, /me/act-as, /me/preferred-portal:
proxy access under the Dutch age rules (seeds 4 and 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, StrictBool

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import date, errors, identifier, line
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import delegations_pb2

router = APIRouter(tags=["delegations"])


class ChildIn(BaseModel):
    first_name: str = line(max_length=200)
    last_name: str = line(max_length=200)
    birth_date: str = date(description="YYYY-MM-DD; under 12.")


class DelegationIn(BaseModel):
    #: The parent or proxy who will act.
    delegate_account_id: str = identifier()
    #: The person acted for; or leave it out and describe a child under 12 without account.
    person_account_id: str = identifier(required=False)
    child: ChildIn | None = None


class ConsentIn(BaseModel):
    accept: StrictBool


class PersonIn(BaseModel):
    person_id: str = identifier()


class PartyOut(BaseModel):
    account_id: str
    display_name: str
    birth_date: str | None
    has_login: bool


class DelegationOut(BaseModel):
    id: str
    organisation_id: str
    person: PartyOut
    delegate: PartyOut
    kind: Literal["parental", "consented"]
    status: Literal["awaiting_consent", "active", "declined", "ended"]
    created_at: datetime
    granted_at: datetime | None
    ended_at: datetime | None
    end_reason: Literal["revoked", "turned_16", "access_ended"] | None


class MyDelegationsOut(BaseModel):
    #: Who may act for me (and requests waiting for my consent).
    for_me: list[DelegationOut]
    #: For whom I may act.
    by_me: list[DelegationOut]
    #: The portal to open after login: my own id or a represented person's.
    preferred_person_id: str


class ActingTokenOut(BaseModel):
    """An access token for the person's portal: ``sub`` is the person, ``act.sub`` you.
    No refresh token: ask again when it expires (the delegation is checked each time)."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    person_id: str
    person_name: str


def party_out(message: delegations_pb2.Party) -> PartyOut:
    return PartyOut(
        account_id=message.account_id,
        display_name=message.display_name,
        birth_date=message.birth_date or None,
        has_login=message.has_login,
    )


def delegation_out(message: delegations_pb2.Delegation) -> DelegationOut:
    return DelegationOut(
        id=message.id,
        organisation_id=message.organisation_id,
        person=party_out(message.person),
        delegate=party_out(message.delegate),
        kind=message.kind,  # type: ignore[arg-type]
        status=message.status,  # type: ignore[arg-type]
        created_at=to_datetime(message.created_at),
        granted_at=to_datetime(message.granted_at) if message.HasField("granted_at") else None,
        ended_at=to_datetime(message.ended_at) if message.HasField("ended_at") else None,
        end_reason=message.end_reason or None,  # type: ignore[arg-type]
    )


def _mine(message: delegations_pb2.MyDelegations) -> MyDelegationsOut:
    return MyDelegationsOut(
        for_me=[delegation_out(entry) for entry in message.for_me],
        by_me=[delegation_out(entry) for entry in message.by_me],
        preferred_person_id=message.preferred_person_id,
    )


@router.post("/delegations", status_code=201, response_model=DelegationOut, responses=errors(404, 409))
async def grant_delegation(body: DelegationIn, caller: CurrentCaller, clients: Clients) -> DelegationOut:
    """Staff of the practice only (they check parental authority). Under 12: active at
    once. From 12: waits for the person's consent from their own account."""
    request = delegations_pb2.GrantDelegationRequest(
        delegate_account_id=body.delegate_account_id, person_account_id=body.person_account_id
    )
    if body.child is not None:
        request.child.CopyFrom(delegations_pb2.ChildRecord(**body.child.model_dump()))
    message = await clients.call(clients.delegations.GrantDelegation, request, caller)
    return delegation_out(message)


@router.post("/delegations/{delegation_id}/consent", response_model=DelegationOut, responses=errors(404, 409))
async def answer_consent(delegation_id: str, body: ConsentIn, caller: CurrentCaller, clients: Clients) -> DelegationOut:
    """The person accepts or declines a delegation asked for them."""
    message = await clients.call(
        clients.delegations.AnswerDelegationConsent,
        delegations_pb2.AnswerDelegationConsentRequest(delegation_id=delegation_id, accept=body.accept),
        caller,
    )
    return delegation_out(message)


@router.post("/delegations/{delegation_id}/revoke", response_model=DelegationOut, responses=errors(404, 409))
async def revoke_delegation(delegation_id: str, caller: CurrentCaller, clients: Clients) -> DelegationOut:
    """The person, the delegate or the practice's staff end it; an act-as token on it is
    refused by identity from the next request on."""
    message = await clients.call(
        clients.delegations.RevokeDelegation, delegations_pb2.DelegationIdRequest(delegation_id=delegation_id), caller
    )
    return delegation_out(message)


@router.get("/me/delegations", response_model=MyDelegationsOut, responses=errors(404))
async def my_delegations(caller: CurrentCaller, clients: Clients) -> MyDelegationsOut:
    message = await clients.call(
        clients.delegations.ListMyDelegations, delegations_pb2.ListMyDelegationsRequest(), caller
    )
    return _mine(message)


@router.post("/me/act-as", response_model=ActingTokenOut, responses=errors(404, 409))
async def act_as(body: PersonIn, caller: CurrentCaller, clients: Clients) -> ActingTokenOut:
    """Switch to the portal of a person you act for (seed 4, "portaal wisselen")."""
    acting = await clients.call(
        clients.delegations.ActAs, delegations_pb2.ActAsRequest(person_id=body.person_id), caller
    )
    return ActingTokenOut(
        access_token=acting.access_token,
        expires_in=acting.expires_in,
        person_id=acting.person_id,
        person_name=acting.person_name,
    )


@router.put("/me/preferred-portal", response_model=MyDelegationsOut, responses=errors(404, 409))
async def set_preferred_portal(body: PersonIn, caller: CurrentCaller, clients: Clients) -> MyDelegationsOut:
    """The portal opened after login: your own id, or a person you act for."""
    message = await clients.call(
        clients.delegations.SetPreferredPortal,
        delegations_pb2.SetPreferredPortalRequest(person_id=body.person_id),
        caller,
    )
    return _mine(message)
