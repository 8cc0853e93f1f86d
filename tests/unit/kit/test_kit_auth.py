"""Every service verifies access tokens itself: only identity's EdDSA keys, issuer and
audience, unexpired, bound to a session. Keys come from a JWKS shaped as identity
publishes it (see identity.adapters.signing_keys.SigningKeyStore)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zorgpost_kit.auth import (
    GuestTokenRefused,
    InvalidToken,
    JwksCache,
    NotPermitted,
    Principal,
    TokenVerifier,
    parse_jwks,
)
from zorgpost_kit.roles import Capability

ISSUER = "zorgpost-identity"
AUDIENCE = "zorgpost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Key:
    kid: str
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def jwk(self) -> dict[str, str]:
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": kid or self.kid})


def jwks(*keys: Key) -> str:
    return json.dumps({"keys": [key.jwk for key in keys]})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "account-anna",
        "sid": "session-1",
        "iat": now,
        "exp": now + 900,
        "jti": "jti-1",
        "roles": ["staff"],
        "org": {"id": "org-1", "name": "Gemeente Vlaardingen"},
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


class JwksEndpoint:
    """Stands in for identity's GetJwks and counts how often it is asked."""

    def __init__(self, *keys: Key) -> None:
        self.document = jwks(*keys)
        self.fetches = 0

    async def __call__(self) -> str:
        self.fetches += 1
        return self.document


class Stopwatch:
    """A monotonic clock the test moves (no waiting for real seconds to pass)."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def verifier_for(
    endpoint: JwksEndpoint, *, min_refresh_seconds: float = 10.0, stopwatch: Stopwatch | None = None
) -> TokenVerifier:
    cache = JwksCache(endpoint, min_refresh_seconds=min_refresh_seconds, monotonic=stopwatch or Stopwatch())
    return TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)


def unsigned_token(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64url(signature)}"


KEY = Key("key-2026-01")


async def test_a_valid_token_gives_the_caller_as_principal() -> None:
    principal = await verifier_for(JwksEndpoint(KEY)).verify(KEY.sign(claims()))

    assert principal.expires_at is not None and principal.issued_at is not None
    assert dataclasses.replace(principal, expires_at=None, issued_at=None) == Principal(
        subject_id="account-anna",
        actor_id="account-anna",
        session_id="session-1",
        organisation_id="org-1",
        organisation_name="Gemeente Vlaardingen",
        roles=frozenset({"staff"}),
    )
    assert principal.works_for_organisation
    assert principal.can(Capability.SEND_SECURE_MAIL)
    assert not principal.acts_on_behalf


async def test_a_token_with_an_act_claim_names_the_proxy_as_actor() -> None:
    token = KEY.sign(claims(sub="child-sem", act={"sub": "parent-ilse"}, roles=["person"], org=None))

    principal = await verifier_for(JwksEndpoint(KEY)).verify(token)

    assert principal.subject_id == "child-sem"
    assert principal.actor_id == "parent-ilse"
    assert principal.acts_on_behalf
    assert principal.organisation_id is None
    assert not principal.works_for_organisation


async def test_a_person_without_staff_role_is_refused_staff_actions() -> None:
    principal = await verifier_for(JwksEndpoint(KEY)).verify(KEY.sign(claims(roles=["person"])))

    with pytest.raises(NotPermitted) as refused:
        principal.require(Capability.SEND_SECURE_MAIL)
    assert refused.value.code == "not_permitted"
    assert refused.value.category.value == "permission_denied"


async def test_an_unsigned_alg_none_token_is_refused() -> None:
    token = unsigned_token({"alg": "none", "typ": "JWT", "kid": KEY.kid}, claims())

    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(token)


async def test_a_token_hmac_signed_with_the_public_key_is_refused() -> None:
    # The classic algorithm confusion: HS256 with the published public key as the secret.
    public_pem = KEY.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": KEY.kid}
    payload = claims()
    signing_input = unsigned_token(header, payload).rsplit(".", 1)[0]
    for secret in (public_pem, base64.urlsafe_b64decode(KEY.jwk["x"] + "=")):
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        with pytest.raises(InvalidToken):
            await verifier_for(JwksEndpoint(KEY)).verify(f"{signing_input}.{b64url(signature)}")


async def test_a_token_signed_by_another_key_under_the_same_kid_is_refused() -> None:
    impostor = Key(KEY.kid)

    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(impostor.sign(claims()))


async def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = KEY.sign(claims(roles=["person"])).split(".")
    forged_payload = b64url(json.dumps(claims(roles=["staff"])).encode())

    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize(
    "bad_claims",
    [
        pytest.param({"aud": "some-other-api"}, id="wrong audience"),
        pytest.param({"iss": "https://evil.example"}, id="wrong issuer"),
        pytest.param({"exp": int(time.time()) - 60, "iat": int(time.time()) - 960}, id="expired"),
        pytest.param({"sid": None}, id="no session id"),
        pytest.param({"exp": None}, id="no expiry"),
        pytest.param({"sub": None}, id="no subject"),
    ],
)
async def test_tokens_with_wrong_or_missing_claims_are_refused(bad_claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken) as refused:
        await verifier_for(JwksEndpoint(KEY)).verify(KEY.sign(claims(**bad_claims)))

    assert refused.value.code == "invalid_token"


async def test_a_token_that_expired_within_the_clock_skew_leeway_is_accepted() -> None:
    token = KEY.sign(claims(exp=int(time.time()) - 2))

    principal = await verifier_for(JwksEndpoint(KEY)).verify(token)

    assert principal.subject_id == "account-anna"


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
async def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(token)


async def test_a_token_without_kid_is_refused() -> None:
    token = jwt.encode(claims(), KEY.private, algorithm="EdDSA")

    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(token)


async def test_a_token_with_an_unknown_kid_is_refused() -> None:
    stranger = Key("never-published")

    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify(stranger.sign(claims()))


async def test_keys_are_fetched_once_and_then_served_from_the_cache() -> None:
    endpoint = JwksEndpoint(KEY)
    verifier = verifier_for(endpoint)

    for _ in range(3):
        await verifier.verify(KEY.sign(claims()))

    assert endpoint.fetches == 1


async def test_unknown_kids_refresh_the_jwks_at_most_once_per_interval() -> None:
    endpoint = JwksEndpoint(KEY)
    stopwatch = Stopwatch()
    verifier = verifier_for(endpoint, min_refresh_seconds=10, stopwatch=stopwatch)
    await verifier.verify(KEY.sign(claims()))
    stranger = Key("never-published")

    results = await asyncio.gather(
        *(verifier.verify(stranger.sign(claims())) for _ in range(5)), return_exceptions=True
    )

    assert all(isinstance(result, InvalidToken) for result in results)
    assert endpoint.fetches == 1

    stopwatch.seconds += 10
    results = await asyncio.gather(
        *(verifier.verify(stranger.sign(claims())) for _ in range(5)), return_exceptions=True
    )

    assert all(isinstance(result, InvalidToken) for result in results)
    assert endpoint.fetches == 2


async def test_a_rotated_key_is_picked_up_after_the_refresh_interval() -> None:
    endpoint = JwksEndpoint(KEY)
    stopwatch = Stopwatch()
    verifier = verifier_for(endpoint, min_refresh_seconds=10, stopwatch=stopwatch)
    await verifier.verify(KEY.sign(claims()))
    rotated = Key("key-2026-02")
    endpoint.document = jwks(KEY, rotated)

    # Right after the first fetch a refresh is not yet allowed.
    with pytest.raises(InvalidToken):
        await verifier.verify(rotated.sign(claims()))
    stopwatch.seconds += 9.9
    with pytest.raises(InvalidToken):
        await verifier.verify(rotated.sign(claims()))
    stopwatch.seconds += 0.1

    principal = await verifier.verify(rotated.sign(claims()))

    assert principal.subject_id == "account-anna"
    assert endpoint.fetches == 2
    # Tokens signed by the previous key stay valid while it is published.
    assert (await verifier.verify(KEY.sign(claims()))).session_id == "session-1"


async def test_the_first_token_is_verified_even_right_after_the_machine_booted() -> None:
    just_booted = Stopwatch()
    just_booted.seconds = 3.0  # the monotonic clock starts near zero at boot
    endpoint = JwksEndpoint(KEY)

    principal = await verifier_for(endpoint, min_refresh_seconds=10.0, stopwatch=just_booted).verify(KEY.sign(claims()))

    assert principal.subject_id == "account-anna"


def test_parse_jwks_keeps_only_ed25519_signing_keys() -> None:
    document = json.dumps(
        {
            "keys": [
                KEY.jwk,
                {"kty": "RSA", "kid": "rsa-1", "n": "AQAB", "e": "AQAB"},
                {"kty": "OKP", "crv": "X25519", "kid": "x-1", "x": KEY.jwk["x"]},
                {k: v for k, v in Key("no-kid").jwk.items() if k != "kid"},
            ]
        }
    )

    assert list(parse_jwks(document)) == [KEY.kid]


@dataclass
class IncomingCall:
    metadata: tuple[tuple[str, str], ...]

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self.metadata


async def test_the_bearer_token_of_an_incoming_call_identifies_the_caller() -> None:
    call = IncomingCall((("x-request-id", "r1"), ("authorization", f"Bearer {KEY.sign(claims())}")))

    principal = await verifier_for(JwksEndpoint(KEY)).verify_metadata(call)  # type: ignore[arg-type]

    assert principal.subject_id == "account-anna"


@pytest.mark.parametrize(
    "metadata",
    [(), (("authorization", "Basic YW5uYTpnZWhlaW0="),), (("authorization", "Bearer "),)],
    ids=["no authorization", "basic auth", "empty bearer"],
)
async def test_a_call_without_a_bearer_token_is_unauthenticated(metadata: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(InvalidToken):
        await verifier_for(JwksEndpoint(KEY)).verify_metadata(IncomingCall(metadata))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- guest tokens
def guest_claims(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"sub": "participant-anna", "roles": ["guest"], "thread": "thread-a", "org": None}
    values.update(overrides)
    return claims(**values)


async def test_a_guest_token_is_refused_unless_the_caller_opts_in() -> None:
    verifier = verifier_for(JwksEndpoint(KEY))
    token = KEY.sign(guest_claims())

    with pytest.raises(GuestTokenRefused) as refused:
        await verifier.verify(token)
    assert refused.value.category.value == "not_found"

    principal = await verifier.verify(token, allow_guest=True)
    assert principal.is_guest
    assert principal.thread_scope == "thread-a"
    assert principal.subject_id == "participant-anna"
    assert not principal.works_for_organisation
    assert principal.capabilities == frozenset()


async def test_a_guest_token_cannot_also_be_staff_or_act_for_someone() -> None:
    verifier = verifier_for(JwksEndpoint(KEY))
    for bad in (
        guest_claims(roles=["guest", "staff"], org={"id": "org-1", "name": "X"}),
        guest_claims(act={"sub": "someone"}),
        guest_claims(thread=""),
        guest_claims(thread=["thread-a", "thread-b"]),
        guest_claims(thread=None),
        claims(thread="thread-a"),
    ):
        with pytest.raises(InvalidToken):
            await verifier.verify(KEY.sign(bad), allow_guest=True)


async def test_account_tokens_have_no_thread_scope() -> None:
    principal = await verifier_for(JwksEndpoint(KEY)).verify(KEY.sign(claims()), allow_guest=True)
    assert principal.thread_scope is None
    assert not principal.is_guest
