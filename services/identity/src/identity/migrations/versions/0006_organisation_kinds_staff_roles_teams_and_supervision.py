"""organisation kinds and status, staff invitations, client links, teams and supervision

Organisations get a kind and a status; an invitation can make its invitee a member of the
organisation's staff (roles, no thread; the operator invites a first administrator, so the
inviter may be none). Every person with a home organisation is linked to it as a client.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("kind", sa.String(length=32), server_default="other", nullable=False))
    op.add_column(
        "organisations", sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
    )
    op.add_column(
        "invitations",
        sa.Column("roles", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.alter_column("invitations", "thread_id", existing_type=sa.Text(), nullable=True)
    op.alter_column("invitations", "inviter_account_id", existing_type=sa.String(length=36), nullable=True)

    op.create_table(
        "client_links",
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "organisation_id"),
    )
    op.create_index("ix_client_links_organisation", "client_links", ["organisation_id"])
    # Every person with a home organisation is its client: the link the model now keeps.
    op.execute(
        "INSERT INTO client_links (account_id, organisation_id, linked_at) "
        "SELECT id, organisation_id, created_at FROM accounts "
        "WHERE organisation_id IS NOT NULL AND roles = ARRAY['person']::text[]"
    )

    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name", name="uq_teams_organisation_name"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.String(length=36), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("account_id", sa.String(length=36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "account_id"),
    )
    op.create_index("ix_team_members_account", "team_members", ["account_id"])
    op.create_table(
        "supervisions",
        sa.Column(
            "supervisor_organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column(
            "supervised_organisation_id", sa.String(length=36), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("themes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("supervisor_organisation_id", "supervised_organisation_id"),
    )
    op.create_index("ix_supervisions_supervised", "supervisions", ["supervised_organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_supervisions_supervised", table_name="supervisions")
    op.drop_table("supervisions")
    op.drop_index("ix_team_members_account", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_index("ix_client_links_organisation", table_name="client_links")
    op.drop_table("client_links")
    op.execute("DELETE FROM invitations WHERE thread_id IS NULL OR inviter_account_id IS NULL")
    op.alter_column("invitations", "inviter_account_id", existing_type=sa.String(length=36), nullable=False)
    op.alter_column("invitations", "thread_id", existing_type=sa.Text(), nullable=False)
    op.drop_column("invitations", "roles")
    op.drop_column("organisations", "status")
    op.drop_column("organisations", "kind")
