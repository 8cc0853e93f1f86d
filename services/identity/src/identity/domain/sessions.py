"""Sessions: a signed-in device and the refresh tokens that keep it signed in; and the
announcement that access ended, which every service acts on at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from zorgpost_kit.events import DomainEvent


@dataclass
class Session:
    """A signed-in device. Refresh tokens belong to it; revoking it ends them all."""

    id: str
    account_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_ttl: timedelta
    user_agent: str = ""
    ip_address: str = ""
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.last_seen_at + self.idle_ttl and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now


@dataclass(frozen=True)
class RefreshToken:
    """Stored by hash only. Each is used once; a second use means it was stolen."""

    id: str
    session_id: str
    token_hash: str
    created_at: datetime
    used_at: datetime | None = None


class RevocationReason(StrEnum):
    LOGOUT = "logout"
    SESSION_REVOKED = "session_revoked"
    DEACTIVATED = "deactivated"
    ROLES_CHANGED = "roles_changed"
    ORGANISATION_DEACTIVATED = "organisation_deactivated"
    PORTAL_ACCESS_ENDED = "portal_access_ended"


@dataclass(frozen=True, kw_only=True)
class AccessRevoked(DomainEvent):
    """Tokens issued at or before ``revoked_at`` stop working in every service: all of the
    account's (``account_id`` set) or one session's (``session_id`` set). Access tokens are
    otherwise checked without asking identity; this event is how an ending counts within
    seconds instead of at the token's expiry (see :mod:`zorgpost_kit.revocation`)."""

    account_id: str = ""
    session_id: str = ""
    revoked_at: datetime
    reason: RevocationReason
