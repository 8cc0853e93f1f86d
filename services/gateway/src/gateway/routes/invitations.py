"""/api/v1/invitations: staff invite an e-mail address into a secure conversation (seed 1);
the invitee opens the link, makes an account or uses one they have, or declines."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StrictBool

from gateway.deps import ClientInfo, Clients, CurrentCaller
from gateway.openapi import email, errors, identifier
from gateway.routes.auth import ChallengeOut, PasswordRuleOut, TokensOut, login_result, password_rules
from gateway.routes.journeys import LoginOut, login_after
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import invitations_pb2

router = APIRouter(tags=["invitations"])

_TOKEN = Field(min_length=1, max_length=200)


class InvitationIn(BaseModel):
    email: str = email()
    #: The conversation (messaging's thread id) the invitee joins.
    thread_id: str = identifier(max_length=200)
    language: Literal["nl", "en"] = "nl"


class InvitationOut(BaseModel):
    id: str
    email: str
    thread_id: str
    state: Literal["open", "expired", "accepted", "declined", "revoked"]
    inviter_account_id: str
    created_at: datetime
    expires_at: datetime
    account_id: str | None


class InvitationViewOut(BaseModel):
    organisation_name: str
    inviter_name: str
    email: str
    state: Literal["open", "expired", "accepted", "declined", "revoked"]
    expires_at: datetime
    password_rules: list[PasswordRuleOut]
    terms_version: str
    privacy_version: str
    #: A staff invitation: the roles accepting gives (empty: an invitation into a conversation).
    roles: list[str]


class NewAccountIn(BaseModel):
    """Every field is checked at once (names, username, each password rule, the accepted
    versions); a form sends them all, also when empty."""

    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)
    #: A login name of one's own; "" logs in with the invited e-mail address.
    username: str = Field(default="", max_length=100)
    password: str = Field(max_length=1024)
    password_confirmation: str = Field(max_length=1024)
    #: The versions of the terms and privacy statement the person accepted ("" = not accepted).
    terms_version: str = Field(max_length=32)
    privacy_version: str = Field(max_length=32)
    #: Check everything and save nothing (the summary step).
    dry_run: StrictBool = False


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class InvitationAcceptedOut(BaseModel):
    account_id: str | None
    login_name: str
    #: The conversation to open.
    thread_id: str
    #: Tokens, or a second-factor challenge to complete at POST /auth/login/verify
    #: (None after a dry run or when the caller was logged in already).
    login: LoginOut | None = None


def _invitation(message: invitations_pb2.Invitation) -> InvitationOut:
    return InvitationOut(
        id=message.id,
        email=message.email,
        thread_id=message.thread_id,
        state=message.state,  # type: ignore[arg-type]
        inviter_account_id=message.inviter_account_id,
        created_at=to_datetime(message.created_at),
        expires_at=to_datetime(message.expires_at),
        account_id=message.account_id or None,
    )


def _accepted(message: invitations_pb2.InvitationAccepted, login: LoginOut | None) -> InvitationAcceptedOut:
    return InvitationAcceptedOut(
        account_id=message.account_id or None, login_name=message.login_name, thread_id=message.thread_id, login=login
    )


@router.post("/invitations", status_code=201, response_model=InvitationOut, responses=errors(404, 409, 429))
async def send_invitation(body: InvitationIn, caller: CurrentCaller, clients: Clients) -> InvitationOut:
    """Staff only: mails the invitee a link valid for 14 days."""
    message = await clients.call(
        clients.invitations.SendInvitation,
        invitations_pb2.SendInvitationRequest(email=body.email, thread_id=body.thread_id, language=body.language),
        caller,
    )
    return _invitation(message)


@router.get("/invitations", response_model=list[InvitationOut], responses=errors())
async def list_invitations(caller: CurrentCaller, clients: Clients) -> list[InvitationOut]:
    """Staff only: the invitations of the caller's organisation, newest first."""
    response = await clients.call(clients.invitations.ListInvitations, invitations_pb2.ListInvitationsRequest(), caller)
    return [_invitation(message) for message in response.invitations]


@router.post("/invitations/{invitation_id}/revoke", response_model=InvitationOut, responses=errors(404, 409))
async def revoke_invitation(invitation_id: str, caller: CurrentCaller, clients: Clients) -> InvitationOut:
    """Staff only: the link stops working."""
    message = await clients.call(
        clients.invitations.RevokeInvitation, invitations_pb2.InvitationIdRequest(invitation_id=invitation_id), caller
    )
    return _invitation(message)


@router.post("/invitations/{invitation_id}/resend", response_model=InvitationOut, responses=errors(404, 409, 429))
async def resend_invitation(invitation_id: str, caller: CurrentCaller, clients: Clients) -> InvitationOut:
    """Staff only: a new link is mailed; the old one stops working."""
    message = await clients.call(
        clients.invitations.ResendInvitation, invitations_pb2.InvitationIdRequest(invitation_id=invitation_id), caller
    )
    return _invitation(message)


@router.get("/invitations/{token}", response_model=InvitationViewOut, responses=errors(404))
async def view_invitation(token: str, clients: Clients) -> InvitationViewOut:
    """Public, by the link's token: who invites, the address, whether it is still open,
    the password rules and the versions of the terms and privacy statement."""
    view = await clients.call(clients.invitations.GetInvitation, invitations_pb2.InvitationTokenRequest(token=token))
    return InvitationViewOut(
        organisation_name=view.organisation_name,
        inviter_name=view.inviter_name,
        email=view.email,
        state=view.state,
        expires_at=to_datetime(view.expires_at),
        password_rules=password_rules(view.password_rules),
        terms_version=view.terms_version,
        privacy_version=view.privacy_version,
        roles=list(view.roles),
    )


@router.post("/invitations/{token}/account", response_model=InvitationAcceptedOut, responses=errors(401, 404, 409))
async def accept_with_new_account(
    token: str, body: NewAccountIn, clients: Clients, client: ClientInfo, response: Response
) -> InvitationAcceptedOut:
    """Makes an account for the invited address and logs in (201); 422 names every bad
    field, each broken password rule as ``password.<rule>``. With ``dry_run`` only checks (200)."""
    accepted = await clients.call(
        clients.invitations.AcceptInvitationWithNewAccount,
        invitations_pb2.AcceptWithNewAccountRequest(token=token, **body.model_dump()),
    )
    if body.dry_run:
        return _accepted(accepted, None)
    response.status_code = 201
    return _accepted(accepted, await login_after(clients, accepted.login_name, body.password, client))


@router.post("/invitations/{token}/accept", response_model=InvitationAcceptedOut, responses=errors(404, 409))
async def accept_as_caller(token: str, caller: CurrentCaller, clients: Clients) -> InvitationAcceptedOut:
    """ "I already have an account", logged in: the invitation is attached to the caller."""
    accepted = await clients.call(
        clients.invitations.AcceptInvitationWithAccount, invitations_pb2.InvitationTokenRequest(token=token), caller
    )
    return _accepted(accepted, None)


@router.post(
    "/invitations/{token}/login",
    response_model=InvitationAcceptedOut | ChallengeOut,
    responses=errors(401, 403, 404, 409),
)
async def accept_with_login(
    token: str, body: LoginIn, clients: Clients, client: ClientInfo
) -> InvitationAcceptedOut | ChallengeOut:
    """ "I already have an account": logs in and attaches the invitation. The link is checked
    before the password (an unknown or dead link is 404 or 409 and no password is tried).
    When the account needs a second factor the answer is the challenge: complete it at
    POST /auth/login/verify, then call POST /invitations/{token}/accept with the token."""
    response = await clients.call(
        clients.invitations.AcceptInvitationWithLogin,
        invitations_pb2.AcceptWithLoginRequest(
            token=token, username=body.username, password=body.password, client=client
        ),
    )
    login = login_result(response.login)
    if not isinstance(login, TokensOut):
        return login
    return _accepted(response.accepted, login)


@router.post("/invitations/{token}/decline", status_code=204, responses=errors(404, 409))
async def decline_invitation(token: str, clients: Clients) -> None:
    """The inviter is told; the link stops working."""
    await clients.call(clients.invitations.DeclineInvitation, invitations_pb2.InvitationTokenRequest(token=token))
