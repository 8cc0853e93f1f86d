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
    ``password_change_required``) on every route but GET /me, GET /me/password-rules,
    POST /me/password and logout."""
    if caller.password_change_required:
        raise _PASSWORD_CHANGE_REQUIRED
    return caller


async def get_thread_caller(
    clients: Clients, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    """The caller of a thread route that a guest may use too: an account holder, or a guest
    (a secure-mail recipient who opened the mail with an access code) whose token reaches
    one thread. Routes taking it check :func:`require_thread_scope`; every other route uses
    :data:`CurrentCaller`, which refuses guest tokens (404)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _UNAUTHENTICATED
    token = credentials.credentials
    try:
        return Caller(await clients.verifier.verify(token, allow_guest=True), token)
    except Unauthenticated:
        pass
    try:
        await clients.password_change_verifier.verify(token)
    except Unauthenticated:
        raise _UNAUTHENTICATED from None
    raise _PASSWORD_CHANGE_REQUIRED


def require_thread_scope(caller: Caller, thread_id: str) -> None:
    """A guest reaches only the thread its token names: any other is unknown to it."""
    scope = caller.principal.thread_scope
    if scope is not None and scope != thread_id:
        raise ProblemException(404, code="thread_not_found", detail="No such conversation.")


CurrentCaller = Annotated[Caller, Depends(get_caller)]
#: An account holder or a guest (for the thread routes a guest may use: read, reply, download).
ThreadCaller = Annotated[Caller, Depends(get_thread_caller)]
CallerDuringPasswordChange = Annotated[Caller, Depends(get_caller_during_password_change)]


def get_client_info(request: Request) -> identity_pb2.ClientInfo:
    return identity_pb2.ClientInfo(
        ip_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:500],
    )


ClientInfo = Annotated[identity_pb2.ClientInfo, Depends(get_client_info)]
