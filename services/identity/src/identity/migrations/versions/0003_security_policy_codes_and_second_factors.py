"""organisation security policy, one-time codes, login throttling, second factors,
login challenges, password resets

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_POLICY_COLUMNS = (
    sa.Column("password_preset", sa.String(length=32), server_default="asvs", nullable=False),
    sa.Column("second_factor", sa.String(length=16), server_default="none", nullable=False),
    sa.Column("code_lifetime_seconds", sa.Integer(), server_default="600", nullable=False),
    sa.Column("lockout_threshold", sa.Integer(), server_default="5", nullable=False),
    sa.Column("lockout_step_seconds", sa.Integer(), server_default="60", nullable=False),
    sa.Column("lockout_max_seconds", sa.Integer(), server_default="900", nullable=False),
    sa.Column("max_failures_per_hour", sa.Integer(), server_default="100", nullable=False),
    sa.Column("secret_question", sa.Boolean(), server_default=sa.false(), nullable=False),
)


def upgrade() -> None:
    for column in _POLICY_COLUMNS:
        op.add_column("organisations", column)
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("purpose", "subject", name="uq_one_time_codes_purpose_subject"),
    )
    op.create_table(
        "login_throttles",
        sa.Column("login_name", sa.Text(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures_in_window", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("login_name"),
    )
    op.create_table(
        "second_factors",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("totp_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_totp_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("account_id", "method"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_recovery_codes_account", "recovery_codes", ["account_id"], unique=False)
    op.create_table(
        "login_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "password_resets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("password_resets")
    op.drop_table("login_challenges")
    op.drop_index("ix_recovery_codes_account", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("second_factors")
    op.drop_table("login_throttles")
    op.drop_table("one_time_codes")
    for column in reversed(_POLICY_COLUMNS):
        op.drop_column("organisations", column.name)
