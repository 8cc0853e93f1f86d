"""organisation profiles

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:38:46.400106
"""

from alembic import op
import sqlalchemy as sa

from zorgpost_kit.migrations import create_kit_tables, drop_kit_tables


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op.get_bind())
    op.create_table(
        "organisation_profiles",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.Text(), server_default="", nullable=False),
        sa.Column("website", sa.Text(), server_default="", nullable=False),
        sa.Column("visiting_address", sa.Text(), server_default="", nullable=False),
        sa.Column("postal_address", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id"),
    )


def downgrade() -> None:
    op.drop_table("organisation_profiles")
    drop_kit_tables(op.get_bind())
