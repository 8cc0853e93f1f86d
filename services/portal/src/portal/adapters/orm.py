"""The portal's tables.

History is kept where the seeds' promise needs it: ``client_record_versions`` (every
version of about me), ``consent_decisions`` and ``document_approvals`` (append-only, never
updated), ``portal_actions`` (who did what for whom). File bytes live in
``document_files``, apart from their metadata, so lists never read them.
"""

from __future__ import annotations

from sqlalchemy import (
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
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

ID = 36

clients = Table(
    "clients",
    metadata,
    Column("person_id", String(ID), primary_key=True),
    Column("organisation_id", String(ID), primary_key=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("sort_name", Text, nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("email", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=False, server_default=""),
    Column("street", Text, nullable=False, server_default=""),
    Column("postal_code", Text, nullable=False, server_default=""),
    Column("city", Text, nullable=False, server_default=""),
    Column("insurer", Text, nullable=False, server_default=""),
    Column("policy_number", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False, server_default="nl"),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("updated_by", String(ID), nullable=False, server_default=""),
    Index("ix_clients_organisation_name", "organisation_id", "sort_name", "person_id"),
)

client_record_versions = Table(
    "client_record_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("record", JSONB, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("saved_by", String(ID), nullable=False),
    Index("ix_client_record_versions_person", "person_id", "organisation_id", "saved_at"),
)

change_requests = Table(
    "change_requests",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("changes", JSONB, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(ID), nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(ID), nullable=False, server_default=""),
    Column("answer", Text, nullable=False, server_default=""),
    Index("ix_change_requests_person", "person_id", "organisation_id", "requested_at"),
    Index("ix_change_requests_organisation", "organisation_id", "status", "requested_at"),
)

consent_items = Table(
    "consent_items",
    metadata,
    Column("organisation_id", String(ID), primary_key=True),
    Column("code", String(50), primary_key=True),
    Column("label_nl", Text, nullable=False),
    Column("label_en", Text, nullable=False),
    Column("default_granted", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
)

consent_decisions = Table(
    "consent_decisions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("code", String(50), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(ID), nullable=False),
    Index("ix_consent_decisions_person", "person_id", "organisation_id", "decided_at"),
)

care_trajectories = Table(
    "care_trajectories",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("title", Text, nullable=False, server_default=""),
    Column("practitioners", JSONB, nullable=False, server_default="[]"),
    Column("created_by", String(ID), nullable=False, server_default=""),
    Column("agreement_document_id", String(ID), nullable=True),
    Column("activated_at", DateTime(timezone=True), nullable=True),
    Column("ended_by", String(ID), nullable=False, server_default=""),
    Column("end_reason", Text, nullable=False, server_default=""),
    Index("ix_care_trajectories_person", "person_id", "status"),
    Index("ix_care_trajectories_organisation", "organisation_id", "created_at"),
    Index("ix_care_trajectories_agreement", "agreement_document_id"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(ID), nullable=False),
    Column("created_by_name", Text, nullable=False, server_default=""),
    Column("requires_approval", Boolean, nullable=False),
    Column("trajectory_id", String(ID), nullable=True),
    Index("ix_documents_person", "person_id", "organisation_id", "created_at", "id"),
)

document_files = Table(
    "document_files",
    metadata,
    Column("document_id", String(ID), ForeignKey("documents.id"), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

document_approvals = Table(
    "document_approvals",
    metadata,
    Column("document_id", String(ID), ForeignKey("documents.id"), primary_key=True),
    Column("approved_by", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("approved_by_name", Text, nullable=False, server_default=""),
    Column("approved_at", DateTime(timezone=True), nullable=False),
)

slots = Table(
    "slots",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("organisation_id", String(ID), nullable=False),
    Column("practitioner_id", String(ID), nullable=False),
    Column("practitioner_name", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("location", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    UniqueConstraint("practitioner_id", "starts_at", name="uq_slots_practitioner_start"),
    Index("ix_slots_organisation_start", "organisation_id", "starts_at"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("with_name", Text, nullable=False),
    Column("location", Text, nullable=False, server_default=""),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("created_by", String(ID), nullable=False, server_default=""),
    Column("practitioner_id", String(ID), nullable=False, server_default=""),
    Column("slot_id", String(ID), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),
    Column("cancelled_by", String(ID), nullable=False, server_default=""),
    Index("ix_appointments_person", "person_id", "starts_at"),
    # One active booking per slot: a second booker finds the conflict.
    Index(
        "uq_appointments_active_slot",
        "slot_id",
        unique=True,
        postgresql_where=text("slot_id IS NOT NULL AND cancelled_at IS NULL"),
    ),
)

medications = Table(
    "medications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("name", Text, nullable=False),
    Column("dosage", Text, nullable=False, server_default=""),
    Column("chronic", Boolean, nullable=False),
    Column("started_on", Date, nullable=True),
    Column("stopped_on", Date, nullable=True),
    Column("prescribed_by", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_medications_person", "person_id", "organisation_id"),
)

prescription_requests = Table(
    "prescription_requests",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("items", JSONB, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(ID), nullable=False),
    Column("ready_on", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=True),
    Column("handled_by", String(ID), nullable=False, server_default=""),
    Column("answer", Text, nullable=False, server_default=""),
    Index("ix_prescription_requests_person", "person_id", "organisation_id", "requested_at", "id"),
    Index("ix_prescription_requests_organisation", "organisation_id", "status", "ready_on", "id"),
)

lab_results = Table(
    "lab_results",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(ID), nullable=False),
    Column("published_by_name", Text, nullable=False, server_default=""),
    Column("observations", JSONB, nullable=False),
    Index("ix_lab_results_person", "person_id", "organisation_id", "published_at", "id"),
)

diary_entries = Table(
    "diary_entries",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("author_id", String(ID), nullable=False),
    Column("body", Text, nullable=False),
    Column("shared", Boolean, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_diary_entries_author", "person_id", "organisation_id", "author_id", "written_at", "id"),
    Index("ix_diary_entries_shared", "person_id", "organisation_id", "written_at", postgresql_where=text("shared")),
)

questionnaires = Table(
    "questionnaires",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("questions", JSONB, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("sent_by", String(ID), nullable=False),
    Column("sent_by_name", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("answers", JSONB, nullable=False, server_default="{}"),
    Column("saved_at", DateTime(timezone=True), nullable=True),
    Column("saved_by", String(ID), nullable=False, server_default=""),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Index("ix_questionnaires_person", "person_id", "organisation_id", "sent_at"),
    Index("ix_questionnaires_organisation", "organisation_id", "sent_at"),
)

delegate_links = Table(
    "delegate_links",
    metadata,
    Column("delegation_id", String(ID), primary_key=True),
    Column("organisation_id", String(ID), nullable=False),
    Column("person_id", String(ID), nullable=False),
    Column("delegate_id", String(ID), nullable=False),
    Column("delegate_name", Text, nullable=False, server_default=""),
    Column("delegate_email", Text, nullable=False, server_default=""),
    Column("delegate_language", String(8), nullable=False, server_default="nl"),
    Column("active", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_delegate_links_person", "person_id", "organisation_id"),
)

message_activity = Table(
    "message_activity",
    metadata,
    Column("message_id", String(ID), primary_key=True),
    Column("person_id", String(ID), primary_key=True),
    Column("organisation_id", String(ID), nullable=False),
    Column("thread_id", String(ID), nullable=False),
    Column("thread_kind", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("sender_name", Text, nullable=False, server_default=""),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("acted_by", String(ID), nullable=False, server_default=""),
    Index("ix_message_activity_person", "person_id", "organisation_id", "sent_at"),
)

portal_visits = Table(
    "portal_visits",
    metadata,
    Column("person_id", String(ID), primary_key=True),
    Column("actor_id", String(ID), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("since", DateTime(timezone=True), nullable=True),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

portal_actions = Table(
    "portal_actions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("person_id", String(ID), nullable=False),
    Column("organisation_id", String(ID), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_id", String(ID), nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_portal_actions_person", "person_id", "organisation_id", "at", "id"),
)
