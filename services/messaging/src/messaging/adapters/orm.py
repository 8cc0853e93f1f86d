"""Messaging's tables (SQLAlchemy Core).

Every list pages by keyset on an index that matches its order: a person's conversations on
``ix_participants_account_activity``, an organisation's shared inbox on
``ix_participants_organisation_received`` / ``..._sent``, a thread's messages on
``uq_messages_thread_seq``, the activity feed on ``ix_activity_reader_position``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = MetaData()

threads = Table(
    "threads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("organisation_id", String(36), nullable=True),
    Column("organisation_name", Text, nullable=False, server_default=""),
    Column("state", String(16), nullable=False, server_default="open"),
    Column("reference", Text, nullable=True),
    Column("created_by", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_activity_at", DateTime(timezone=True), nullable=True),
    Column("last_message_id", String(36), nullable=True),
    Column("assigned_to_account_id", String(36), nullable=True),
    Column("assigned_to_name", Text, nullable=True),
    Index("ix_threads_organisation", "organisation_id", "created_at"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("thread_id", String(36), ForeignKey("threads.id"), nullable=False),
    # "account", "guest" or "organisation"
    Column("kind", String(16), nullable=False),
    Column("account_id", String(36), nullable=True),
    # An organisation row: the organisation; an account row: the organisation it acts for.
    Column("organisation_id", String(36), nullable=True),
    Column("display_name", Text, nullable=False),
    Column("email", Text, nullable=True),
    Column("mobile", Text, nullable=True),
    Column("language", String(8), nullable=False, server_default="nl"),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("last_read_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_read_at", DateTime(timezone=True), nullable=True),
    Column("unread_count", Integer, nullable=False, server_default="0"),
    Column("opened_at", DateTime(timezone=True), nullable=True),
    # The thread's last activity, kept on each row so a person's list is one index scan.
    Column("last_activity_at", DateTime(timezone=True), nullable=False),
    Column("last_received_at", DateTime(timezone=True), nullable=True),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_participants_thread", "thread_id"),
    Index(
        "uq_participants_thread_account",
        "thread_id",
        "account_id",
        unique=True,
        postgresql_where=text("kind = 'account'"),
    ),
    Index(
        "uq_participants_thread_organisation",
        "thread_id",
        "organisation_id",
        unique=True,
        postgresql_where=text("kind = 'organisation'"),
    ),
    Index(
        "ix_participants_account_activity",
        "account_id",
        "last_activity_at",
        "thread_id",
        postgresql_where=text("kind = 'account'"),
    ),
    Index(
        "ix_participants_organisation_received",
        "organisation_id",
        "last_received_at",
        "thread_id",
        postgresql_where=text("kind = 'organisation' AND last_received_at IS NOT NULL"),
    ),
    Index(
        "ix_participants_organisation_sent",
        "organisation_id",
        "last_sent_at",
        "thread_id",
        postgresql_where=text("kind = 'organisation' AND last_sent_at IS NOT NULL"),
    ),
    Index(
        "ix_participants_organisation_unread",
        "organisation_id",
        postgresql_where=text("kind = 'organisation' AND unread_count > 0"),
    ),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("thread_id", String(36), ForeignKey("threads.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_participant_id", String(36), nullable=False),
    Column("sender_kind", String(16), nullable=False),
    Column("sender_name", Text, nullable=False),
    Column("sender_account_id", String(36), nullable=True),
    Column("sender_organisation_id", String(36), nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("forwarded_from_name", Text, nullable=True),
    Column("forwarded_from_sent_at", DateTime(timezone=True), nullable=True),
    Column("like_count", Integer, nullable=False, server_default="0"),
    # 'simple': no stemming, so Dutch and English text are found alike, word by word.
    Column("search_vector", TSVECTOR, Computed("to_tsvector('simple'::regconfig, body)", persisted=True)),
    UniqueConstraint("thread_id", "seq", name="uq_messages_thread_seq"),
    Index("ix_messages_search", "search_vector", postgresql_using="gin"),
)

message_likes = Table(
    "message_likes",
    metadata,
    Column("message_id", String(36), ForeignKey("messages.id"), nullable=False),
    Column("participant_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("message_id", "participant_id"),
)

read_marks = Table(
    "read_marks",
    metadata,
    Column("thread_id", String(36), ForeignKey("threads.id"), nullable=False),
    Column("participant_id", String(36), nullable=False),
    Column("up_to_seq", BigInteger, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("thread_id", "participant_id", "up_to_seq"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("message_id", String(36), ForeignKey("messages.id"), nullable=False),
    Column("thread_id", String(36), nullable=False),
    # The sender's name for the file, shown and used on download; never a storage path.
    Column("file_name", Text, nullable=False),
    # The type the content was verified to be.
    Column("content_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    # Generated; forwarded copies share the stored bytes.
    Column("storage_key", String(64), nullable=False),
    Column("scan_status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Failed scans of this file and when it is tried again (one bad file holds up no other).
    Column("scan_attempts", Integer, nullable=False, server_default="0"),
    Column("scan_retry_at", DateTime(timezone=True), nullable=True),
    Index("ix_attachments_message", "message_id"),
    Index("ix_attachments_storage_key", "storage_key"),
    Index("ix_attachments_pending", "created_at", postgresql_where=text("scan_status = 'pending'")),
)

read_links = Table(
    "read_links",
    metadata,
    # The link in the notice carries the token; only its hash is kept.
    Column("token_hash", String(64), primary_key=True),
    Column("thread_id", String(36), ForeignKey("threads.id"), nullable=False),
    Column("participant_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_read_links_thread", "thread_id"),
)

organisation_settings = Table(
    "organisation_settings",
    metadata,
    Column("organisation_id", String(36), primary_key=True),
    Column("read_link_days", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

sending_counts = Table(
    "sending_counts",
    metadata,
    # "recipient" (key: hash of the address) or "account" (key: the account id)
    Column("scope", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("scope", "key", "window_start"),
    Index("ix_sending_counts_window", "window_start"),
)

activity = Table(
    "activity",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=True),
    # "account:<id>", "staff:<organisation id>:<account id>" or "organisation:<id>", the
    # last two with ":<thread kind>" for a kind not every staff member reaches
    # (``domain.activity``)
    Column("reader", String(120), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("thread_id", String(36), nullable=False),
    Column("message_id", String(36), nullable=True),
    Column("actor_participant_id", String(36), nullable=True),
    Column("actor_name", Text, nullable=False, server_default=""),
    Column("value", BigInteger, nullable=False, server_default="0"),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_activity_reader_position", "reader", "position"),
    Index("ix_activity_occurred", "occurred_at"),
)

activity_horizon = Table(
    "activity_horizon",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    # Rows up to this position were pruned.
    Column("pruned_through", BigInteger, nullable=False),
)

# ----------------------------------------------------------------------------- the e-counter
#: What an org_case thread is on the e-counter: its theme, reference and two sides.
ecounter_cases = Table(
    "ecounter_cases",
    metadata,
    Column("thread_id", String(36), ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("theme_id", String(64), nullable=False),
    Column("theme_name", Text, nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("organisation_name", Text, nullable=False),
    Column("department_id", String(36), nullable=False),
    Column("department_name", Text, nullable=False),
    Column("team_name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: One row per year: the last reference number given out in it.
ecounter_reference_numbers = Table(
    "ecounter_reference_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

#: Each organisation's list of e-counter messages: one row per message per side.
ecounter_entries = Table(
    "ecounter_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), nullable=False),
    Column("box", String(10), nullable=False),
    Column("thread_id", String(36), ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", String(36), nullable=False),
    Column("theme_id", String(64), nullable=False),
    Column("theme_name", Text, nullable=False),
    Column("reference", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("sender_name", Text, nullable=False),
    Column("sender_organisation_name", Text, nullable=False),
    Column("counterpart_name", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    # Keyset paging of "received"/"sent", of a theme's In/Out list, and a reference's history.
    Index("ix_ecounter_entries_box", "organisation_id", "box", text("sent_at DESC"), text("id DESC")),
    Index("ix_ecounter_entries_theme", "organisation_id", "theme_id", text("sent_at DESC"), text("id DESC")),
    Index("ix_ecounter_entries_reference", "organisation_id", "reference"),
    Index("ix_ecounter_entries_thread", "thread_id"),
    # Part-of-the-text filters (title, sender); the migration creates the pg_trgm extension.
    *(
        Index(
            f"ix_ecounter_entries_{column}_trgm",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
        for column in ("title", "sender_name", "sender_organisation_name")
    ),
)

#: Per message (thread): its own contacts ("own"), and standard contact persons taken off it ("excluded").
ecounter_thread_contacts = Table(
    "ecounter_thread_contacts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("thread_id", String(36), ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("contact_person_id", String(36), nullable=True),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default=""),
    Column("phone", Text, nullable=False, server_default=""),
    Index("ix_ecounter_thread_contacts_thread", "thread_id"),
)
