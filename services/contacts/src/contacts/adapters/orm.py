"""Contacts' tables."""

from __future__ import annotations

from sqlalchemy import ARRAY, Column, DateTime, Index, MetaData, String, Table, Text, func

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

#: The e-counter's theme catalogue, kept by the departments.
themes = Table(
    "themes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("department_organisation_id", String(36), nullable=False),
    Column("department_name", Text, nullable=False),
    Column("team_name", Text, nullable=False, server_default=""),
)

contact_persons = Table(
    "contact_persons",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), nullable=False),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("theme_ids", ARRAY(String(64)), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("confirmation_hash", String(64), nullable=True),
    Column("confirmation_expires_at", DateTime(timezone=True), nullable=True),
    Index("ix_contact_persons_confirmation_hash", "confirmation_hash", unique=True),
)
# One address once per organisation, whatever its case (the seed's "niet al bestaat").
Index(
    "ix_contact_persons_organisation_email",
    contact_persons.c.organisation_id,
    func.lower(contact_persons.c.email),
    unique=True,
)
