"""dossier, agreements, schedules, prescriptions, results, diary, questionnaires

Trajectories gain their title, practitioners and agreement; appointments their slot,
reason and who booked or cancelled them; visits become per person and actor, by session.
New: clients (about me, with every version), change requests, consent items and decisions,
documents with their files and approvals, slots, medications, prescription requests, lab
results, diary entries, questionnaires, the delegations and message activity the portal
learns from events, and the action log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- trajectories -----------------------------------------------------------------
    op.alter_column("care_trajectories", "started_at", new_column_name="created_at")
    op.alter_column("care_trajectories", "status", type_=sa.String(length=24), existing_nullable=False)
    op.add_column("care_trajectories", sa.Column("title", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "care_trajectories",
        sa.Column("practitioners", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
    )
    op.add_column("care_trajectories", sa.Column("created_by", sa.String(length=36), server_default="", nullable=False))
    op.add_column("care_trajectories", sa.Column("agreement_document_id", sa.String(length=36), nullable=True))
    op.add_column("care_trajectories", sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("care_trajectories", sa.Column("ended_by", sa.String(length=36), server_default="", nullable=False))
    op.add_column("care_trajectories", sa.Column("end_reason", sa.Text(), server_default="", nullable=False))
    op.create_index("ix_care_trajectories_organisation", "care_trajectories", ["organisation_id", "created_at"])
    op.create_index("ix_care_trajectories_agreement", "care_trajectories", ["agreement_document_id"])

    # --- appointments -----------------------------------------------------------------
    op.add_column(
        "appointments",
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.add_column("appointments", sa.Column("created_by", sa.String(length=36), server_default="", nullable=False))
    op.add_column("appointments", sa.Column("practitioner_id", sa.String(length=36), server_default="", nullable=False))
    op.add_column("appointments", sa.Column("slot_id", sa.String(length=36), nullable=True))
    op.add_column("appointments", sa.Column("reason", sa.Text(), server_default="", nullable=False))
    op.add_column("appointments", sa.Column("cancelled_by", sa.String(length=36), server_default="", nullable=False))
    op.create_index(
        "uq_appointments_active_slot",
        "appointments",
        ["slot_id"],
        unique=True,
        postgresql_where=sa.text("slot_id IS NOT NULL AND cancelled_at IS NULL"),
    )

    # --- visits: per person and actor, by session ------------------------------------------
    op.drop_table("portal_visits")
    op.create_table(
        "portal_visits",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "actor_id"),
    )

    # --- about me, change requests, consents ------------------------------------------------
    op.create_table(
        "clients",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("sort_name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("street", sa.Text(), server_default="", nullable=False),
        sa.Column("postal_code", sa.Text(), server_default="", nullable=False),
        sa.Column("city", sa.Text(), server_default="", nullable=False),
        sa.Column("insurer", sa.Text(), server_default="", nullable=False),
        sa.Column("policy_number", sa.Text(), server_default="", nullable=False),
        sa.Column("language", sa.String(length=8), server_default="nl", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=36), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("person_id", "organisation_id"),
    )
    op.create_index("ix_clients_organisation_name", "clients", ["organisation_id", "sort_name", "person_id"])
    op.create_table(
        "client_record_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("record", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_client_record_versions_person", "client_record_versions", ["person_id", "organisation_id", "saved_at"]
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), server_default="", nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_requests_person", "change_requests", ["person_id", "organisation_id", "requested_at"])
    op.create_index("ix_change_requests_organisation", "change_requests", ["organisation_id", "status", "requested_at"])
    op.create_table(
        "consent_items",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("label_nl", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("default_granted", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "code"),
    )
    op.create_table(
        "consent_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consent_decisions_person", "consent_decisions", ["person_id", "organisation_id", "decided_at"])

    # --- documents ------------------------------------------------------------------------
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("trajectory_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_documents_person", "documents", ["person_id", "organisation_id", "created_at", "id"])
    op.create_table(
        "document_files",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "document_approvals",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("approved_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("document_id", "approved_by"),
    )

    # --- schedules ------------------------------------------------------------------------
    op.create_table(
        "slots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("practitioner_id", sa.String(length=36), nullable=False),
        sa.Column("practitioner_name", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("practitioner_id", "starts_at", name="uq_slots_practitioner_start"),
    )
    op.create_index("ix_slots_organisation_start", "slots", ["organisation_id", "starts_at"])

    # --- medication -----------------------------------------------------------------------
    op.create_table(
        "medications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("dosage", sa.Text(), server_default="", nullable=False),
        sa.Column("chronic", sa.Boolean(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("prescribed_by", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_medications_person", "medications", ["person_id", "organisation_id"])
    op.create_table(
        "prescription_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("ready_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=36), server_default="", nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_prescription_requests_person",
        "prescription_requests",
        ["person_id", "organisation_id", "requested_at", "id"],
    )
    op.create_index(
        "ix_prescription_requests_organisation",
        "prescription_requests",
        ["organisation_id", "status", "ready_on", "id"],
    )

    # --- results, diary, questionnaires -----------------------------------------------------------
    op.create_table(
        "lab_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=36), nullable=False),
        sa.Column("published_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column("observations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lab_results_person", "lab_results", ["person_id", "organisation_id", "published_at", "id"])
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_diary_entries_author",
        "diary_entries",
        ["person_id", "organisation_id", "author_id", "written_at", "id"],
    )
    op.create_index(
        "ix_diary_entries_shared",
        "diary_entries",
        ["person_id", "organisation_id", "written_at"],
        postgresql_where=sa.text("shared"),
    )
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=36), nullable=False),
        sa.Column("sent_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("saved_by", sa.String(length=36), server_default="", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_questionnaires_person", "questionnaires", ["person_id", "organisation_id", "sent_at"])
    op.create_index("ix_questionnaires_organisation", "questionnaires", ["organisation_id", "sent_at"])

    # --- what the portal learns from other services' events, and its action log ----------------
    op.create_table(
        "delegate_links",
        sa.Column("delegation_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("delegate_id", sa.String(length=36), nullable=False),
        sa.Column("delegate_name", sa.Text(), server_default="", nullable=False),
        sa.Column("delegate_email", sa.Text(), server_default="", nullable=False),
        sa.Column("delegate_language", sa.String(length=8), server_default="nl", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("delegation_id"),
    )
    op.create_index("ix_delegate_links_person", "delegate_links", ["person_id", "organisation_id"])
    op.create_table(
        "message_activity",
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("thread_kind", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("sender_name", sa.Text(), server_default="", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acted_by", sa.String(length=36), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("message_id", "person_id"),
    )
    op.create_index("ix_message_activity_person", "message_activity", ["person_id", "organisation_id", "sent_at"])
    op.create_table(
        "portal_actions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=36), server_default="", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_portal_actions_person", "portal_actions", ["person_id", "organisation_id", "at", "id"])


def downgrade() -> None:
    for index, table in (
        ("ix_portal_actions_person", "portal_actions"),
        ("ix_message_activity_person", "message_activity"),
        ("ix_delegate_links_person", "delegate_links"),
        ("ix_questionnaires_organisation", "questionnaires"),
        ("ix_questionnaires_person", "questionnaires"),
        ("ix_diary_entries_shared", "diary_entries"),
        ("ix_diary_entries_author", "diary_entries"),
        ("ix_lab_results_person", "lab_results"),
        ("ix_prescription_requests_organisation", "prescription_requests"),
        ("ix_prescription_requests_person", "prescription_requests"),
        ("ix_medications_person", "medications"),
        ("ix_slots_organisation_start", "slots"),
        ("ix_documents_person", "documents"),
        ("ix_consent_decisions_person", "consent_decisions"),
        ("ix_change_requests_organisation", "change_requests"),
        ("ix_change_requests_person", "change_requests"),
        ("ix_client_record_versions_person", "client_record_versions"),
        ("ix_clients_organisation_name", "clients"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "portal_actions",
        "message_activity",
        "delegate_links",
        "questionnaires",
        "diary_entries",
        "lab_results",
        "prescription_requests",
        "medications",
        "slots",
        "document_approvals",
        "document_files",
        "documents",
        "consent_decisions",
        "consent_items",
        "change_requests",
        "client_record_versions",
        "clients",
        "portal_visits",
    ):
        op.drop_table(table)
    op.create_table(
        "portal_visits",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.drop_index("uq_appointments_active_slot", table_name="appointments")
    for column in ("cancelled_by", "reason", "slot_id", "practitioner_id", "created_by", "created_at"):
        op.drop_column("appointments", column)
    op.drop_index("ix_care_trajectories_agreement", table_name="care_trajectories")
    op.drop_index("ix_care_trajectories_organisation", table_name="care_trajectories")
    for column in ("end_reason", "ended_by", "activated_at", "agreement_document_id", "created_by", "practitioners", "title"):
        op.drop_column("care_trajectories", column)
    op.alter_column("care_trajectories", "status", type_=sa.String(length=16), existing_nullable=False)
    op.alter_column("care_trajectories", "created_at", new_column_name="started_at")
