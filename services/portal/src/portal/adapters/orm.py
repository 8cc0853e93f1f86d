"""The portal's tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text

metadata = MetaData()

care_trajectories = Table(
    "care_trajectories",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Index("ix_care_trajectories_person", "person_id", "status"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("with_name", Text, nullable=False),
    Column("location", Text, nullable=False, server_default=""),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Index("ix_appointments_person", "person_id", "starts_at"),
)

portal_visits = Table(
    "portal_visits",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("last_visit_at", DateTime(timezone=True), nullable=False),
)
