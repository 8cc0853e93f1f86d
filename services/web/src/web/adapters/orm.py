"""The web front end's only table: browser sessions, their state sealed (AES-GCM)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, String, Table

metadata = MetaData()

browser_sessions = Table(
    "browser_sessions",
    metadata,
    #: sha256 of the cookie value, never the value itself.
    Column("id", String(64), primary_key=True),
    Column("state", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("browser_sessions_by_expiry", "expires_at"),
)
