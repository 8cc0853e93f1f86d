"""activity reader keys by kind: a staff member's rows in a thread whose kind not every
staff member reaches through the shared inbox are keyed with that kind at the end
(``staff:<organisation>:<account>:<kind>``), longer than 80 characters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A longer varchar is binary coercible: PostgreSQL rewrites neither the table nor its index.
    op.alter_column("activity", "reader", type_=sa.String(length=120), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("activity", "reader", type_=sa.String(length=80), existing_nullable=False)
