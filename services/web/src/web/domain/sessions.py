"""A browser session: who is signed in, their tokens, and the steps of a journey in flight.

The browser holds only a random cookie value; everything here lives on the server side
(encrypted at rest), so a token never reaches the browser's storage or its scripts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from zorgpost_kit.roles import STAFF_ROLES as KIT_STAFF_ROLES
from zorgpost_kit.roles import Role

#: Roles of organisation staff (identity's roles other than a person's own account).
STAFF_ROLES = frozenset(role.value for role in KIT_STAFF_ROLES)
#: The role that runs the organisation: its staff, teams, settings and security policy.
ADMIN_ROLE = Role.ADMIN.value
#: The role that gives care: the portal's back office (agenda, prescriptions, results).
PRACTITIONER_ROLE = Role.PRACTITIONER.value
#: The role that handles a department's e-counter cases.
CASE_HANDLER_ROLE = Role.CASE_HANDLER.value
#: The role that answers the technical helpdesk's tickets.
HELPDESK_ROLE = Role.HELPDESK.value
#: Identity's kind of organisation that supervises others and runs their e-counter.
GOVERNMENT_DEPARTMENT = "government_department"


def new_cookie_value() -> str:
    """256 random bits: the only thing the browser keeps."""
    return secrets.token_urlsafe(32)


def session_id_for(cookie_value: str) -> str:
    """The key the session is stored under: a hash, so a leaked table names no cookie."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: datetime

    @classmethod
    def issued(cls, access_token: str, refresh_token: str, expires_in: int, now: datetime) -> Tokens:
        return cls(access_token, refresh_token, now + timedelta(seconds=expires_in))


@dataclass
class Acting:
    """Acting for someone else (a parent in a child's portal): a short-lived token of its
    own, asked again when it runs out."""

    access_token: str
    expires_at: datetime
    person_id: str
    person_name: str


@dataclass
class SignedInAccount:
    id: str
    display_name: str
    email: str
    organisation_name: str
    roles: list[str]
    language: str
    password_change_required: bool
    #: The kind of organisation they work for (identity's: government_department, …; empty
    #: in a session stored before the web kept it).
    organisation_kind: str = ""

    @property
    def is_staff(self) -> bool:
        return bool(STAFF_ROLES.intersection(self.roles))

    @property
    def reads_ecounter(self) -> bool:
        """Staff who read their organisation's e-counter cases: on a government department's
        side only its case handlers (what the pages offer; messaging decides on each call)."""
        if not self.is_staff:
            return False
        return self.organisation_kind != GOVERNMENT_DEPARTMENT or CASE_HANDLER_ROLE in self.roles

    @property
    def is_admin(self) -> bool:
        """An administrator of the organisation (what the pages offer; the gateway and
        identity decide what is allowed)."""
        return ADMIN_ROLE in self.roles

    @property
    def is_practitioner(self) -> bool:
        """A practitioner: the portal's practice pages (the portal decides on each call)."""
        return PRACTITIONER_ROLE in self.roles


@dataclass
class BrowserSession:
    id: str
    created_at: datetime
    tokens: Tokens | None = None
    account: SignedInAccount | None = None
    acting: Acting | None = None
    #: The steps of a journey that span pages (a login challenge, the first page of an
    #: account form, the requirements of a password reset …), keyed by journey.
    pending: dict[str, Any] = field(default_factory=dict)
    #: Messages for the next page shown (kind, text key, parameters).
    flash: list[dict[str, Any]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.tokens is not None and self.account is not None

    def needs_refresh(self, now: datetime, margin: timedelta) -> bool:
        return self.tokens is not None and self.tokens.access_expires_at - margin <= now

    def acting_valid(self, now: datetime, margin: timedelta) -> bool:
        return self.acting is not None and self.acting.expires_at - margin > now

    def sign_in(self, tokens: Tokens, account: SignedInAccount) -> None:
        self.tokens = tokens
        self.account = account
        self.acting = None
        self.pending.pop("login", None)

    def sign_out(self) -> None:
        self.tokens = None
        self.account = None
        self.acting = None
        self.pending.clear()

    def add_flash(self, kind: str, key: str, **params: Any) -> None:
        self.flash.append({"kind": kind, "key": key, "params": params})

    def take_flash(self) -> list[dict[str, Any]]:
        messages, self.flash = self.flash, []
        return messages

    # --------------------------------------------------------------- storage form
    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        del state["id"]
        for key, value in list(_walk_times(state)):
            key[0][key[1]] = value
        return state

    @classmethod
    def from_state(cls, session_id: str, state: dict[str, Any]) -> BrowserSession:
        tokens = state.get("tokens")
        acting = state.get("acting")
        account = state.get("account")
        return cls(
            id=session_id,
            created_at=_time(state["created_at"]) if state.get("created_at") else datetime.now(UTC),
            tokens=Tokens(tokens["access_token"], tokens["refresh_token"], _time(tokens["access_expires_at"]))
            if tokens
            else None,
            account=SignedInAccount(**account) if account else None,
            acting=Acting(
                acting["access_token"], _time(acting["expires_at"]), acting["person_id"], acting["person_name"]
            )
            if acting
            else None,
            pending=dict(state.get("pending") or {}),
            flash=list(state.get("flash") or []),
        )


def _walk_times(node: Any) -> list[tuple[tuple[Any, Any], str]]:
    """(container, key) and ISO text of every datetime in ``node``: JSON keeps text."""
    found: list[tuple[tuple[Any, Any], str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, datetime):
                found.append(((node, key), value.isoformat()))
            else:
                found.extend(_walk_times(value))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, datetime):
                found.append(((node, index), value.isoformat()))
            else:
                found.extend(_walk_times(value))
    return found
