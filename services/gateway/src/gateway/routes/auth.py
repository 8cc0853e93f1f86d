"""/api/v1/auth and /api/v1/me: login (with the second-factor step), refresh, logout."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import ClientInfo, Clients, CurrentCaller
from zorgpost.identity.v1 import identity_pb2

router = APIRouter(tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class VerifyBody(BaseModel):
    challenge_id: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=20)


class RefreshBody(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class ChallengeOut(BaseModel):
    challenge_id: str
    method: Literal["sms", "totp", "email"]


class OrganisationOut(BaseModel):
    id: str
    name: str


class MeOut(BaseModel):
    id: str
    display_name: str
    email: str
    organisation: OrganisationOut | None
    roles: list[str]
    language: str


def _tokens(pair: identity_pb2.TokenPair) -> TokensOut:
    return TokensOut(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


def _login_result(response: identity_pb2.LoginResponse) -> TokensOut | ChallengeOut:
    if response.WhichOneof("result") == "challenge":
        return ChallengeOut(challenge_id=response.challenge.challenge_id, method=response.challenge.method)  # type: ignore[arg-type]
    return _tokens(response.tokens)


@router.post("/auth/login", response_model=TokensOut | ChallengeOut)
async def login(body: LoginBody, clients: Clients, client: ClientInfo) -> TokensOut | ChallengeOut:
    """Tokens, or a challenge when the account needs a second factor. Wrong credentials
    and unknown accounts get the same 401."""
    response = await clients.identity.Login(
        identity_pb2.LoginRequest(username=body.username, password=body.password, client=client),
        timeout=clients.timeout,
    )
    return _login_result(response)


@router.post("/auth/login/verify", response_model=TokensOut | ChallengeOut)
async def verify_login(body: VerifyBody, clients: Clients, client: ClientInfo) -> TokensOut | ChallengeOut:
    response = await clients.identity.VerifyLoginChallenge(
        identity_pb2.VerifyLoginChallengeRequest(challenge_id=body.challenge_id, code=body.code, client=client),
        timeout=clients.timeout,
    )
    return _login_result(response)


@router.post("/auth/refresh", response_model=TokensOut)
async def refresh(body: RefreshBody, clients: Clients, client: ClientInfo) -> TokensOut:
    pair = await clients.identity.RefreshSession(
        identity_pb2.RefreshSessionRequest(refresh_token=body.refresh_token, client=client), timeout=clients.timeout
    )
    return _tokens(pair)


@router.post("/auth/logout", status_code=204)
async def logout(caller: CurrentCaller, clients: Clients) -> None:
    await clients.identity.Logout(identity_pb2.LogoutRequest(), metadata=caller.metadata(), timeout=clients.timeout)


@router.get("/me", response_model=MeOut)
async def me(caller: CurrentCaller, clients: Clients) -> MeOut:
    account = await clients.identity.GetMe(
        identity_pb2.GetMeRequest(), metadata=caller.metadata(), timeout=clients.timeout
    )
    organisation = (
        OrganisationOut(id=account.organisation.id, name=account.organisation.name)
        if account.HasField("organisation")
        else None
    )
    return MeOut(
        id=account.id,
        display_name=account.display_name,
        email=account.email,
        organisation=organisation,
        roles=list(account.roles),
        language=account.language,
    )
