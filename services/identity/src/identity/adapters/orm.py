"""Identity's tables (SQLAlchemy Core), grouped by what they hold. Repositories turn rows
into domain objects; the migrations build exactly these tables (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

_ACCOUNT = "accounts.id"
_ORGANISATION = "organisations.id"


# --- organisations, accounts and their profile ---------------------------------------------

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # OrganisationKind and OrganisationStatus (domain/accounts.py).
    Column("kind", String(32), nullable=False, server_default="other"),
    Column("status", String(16), nullable=False, server_default="active"),
    # The organisation's SecurityPolicy (domain/policy.py), one column per setting.
    Column("password_preset", String(32), nullable=False, server_default="asvs"),
    Column("second_factor", String(16), nullable=False, server_default="none"),
    Column("code_lifetime_seconds", Integer, nullable=False, server_default="600"),
    Column("lockout_threshold", Integer, nullable=False, server_default="5"),
    Column("lockout_step_seconds", Integer, nullable=False, server_default="60"),
    Column("lockout_max_seconds", Integer, nullable=False, server_default="900"),
    Column("max_failures_per_hour", Integer, nullable=False, server_default="100"),
    Column("secret_question", Boolean, nullable=False, server_default=false()),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=True),
    # Stored lower-cased: one account per address, however it is typed.
    Column("email", Text, nullable=False, unique=True),
    Column("username", Text, nullable=True, unique=True),
    Column("display_name", Text, nullable=False),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    # E.164; the number SMS codes go to.
    Column("mobile", Text, nullable=True),
    Column("birth_date", Date, nullable=True),
    Column("country", String(2), nullable=False, server_default="NL"),
    Column("password_hash", Text, nullable=True),
    # Set for a temporary password: the next login must choose a new one first.
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    Column("roles", ARRAY(Text), nullable=False),
    Column("status", String(32), nullable=False),
    Column("language", String(8), nullable=False, server_default="nl"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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


client_links = Table(
    "client_links",
    metadata,
    # A person served by an organisation; the account's organisation_id is one of them (home).
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), primary_key=True),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Index("ix_client_links_organisation", "organisation_id"),
)


# --- teams and supervision -----------------------------------------------------------------

teams = Table(
    "teams",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("organisation_id", "name", name="uq_teams_organisation_name"),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", String(36), ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Index("ix_team_members_account", "account_id"),
)

supervisions = Table(
    "supervisions",
    metadata,
    # A government department and an organisation it oversees, with the themes they share.
    Column("supervisor_organisation_id", String(36), ForeignKey(_ORGANISATION), primary_key=True),
    Column("supervised_organisation_id", String(36), ForeignKey(_ORGANISATION), primary_key=True),
    Column("themes", ARRAY(Text), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Index("ix_supervisions_supervised", "supervised_organisation_id"),
)


# --- authentication and sessions -----------------------------------------------------------

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    # The absolute end; the idle end moves with last_seen_at.
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("idle_ttl_seconds", Integer, nullable=False),
    Column("user_agent", Text, nullable=False, server_default=""),
    Column("ip_address", Text, nullable=False, server_default=""),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_sessions_account", "account_id"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    # AES-GCM encrypted PKCS#8 private key: nonce (12 bytes) + ciphertext.
    Column("private_key_encrypted", LargeBinary, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)

login_throttles = Table(
    "login_throttles",
    metadata,
    # Normalised as typed, known account or not: the throttle must not reveal which exist.
    Column("login_name", Text, primary_key=True),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("failures_in_window", Integer, nullable=False, server_default="0"),
)

login_challenges = Table(
    "login_challenges",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("method", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    # SHA-256 of the link token (256 random bits: nothing to guess, no key needed).
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("used_at", DateTime(timezone=True), nullable=True),
)


# --- one-time codes, second factors and sending limits -------------------------------------

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("purpose", String(32), nullable=False),
    # What the code unlocks: a challenge id, a registration id, an account id …
    Column("subject", Text, nullable=False),
    # HMAC-SHA256 under the server key; the code itself is never stored.
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    # One live code per purpose and subject: a resend replaces the row.
    UniqueConstraint("purpose", "subject", name="uq_one_time_codes_purpose_subject"),
)

second_factors = Table(
    "second_factors",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    Column("method", String(16), primary_key=True),
    # AES-GCM (nonce + ciphertext), bound to the account id; TOTP only.
    Column("totp_secret_encrypted", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("last_totp_step", BigInteger, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Index("ix_recovery_codes_account", "account_id"),
)

rate_counters = Table(
    "rate_counters",
    metadata,
    # The limit's name (domain/rate_limits.py) and a hash of what it counts per: an address,
    # a number or an account; no address is kept in clear.
    Column("limit_name", String(64), primary_key=True),
    Column("key_hash", String(64), primary_key=True),
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("requests", Integer, nullable=False, server_default="0"),
)


# --- invitations ---------------------------------------------------------------------------

invitations = Table(
    "invitations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    # Null when the operator invited an organisation's first administrator.
    Column("inviter_account_id", String(36), ForeignKey(_ACCOUNT), nullable=True),
    Column("email", Text, nullable=False),
    # Messaging's thread: an opaque reference identity only hands back (null: a staff invitation).
    Column("thread_id", Text, nullable=True),
    Column("language", String(8), nullable=False),
    # SHA-256 of the link token; replaced on re-send, so only the newest link works.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("account_id", String(36), ForeignKey(_ACCOUNT), nullable=True),
    # The staff roles a staff invitation gives (empty: an invitation into a conversation).
    Column("roles", ARRAY(Text), nullable=False, server_default="{}"),
    Index("ix_invitations_organisation", "organisation_id", "created_at"),
)


# --- practice-made accounts and self-registrations -----------------------------------------

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


# --- delegations ---------------------------------------------------------------------------

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

access_requests = Table(
    "access_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey(_ORGANISATION), nullable=False),
    Column("requester_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
    Column("child_first_name", Text, nullable=False),
    Column("child_last_name", Text, nullable=False),
    # The name as two requests for the same child are compared (case-folded).
    Column("child_key", Text, nullable=False),
    Column("child_birth_date", Date, nullable=False),
    Column("relation", String(16), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(36), ForeignKey(_ACCOUNT), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),
    Column("delegation_id", String(36), ForeignKey("delegations.id"), nullable=True),
    Index("ix_access_requests_organisation", "organisation_id", "requested_at", "id"),
    Index("ix_access_requests_requester", "requester_account_id", "requested_at"),
    # One pending request per parent and child, also when two arrive at once.
    Index(
        "uq_access_requests_pending_child",
        "requester_account_id",
        "child_key",
        "child_birth_date",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
)

portal_preferences = Table(
    "portal_preferences",
    metadata,
    Column("account_id", String(36), ForeignKey(_ACCOUNT), primary_key=True),
    # The portal opened after login: the account's own (its own id) or a represented person's.
    Column("person_account_id", String(36), ForeignKey(_ACCOUNT), nullable=False),
)
