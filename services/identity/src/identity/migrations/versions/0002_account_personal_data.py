"""account personal data: names, mobile, birth date, country, forced password change

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("first_name", sa.Text(), server_default="", nullable=False))
    op.add_column("accounts", sa.Column("last_name", sa.Text(), server_default="", nullable=False))
    op.add_column("accounts", sa.Column("mobile", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("accounts", sa.Column("country", sa.String(length=2), server_default="NL", nullable=False))
    op.add_column(
        "accounts", sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    for column in ("must_change_password", "country", "birth_date", "mobile", "last_name", "first_name"):
        op.drop_column("accounts", column)
