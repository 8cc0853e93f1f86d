"""Identity's tables (SQLAlchemy Core). Repositories turn rows into domain objects."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=True),
    # Stored lower-cased: one account per address, however it is typed.
    Column("email", Text, nullable=False, unique=True),
    Column("username", Text, nullable=True, unique=True),
    Column("display_name", Text, nullable=False),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    # E.164; the number SMS codes go to.
    Column("mobile", Text, nullable=True),
    Column("birth_date", Date, nullable=True),
    Column("country", String(2), nullable=False, server_default="NL"),
    Column("password_hash", Text, nullable=True),
    # Set for a temporary password: the next login must choose a new one first.
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    Column("roles", ARRAY(Text), nullable=False),
    Column("status", String(32), nullable=False),
    Column("language", String(8), nullable=False, server_default="nl"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    # The absolute end; the idle end moves with last_seen_at.
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("idle_ttl_seconds", Integer, nullable=False),
    Column("user_agent", Text, nullable=False, server_default=""),
    Column("ip_address", Text, nullable=False, server_default=""),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_sessions_account", "account_id"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    # AES-GCM encrypted PKCS#8 private key: nonce (12 bytes) + ciphertext.
    Column("private_key_encrypted", LargeBinary, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)
