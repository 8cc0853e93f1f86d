"""Contacts' tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text

metadata = MetaData()

organisation_profiles = Table(
    "organisation_profiles",
    metadata,
    Column("organisation_id", String(36), primary_key=True),
    Column("email", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=False, server_default=""),
    Column("website", Text, nullable=False, server_default=""),
    Column("visiting_address", Text, nullable=False, server_default=""),
    Column("postal_address", Text, nullable=False, server_default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(36), nullable=False),
)
