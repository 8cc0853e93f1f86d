"""Tables of the journeys into an account (issue 3 part B, migration 0003b): invitations,
activation links of practice-made accounts, secret questions, accepted terms,
self-registrations, pending e-mail and mobile changes, delegations and portal preferences.

They live in the same ``metadata`` as every other identity table (imported by
:mod:`identity.adapters.orm`, so migrations and their tests see them).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, text

from identity.adapters.orm import metadata

_ACCOUNT = "accounts.id"
_ORGANISATION = "organisations.id"

invitations = Table(
    "invitations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    Column("inviter_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("email", Text, nullable=False),
    # Messaging's thread: an opaque reference identity only hands back.
    Column("thread_id", Text, nullable=False),
    Column("language", String(8), nullable=False),
    # SHA-256 of the link token; replaced on re-send, so only the newest link works.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=True),
    Index("ix_invitations_organisation", "organisation_id", "created_at"),
)

activation_links = Table(
    "activation_links",
    metadata,
    # One live link per account: a re-send replaces it.
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

secret_questions = Table(
    "secret_questions",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Column("question", Text, nullable=False),
    # argon2id of the normalised answer.
    Column("answer_hash", Text, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

terms_acceptances = Table(
    "terms_acceptances",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Column("document", String(16), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("mobile", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("language", String(8), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(36), ForeignKey(_ACCOUNT), nullable=True),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("link_expires_at", DateTime(timezone=True), nullable=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=True),
    Index("ix_registrations_organisation", "organisation_id", "status", "requested_at"),
)

contact_changes = Table(
    "contact_changes",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    # "email" or "mobile": one pending change of each kind; a new request replaces it.
    Column("kind", String(8), primary_key=True),
    Column("new_value", Text, nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

delegations = Table(
    "delegations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    Column("person_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("delegate_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("end_reason", String(16), nullable=True),
    Index("ix_delegations_person", "person_account_id"),
    Index("ix_delegations_delegate", "delegate_account_id"),
    # At most one open (active or awaiting consent) delegation per pair, also under races.
    Index(
        "uq_delegations_open_pair",
        "person_account_id",
        "delegate_account_id",
        unique=True,
        postgresql_where=text("status IN ('active', 'awaiting_consent')"),
    ),
)

portal_preferences = Table(
    "portal_preferences",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    # The portal opened after login: the account's own (its own id) or a represented person's.
    Column("person_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
)
