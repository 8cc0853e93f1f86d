"""How a service other than identity verifies access tokens: with the keys identity
publishes, and — for a token used on someone's behalf — by asking identity whether the
delegation behind it still holds, so a revocation counts on the very next request."""

from __future__ import annotations

import grpc

from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_kit.auth import JwksCache, TokenVerifier
from zorgpost_kit.errors import PermissionDenied, Unavailable
from zorgpost_kit.grpc_client import call_metadata
from zorgpost_kit.revocation import RevocationList


class ActingNoLongerAllowed(PermissionDenied):
    code = "delegation_not_active"
    default_message = "You may no longer act for this person; switch back to your own account."


def remote_jwks(channel: grpc.aio.Channel, *, timeout: float) -> JwksCache:
    """Identity's public keys, fetched over gRPC (GetJwks) and cached by key id."""
    stub = identity_pb2_grpc.IdentityServiceStub(channel)

    async def fetch_jwks() -> str:
        response = await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=timeout)
        return str(response.jwks_json)

    return JwksCache(fetch_jwks)


def remote_token_verifier(
    channel: grpc.aio.Channel,
    *,
    issuer: str,
    audience: str,
    timeout: float,
    jwks: JwksCache | None = None,
    revocations: RevocationList | None = None,
) -> TokenVerifier:
    stub = identity_pb2_grpc.IdentityServiceStub(channel)

    async def confirm_acting(token: str) -> None:
        # GetMe with an act-as token succeeds only while the session and the delegation
        # are active (identity checks both on every call).
        try:
            await stub.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(token), timeout=timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise Unavailable() from None
            raise ActingNoLongerAllowed() from None

    return TokenVerifier(
        jwks or remote_jwks(channel, timeout=timeout),
        issuer=issuer,
        audience=audience,
        confirm_acting=confirm_acting,
        revocations=revocations,
    )
