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
    Column("channel", String(16), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("language", String(8), nullable=False),
    # Rendered at send time; may hold a link token, so it is never logged.
    Column("params", JSONB, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("failure_reason", Text, nullable=False, server_default=""),
    Column("message_id", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_deliveries_due", "next_attempt_at", postgresql_where="status = 'queued'"),
    Index("ix_deliveries_source", "organisation_id", "source_id"),
)
