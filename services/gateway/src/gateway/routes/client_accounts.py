"""/api/v1/client-accounts and /api/v1/activations: a practice makes an account for a
client (seed 4); the client activates it with the birth date and gets a temporary
password by mail; /api/v1/me/secret-question afterwards."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import date, errors, line
from gateway.routes.journeys import PersonIn
from zorgpost.identity.v1 import accounts_pb2

router = APIRouter(tags=["client accounts"])


class ClientAccountOut(BaseModel):
    id: str
    email: str
    display_name: str
    mobile: str | None
    birth_date: str | None
    status: Literal["pending_activation", "active", "disabled"]


class ActivationViewOut(BaseModel):
    organisation_name: str
    state: Literal["open", "expired", "used", "blocked"]
    attempts_left: int


class ActivationIn(BaseModel):
    birth_date: str = date()


class ActivatedOut(BaseModel):
    #: The temporary password goes by mail, never in this answer.
    login_name: str


class SecretQuestionIn(BaseModel):
    #: The account's current password.
    password: str = Field(max_length=1024)
    question: str = line(max_length=400)
    answer: str = line(max_length=400)


class SecretQuestionOut(BaseModel):
    question: str | None


@router.post("/client-accounts", status_code=201, response_model=ClientAccountOut, responses=errors(404, 409, 429))
async def create_client_account(body: PersonIn, caller: CurrentCaller, clients: Clients) -> ClientAccountOut:
    """Staff only: the client (12 or older) gets an activation link by mail."""
    account = await clients.call(
        clients.client_accounts.CreateClientAccount,
        accounts_pb2.CreateClientAccountRequest(**body.model_dump()),
        caller,
    )
    return ClientAccountOut(
        id=account.id,
        email=account.email,
        display_name=account.display_name,
        mobile=account.mobile or None,
        birth_date=account.birth_date or None,
        status=account.status,
    )


@router.post("/client-accounts/{account_id}/activation", status_code=202, responses=errors(404, 409, 429))
async def resend_activation(account_id: str, caller: CurrentCaller, clients: Clients) -> dict[str, str]:
    """Staff only: a new activation link (the old one stops working), e.g. after too many
    wrong birth dates."""
    await clients.call(
        clients.client_accounts.ResendActivation, accounts_pb2.ResendActivationRequest(account_id=account_id), caller
    )
    return {"detail": "Er is een nieuwe activatielink verstuurd."}


@router.get("/activations/{token}", response_model=ActivationViewOut, responses=errors(404))
async def view_activation(token: str, clients: Clients) -> ActivationViewOut:
    view = await clients.call(clients.client_accounts.GetActivation, accounts_pb2.ActivationTokenRequest(token=token))
    return ActivationViewOut(
        organisation_name=view.organisation_name,
        state=view.state,
        attempts_left=view.attempts_left,
    )


@router.post("/activations/{token}", response_model=ActivatedOut, responses=errors(404, 409, 429))
async def activate(token: str, body: ActivationIn, clients: Clients) -> ActivatedOut:
    """Confirms the link with the birth date; the login name and a temporary password go
    by mail. A wrong date counts: after 3 the link is dead (409 ``activation_blocked``)."""
    activated = await clients.call(
        clients.client_accounts.ActivateClientAccount,
        accounts_pb2.ActivateClientAccountRequest(token=token, birth_date=body.birth_date),
    )
    return ActivatedOut(login_name=activated.login_name)


@router.put("/me/secret-question", response_model=SecretQuestionOut, responses=errors(404, 429))
async def set_secret_question(body: SecretQuestionIn, caller: CurrentCaller, clients: Clients) -> SecretQuestionOut:
    """Sets the secret question asked as an extra check in a password reset."""
    response = await clients.call(
        clients.client_accounts.SetSecretQuestion, accounts_pb2.SetSecretQuestionRequest(**body.model_dump()), caller
    )
    return SecretQuestionOut(question=response.question or None)


@router.get("/me/secret-question", response_model=SecretQuestionOut, responses=errors(404))
async def get_secret_question(caller: CurrentCaller, clients: Clients) -> SecretQuestionOut:
    response = await clients.call(
        clients.client_accounts.GetSecretQuestion, accounts_pb2.GetSecretQuestionRequest(), caller
    )
    return SecretQuestionOut(question=response.question or None)
