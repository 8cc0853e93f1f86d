"""access requests: a parent asks online for access to a child's portal

A table of the requests, with one pending request per parent and child (name and birth
date) at a time.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("requester_account_id", sa.String(length=36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("child_first_name", sa.Text(), nullable=False),
        sa.Column("child_last_name", sa.Text(), nullable=False),
        sa.Column("child_key", sa.Text(), nullable=False),
        sa.Column("child_birth_date", sa.Date(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=36), sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("delegation_id", sa.String(length=36), sa.ForeignKey("delegations.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_access_requests_organisation", "access_requests", ["organisation_id", "requested_at", "id"]
    )
    op.create_index("ix_access_requests_requester", "access_requests", ["requester_account_id", "requested_at"])
    op.create_index(
        "uq_access_requests_pending_child",
        "access_requests",
        ["requester_account_id", "child_key", "child_birth_date"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("access_requests")
