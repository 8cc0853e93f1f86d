"""Access-token verification, done by every service itself (defence in depth).

Identity signs access tokens with Ed25519 keys (``alg: EdDSA``) and publishes the public keys
as a JWKS over gRPC. :class:`TokenVerifier` accepts only that algorithm, the configured
issuer and audience, and a token that has not expired; anything else is
:class:`zorgpost_kit.errors.Unauthenticated`.

Who may do what is :mod:`zorgpost_kit.roles`: a use case asks :meth:`Principal.require` for the
capability it needs (never for a role). Revocation: with a :class:`~zorgpost_kit.revocation.
RevocationList`, a token of an account or session whose access ended is refused although its
signature and expiry are fine (identity announces each ending; see that module).

Guest tokens: a person without an account who opened a secure e-mail with an access code
gets a short-lived token with ``roles: ["guest"]``, ``sub`` = messaging's participant id and
``thread`` = the one thread it reaches. Every verification refuses such a token (404, as if
the route did not exist for it) unless the caller opts in with ``allow_guest=True``; only
messaging's thread read/reply/attachment calls and the matching gateway routes do, and they
then check :attr:`Principal.thread_scope` against the thread asked for.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import grpc
import jwt
from jwt.algorithms import OKPAlgorithm

from zorgpost_kit.errors import NotFound, PermissionDenied, Unauthenticated
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY
from zorgpost_kit.roles import DESCRIPTIONS, STAFF_ROLES, Capability, Role, capabilities_of

if TYPE_CHECKING:
    from zorgpost_kit.revocation import RevocationList

ALGORITHM = "EdDSA"
GUEST_ROLE = Role.GUEST.value
#: The claim naming the one thread a guest token reaches.
THREAD_CLAIM = "thread"


class InvalidToken(Unauthenticated):
    code = "invalid_token"
    default_message = "The access token is missing, invalid or expired."


class GuestTokenRefused(NotFound):
    """A guest token where only account holders may come: the route does not exist for it."""

    code = "not_found"
    default_message = "Not found."


class NotPermitted(PermissionDenied):
    """The caller's roles do not give the capability a call needs."""

    code = "not_permitted"
    default_message = "Your role does not allow this."

    def __init__(self, capability: Capability) -> None:
        super().__init__(f"Your role does not allow this: {DESCRIPTIONS[capability]}.")
        self.capability = capability


class TokenRevoked(Unauthenticated):
    """The token's account or session lost its access after the token was issued."""

    code = "invalid_token"
    default_message = "The access token is missing, invalid or expired."


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
    #: For a guest token: the one thread it reaches (None for every account holder).
    thread_scope: str | None = None
    #: When the token stops being valid (None when unknown, e.g. a principal built in a test).
    expires_at: datetime | None = None
    #: The ``name`` claim, when identity puts one in the token.
    display_name: str | None = None
    #: When the token was issued (None when unknown, e.g. a principal built in a test).
    issued_at: datetime | None = None
    #: The ``org.kind`` claim: municipality, gp_practice … (None when the token has none).
    organisation_kind: str | None = None

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Everything the token's roles allow (see :mod:`zorgpost_kit.roles`)."""
        if self.is_guest:
            return frozenset()
        return capabilities_of(self.roles, in_organisation=self.organisation_id is not None)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raises :class:`NotPermitted` (403) unless the caller may ``capability``."""
        if not self.can(capability):
            raise NotPermitted(capability)

    @property
    def works_for_organisation(self) -> bool:
        """A member of staff (any staff role) of the organisation the token names."""
        staff_roles = {role.value for role in STAFF_ROLES}
        return self.organisation_id is not None and not self.is_guest and bool(self.roles & staff_roles)

    @property
    def is_guest(self) -> bool:
        return self.thread_scope is not None

    @property
    def acts_on_behalf(self) -> bool:
        return self.subject_id != self.actor_id


JwksFetcher = Callable[[], Awaitable[str]]


class JwksCache:
    """Public keys by key id, fetched from identity and refreshed when an unknown key id
    appears (key rotation), at most once per ``min_refresh_seconds``."""

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        min_refresh_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._min_refresh = min_refresh_seconds
        #: Seconds from any fixed point (a test passes a clock it moves itself).
        self._monotonic = monotonic
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            due = self._fetched_at is None or self._monotonic() - self._fetched_at >= self._min_refresh
            if kid not in self._keys and due:
                self._keys = parse_jwks(await self._fetch())
                self._fetched_at = self._monotonic()
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
    delegation behind it has ended): see :mod:`zorgpost_kit.identity_client`. With
    ``revocations``, a token issued before its account's or session's access ended is refused."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 5,
        confirm_acting: ActingConfirmer | None = None,
        revocations: RevocationList | None = None,
    ) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._confirm_acting = confirm_acting
        self._revocations = revocations

    async def verify(self, token: str, *, allow_guest: bool = False) -> Principal:
        """The principal of ``token``. A guest token is refused (:class:`GuestTokenRefused`)
        unless ``allow_guest``; the caller must then check its thread scope."""
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
        if self._revocations is not None and self._revocations.refuses(principal):
            raise TokenRevoked()
        if principal.is_guest and not allow_guest:
            raise GuestTokenRefused()
        if principal.acts_on_behalf and self._confirm_acting is not None:
            await self._confirm_acting(token)
        return principal

    async def verify_metadata(self, context: grpc.aio.ServicerContext, *, allow_guest: bool = False) -> Principal:
        """The principal of an incoming call, from its ``authorization: Bearer`` metadata
        (guest tokens only with ``allow_guest``, see :meth:`verify`)."""
        for key, value in context.invocation_metadata() or ():
            if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
                scheme, _, token = value.partition(" ")
                if scheme.lower() == "bearer" and token:
                    return await self.verify(token.strip(), allow_guest=allow_guest)
        raise InvalidToken()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    actor = claims.get("act") or {}
    organisation = claims.get("org") or {}
    roles = frozenset(str(role) for role in claims.get("roles", ()))
    thread = claims.get(THREAD_CLAIM)
    # A guest is a guest on both counts or the token is malformed: a thread claim on an
    # account's token, or a guest role without its one thread, is refused outright.
    if (GUEST_ROLE in roles) != (thread is not None):
        raise InvalidToken()
    if thread is not None and (not isinstance(thread, str) or not thread or roles != {GUEST_ROLE} or "act" in claims):
        raise InvalidToken()
    expires = claims.get("exp")
    issued = claims.get("iat")
    name = claims.get("name")
    kind = organisation.get("kind")
    return Principal(
        subject_id=str(claims["sub"]),
        actor_id=str(actor.get("sub", claims["sub"])),
        session_id=str(claims["sid"]),
        organisation_id=organisation.get("id"),
        organisation_name=organisation.get("name"),
        roles=roles,
        thread_scope=thread,
        expires_at=datetime.fromtimestamp(expires, UTC) if isinstance(expires, int | float) else None,
        display_name=name if isinstance(name, str) and name else None,
        issued_at=datetime.fromtimestamp(issued, UTC) if isinstance(issued, int | float) else None,
        organisation_kind=kind if isinstance(kind, str) and kind else None,
    )
