"""The live activity feed: what open clients are told (new messages, likes, read receipts).

Each change writes one row per interested reader key in the same transaction as the change;
a row's position orders the feed, and a client resumes after the last position it saw.
Readers are keyed as ``account:<id>`` (a person or staff member, on every device),
``staff:<organisation id>:<account id>`` (a staff member's own rows in their organisation's
threads, read only while they are staff of it) and ``organisation:<id>`` (the shared inbox,
seen by every staff member of it). The rows of a thread whose kind not every staff member
reaches through the shared inbox (``KindPolicy.restricted_inbox``: an e-counter case, a
helpdesk ticket) carry the kind at the end of the last two, ``organisation:<id>:<kind>``,
and are read only by those :func:`~messaging.domain.threads.reaches_through_inbox` lets in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from messaging.domain.threads import (
    POLICIES,
    Participant,
    ParticipantKind,
    ThreadKind,
    policy_for,
    reaches_through_inbox,
    staff_organisation,
)
from zorgpost_kit.auth import Principal


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
    """The feed keys a caller reads: their own, and for staff the rows they have as staff
    of the organisation their token names and that organisation's shared inbox, of the
    kinds they reach there. Rows they got as staff of an organisation they left are no
    longer read (``staff_organisation``)."""
    keys = [f"account:{principal.subject_id}"]
    organisation = staff_organisation(principal)
    if organisation is not None:
        keys.append(staff_reader_key(organisation, principal.subject_id))
        keys.append(f"organisation:{organisation}")
        for policy in POLICIES.values():
            if policy.restricted_inbox and reaches_through_inbox(principal, policy.kind):
                keys.append(staff_reader_key(organisation, principal.subject_id, policy.kind))
                keys.append(f"organisation:{organisation}:{policy.kind.value}")
    return keys


def staff_reader_key(organisation_id: str, account_id: str, kind: ThreadKind | None = None) -> str:
    """The key of what a staff member reads as staff of ``organisation_id`` (in a thread of
    ``kind``: see the module docstring)."""
    return f"staff:{organisation_id}:{account_id}" + _restricted(kind)


def _restricted(kind: ThreadKind | None) -> str:
    return f":{kind.value}" if kind is not None and policy_for(kind).restricted_inbox else ""


def participant_reader_key(participant: Participant, kind: ThreadKind) -> str | None:
    """The feed key a participant's rows in a thread of ``kind`` are written under: a staff
    member's row acquired via an organisation is keyed by that organisation too, so it
    reaches them only while they are staff of it; guests have no live feed."""
    if participant.kind is ParticipantKind.ACCOUNT and participant.account_id:
        via = participant.via_organisation_id
        if via is not None:
            return staff_reader_key(via, participant.account_id, kind)
        return f"account:{participant.account_id}"
    if participant.kind is ParticipantKind.ORGANISATION and participant.organisation_id:
        return f"organisation:{participant.organisation_id}" + _restricted(kind)
    return None


def keys_of(participants: Iterable[Participant], kind: ThreadKind) -> list[str]:
    """The feed keys of the participants of a thread of ``kind`` (guests have no live feed)."""
    keys: list[str] = []
    for participant in participants:
        key = participant_reader_key(participant, kind)
        if key is not None and key not in keys:
            keys.append(key)
    return keys
