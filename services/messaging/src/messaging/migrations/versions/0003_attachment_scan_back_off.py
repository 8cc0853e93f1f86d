"""attachment scan back-off: failed scans per file and when the file is tried again

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attachments", sa.Column("scan_attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("attachments", sa.Column("scan_retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "scan_retry_at")
    op.drop_column("attachments", "scan_attempts")
