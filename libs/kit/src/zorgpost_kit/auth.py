"""Access-token verification, done by every service itself (defence in depth).

Identity signs access tokens with Ed25519 keys (``alg: EdDSA``) and publishes the public keys
as a JWKS over gRPC. :class:`TokenVerifier` accepts only that algorithm, the configured
issuer and audience, and a token that has not expired; anything else is
:class:`zorgpost_kit.errors.Unauthenticated`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import jwt
from jwt.algorithms import OKPAlgorithm

from zorgpost_kit.errors import PermissionDenied, Unauthenticated
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY

ALGORITHM = "EdDSA"
STAFF_ROLE = "staff"


class InvalidToken(Unauthenticated):
    code = "invalid_token"
    default_message = "The access token is missing, invalid or expired."


class StaffOnly(PermissionDenied):
    code = "staff_only"
    default_message = "Only staff of an organisation may do this."


@dataclass(frozen=True)
class Principal:
    """Who is calling, and for whom.

    ``subject_id`` is the person whose data the call concerns; ``actor_id`` is the person who
    acts. They differ when a parent or proxy acts on someone's behalf (RFC 8693 ``act``).
    """

    subject_id: str
    actor_id: str
    session_id: str
    organisation_id: str | None
    organisation_name: str | None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return STAFF_ROLE in self.roles and self.organisation_id is not None

    @property
    def acts_on_behalf(self) -> bool:
        return self.subject_id != self.actor_id

    def require_staff(self) -> None:
        if not self.is_staff:
            raise StaffOnly()


JwksFetcher = Callable[[], Awaitable[str]]


class JwksCache:
    """Public keys by key id, fetched from identity and refreshed when an unknown key id
    appears (key rotation), at most once per ``min_refresh_seconds``."""

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        min_refresh_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._min_refresh = min_refresh_seconds
        #: Seconds on a monotonic scale (a test passes one it moves itself).
        self._clock = clock
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            due = self._fetched_at is None or self._clock() - self._fetched_at >= self._min_refresh
            if kid not in self._keys and due:
                self._keys = parse_jwks(await self._fetch())
                self._fetched_at = self._clock()
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken() from None


def parse_jwks(document: str) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for jwk in json.loads(document).get("keys", []):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "kid" in jwk:
            keys[jwk["kid"]] = OKPAlgorithm.from_jwk(jwk)
    return keys


ActingConfirmer = Callable[[str], Awaitable[None]]


class TokenVerifier:
    """Verifies signature, algorithm, issuer, audience and expiry. With ``confirm_acting``,
    a token used on someone's behalf is also confirmed on every use (it raises when the
    delegation behind it has ended): see :mod:`zorgpost_kit.identity_client`."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 5,
        confirm_acting: ActingConfirmer | None = None,
    ) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._confirm_acting = confirm_acting

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken() from None
        # Checked before any key lookup: "none", HS256 with the public key as secret and
        # other algorithm confusions never reach the decoder.
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise InvalidToken()
        key = await self._jwks.key(header["kid"])
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "sid"]},
            )
        except jwt.PyJWTError:
            raise InvalidToken() from None
        principal = principal_from_claims(claims)
        if principal.acts_on_behalf and self._confirm_acting is not None:
            await self._confirm_acting(token)
        return principal

    async def verify_metadata(self, context: grpc.aio.ServicerContext) -> Principal:
        """The principal of an incoming call, from its ``authorization: Bearer`` metadata."""
        for key, value in context.invocation_metadata() or ():
            if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
                scheme, _, token = value.partition(" ")
                if scheme.lower() == "bearer" and token:
                    return await self.verify(token.strip())
        raise InvalidToken()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    actor = claims.get("act") or {}
    organisation = claims.get("org") or {}
    return Principal(
        subject_id=str(claims["sub"]),
        actor_id=str(actor.get("sub", claims["sub"])),
        session_id=str(claims["sid"]),
        organisation_id=organisation.get("id"),
        organisation_name=organisation.get("name"),
        roles=frozenset(claims.get("roles", ())),
    )
