"""What the portal's first page shows (seed 4, "Welkom terug"): what happened since the
previous login, the next appointment, and how well the account is secured.

"Since the previous login": each (person, actor) pair remembers the session it last saw and
when it was last seen; a new session makes the last time seen in the one before it the
"since" of the new one, and it stays so for every page of that session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain.appointments import Appointment


@dataclass(frozen=True)
class Visit:
    session_id: str
    #: The "since" of this session: the last moment seen in the session before (None at first).
    since: datetime | None
    last_seen_at: datetime


def next_visit(previous: Visit | None, session_id: str, now: datetime) -> Visit:
    if previous is None:
        return Visit(session_id, None, now)
    if previous.session_id == session_id:
        return Visit(session_id, previous.since, now)
    return Visit(session_id, previous.last_seen_at, now)


@dataclass(frozen=True)
class ActivityCounts:
    new_documents: int = 0
    new_reports: int = 0
    appointments_held: int = 0
    new_messages: int = 0
    new_diary_notes: int = 0
    new_results: int = 0
    new_questionnaires: int = 0


@dataclass(frozen=True)
class SecurityStatus:
    """Known only in a person's own portal (identity tells it about the caller's own account)."""

    second_factor: bool
    secret_question: bool


@dataclass(frozen=True)
class Dashboard:
    person_id: str
    since: datetime | None
    activity: ActivityCounts
    next_appointment: Appointment | None
    upcoming_appointments: list[Appointment]
    active_trajectories: int
    awaiting_my_approval: int
    open_questionnaires: int
    security: SecurityStatus | None


@dataclass(frozen=True)
class MessageActivity:
    """A message in a care or e-consult conversation, as the portal learns of it from
    ``messaging.message.sent`` (never its content)."""

    message_id: str
    person_id: str
    thread_id: str
    thread_kind: str
    organisation_id: str
    #: "received" (someone wrote to the person) or "sent" (the person, or someone for them).
    direction: str
    sender_name: str
    sent_at: datetime
    acted_by: str = ""


@dataclass(frozen=True)
class Action:
    """One change in a person's portal: who did it (``actor_id``) for whom (``person_id``)."""

    id: str
    person_id: str
    organisation_id: str
    actor_id: str
    action: str
    object_id: str
    at: datetime

    @property
    def on_behalf(self) -> bool:
        return self.actor_id != self.person_id
