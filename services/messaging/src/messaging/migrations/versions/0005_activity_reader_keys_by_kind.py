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

# The kinds whose shared-inbox and staff rows carry the kind (``KindPolicy.restricted_inbox``
# when this revision was written); fixed here, as a migration must not follow later code.
_RESTRICTED_KINDS = ("org_case", "helpdesk")

# The keys the code suffixes, as they were before it did: ``organisation:<id>`` and
# ``staff:<organisation id>:<account id>`` (ids hold no colon). ``account:<id>`` never changes.
_UNSUFFIXED = r"^(organisation:[^:]+|staff:[^:]+:[^:]+)$"
_SUFFIXED = r"^(organisation:[^:]+|staff:[^:]+:[^:]+):(org_case|helpdesk)$"


def upgrade() -> None:
    # A longer varchar is binary coercible: PostgreSQL rewrites neither the table nor its index.
    op.alter_column("activity", "reader", type_=sa.String(length=120), existing_nullable=False)
    # Rows written before the keys carried the kind would still reach every staff member of
    # the organisation (a client may resume from position 0): key them as the code now does.
    op.execute(
        sa.text(
            "UPDATE activity SET reader = activity.reader || ':' || threads.kind"
            " FROM threads"
            " WHERE threads.id = activity.thread_id"
            " AND threads.kind IN :kinds"
            " AND activity.reader ~ :unsuffixed"
        ).bindparams(
            sa.bindparam("kinds", value=list(_RESTRICTED_KINDS), expanding=True),
            sa.bindparam("unsuffixed", value=_UNSUFFIXED),
        )
    )


def downgrade() -> None:
    # Back to the keys without the kind, which fit the narrower column again.
    op.execute(
        sa.text("UPDATE activity SET reader = regexp_replace(reader, :suffixed, '\\1') WHERE reader ~ :suffixed").bindparams(
            suffixed=_SUFFIXED
        )
    )
    op.alter_column("activity", "reader", type_=sa.String(length=80), existing_nullable=False)
