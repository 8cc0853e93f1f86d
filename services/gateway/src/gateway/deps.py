"""FastAPI dependencies, as ``Annotated`` aliases so a route's signature says what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.clients import ServiceClients
from gateway.problems import ProblemException
from zorgpost.identity.v1 import identity_pb2
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


def get_clients(request: Request) -> ServiceClients:
    clients: ServiceClients = request.app.state.clients
    return clients


Clients = Annotated[ServiceClients, Depends(get_clients)]


@dataclass(frozen=True)
class Caller:
    """A verified caller and the token to pass on: each service verifies it again."""

    principal: Principal
    access_token: str
    #: The token allows nothing but changing the (temporary) password.
    password_change_required: bool = False


_UNAUTHENTICATED = HTTPException(
    status_code=401, detail="Log in to continue.", headers={"WWW-Authenticate": 'Bearer realm="zorgpost"'}
)


_PASSWORD_CHANGE_REQUIRED = ProblemException(
    403, code="password_change_required", detail="Kies eerst een nieuw wachtwoord (POST /api/v1/me/password)."
)


async def get_caller_during_password_change(
    clients: Clients, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    """The caller, also when their token only allows changing the password."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _UNAUTHENTICATED
    token = credentials.credentials
    try:
        return Caller(await clients.verifier.verify(token), token)
    except Unauthenticated:
        pass
    try:
        return Caller(await clients.password_change_verifier.verify(token), token, password_change_required=True)
    except Unauthenticated:
        raise _UNAUTHENTICATED from None


async def get_caller(caller: Annotated[Caller, Depends(get_caller_during_password_change)]) -> Caller:
    """The caller; a token that only allows changing the password is refused (403
    ``password_change_required``) on every route but GET /me, POST /me/password and logout."""
    if caller.password_change_required:
        raise _PASSWORD_CHANGE_REQUIRED
    return caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]
CallerDuringPasswordChange = Annotated[Caller, Depends(get_caller_during_password_change)]


def get_client_info(request: Request) -> identity_pb2.ClientInfo:
    return identity_pb2.ClientInfo(
        ip_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:500],
    )


ClientInfo = Annotated[identity_pb2.ClientInfo, Depends(get_client_info)]
