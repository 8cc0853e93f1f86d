"""Who is calling an identity RPC, from the access token in its metadata.

Tokens of an account that must change its password carry their own audience (see
``AccessTokenIssuer``): :meth:`Callers.principal` refuses them with 403
``password_change_required``; only the RPCs that belong to changing the password (GetMe,
ChangePassword, GetPasswordRules, Logout) accept them.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from identity.domain.errors import ActingOnBehalfNotAllowed, PasswordChangeRequired
from zorgpost_kit.auth import Principal, TokenVerifier
from zorgpost_kit.errors import Unauthenticated
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY


@dataclass(frozen=True)
class CallerCheck:
    principal: Principal
    password_change_required: bool


@dataclass
class Callers:
    verifier: TokenVerifier
    #: Accepts only tokens issued for the password-change audience.
    password_change_verifier: TokenVerifier

    async def check(self, context: grpc.aio.ServicerContext) -> CallerCheck:
        """The caller, and whether their token is one for the password change only.
        Raises ``InvalidToken`` for anything else."""
        try:
            return CallerCheck(await self.verifier.verify_metadata(context), False)
        except Unauthenticated:
            # Not a full token: perhaps one for the password change; otherwise the same refusal.
            return CallerCheck(await self.password_change_verifier.verify_metadata(context), True)

    async def principal(self, context: grpc.aio.ServicerContext) -> Principal:
        """The caller of an RPC about their own account: sessions, second factors, the
        policy (403 ``password_change_required`` for a token that only allows the password
        change; 403 ``acting_on_behalf_not_allowed`` for an act-as token — a delegate never
        manages the represented person's sign-in)."""
        caller = await self.check(context)
        if caller.password_change_required:
            raise PasswordChangeRequired()
        return _not_acting_on_behalf(caller.principal)

    async def principal_during_password_change(self, context: grpc.aio.ServicerContext) -> Principal:
        """GetMe and Logout: any valid token, including an act-as one (GetMe checks the
        delegation behind it)."""
        return (await self.check(context)).principal

    async def own_principal_during_password_change(self, context: grpc.aio.ServicerContext) -> Principal:
        """ChangePassword and GetPasswordRules: also a password-change token, never an act-as one."""
        return _not_acting_on_behalf((await self.check(context)).principal)


def _not_acting_on_behalf(principal: Principal) -> Principal:
    if principal.acts_on_behalf:
        raise ActingOnBehalfNotAllowed()
    return principal


def bearer_token(context: grpc.aio.ServicerContext) -> str:
    """The caller's access token as it came (to call another service on their behalf);
    verify it first with :class:`Callers`."""
    for key, value in context.invocation_metadata() or ():
        if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""
