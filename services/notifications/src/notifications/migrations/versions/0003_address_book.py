"""address book: how to reach each account, as identity announces it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address_book",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("mobile", sa.Text(), server_default="", nullable=False),
        sa.Column("language", sa.String(length=8), server_default="nl", nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("organisation_id", sa.String(length=36), server_default="", nullable=False),
        sa.Column("organisation_name", sa.Text(), server_default="", nullable=False),
        sa.Column("roles", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), nullable=False, comment="identity's moment of this state"
        ),
        sa.PrimaryKeyConstraint("account_id"),
        comment="how to reach each account, as identity last announced it",
    )


def downgrade() -> None:
    op.drop_table("address_book")
