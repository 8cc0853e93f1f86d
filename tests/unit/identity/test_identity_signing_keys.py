"""Identity's signing keys: encrypted at rest, published as a JWKS every service accepts,
and access tokens that the kit's TokenVerifier turns into the right Principal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization

from identity.adapters.signing_keys import (
    AccessTokenIssuer,
    KeyEncryption,
    SigningKey,
    load_signing_key,
    new_signing_key_row,
)
from zorgpost_kit.auth import InvalidToken, JwksCache, TokenVerifier, parse_jwks

SECRET = "a-real-secret-from-the-vault"
ISSUER = "zorgpost-identity"
AUDIENCE = "zorgpost"


async def new_key_row(encryption: KeyEncryption) -> dict[str, Any]:
    """The row SigningKeyStore stores for a new key (no database needed)."""
    return new_signing_key_row(encryption)


def signing_key_from(row: dict[str, Any], encryption: KeyEncryption) -> SigningKey:
    # As SigningKeyStore.load does with a stored row.
    return load_signing_key(row, encryption)


@dataclass
class FakeKeyStore:
    active: SigningKey

    @property
    def jwks_json(self) -> str:
        return json.dumps({"keys": [self.active.public_jwk]})


@pytest.fixture
async def key_store() -> FakeKeyStore:
    encryption = KeyEncryption(SECRET)
    return FakeKeyStore(signing_key_from(await new_key_row(encryption), encryption))


def issuer_for(keys: FakeKeyStore, *, ttl: timedelta = timedelta(minutes=15)) -> AccessTokenIssuer:
    return AccessTokenIssuer(keys, issuer=ISSUER, audience=AUDIENCE, ttl=ttl)


def verifier_for(keys: FakeKeyStore, *, issuer: str = ISSUER, audience: str = AUDIENCE) -> TokenVerifier:
    async def fetch() -> str:
        return keys.jwks_json

    return TokenVerifier(JwksCache(fetch), issuer=issuer, audience=audience)


def test_key_encryption_round_trips_and_hides_the_plaintext() -> None:
    encryption = KeyEncryption(SECRET)
    plaintext = b"private key material"

    first = encryption.encrypt(plaintext, "kid-1")
    second = encryption.encrypt(plaintext, "kid-1")

    assert plaintext not in first
    assert first != second, "a fresh nonce per encryption"
    assert encryption.decrypt(first, "kid-1") == plaintext
    assert encryption.decrypt(second, "kid-1") == plaintext


def test_a_key_encrypted_with_another_secret_cannot_be_decrypted() -> None:
    blob = KeyEncryption(SECRET).encrypt(b"private key material", "kid-1")

    with pytest.raises(InvalidTag):
        KeyEncryption("another-secret").decrypt(blob, "kid-1")


def test_a_key_cannot_be_decrypted_under_another_kid() -> None:
    # The kid is bound as associated data: swapping stored rows does not swap keys.
    blob = KeyEncryption(SECRET).encrypt(b"private key material", "kid-1")

    with pytest.raises(InvalidTag):
        KeyEncryption(SECRET).decrypt(blob, "kid-2")


def test_a_tampered_encrypted_key_is_refused() -> None:
    blob = bytearray(KeyEncryption(SECRET).encrypt(b"private key material", "kid-1"))
    blob[-1] ^= 0x01

    with pytest.raises(InvalidTag):
        KeyEncryption(SECRET).decrypt(bytes(blob), "kid-1")


async def test_a_new_signing_key_is_stored_encrypted_and_published_as_an_ed25519_jwk() -> None:
    encryption = KeyEncryption(SECRET)
    row = await new_key_row(encryption)
    key = signing_key_from(row, encryption)

    assert b"PRIVATE" not in row["private_key_encrypted"]
    assert row["public_jwk"]["kid"] == row["kid"]
    assert {k: row["public_jwk"][k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
    }
    assert "d" not in row["public_jwk"], "the private part is never published"
    published = parse_jwks(json.dumps({"keys": [row["public_jwk"]]}))[row["kid"]]
    assert published.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ) == key.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with pytest.raises(InvalidTag):
        KeyEncryption("another-secret").decrypt(row["private_key_encrypted"], row["kid"])


async def test_an_issued_token_is_accepted_by_every_service(key_store: FakeKeyStore) -> None:
    token = issuer_for(key_store).issue(
        subject_id="account-anna",
        session_id="session-1",
        roles=frozenset({"staff"}),
        organisation=("org-1", "Gemeente Vlaardingen"),
    )

    principal = await verifier_for(key_store).verify(token)

    assert principal.subject_id == principal.actor_id == "account-anna"
    assert principal.session_id == "session-1"
    assert principal.organisation_id == "org-1"
    assert principal.organisation_name == "Gemeente Vlaardingen"
    assert principal.works_for_organisation


async def test_a_token_issued_for_a_proxy_names_both_people(key_store: FakeKeyStore) -> None:
    token = issuer_for(key_store).issue(
        subject_id="child-sem",
        session_id="session-2",
        roles=frozenset({"person"}),
        organisation=None,
        actor_id="parent-ilse",
    )

    principal = await verifier_for(key_store).verify(token)

    assert (principal.subject_id, principal.actor_id) == ("child-sem", "parent-ilse")
    assert principal.acts_on_behalf
    assert principal.organisation_id is None


async def test_acting_for_oneself_adds_no_act_claim(key_store: FakeKeyStore) -> None:
    token = issuer_for(key_store).issue(
        subject_id="account-anna",
        session_id="session-1",
        roles=frozenset({"person"}),
        organisation=None,
        actor_id="account-anna",
    )

    assert "act" not in jwt.decode(token, options={"verify_signature": False})


async def test_a_token_lives_exactly_its_ttl_and_names_its_key(key_store: FakeKeyStore) -> None:
    issued = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    token = issuer_for(key_store, ttl=timedelta(minutes=15)).issue(
        subject_id="a", session_id="s", roles=frozenset(), organisation=None, now=issued
    )

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})

    assert (header["alg"], header["kid"]) == ("EdDSA", key_store.active.kid)
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["iat"] == int(issued.timestamp())


async def test_a_token_older_than_its_ttl_is_refused(key_store: FakeKeyStore) -> None:
    token = issuer_for(key_store, ttl=timedelta(minutes=15)).issue(
        subject_id="a",
        session_id="s",
        roles=frozenset(),
        organisation=None,
        now=datetime.now(UTC) - timedelta(minutes=16),
    )

    with pytest.raises(InvalidToken):
        await verifier_for(key_store).verify(token)


async def test_tokens_for_another_audience_are_refused(key_store: FakeKeyStore) -> None:
    token = issuer_for(key_store).issue(subject_id="a", session_id="s", roles=frozenset(), organisation=None)

    with pytest.raises(InvalidToken):
        await verifier_for(key_store, audience="another-platform").verify(token)
