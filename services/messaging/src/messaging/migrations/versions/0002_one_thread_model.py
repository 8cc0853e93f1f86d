"""one thread model: participants, read state, likes, attachments, read links, settings,
sending limits, the activity feed; existing secure mails carried over

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- threads -------------------------------------------------------------
    op.alter_column("threads", "organisation_id", existing_type=sa.String(length=36), nullable=True)
    op.alter_column("threads", "created_by", existing_type=sa.String(length=36), nullable=True)
    op.add_column("threads", sa.Column("organisation_name", sa.Text(), server_default="", nullable=False))
    op.add_column("threads", sa.Column("state", sa.String(length=16), server_default="open", nullable=False))
    op.add_column("threads", sa.Column("reference", sa.Text(), nullable=True))
    op.add_column("threads", sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column("threads", sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("threads", sa.Column("last_message_id", sa.String(length=36), nullable=True))
    op.add_column("threads", sa.Column("assigned_to_account_id", sa.String(length=36), nullable=True))
    op.add_column("threads", sa.Column("assigned_to_name", sa.Text(), nullable=True))

    # -- participants --------------------------------------------------------
    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("mobile", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="nl", nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_read_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unread_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_participants_thread", "participants", ["thread_id"])
    op.create_index(
        "uq_participants_thread_account",
        "participants",
        ["thread_id", "account_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'account'"),
    )
    op.create_index(
        "uq_participants_thread_organisation",
        "participants",
        ["thread_id", "organisation_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'organisation'"),
    )
    op.create_index(
        "ix_participants_account_activity",
        "participants",
        ["account_id", "last_activity_at", "thread_id"],
        postgresql_where=sa.text("kind = 'account'"),
    )
    op.create_index(
        "ix_participants_organisation_received",
        "participants",
        ["organisation_id", "last_received_at", "thread_id"],
        postgresql_where=sa.text("kind = 'organisation' AND last_received_at IS NOT NULL"),
    )
    op.create_index(
        "ix_participants_organisation_sent",
        "participants",
        ["organisation_id", "last_sent_at", "thread_id"],
        postgresql_where=sa.text("kind = 'organisation' AND last_sent_at IS NOT NULL"),
    )
    op.create_index(
        "ix_participants_organisation_unread",
        "participants",
        ["organisation_id"],
        postgresql_where=sa.text("kind = 'organisation' AND unread_count > 0"),
    )

    # -- messages ------------------------------------------------------------
    op.alter_column(
        "messages",
        "author_account_id",
        new_column_name="sender_account_id",
        existing_type=sa.String(length=36),
        nullable=True,
    )
    op.drop_index("ix_messages_thread", table_name="messages")
    op.add_column("messages", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.add_column("messages", sa.Column("sender_participant_id", sa.String(length=36), nullable=True))
    op.add_column("messages", sa.Column("sender_kind", sa.String(length=16), server_default="account", nullable=False))
    op.add_column("messages", sa.Column("sender_name", sa.Text(), server_default="", nullable=False))
    op.add_column("messages", sa.Column("sender_organisation_id", sa.String(length=36), nullable=True))
    op.add_column("messages", sa.Column("forwarded_from_name", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("forwarded_from_sent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("like_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column(
        "messages",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('simple'::regconfig, body)", persisted=True),
            nullable=True,
        ),
    )

    # -- carry the secure mails stored so far into the model -------------------
    # Each had an organisation, its sending staff member and one outside recipient; its one
    # message was written by the sender. The read link keeps working for 30 days from sending.
    op.execute(
        """
        UPDATE threads SET last_seq = 1, last_activity_at = created_at,
               last_message_id = (SELECT id FROM messages m WHERE m.thread_id = threads.id ORDER BY created_at LIMIT 1)
        """
    )
    op.execute(
        """
        INSERT INTO participants (id, thread_id, kind, organisation_id, display_name, joined_at, last_read_seq,
                                  last_activity_at, last_sent_at)
        SELECT gen_random_uuid()::text, t.id, 'organisation', t.organisation_id, '', t.created_at, 1,
               t.created_at, t.created_at
        FROM threads t WHERE t.organisation_id IS NOT NULL
        """
    )
    op.execute(
        """
        INSERT INTO participants (id, thread_id, kind, account_id, organisation_id, display_name, joined_at,
                                  last_read_seq, last_activity_at)
        SELECT gen_random_uuid()::text, t.id, 'account', t.created_by, t.organisation_id, '', t.created_at, 1,
               t.created_at
        FROM threads t WHERE t.created_by IS NOT NULL
        """
    )
    op.execute(
        """
        INSERT INTO participants (id, thread_id, kind, display_name, email, mobile, joined_at, unread_count,
                                  last_activity_at)
        SELECT gen_random_uuid()::text, r.thread_id, 'guest', r.email, r.email, r.mobile, r.created_at, 1,
               r.created_at
        FROM secure_mail_recipients r
        """
    )
    op.execute(
        """
        UPDATE messages m SET seq = 1, sender_participant_id = p.id, sender_organisation_id = p.organisation_id
        FROM participants p
        WHERE p.thread_id = m.thread_id AND p.kind = 'account' AND p.account_id = m.sender_account_id
        """
    )
    op.execute("UPDATE messages SET seq = 1, sender_participant_id = '' WHERE seq IS NULL")
    op.alter_column("messages", "seq", existing_type=sa.BigInteger(), nullable=False)
    op.alter_column("messages", "sender_participant_id", existing_type=sa.String(length=36), nullable=False)
    op.alter_column("messages", "sender_kind", existing_type=sa.String(length=16), server_default=None)
    op.alter_column("messages", "sender_name", existing_type=sa.Text(), server_default=None)
    op.create_unique_constraint("uq_messages_thread_seq", "messages", ["thread_id", "seq"])
    op.create_index("ix_messages_search", "messages", ["search_vector"], postgresql_using="gin")

    op.create_table(
        "read_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_read_links_thread", "read_links", ["thread_id"])
    op.execute(
        """
        INSERT INTO read_links (token_hash, thread_id, participant_id, created_at, expires_at)
        SELECT r.read_token_hash, r.thread_id, p.id, r.created_at, r.created_at + interval '30 days'
        FROM secure_mail_recipients r JOIN participants p ON p.thread_id = r.thread_id AND p.kind = 'guest'
        """
    )
    op.drop_table("secure_mail_recipients")

    # -- the rest ------------------------------------------------------------
    op.create_table(
        "message_likes",
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("message_id", "participant_id"),
    )
    op.create_table(
        "read_marks",
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("up_to_seq", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("thread_id", "participant_id", "up_to_seq"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("scan_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachments_message", "attachments", ["message_id"])
    op.create_index("ix_attachments_storage_key", "attachments", ["storage_key"])
    op.create_index(
        "ix_attachments_pending", "attachments", ["created_at"], postgresql_where=sa.text("scan_status = 'pending'")
    )
    op.create_table(
        "organisation_settings",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("read_link_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    op.create_table(
        "sending_counts",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start"),
    )
    op.create_index("ix_sending_counts_window", "sending_counts", ["window_start"])
    op.create_table(
        "activity",
        sa.Column("position", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("reader", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=True),
        sa.Column("actor_participant_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.Text(), server_default="", nullable=False),
        sa.Column("value", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_activity_reader_position", "activity", ["reader", "position"])
    op.create_index("ix_activity_occurred", "activity", ["occurred_at"])
    op.create_table(
        "activity_horizon",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("activity_horizon")
    op.drop_index("ix_activity_occurred", table_name="activity")
    op.drop_index("ix_activity_reader_position", table_name="activity")
    op.drop_table("activity")
    op.drop_index("ix_sending_counts_window", table_name="sending_counts")
    op.drop_table("sending_counts")
    op.drop_table("organisation_settings")
    op.drop_index("ix_attachments_pending", table_name="attachments")
    op.drop_index("ix_attachments_storage_key", table_name="attachments")
    op.drop_index("ix_attachments_message", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("read_marks")
    op.drop_table("message_likes")
    op.create_table(
        "secure_mail_recipients",
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("mobile", sa.Text(), nullable=True),
        sa.Column("read_token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("thread_id"),
        sa.UniqueConstraint("read_token_hash"),
    )
    op.execute(
        """
        INSERT INTO secure_mail_recipients (thread_id, email, mobile, read_token_hash, created_at)
        SELECT DISTINCT ON (p.thread_id) p.thread_id, p.email, p.mobile, l.token_hash, p.joined_at
        FROM participants p JOIN read_links l ON l.participant_id = p.id
        WHERE p.kind = 'guest' ORDER BY p.thread_id, l.created_at
        """
    )
    op.drop_index("ix_read_links_thread", table_name="read_links")
    op.drop_table("read_links")
    op.drop_index("ix_messages_search", table_name="messages")
    op.drop_constraint("uq_messages_thread_seq", "messages", type_="unique")
    # Only the first message of each thread fits the old model (one message per secure mail).
    op.execute("DELETE FROM messages WHERE seq > 1 OR sender_account_id IS NULL")
    for column in (
        "search_vector",
        "like_count",
        "forwarded_from_sent_at",
        "forwarded_from_name",
        "sender_organisation_id",
        "sender_name",
        "sender_kind",
        "sender_participant_id",
        "seq",
    ):
        op.drop_column("messages", column)
    op.alter_column(
        "messages",
        "sender_account_id",
        new_column_name="author_account_id",
        existing_type=sa.String(length=36),
        nullable=False,
    )
    op.create_index("ix_messages_thread", "messages", ["thread_id", "created_at"])
    op.drop_index("ix_participants_organisation_unread", table_name="participants")
    op.drop_index("ix_participants_organisation_sent", table_name="participants")
    op.drop_index("ix_participants_organisation_received", table_name="participants")
    op.drop_index("ix_participants_account_activity", table_name="participants")
    op.drop_index("uq_participants_thread_organisation", table_name="participants")
    op.drop_index("uq_participants_thread_account", table_name="participants")
    op.drop_index("ix_participants_thread", table_name="participants")
    op.drop_table("participants")
    op.execute(
        "DELETE FROM messages WHERE thread_id IN (SELECT id FROM threads WHERE organisation_id IS NULL OR created_by IS NULL)"
    )
    op.execute("DELETE FROM threads WHERE organisation_id IS NULL OR created_by IS NULL")
    for column in (
        "assigned_to_name",
        "assigned_to_account_id",
        "last_message_id",
        "last_activity_at",
        "last_seq",
        "reference",
        "state",
        "organisation_name",
    ):
        op.drop_column("threads", column)
    op.alter_column("threads", "created_by", existing_type=sa.String(length=36), nullable=False)
    op.alter_column("threads", "organisation_id", existing_type=sa.String(length=36), nullable=False)
