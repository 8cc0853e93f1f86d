"""care trajectories, appointments and visits

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:39:03.221932
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
        "appointments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("with_name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appointments_person", "appointments", ["person_id", "starts_at"], unique=False)
    op.create_table(
        "care_trajectories",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_trajectories_person", "care_trajectories", ["person_id", "status"], unique=False)
    op.create_table(
        "portal_visits",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("portal_visits")
    op.drop_index("ix_care_trajectories_person", table_name="care_trajectories")
    op.drop_table("care_trajectories")
    op.drop_index("ix_appointments_person", table_name="appointments")
    op.drop_table("appointments")
    drop_kit_tables(op.get_bind())
