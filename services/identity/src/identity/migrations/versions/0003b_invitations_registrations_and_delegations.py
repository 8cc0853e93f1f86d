"""invitations, activation links, secret questions, accepted terms,
registrations, contact changes, delegations, portal preferences

Revision ID: 0003b
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003b"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACCOUNT = "accounts.id"
_ORGANISATION = "organisations.id"


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey(_ORGANISATION), nullable=False),
        sa.Column("inviter_account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitations_organisation", "invitations", ["organisation_id", "created_at"])
    op.create_table(
        "activation_links",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "secret_questions",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer_hash", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "terms_acceptances",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("document", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "document", "version"),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey(_ORGANISATION), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("mobile", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        "ix_registrations_organisation", "registrations", ["organisation_id", "status", "requested_at"]
    )
    op.create_table(
        "contact_changes",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "kind"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "delegations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey(_ORGANISATION), nullable=False),
        sa.Column("person_account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("delegate_account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_delegations_person", "delegations", ["person_account_id"])
    op.create_index("ix_delegations_delegate", "delegations", ["delegate_account_id"])
    op.create_index(
        "uq_delegations_open_pair",
        "delegations",
        ["person_account_id", "delegate_account_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('active', 'awaiting_consent')"),
    )
    op.create_table(
        "portal_preferences",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.Column("person_account_id", sa.String(length=36), sa.ForeignKey(_ACCOUNT), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("portal_preferences")
    op.drop_index("uq_delegations_open_pair", table_name="delegations")
    op.drop_index("ix_delegations_delegate", table_name="delegations")
    op.drop_index("ix_delegations_person", table_name="delegations")
    op.drop_table("delegations")
    op.drop_table("contact_changes")
    op.drop_index("ix_registrations_organisation", table_name="registrations")
    op.drop_table("registrations")
    op.drop_table("terms_acceptances")
    op.drop_table("secret_questions")
    op.drop_table("activation_links")
    op.drop_index("ix_invitations_organisation", table_name="invitations")
    op.drop_table("invitations")
