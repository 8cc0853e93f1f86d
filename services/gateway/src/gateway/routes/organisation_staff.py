"""/api/v1/organisation/staff: an organisation's administrators run its staff — invite a
colleague with roles (the invitee answers at /invitations/{token}: a new account, or one they
have), list them with their last login and second factors, change their roles, deactivate
them. Only an administrator of the organisation (403 otherwise); another organisation's
staff are unknown (404). The organisation always keeps an administrator (409)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import PathId, email, errors
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import organisations_pb2

router = APIRouter(tags=["organisation"])

#: zorgpost_kit.roles.STAFF_ROLES, spelled out for the OpenAPI's enum (a unit test keeps them equal).
StaffRole = Literal["admin", "staff", "practitioner", "case_handler", "helpdesk"]
InvitationState = Literal["open", "expired", "accepted", "declined", "revoked"]


class StaffInvitationIn(BaseModel):
    email: str = email()
    #: One or more: admin (manages staff, teams, settings, security policy), staff (sends and
    #: answers), practitioner (portal care work), case_handler (e-counter), helpdesk.
    roles: list[StaffRole] = Field(min_length=1, max_length=5)
    language: Literal["nl", "en"] = "nl"


class StaffInvitationOut(BaseModel):
    id: str
    email: str
    roles: list[StaffRole]
    state: InvitationState
    #: None when the operator invited the organisation's first administrator.
    inviter_account_id: str | None
    created_at: datetime
    expires_at: datetime
    #: Set once accepted.
    account_id: str | None


class RolesIn(BaseModel):
    roles: list[StaffRole] = Field(min_length=1, max_length=5)


class StaffMemberOut(BaseModel):
    account_id: str
    display_name: str
    email: str
    roles: list[StaffRole]
    status: Literal["active", "deactivated"]
    #: None when the member never signed in (or the answer to a change, which does not say).
    last_login_at: datetime | None
    #: Whether the member has a confirmed second factor, and which.
    second_factor_enrolled: bool
    second_factors: list[Literal["sms", "email", "totp"]]


def _invitation(message: organisations_pb2.StaffInvitation) -> StaffInvitationOut:
    return StaffInvitationOut(
        id=message.id,
        email=message.email,
        roles=list(message.roles),  # type: ignore[arg-type]
        state=message.state,  # type: ignore[arg-type]
        inviter_account_id=message.inviter_account_id or None,
        created_at=to_datetime(message.created_at),
        expires_at=to_datetime(message.expires_at),
        account_id=message.account_id or None,
    )


def _member(message: organisations_pb2.StaffMember) -> StaffMemberOut:
    return StaffMemberOut(
        account_id=message.account_id,
        display_name=message.display_name,
        email=message.email,
        roles=list(message.roles),  # type: ignore[arg-type]
        status=message.status,  # type: ignore[arg-type]
        last_login_at=to_datetime(message.last_login_at) if message.HasField("last_login_at") else None,
        second_factor_enrolled=bool(message.second_factors),
        second_factors=list(message.second_factors),  # type: ignore[arg-type]
    )


@router.post(
    "/organisation/staff",
    status_code=201,
    response_model=StaffInvitationOut,
    responses=errors(403, 409),
)
async def invite_staff(body: StaffInvitationIn, caller: CurrentCaller, clients: Clients) -> StaffInvitationOut:
    """Mails the colleague a link (valid 14 days) to join the staff with these roles; an
    open invitation to the same address is renewed. 409 ``already_staff``."""
    message = await clients.call(
        clients.organisations.InviteStaff,
        organisations_pb2.InviteStaffRequest(email=body.email, roles=body.roles, language=body.language),
        caller,
    )
    return _invitation(message)


@router.get("/organisation/staff", response_model=list[StaffMemberOut], responses=errors(403))
async def list_staff(caller: CurrentCaller, clients: Clients) -> list[StaffMemberOut]:
    """Every staff member, deactivated ones too, by name."""
    response = await clients.call(clients.organisations.ListStaff, organisations_pb2.ListStaffRequest(), caller)
    return [_member(message) for message in response.staff]


@router.patch(
    "/organisation/staff/{account_id}",
    response_model=StaffMemberOut,
    responses=errors(403, 404, 409),
)
async def change_roles(account_id: PathId, body: RolesIn, caller: CurrentCaller, clients: Clients) -> StaffMemberOut:
    """The member gets exactly these roles; they are told, and their current access tokens stop
    working everywhere within seconds (a refresh gives them the new roles). 409
    ``last_administrator`` when no administrator would be left."""
    message = await clients.call(
        clients.organisations.ChangeStaffRoles,
        organisations_pb2.ChangeStaffRolesRequest(account_id=account_id, roles=body.roles),
        caller,
    )
    return _member(message)


@router.post(
    "/organisation/staff/{account_id}/deactivate",
    response_model=StaffMemberOut,
    responses=errors(403, 404, 409),
)
async def deactivate_staff(account_id: PathId, caller: CurrentCaller, clients: Clients) -> StaffMemberOut:
    """Ends the member's access at once: every session and refresh token, and their access
    tokens in every service within seconds; they leave every team and are told. Their
    conversations stay with the organisation. 409 ``last_administrator``."""
    message = await clients.call(
        clients.organisations.DeactivateStaff, organisations_pb2.StaffMemberIdRequest(account_id=account_id), caller
    )
    return _member(message)


@router.get("/organisation/staff-invitations", response_model=list[StaffInvitationOut], responses=errors(403))
async def list_staff_invitations(caller: CurrentCaller, clients: Clients) -> list[StaffInvitationOut]:
    """The organisation's staff invitations, newest first."""
    response = await clients.call(
        clients.organisations.ListStaffInvitations, organisations_pb2.ListStaffInvitationsRequest(), caller
    )
    return [_invitation(message) for message in response.invitations]


@router.post(
    "/organisation/staff-invitations/{invitation_id}/revoke",
    response_model=StaffInvitationOut,
    responses=errors(403, 404, 409),
)
async def revoke_staff_invitation(invitation_id: PathId, caller: CurrentCaller, clients: Clients) -> StaffInvitationOut:
    """The link stops working."""
    message = await clients.call(
        clients.organisations.RevokeStaffInvitation,
        organisations_pb2.StaffInvitationIdRequest(invitation_id=invitation_id),
        caller,
    )
    return _invitation(message)


@router.post(
    "/organisation/staff-invitations/{invitation_id}/resend",
    response_model=StaffInvitationOut,
    responses=errors(403, 404, 409),
)
async def resend_staff_invitation(invitation_id: PathId, caller: CurrentCaller, clients: Clients) -> StaffInvitationOut:
    """A new link (the old one stops working), valid for another 14 days."""
    message = await clients.call(
        clients.organisations.ResendStaffInvitation,
        organisations_pb2.StaffInvitationIdRequest(invitation_id=invitation_id),
        caller,
    )
    return _invitation(message)
