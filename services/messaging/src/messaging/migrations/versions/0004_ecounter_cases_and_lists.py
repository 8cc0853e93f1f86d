"""e-counter cases, reference numbers, per-organisation lists and per-message contacts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 21:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ecounter_cases",
        sa.Column("thread_id", sa.String(length=36), sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("theme_name", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_name", sa.Text(), nullable=False),
        sa.Column("department_id", sa.String(length=36), nullable=False),
        sa.Column("department_name", sa.Text(), nullable=False),
        sa.Column("team_name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("thread_id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_table(
        "ecounter_reference_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "ecounter_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("box", sa.String(length=10), nullable=False),
        sa.Column("thread_id", sa.String(length=36), sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("theme_name", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.Text(), nullable=False),
        sa.Column("sender_organisation_name", sa.Text(), nullable=False),
        sa.Column("counterpart_name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_ecounter_entries_box",
        "ecounter_entries",
        ["organisation_id", "box", sa.text("sent_at DESC"), sa.text("id DESC")],
    )
    op.create_index(
        "ix_ecounter_entries_theme",
        "ecounter_entries",
        ["organisation_id", "theme_id", sa.text("sent_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_ecounter_entries_reference", "ecounter_entries", ["organisation_id", "reference"])
    op.create_index("ix_ecounter_entries_thread", "ecounter_entries", ["thread_id"])
    # The title and sender filters match a part of the text: trigram indexes serve them.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "sender_name", "sender_organisation_name"):
        op.create_index(
            f"ix_ecounter_entries_{column}_trgm",
            "ecounter_entries",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.create_table(
        "ecounter_thread_contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("contact_person_id", sa.String(length=36), nullable=True),
        sa.Column("first_name", sa.Text(), server_default="", nullable=False),
        sa.Column("last_name", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ecounter_thread_contacts_thread", "ecounter_thread_contacts", ["thread_id"])


def downgrade() -> None:
    op.drop_table("ecounter_thread_contacts")
    op.drop_table("ecounter_entries")
    op.drop_table("ecounter_reference_numbers")
    op.drop_table("ecounter_cases")
