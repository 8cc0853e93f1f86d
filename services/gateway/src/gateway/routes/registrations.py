"""/api/v1/registrations and /api/v1/register/{token}: a person asks a practice for portal
access (seed 5); staff approve or reject; the mailed link sends an SMS code; the code and
a password make the account."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import ClientInfo, Clients, CurrentCaller
from gateway.openapi import errors, identifier, mobile
from gateway.routes.journeys import LoginOut, PersonIn, login_after
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import accounts_pb2

router = APIRouter(tags=["registrations"])

Status = Literal["requested", "approved", "rejected", "completed"]


class RegistrationIn(PersonIn):
    """The mobile number is required: the SMS code goes there."""

    mobile: str = mobile(required=True)
    organisation_id: str = identifier()


class RegistrationReceiptOut(BaseModel):
    id: str
    status: Status


class RegistrationOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str
    mobile: str
    birth_date: str
    status: Status
    requested_at: datetime


class CodeSentOut(BaseModel):
    organisation_name: str
    masked_mobile: str
    expires_at: datetime


class CompleteIn(BaseModel):
    """Every field is checked at once; a form sends them all, also when empty."""

    #: The code of the SMS.
    code: str = Field(max_length=20)
    password: str = Field(max_length=1024)
    password_confirmation: str = Field(max_length=1024)
    terms_version: str = Field(max_length=32)
    privacy_version: str = Field(max_length=32)


class CompletedOut(BaseModel):
    account_id: str
    login_name: str
    login: LoginOut


def _registration(message: accounts_pb2.Registration) -> RegistrationOut:
    return RegistrationOut(
        id=message.id,
        first_name=message.first_name,
        last_name=message.last_name,
        email=message.email,
        mobile=message.mobile,
        birth_date=message.birth_date,
        status=message.status,  # type: ignore[arg-type]
        requested_at=to_datetime(message.requested_at),
    )


@router.post("/registrations", status_code=201, response_model=RegistrationReceiptOut, responses=errors(404, 409, 429))
async def request_registration(body: RegistrationIn, clients: Clients) -> RegistrationReceiptOut:
    """Public: asks the practice for portal access; a receipt goes by mail."""
    registration = await clients.call(
        clients.registrations.RequestRegistration, accounts_pb2.RequestRegistrationRequest(**body.model_dump())
    )
    return RegistrationReceiptOut(id=registration.id, status=registration.status)


@router.get("/registrations", response_model=list[RegistrationOut], responses=errors())
async def list_registrations(
    caller: CurrentCaller, clients: Clients, status: Status | None = None
) -> list[RegistrationOut]:
    """Staff only: the requests of the caller's practice, oldest first."""
    response = await clients.call(
        clients.registrations.ListRegistrations, accounts_pb2.ListRegistrationsRequest(status=status or ""), caller
    )
    return [_registration(message) for message in response.registrations]


@router.post("/registrations/{registration_id}/approve", response_model=RegistrationOut, responses=errors(404, 409))
async def approve_registration(registration_id: str, caller: CurrentCaller, clients: Clients) -> RegistrationOut:
    """Staff only: the person gets the link that continues the registration."""
    message = await clients.call(
        clients.registrations.ApproveRegistration,
        accounts_pb2.RegistrationIdRequest(registration_id=registration_id),
        caller,
    )
    return _registration(message)


@router.post("/registrations/{registration_id}/reject", response_model=RegistrationOut, responses=errors(404, 409))
async def reject_registration(registration_id: str, caller: CurrentCaller, clients: Clients) -> RegistrationOut:
    message = await clients.call(
        clients.registrations.RejectRegistration,
        accounts_pb2.RegistrationIdRequest(registration_id=registration_id),
        caller,
    )
    return _registration(message)


@router.post("/register/{token}/code", response_model=CodeSentOut, responses=errors(404, 409, 429))
async def send_registration_code(token: str, clients: Clients) -> CodeSentOut:
    """Opening the mailed link: an SMS code goes to the number of the request (again on
    every call; the newest code is the one that works)."""
    sent = await clients.call(
        clients.registrations.SendRegistrationCode, accounts_pb2.RegistrationTokenRequest(token=token)
    )
    return CodeSentOut(
        organisation_name=sent.organisation_name,
        masked_mobile=sent.masked_mobile,
        expires_at=to_datetime(sent.expires_at),
    )


@router.post("/register/{token}", status_code=201, response_model=CompletedOut, responses=errors(401, 404, 409))
async def complete_registration(token: str, body: CompleteIn, clients: Clients, client: ClientInfo) -> CompletedOut:
    """The SMS code and a password meeting the practice's rules make the account, and the
    person is logged in (or gets the practice's second-factor challenge)."""
    completed = await clients.call(
        clients.registrations.CompleteRegistration,
        accounts_pb2.CompleteRegistrationRequest(token=token, **body.model_dump()),
    )
    login = await login_after(clients, completed.login_name, body.password, client)
    return CompletedOut(account_id=completed.account_id, login_name=completed.login_name, login=login)
