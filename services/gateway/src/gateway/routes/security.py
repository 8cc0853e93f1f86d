"""/api/v1/organisation/security-policy and /api/v1/me/second-factors: the organisation's
rules for signing in, and the caller's second factors (SMS, e-mail code, authenticator app)."""

from __future__ import annotations

from typing import Literal, cast, get_args

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import WholeNumber, bounded, errors
from gateway.routes.auth import PasswordRuleOut, password_rules
from zorgpost.identity.v1 import identity_pb2

router = APIRouter(tags=["security"])

Method = Literal["sms", "email", "totp"]


Preset = Literal["asvs", "messenger", "client-portal", "gp-portal"]
RequiredFactor = Literal["none", "sms", "totp", "email", "any"]


class SecurityPolicyOut(BaseModel):
    organisation_id: str
    password_preset: Preset
    password_rules: list[PasswordRuleOut]
    second_factor: RequiredFactor
    code_lifetime_seconds: int
    lockout_threshold: int
    lockout_step_seconds: int
    lockout_max_seconds: int
    max_failures_per_hour: int
    secret_question: bool


class SecondFactorOut(BaseModel):
    method: Method
    confirmed: bool


class SecondFactorsOut(BaseModel):
    factors: list[SecondFactorOut]
    recovery_codes_left: int


class EnrolBody(BaseModel):
    method: Method
    #: The account's current password: a session alone may not add a second factor.
    password: str = Field(min_length=1, max_length=1024)


class EnrolmentOut(BaseModel):
    method: Method
    #: TOTP only: the secret to type in, the otpauth:// URI and its QR code (PNG, base64).
    totp_secret: str | None
    provisioning_uri: str | None
    qr_png_base64: str | None


class ConfirmBody(BaseModel):
    code: str = Field(min_length=1, max_length=20)


class RecoveryCodesOut(BaseModel):
    #: Shown this once; each works once when the second factor is lost.
    recovery_codes: list[str]


class SecurityPolicyIn(BaseModel):
    password_preset: str = Field(max_length=40, json_schema_extra={"enum": list(get_args(Preset))})
    second_factor: str = Field(max_length=40, json_schema_extra={"enum": list(get_args(RequiredFactor))})
    # Identity's safe bounds, stated here for clients.
    code_lifetime_seconds: WholeNumber = bounded(60, 3600)
    lockout_threshold: WholeNumber = bounded(3, 20)
    lockout_step_seconds: WholeNumber = bounded(1, 3600)
    lockout_max_seconds: WholeNumber = bounded(60, 86_400, description="not shorter than lockout_step_seconds")
    max_failures_per_hour: WholeNumber = bounded(10, 1000)
    secret_question: StrictBool


def _security_policy(policy: identity_pb2.SecurityPolicy) -> SecurityPolicyOut:
    return SecurityPolicyOut(
        organisation_id=policy.organisation_id,
        password_preset=cast(Preset, policy.password_preset),
        password_rules=password_rules(policy.password_rules),
        second_factor=cast(RequiredFactor, policy.second_factor),
        code_lifetime_seconds=policy.code_lifetime_seconds,
        lockout_threshold=policy.lockout_threshold,
        lockout_step_seconds=policy.lockout_step_seconds,
        lockout_max_seconds=policy.lockout_max_seconds,
        max_failures_per_hour=policy.max_failures_per_hour,
        secret_question=policy.secret_question,
    )


@router.get("/organisation/security-policy", response_model=SecurityPolicyOut, responses=errors(404))
async def security_policy(caller: CurrentCaller, clients: Clients) -> SecurityPolicyOut:
    """The caller's organisation's rules for passwords, second factors and lockout (its
    administrators; 403 for anyone else)."""
    return _security_policy(
        await clients.call(clients.identity.GetSecurityPolicy, identity_pb2.GetSecurityPolicyRequest(), caller)
    )


@router.put("/organisation/security-policy", response_model=SecurityPolicyOut, responses=errors(404))
async def update_security_policy(body: SecurityPolicyIn, caller: CurrentCaller, clients: Clients) -> SecurityPolicyOut:
    """Replaces the organisation's rules (its administrators). Every invalid field is named;
    nothing is saved then. New passwords and logins follow the new rules from now on."""
    return _security_policy(
        await clients.call(
            clients.identity.UpdateSecurityPolicy, identity_pb2.UpdateSecurityPolicyRequest(**body.model_dump()), caller
        )
    )


@router.get("/me/second-factors", response_model=SecondFactorsOut, responses=errors(404))
async def second_factors(caller: CurrentCaller, clients: Clients) -> SecondFactorsOut:
    response = await clients.call(clients.identity.ListSecondFactors, identity_pb2.ListSecondFactorsRequest(), caller)
    return SecondFactorsOut(
        factors=[SecondFactorOut(method=f.method, confirmed=f.confirmed) for f in response.factors],
        recovery_codes_left=response.recovery_codes_left,
    )


@router.post("/me/second-factors", response_model=EnrolmentOut, status_code=201, responses=errors(404, 409, 429))
async def start_enrolment(body: EnrolBody, caller: CurrentCaller, clients: Clients) -> EnrolmentOut:
    """Starts enrolling a factor: TOTP answers the QR code to scan; SMS and e-mail send a
    code. Confirm with POST /me/second-factors/{method}/confirm."""
    enrolment = await clients.call(
        clients.identity.StartSecondFactorEnrolment,
        identity_pb2.StartSecondFactorEnrolmentRequest(method=body.method, password=body.password),
        caller,
    )
    return EnrolmentOut(
        method=body.method,
        totp_secret=enrolment.totp_secret or None,
        provisioning_uri=enrolment.provisioning_uri or None,
        qr_png_base64=enrolment.qr_png_base64 or None,
    )


@router.post("/me/second-factors/{method}/confirm", response_model=RecoveryCodesOut, responses=errors(404, 409))
async def confirm_enrolment(
    method: Method, body: ConfirmBody, caller: CurrentCaller, clients: Clients
) -> RecoveryCodesOut:
    """Confirms the factor with its first code; from now on logins ask for it."""
    response = await clients.call(
        clients.identity.ConfirmSecondFactor,
        identity_pb2.ConfirmSecondFactorRequest(method=method, code=body.code),
        caller,
    )
    return RecoveryCodesOut(recovery_codes=list(response.recovery_codes))
