"""Secrets sent in links (invitations, activations, registrations, e-mail changes).

A link token is 256 random bits, shown to its recipient once (in the mail) and stored only
as its SHA-256 hash: a database leak yields no working link, and with 256 bits there is
nothing to guess, so a fast hash is enough (argon2 is for low-entropy secrets).
"""

from __future__ import annotations

import hashlib
import secrets


def new_link_token() -> str:
    """A fresh URL-safe token for a link path (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_link_token(token: str) -> str:
    """The stored form of a link token; lookups compare hashes, never tokens."""
    return hashlib.sha256(token.encode()).hexdigest()
