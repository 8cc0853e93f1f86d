"""Sealing session state at rest (AES-256-GCM) and signing CSRF tokens (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class StateCipher:
    """Encrypts a session's state with a key derived from the configured secret; the
    session id is the associated data, so a row copied under another id does not open."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(("zorgpost-web-sessions:" + secret).encode()).digest())

    def seal(self, plaintext: bytes, session_id: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, session_id.encode())

    def open(self, blob: bytes, session_id: str) -> bytes | None:
        """The plaintext, or None when the blob was not sealed for this id with this key."""
        try:
            return self._aead.decrypt(blob[:12], blob[12:], session_id.encode())
        except (InvalidTag, ValueError):
            return None


class CsrfSigner:
    """Signed double-submit tokens: the form carries HMAC(secret, the browser's CSRF
    cookie), which a page on another site can neither read nor compute."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("zorgpost-web-csrf:" + secret).encode()).digest()

    def token_for(self, cookie_value: str) -> str:
        return hmac.new(self._key, cookie_value.encode(), hashlib.sha256).hexdigest()

    def valid(self, cookie_value: str, token: str) -> bool:
        return bool(cookie_value) and hmac.compare_digest(self.token_for(cookie_value), token)
