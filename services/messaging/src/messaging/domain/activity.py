"""The live activity feed: what open clients are told (new messages, likes, read receipts).

Each change writes one row per interested reader key in the same transaction as the change;
a row's position orders the feed, and a client resumes after the last position it saw.
Readers are keyed as ``account:<id>`` (a person or staff member, on every device) and
``organisation:<id>`` (the shared inbox, seen by every staff member of it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from messaging.domain.threads import Participant, ParticipantKind
from zorgpost_kit.auth import Principal
from zorgpost_kit.roles import Capability


class ActivityKind(StrEnum):
    MESSAGE_SENT = "message.sent"
    MESSAGE_LIKED = "message.liked"
    MESSAGE_UNLIKED = "message.unliked"
    THREAD_READ = "thread.read"
    THREAD_CREATED = "thread.created"
    PARTICIPANT_JOINED = "participant.joined"
    THREAD_ASSIGNED = "thread.assigned"
    THREAD_WITHDRAWN = "thread.withdrawn"
    ATTACHMENT_SCANNED = "attachment.scanned"
    #: Positions before this one are gone: the client reloads what it shows.
    RESYNC = "resync"


@dataclass(frozen=True)
class ActivityChange:
    """One change, before it is fanned out to its readers."""

    kind: ActivityKind
    thread_id: str
    occurred_at: datetime
    message_id: str | None = None
    actor_participant_id: str | None = None
    actor_name: str = ""
    value: int = 0


@dataclass(frozen=True)
class ActivityEntry:
    """A stored row, as one reader sees it."""

    position: int
    kind: ActivityKind
    thread_id: str
    occurred_at: datetime
    message_id: str | None = None
    actor_participant_id: str | None = None
    actor_name: str = ""
    value: int = 0


def reader_keys(principal: Principal) -> list[str]:
    """The feed keys a caller reads: their own, and their organisation's shared inbox."""
    keys = [f"account:{principal.subject_id}"]
    if principal.can(Capability.WORK_SHARED_INBOX):
        keys.append(f"organisation:{principal.organisation_id}")
    return keys


def keys_of(participants: Iterable[Participant]) -> list[str]:
    """The feed keys of a thread's participants (guests have no live feed)."""
    keys: list[str] = []
    for participant in participants:
        if participant.kind is ParticipantKind.ACCOUNT and participant.account_id:
            key = f"account:{participant.account_id}"
        elif participant.kind is ParticipantKind.ORGANISATION and participant.organisation_id:
            key = f"organisation:{participant.organisation_id}"
        else:
            continue
        if key not in keys:
            keys.append(key)
    return keys
