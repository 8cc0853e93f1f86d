"""join the two branches that both followed 0002 (0003 and 0003b) into one history

Revision ID: 0004
Revises: 0003, 0003b
"""

revision = "0004"
down_revision = ("0003", "0003b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
