"""preferences, SMS and digest deliveries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:05:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every delivery before this revision was a secure-mail notice: category "messages".
    op.add_column("deliveries", sa.Column("category", sa.String(length=32), server_default="messages", nullable=False))
    op.add_column("deliveries", sa.Column("account_id", sa.String(length=64), server_default="", nullable=False))
    op.add_column("deliveries", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "deliveries",
        sa.Column("digest_key", sa.Text(), nullable=True, comment="queued deliveries sharing it go out as one mail"),
    )
    op.create_index(
        "ix_deliveries_open_digest", "deliveries", ["digest_key"], unique=False, postgresql_where="status = 'queued'"
    )
    op.create_index(
        "ix_deliveries_failed", "deliveries", ["created_at"], unique=False, postgresql_where="status = 'failed'"
    )
    op.create_table(
        "notification_preferences",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), server_default="", nullable=False),
        sa.Column("digest_window_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("categories", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_index("ix_deliveries_failed", table_name="deliveries", postgresql_where="status = 'failed'")
    op.drop_index("ix_deliveries_open_digest", table_name="deliveries", postgresql_where="status = 'queued'")
    op.drop_column("deliveries", "digest_key")
    op.drop_column("deliveries", "expires_at")
    op.drop_column("deliveries", "account_id")
    op.drop_column("deliveries", "category")
