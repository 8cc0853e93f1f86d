"""Teams: named groups of an organisation's staff (the e-counter's team of case handlers,
a practice's assistants). Shared inboxes and the routing of messages address a team; its
members are active staff of the same organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from zorgpost_kit.events import DomainEvent

TEAM_NAME_MAX_LENGTH = 100
#: A team is a working group, not a copy of the staff list.
MAX_TEAM_MEMBERS = 500


@dataclass
class Team:
    id: str
    organisation_id: str
    name: str
    created_at: datetime
    member_account_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, kw_only=True)
class TeamCreated(DomainEvent):
    team_id: str
    organisation_id: str
    name: str
    changed_by_account_id: str


@dataclass(frozen=True, kw_only=True)
class TeamRenamed(DomainEvent):
    team_id: str
    organisation_id: str
    name: str
    changed_by_account_id: str


@dataclass(frozen=True, kw_only=True)
class TeamDeleted(DomainEvent):
    team_id: str
    organisation_id: str
    name: str
    changed_by_account_id: str


@dataclass(frozen=True, kw_only=True)
class TeamMembersChanged(DomainEvent):
    team_id: str
    organisation_id: str
    member_account_ids: tuple[str, ...]
    changed_by_account_id: str
