"""Notifications' tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source_id", String(64), nullable=False, comment="the object the notice is about"),
    Column("organisation_id", String(36), nullable=False),
    Column("template", String(100), nullable=False),
    Column("category", String(32), nullable=False, server_default="messages"),
    Column("channel", String(16), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("account_id", String(64), nullable=False, server_default=""),
    Column("language", String(8), nullable=False),
    # Rendered at send time; may hold a code or link token until the delivery is sent, so
    # it is never logged.
    Column("params", JSONB, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("failure_reason", Text, nullable=False, server_default=""),
    Column("message_id", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("digest_key", Text, nullable=True, comment="queued deliveries sharing it go out as one mail"),
    Index("ix_deliveries_due", "next_attempt_at", postgresql_where="status = 'queued'"),
    Index("ix_deliveries_source", "organisation_id", "source_id"),
    Index("ix_deliveries_open_digest", "digest_key", postgresql_where="status = 'queued'"),
    Index("ix_deliveries_failed", "created_at", postgresql_where="status = 'failed'"),
)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("language", String(8), nullable=False, server_default=""),
    Column("digest_window_minutes", Integer, nullable=False, server_default="0"),
    # {"messages": {"email": true, "sms": false}, …}; a category not named has the default.
    Column("categories", JSONB, nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

address_book = Table(
    "address_book",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("email", Text, nullable=False, server_default=""),
    Column("mobile", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False, server_default="nl"),
    Column("display_name", Text, nullable=False, server_default=""),
    Column("organisation_id", String(36), nullable=False, server_default=""),
    Column("organisation_name", Text, nullable=False, server_default=""),
    Column("roles", JSONB, nullable=False, server_default="[]"),
    Column("status", String(32), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, comment="identity's moment of this state"),
    comment="how to reach each account, as identity last announced it",
)
