"""browser sessions

Revision ID: 0001
Revises:
Create Date: 2026-11-29 17:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("browser_sessions_by_expiry", "browser_sessions", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("browser_sessions_by_expiry", table_name="browser_sessions")
    op.drop_table("browser_sessions")
