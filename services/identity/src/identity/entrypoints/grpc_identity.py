"""The IdentityService gRPC servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import grpc

from identity.adapters.protobuf import timestamp
from identity.domain.policy import PasswordRule, SecurityPolicy
from identity.entrypoints.callers import Callers
from identity.service.authentication import Authentication, Challenge, ClientInfo, Tokens
from identity.service.password_reset import PasswordResets
from identity.service.ports import UnitOfWork
from identity.service.second_factors import SecondFactors
from identity.service.security_policy import (
    SecurityPolicyDraft,
    check_security_policy,
    do_set_security_policy,
    get_security_policy,
)
from identity.service.sessions import Sessions
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name


def client_info(message: identity_pb2.ClientInfo) -> ClientInfo:
    return ClientInfo(ip_address=message.ip_address, user_agent=message.user_agent)


def _token_pair(tokens: Tokens) -> identity_pb2.TokenPair:
    return identity_pb2.TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
    )


def _challenge(challenge: Challenge) -> identity_pb2.LoginChallenge:
    return identity_pb2.LoginChallenge(challenge_id=challenge.challenge_id, method=challenge.method.value)


def rules_message(rules: list[PasswordRule]) -> list[identity_pb2.PasswordRule]:
    return [identity_pb2.PasswordRule(code=rule.code, nl=rule.nl, en=rule.en) for rule in rules]


def login_message(result: Tokens | Challenge) -> identity_pb2.LoginResponse:
    if isinstance(result, Challenge):
        return identity_pb2.LoginResponse(challenge=_challenge(result))
    return identity_pb2.LoginResponse(tokens=_token_pair(result))


class JwksSource(Protocol):
    """Whatever holds the current JWKS document (the signing key store)."""

    @property
    def jwks_json(self) -> str: ...


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(
        self,
        authentication: Authentication,
        callers: Callers,
        jwks: JwksSource,
        *,
        factors: SecondFactors,
        resets: PasswordResets,
        sessions: Sessions,
        uow: Callable[[], UnitOfWork],
    ) -> None:
        self._auth = authentication
        self._callers = callers
        self._jwks = jwks
        self._factors = factors
        self._resets = resets
        self._sessions = sessions
        self._uow = uow

    async def Login(
        self, request: identity_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LoginResponse:
        return login_message(
            await self._auth.do_login(request.username, request.password, client_info(request.client))
        )

    async def VerifyLoginChallenge(
        self, request: identity_pb2.VerifyLoginChallengeRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LoginResponse:
        tokens = await self._auth.do_verify_challenge(request.challenge_id, request.code, client_info(request.client))
        return identity_pb2.LoginResponse(tokens=_token_pair(tokens))

    async def ResendLoginCode(
        self, request: identity_pb2.ResendLoginCodeRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LoginChallenge:
        return _challenge(await self._auth.do_resend_code(request.challenge_id))

    async def RefreshSession(
        self, request: identity_pb2.RefreshSessionRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.TokenPair:
        return _token_pair(await self._auth.do_refresh(request.refresh_token, client_info(request.client)))

    async def Logout(
        self, request: identity_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LogoutResponse:
        await self._auth.do_logout(await self._callers.principal_during_password_change(context))
        return identity_pb2.LogoutResponse()

    async def GetMe(
        self, request: identity_pb2.GetMeRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.Account:
        me = await self._auth.me(await self._callers.principal_during_password_change(context))
        account = identity_pb2.Account(
            id=me.account.id,
            display_name=me.account.display_name,
            email=me.account.email,
            roles=sorted(me.roles),
            language=me.account.language,
            password_change_required=me.account.must_change_password,
        )
        if me.organisation is not None:
            account.organisation.CopyFrom(
                identity_pb2.Organisation(
                    id=me.organisation.id, name=me.organisation.name, kind=me.organisation.kind.value
                )
            )
        return account

    async def GetJwks(
        self, request: identity_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.GetJwksResponse:
        return identity_pb2.GetJwksResponse(jwks_json=self._jwks.jwks_json)

    async def ChangePassword(
        self, request: identity_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.TokenPair:
        principal = await self._callers.own_principal_during_password_change(context)
        tokens = await self._auth.do_change_password(
            principal, request.current_password, request.new_password, client_info(request.client)
        )
        return _token_pair(tokens)

    async def GetPasswordRules(
        self, request: identity_pb2.GetPasswordRulesRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.PasswordRules:
        principal = await self._callers.own_principal_during_password_change(context)
        return identity_pb2.PasswordRules(password_rules=rules_message(await self._auth.password_rules(principal)))

    async def GetSecurityPolicy(
        self, request: identity_pb2.GetSecurityPolicyRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.SecurityPolicy:
        return _security_policy(*await get_security_policy(self._uow, await self._callers.principal(context)))

    async def UpdateSecurityPolicy(
        self, request: identity_pb2.UpdateSecurityPolicyRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.SecurityPolicy:
        principal = await self._callers.principal(context)
        organisation_id, policy = check_security_policy(
            principal,
            SecurityPolicyDraft(
                password_preset=request.password_preset,
                second_factor=request.second_factor,
                code_lifetime_seconds=request.code_lifetime_seconds,
                lockout_threshold=request.lockout_threshold,
                lockout_step_seconds=request.lockout_step_seconds,
                lockout_max_seconds=request.lockout_max_seconds,
                max_failures_per_hour=request.max_failures_per_hour,
                secret_question=request.secret_question,
            ),
        )
        await do_set_security_policy(self._uow, organisation_id, policy, changed_by=principal.actor_id)
        return _security_policy(organisation_id, policy)

    async def ListSecondFactors(
        self, request: identity_pb2.ListSecondFactorsRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.ListSecondFactorsResponse:
        overview = await self._factors.overview(await self._callers.principal(context))
        return identity_pb2.ListSecondFactorsResponse(
            factors=[
                identity_pb2.SecondFactorInfo(method=factor.method.value, confirmed=factor.confirmed)
                for factor in overview.factors
            ],
            recovery_codes_left=overview.recovery_codes_left,
        )

    async def StartSecondFactorEnrolment(
        self, request: identity_pb2.StartSecondFactorEnrolmentRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.SecondFactorEnrolment:
        principal = await self._callers.principal(context)
        enrolment = await self._factors.do_start_enrolment(principal, request.method, request.password)
        return identity_pb2.SecondFactorEnrolment(
            method=enrolment.method.value,
            totp_secret=enrolment.totp_secret,
            provisioning_uri=enrolment.provisioning_uri,
            qr_png_base64=enrolment.qr_png_base64,
        )

    async def ConfirmSecondFactor(
        self, request: identity_pb2.ConfirmSecondFactorRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.ConfirmSecondFactorResponse:
        principal = await self._callers.principal(context)
        recovery = await self._factors.do_confirm(principal, request.method, request.code)
        return identity_pb2.ConfirmSecondFactorResponse(recovery_codes=recovery)

    async def RequestPasswordReset(
        self, request: identity_pb2.RequestPasswordResetRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.RequestPasswordResetResponse:
        await self._resets.do_request(request.email)
        return identity_pb2.RequestPasswordResetResponse()

    async def OpenPasswordReset(
        self, request: identity_pb2.OpenPasswordResetRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.PasswordResetRequirements:
        requirements = await self._resets.do_open(request.token)
        return identity_pb2.PasswordResetRequirements(
            second_factor=requirements.second_factor.value if requirements.second_factor else "",
            secret_question=requirements.secret_question or "",
            password_rules=rules_message(requirements.password_rules),
        )

    async def ConfirmPasswordReset(
        self, request: identity_pb2.ConfirmPasswordResetRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.ConfirmPasswordResetResponse:
        await self._resets.do_confirm(
            request.token, request.new_password, code=request.code, secret_answer=request.secret_answer
        )
        return identity_pb2.ConfirmPasswordResetResponse()

    async def ListSessions(
        self, request: identity_pb2.ListSessionsRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.ListSessionsResponse:
        devices = await self._sessions.list_devices(await self._callers.principal(context))
        return identity_pb2.ListSessionsResponse(
            sessions=[
                identity_pb2.DeviceSession(
                    id=device.session_id,
                    device=device.device,
                    browser=device.browser,
                    operating_system=device.operating_system,
                    mobile=device.mobile,
                    ip_address=device.ip_address,
                    signed_in_at=timestamp(device.signed_in_at),
                    last_seen_at=timestamp(device.last_seen_at),
                    current=device.current,
                )
                for device in devices
            ]
        )

    async def RevokeSession(
        self, request: identity_pb2.RevokeSessionRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.RevokeSessionResponse:
        principal = await self._callers.principal(context)
        await self._sessions.do_revoke(principal, request.session_id)
        return identity_pb2.RevokeSessionResponse()

    async def RevokeOtherSessions(
        self, request: identity_pb2.RevokeOtherSessionsRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.RevokeOtherSessionsResponse:
        revoked = await self._sessions.do_revoke_others(await self._callers.principal(context))
        return identity_pb2.RevokeOtherSessionsResponse(revoked=revoked)


def _security_policy(organisation_id: str, policy: SecurityPolicy) -> identity_pb2.SecurityPolicy:
    return identity_pb2.SecurityPolicy(
        organisation_id=organisation_id,
        password_preset=policy.password.preset.value,
        password_rules=rules_message(policy.password.rules()),
        second_factor=policy.second_factor.value,
        code_lifetime_seconds=int(policy.code_lifetime.total_seconds()),
        lockout_threshold=policy.lockout_threshold,
        lockout_step_seconds=int(policy.lockout_step.total_seconds()),
        lockout_max_seconds=int(policy.lockout_max.total_seconds()),
        max_failures_per_hour=policy.max_failures_per_hour,
        secret_question=policy.secret_question,
    )
