"""/api/v1/auth and /api/v1/me: login (with the second-factor step), refresh, logout, the
password change (forced after a temporary password) and the password reset by e-mail link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import CallerDuringPasswordChange, ClientInfo, Clients
from gateway.openapi import errors
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


OrganisationKind = Literal[
    "municipality", "government_department", "gp_practice", "youth_care_practice", "care_organisation", "other"
]


class OrganisationOut(BaseModel):
    id: str
    name: str
    kind: OrganisationKind


def organisation_out(message: identity_pb2.Organisation) -> OrganisationOut:
    return OrganisationOut(id=message.id, name=message.name, kind=message.kind or "other")  # type: ignore[arg-type]


class MeOut(BaseModel):
    id: str
    display_name: str
    email: str
    #: The organisation the caller works for, or (a person) their home organisation; None
    #: for someone no organisation serves. All of them: GET /me/organisations.
    organisation: OrganisationOut | None
    #: Staff roles (admin, staff, practitioner, case_handler, helpdesk), or ["person"].
    roles: list[str]
    language: str
    #: A temporary password: only POST /me/password (and logout) work until it is changed.
    password_change_required: bool


def _tokens(pair: identity_pb2.TokenPair) -> TokensOut:
    return TokensOut(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


def _login_result(response: identity_pb2.LoginResponse) -> TokensOut | ChallengeOut:
    if response.WhichOneof("result") == "challenge":
        return ChallengeOut(challenge_id=response.challenge.challenge_id, method=response.challenge.method)  # type: ignore[arg-type]
    return _tokens(response.tokens)


@router.post("/auth/login", response_model=TokensOut | ChallengeOut, responses=errors(401, 403))
async def login(body: LoginBody, clients: Clients, client: ClientInfo) -> TokensOut | ChallengeOut:
    """Tokens, or a challenge when the account needs a second factor. Wrong credentials
    and unknown accounts get the same 401."""
    response = await clients.call(
        clients.identity.Login, identity_pb2.LoginRequest(username=body.username, password=body.password, client=client)
    )
    return _login_result(response)


@router.post("/auth/login/verify", response_model=TokensOut | ChallengeOut, responses=errors(401, 404, 409))
async def verify_login(body: VerifyBody, clients: Clients, client: ClientInfo) -> TokensOut | ChallengeOut:
    response = await clients.call(
        clients.identity.VerifyLoginChallenge,
        identity_pb2.VerifyLoginChallengeRequest(challenge_id=body.challenge_id, code=body.code, client=client),
    )
    return _login_result(response)


@router.post("/auth/refresh", response_model=TokensOut, responses=errors(401))
async def refresh(body: RefreshBody, clients: Clients, client: ClientInfo) -> TokensOut:
    pair = await clients.call(
        clients.identity.RefreshSession,
        identity_pb2.RefreshSessionRequest(refresh_token=body.refresh_token, client=client),
    )
    return _tokens(pair)


@router.post("/auth/logout", status_code=204, responses=errors())
async def logout(caller: CallerDuringPasswordChange, clients: Clients) -> None:
    await clients.call(clients.identity.Logout, identity_pb2.LogoutRequest(), caller)


@router.get("/me", response_model=MeOut, responses=errors(404))
async def me(caller: CallerDuringPasswordChange, clients: Clients) -> MeOut:
    account = await clients.call(clients.identity.GetMe, identity_pb2.GetMeRequest(), caller)
    organisation = organisation_out(account.organisation) if account.HasField("organisation") else None
    return MeOut(
        id=account.id,
        display_name=account.display_name,
        email=account.email,
        organisation=organisation,
        roles=list(account.roles),
        language=account.language,
        password_change_required=account.password_change_required,
    )


# --- security (issue 3 part A) -----------------------------------------------------------


class ResendBody(BaseModel):
    challenge_id: str = Field(min_length=1, max_length=100)


class PasswordChangeBody(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordResetBody(BaseModel):
    email: str = Field(min_length=1, max_length=320)


class PasswordResetTokenBody(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class PasswordResetConfirmBody(PasswordResetTokenBody):
    new_password: str = Field(min_length=1, max_length=1024)
    code: str = Field(default="", max_length=20)
    secret_answer: str = Field(default="", max_length=500)


class AcceptedOut(BaseModel):
    detail: str


class PasswordRuleOut(BaseModel):
    code: str
    nl: str
    en: str


class PasswordResetRequirementsOut(BaseModel):
    #: The factor whose code the confirmation needs (its SMS or e-mail was just sent).
    second_factor: Literal["sms", "totp", "email"] | None
    secret_question: str | None
    password_rules: list[PasswordRuleOut]


def password_rules(rules: Iterable[identity_pb2.PasswordRule]) -> list[PasswordRuleOut]:
    return [PasswordRuleOut(code=rule.code, nl=rule.nl, en=rule.en) for rule in rules]


@router.post("/auth/login/resend", response_model=ChallengeOut, responses=errors(401, 404, 409))
async def resend_login_code(body: ResendBody, clients: Clients) -> ChallengeOut:
    """A new SMS or e-mail code for an open login challenge; the earlier code stops working."""
    challenge = await clients.call(
        clients.identity.ResendLoginCode, identity_pb2.ResendLoginCodeRequest(challenge_id=body.challenge_id)
    )
    return ChallengeOut(challenge_id=challenge.challenge_id, method=challenge.method)


@router.post("/me/password", response_model=TokensOut, responses=errors(404, 429))
async def change_password(
    body: PasswordChangeBody, caller: CallerDuringPasswordChange, clients: Clients, client: ClientInfo
) -> TokensOut:
    """Changes the password (also the forced change after a temporary one). A password
    that breaks the organisation's rules gets 422 naming every broken rule
    (``new_password.<rule>``). Other sessions end; fresh tokens for this one."""
    pair = await clients.call(
        clients.identity.ChangePassword,
        identity_pb2.ChangePasswordRequest(
            current_password=body.current_password, new_password=body.new_password, client=client
        ),
        caller,
    )
    return _tokens(pair)


class PasswordRulesOut(BaseModel):
    password_rules: list[PasswordRuleOut]


@router.get("/me/password-rules", response_model=PasswordRulesOut, responses=errors(404))
async def own_password_rules(caller: CallerDuringPasswordChange, clients: Clients) -> PasswordRulesOut:
    """The rules a new password must meet (the organisation's policy), as the checklist of
    the password-change form; also with the token of a temporary password."""
    rules = await clients.call(clients.identity.GetPasswordRules, identity_pb2.GetPasswordRulesRequest(), caller)
    return PasswordRulesOut(password_rules=password_rules(rules.password_rules))


_RESET_ACCEPTED = AcceptedOut(detail="Als dit adres bij een account hoort, is er een e-mail met een link verstuurd.")


@router.post("/auth/password-reset", status_code=202, response_model=AcceptedOut, responses=errors())
async def request_password_reset(body: PasswordResetBody, clients: Clients) -> AcceptedOut:
    """Always 202 with the same body: whether the address has an account stays unknown."""
    await clients.call(
        clients.identity.RequestPasswordReset, identity_pb2.RequestPasswordResetRequest(email=body.email)
    )
    return _RESET_ACCEPTED


@router.post("/auth/password-reset/open", response_model=PasswordResetRequirementsOut, responses=errors(404, 409))
async def open_password_reset(body: PasswordResetTokenBody, clients: Clients) -> PasswordResetRequirementsOut:
    """What the reset form at /password-reset/{token} must ask; sends the SMS or e-mail code."""
    requirements = await clients.call(
        clients.identity.OpenPasswordReset, identity_pb2.OpenPasswordResetRequest(token=body.token)
    )
    return PasswordResetRequirementsOut(
        second_factor=requirements.second_factor or None,
        secret_question=requirements.secret_question or None,
        password_rules=password_rules(requirements.password_rules),
    )


@router.post("/auth/password-reset/confirm", status_code=204, responses=errors(404, 409))
async def confirm_password_reset(body: PasswordResetConfirmBody, clients: Clients) -> None:
    """Sets the new password; every session of the account ends."""
    await clients.call(
        clients.identity.ConfirmPasswordReset,
        identity_pb2.ConfirmPasswordResetRequest(
            token=body.token, new_password=body.new_password, code=body.code, secret_answer=body.secret_answer
        ),
    )


#: Tokens or a challenge from a LoginResponse, for the routes that log a person in right
#: after making their account (invitations, registrations).
login_result = _login_result
