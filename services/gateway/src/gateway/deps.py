"""FastAPI dependencies, as ``Annotated`` aliases so a route's signature says what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.clients import ServiceClients
from zorgpost.identity.v1 import identity_pb2
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import Unauthenticated
from zorgpost_kit.grpc_client import call_metadata

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

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.access_token)


_UNAUTHENTICATED = HTTPException(
    status_code=401, detail="Log in to continue.", headers={"WWW-Authenticate": 'Bearer realm="zorgpost"'}
)


async def get_caller(
    clients: Clients, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _UNAUTHENTICATED
    try:
        principal = await clients.verifier.verify(credentials.credentials)
    except Unauthenticated:
        raise _UNAUTHENTICATED from None
    return Caller(principal, credentials.credentials)


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def get_client_info(request: Request) -> identity_pb2.ClientInfo:
    return identity_pb2.ClientInfo(
        ip_address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:500],
    )


ClientInfo = Annotated[identity_pb2.ClientInfo, Depends(get_client_info)]
