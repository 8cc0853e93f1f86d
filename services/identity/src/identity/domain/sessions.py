"""Sessions: a signed-in device and the refresh tokens that keep it signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


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
