"""The keys that sign access tokens: Ed25519, encrypted at rest, published as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity.adapters.orm import signing_keys
from zorgpost_kit.auth import ALGORITHM, GUEST_ROLE, THREAD_CLAIM
from zorgpost_kit.calendar import utcnow


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    public_jwk: dict[str, Any]


class KeyEncryption:
    """AES-256-GCM with a key derived from the configured secret (signing keys, TOTP secrets)."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(("zorgpost-signing-keys:" + secret).encode()).digest())

    def encrypt(self, plaintext: bytes, associated: str) -> bytes:
        """Nonce (12 bytes) + ciphertext, bound to ``associated`` (a key id, an account id)."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, associated.encode())

    def decrypt(self, blob: bytes, associated: str) -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], associated.encode())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_signing_key_row(encryption: KeyEncryption) -> dict[str, Any]:
    """A fresh Ed25519 key as its ``signing_keys`` row: the private key encrypted (bound to
    its kid), the public key as the JWK every service will verify with."""
    private = Ed25519PrivateKey.generate()
    kid = uuid.uuid4().hex
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_raw), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    return {"kid": kid, "private_key_encrypted": encryption.encrypt(der, kid), "public_jwk": jwk}


def load_signing_key(row: dict[str, Any], encryption: KeyEncryption) -> SigningKey:
    """The signing key of a stored row (decrypted with the key it was encrypted under)."""
    private = serialization.load_der_private_key(
        encryption.decrypt(row["private_key_encrypted"], row["kid"]), password=None
    )
    assert isinstance(private, Ed25519PrivateKey)
    return SigningKey(row["kid"], private, row["public_jwk"])


class ActiveKey(Protocol):
    """Whatever holds the key new tokens are signed with (the store, or a test's key)."""

    @property
    def active(self) -> SigningKey: ...


class SigningKeyStore:
    """Loads the active signing key, creating the first one on first start."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], encryption: KeyEncryption) -> None:
        self._session_factory = session_factory
        self._encryption = encryption
        self._active: SigningKey | None = None
        self._jwks: str | None = None

    async def load(self) -> None:
        async with self._session_factory() as session, session.begin():
            # Replicas starting together must not each create a "first" key.
            await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))"))
            rows = (
                await session.execute(
                    select(signing_keys).where(signing_keys.c.retired_at.is_(None)).order_by(signing_keys.c.created_at)
                )
            ).all()
            if not rows:
                await self._create(session)
                rows = (await session.execute(select(signing_keys).where(signing_keys.c.retired_at.is_(None)))).all()
        self._active = load_signing_key(dict(rows[-1]._mapping), self._encryption)
        self._jwks = json.dumps({"keys": [row.public_jwk for row in rows]})

    async def _create(self, session: AsyncSession) -> None:
        await session.execute(insert(signing_keys).values(**new_signing_key_row(self._encryption)))

    @property
    def jwks_json(self) -> str:
        assert self._jwks is not None, "load() first"
        return self._jwks

    @property
    def active(self) -> SigningKey:
        assert self._active is not None, "load() first"
        return self._active


class AccessTokenIssuer:
    """Signs short-lived access tokens for a session.

    A token of an account that must change its password is issued for
    ``password_change_audience`` instead of the audience every service accepts, so no
    service honours it for anything but the password change (no service needs to know).
    """

    def __init__(
        self,
        keys: ActiveKey,
        *,
        issuer: str,
        audience: str,
        ttl: timedelta,
        password_change_audience: str | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._password_change_audience = password_change_audience or f"{audience}-password-change"
        self.ttl = ttl

    def issue(
        self,
        *,
        subject_id: str,
        session_id: str,
        roles: frozenset[str],
        organisation: tuple[str, str] | None,
        actor_id: str | None = None,
        now: datetime | None = None,
        password_change_required: bool = False,
        organisation_kind: str | None = None,
        display_name: str = "",
    ) -> str:
        issued = now or utcnow()
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._password_change_audience if password_change_required else self._audience,
            "sub": subject_id,
            "sid": session_id,
            # To the millisecond (RFC 7519 allows a fraction): a revocation refuses the tokens
            # issued at or before it, and a token refreshed right after one must not count
            # as issued in the same whole second.
            "iat": round(issued.timestamp(), 3),
            "exp": int((issued + self.ttl).timestamp()),
            "jti": uuid.uuid4().hex,
            "roles": sorted(roles),
        }
        if organisation is not None:
            claims["org"] = {"id": organisation[0], "name": organisation[1]}
            if organisation_kind:
                claims["org"]["kind"] = organisation_kind
        if actor_id is not None and actor_id != subject_id:
            claims["act"] = {"sub": actor_id}
        if password_change_required:
            claims["pwd_change"] = True
        if display_name:
            # The name others see next to what this person writes: services need not ask
            # identity for it (it may be up to one token lifetime old).
            claims["name"] = display_name
        return self._sign(claims)

    def issue_guest(
        self, *, participant_id: str, thread_id: str, session_id: str, now: datetime, expires_at: datetime
    ) -> str:
        """A guest token for one thread (see :mod:`zorgpost_kit.auth`): never longer than
        the access-token TTL, never with an organisation or an actor."""
        expiry = min(expires_at, now + self.ttl)
        return self._sign(
            {
                "iss": self._issuer,
                "aud": self._audience,
                "sub": participant_id,
                "sid": session_id,
                "iat": int(now.timestamp()),
                "exp": int(expiry.timestamp()),
                "jti": uuid.uuid4().hex,
                "roles": [GUEST_ROLE],
                THREAD_CLAIM: thread_id,
            }
        )

    def _sign(self, claims: dict[str, Any]) -> str:
        key = self._keys.active
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
