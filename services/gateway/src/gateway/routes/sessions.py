"""/api/v1/me/sessions: the devices the caller is signed in on (seed 1, "Apparaten")."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import errors
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import identity_pb2

router = APIRouter(tags=["sessions"])


class SessionOut(BaseModel):
    id: str
    #: "Firefox 120 on Linux", from the browser's user agent.
    device: str
    browser: str
    operating_system: str
    mobile: bool
    ip_address: str
    signed_in_at: datetime
    last_seen_at: datetime
    #: The session of the token of this request.
    current: bool


class RevokedOut(BaseModel):
    revoked: int


@router.get("/me/sessions", response_model=list[SessionOut], responses=errors())
async def list_sessions(caller: CurrentCaller, clients: Clients) -> list[SessionOut]:
    """The caller's active sessions, most recently used first."""
    response = await clients.call(clients.identity.ListSessions, identity_pb2.ListSessionsRequest(), caller)
    return [
        SessionOut(
            id=session.id,
            device=session.device,
            browser=session.browser,
            operating_system=session.operating_system,
            mobile=session.mobile,
            ip_address=session.ip_address,
            signed_in_at=to_datetime(session.signed_in_at),
            last_seen_at=to_datetime(session.last_seen_at),
            current=session.current,
        )
        for session in response.sessions
    ]


@router.delete("/me/sessions/{session_id}", status_code=204, responses=errors(404))
async def revoke_session(session_id: str, caller: CurrentCaller, clients: Clients) -> None:
    """Ends one of the caller's sessions at once (404 when it is not theirs)."""
    await clients.call(clients.identity.RevokeSession, identity_pb2.RevokeSessionRequest(session_id=session_id), caller)


@router.post("/me/sessions/revoke-others", response_model=RevokedOut, responses=errors())
async def revoke_other_sessions(caller: CurrentCaller, clients: Clients) -> RevokedOut:
    """Ends every session of the caller but this one."""
    response = await clients.call(
        clients.identity.RevokeOtherSessions, identity_pb2.RevokeOtherSessionsRequest(), caller
    )
    return RevokedOut(revoked=response.revoked)
