"""Messaging's tables (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, MetaData, String, Table, Text, func

metadata = MetaData()

threads = Table(
    "threads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_threads_organisation", "organisation_id", "created_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("thread_id", String(36), ForeignKey("threads.id"), nullable=False),
    Column("author_account_id", String(36), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_messages_thread", "thread_id", "created_at"),
)

secure_mail_recipients = Table(
    "secure_mail_recipients",
    metadata,
    Column("thread_id", String(36), ForeignKey("threads.id"), primary_key=True),
    Column("email", Text, nullable=False),
    Column("mobile", Text, nullable=True),
    # The link in the notice carries the token; only its hash is kept.
    Column("read_token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
