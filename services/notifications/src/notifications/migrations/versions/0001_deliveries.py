"""deliveries

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:38:18.818064
"""

from alembic import op
import sqlalchemy as sa

from zorgpost_kit.migrations import create_kit_tables, drop_kit_tables
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op.get_bind())
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False, comment="the object the notice is about"),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failure_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_deliveries_due", "deliveries", ["next_attempt_at"], unique=False, postgresql_where="status = 'queued'"
    )
    op.create_index("ix_deliveries_source", "deliveries", ["organisation_id", "source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deliveries_source", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries", postgresql_where="status = 'queued'")
    op.drop_table("deliveries")
    drop_kit_tables(op.get_bind())
