"""The e-counter (seed 3): messages between a department and the organisations it
oversees, by theme and reference number, as threads of kind ``org_case`` — one thread per
reference number, every reply a message in it.

Each organisation has its own list of the messages it received and sent (an
:class:`EcounterEntry` per message per organisation), so "received", "sent" and a theme's
"In/Out" are one keyset-paged query each. Who at the organisation is told of a message from
the department: its confirmed contact persons for the theme (minus those taken off this
message) and the message's own contacts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from zorgpost_kit.errors import FailedPrecondition, InvalidArgument
from zorgpost_kit.events import DomainEvent


class Box(StrEnum):
    RECEIVED = "received"
    SENT = "sent"


class EntryStatus(StrEnum):
    #: Received, nobody of the organisation opened it yet.
    NEW = "new"
    READ = "read"
    #: Received, and the organisation replied after it.
    ANSWERED = "answered"
    SENT = "sent"


def format_reference(year: int, number: int) -> str:
    """``2026-000123``: the year and a number counting up within it."""
    return f"{year}-{number:06d}"


@dataclass(frozen=True)
class EcounterCase:
    """What a thread is on the e-counter: its theme, its reference, and the two sides."""

    thread_id: str
    reference: str
    theme_id: str
    theme_name: str
    #: The organisation the department oversees, and the department keeping the theme.
    organisation_id: str
    organisation_name: str
    department_id: str
    department_name: str
    team_name: str
    created_at: datetime

    def side_of(self, organisation_id: str | None) -> str | None:
        if organisation_id == self.organisation_id:
            return "organisation"
        if organisation_id == self.department_id:
            return "department"
        return None

    def other_side(self, organisation_id: str) -> tuple[str, str]:
        if organisation_id == self.organisation_id:
            return self.department_id, self.department_name
        return self.organisation_id, self.organisation_name

    @property
    def received_by(self) -> str:
        """Whom a message of the organisation reaches, as the confirmation says it."""
        return f"{self.team_name} ({self.department_name})" if self.team_name else self.department_name


@dataclass(frozen=True)
class EcounterEntry:
    """One message in one organisation's list."""

    id: str
    organisation_id: str
    box: Box
    thread_id: str
    message_id: str
    theme_id: str
    theme_name: str
    reference: str
    title: str
    sender_name: str
    sender_organisation_name: str
    counterpart_name: str
    status: EntryStatus
    sent_at: datetime


def entries_for_message(
    case: EcounterCase,
    *,
    sender_organisation_id: str,
    message_id: str,
    title: str,
    sender_name: str,
    sent_at: datetime,
) -> list[EcounterEntry]:
    """The sender's "sent" entry and the other side's "received" entry."""
    receiver_id, receiver_name = case.other_side(sender_organisation_id)
    _, sender_organisation_name = case.other_side(receiver_id)

    def entry(organisation_id: str, box: Box, counterpart_name: str, status: EntryStatus) -> EcounterEntry:
        return EcounterEntry(
            id=str(uuid.uuid4()),
            organisation_id=organisation_id,
            box=box,
            thread_id=case.thread_id,
            message_id=message_id,
            theme_id=case.theme_id,
            theme_name=case.theme_name,
            reference=case.reference,
            title=title,
            sender_name=sender_name,
            sender_organisation_name=sender_organisation_name,
            counterpart_name=counterpart_name,
            status=status,
            sent_at=sent_at,
        )

    return [
        entry(sender_organisation_id, Box.SENT, receiver_name, EntryStatus.SENT),
        entry(receiver_id, Box.RECEIVED, sender_organisation_name, EntryStatus.NEW),
    ]


@dataclass(frozen=True)
class MessageContact:
    """Someone of the organisation told of the answers to one message only (seed 3,
    "Contactdetails"): not one of the organisation's standard contact persons."""

    id: str
    thread_id: str
    first_name: str
    last_name: str
    email: str
    phone: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class StandardContact:
    """One of the organisation's contact persons for the theme, as contacts says."""

    id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    confirmed: bool

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Told:
    email: str
    display_name: str


def who_is_told(standard: list[StandardContact], excluded: set[str], own: list[MessageContact]) -> list[Told]:
    """The confirmed standard contacts not taken off this message, and the message's own
    contacts; each address once."""
    told: list[Told] = []
    seen: set[str] = set()
    for person in standard:
        if person.confirmed and person.id not in excluded and person.email.lower() not in seen:
            seen.add(person.email.lower())
            told.append(Told(person.email, person.display_name))
    for contact in own:
        if contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            told.append(Told(contact.email, contact.display_name))
    return told


# ----------------------------------------------------------------------------- reach
#: Supervision links as identity keeps them: the organisation on the other side of each link
#: (by id), with the theme codes the link covers.
Links = Mapping[str, Sequence[str]]

NOT_AN_ORGANISATION = "is not an organisation"
NOT_A_SUPERVISED_THEME = "your department does not supervise this organisation in this theme"
NOT_SUPERVISED_IN_THEME = "no department supervises your organisation in this theme, so nobody could read the message"


def department_reach(supervised: Links, organisation_id: str, theme_id: str) -> dict[str, str]:
    """Why a department may not start a message to ``organisation_id`` in ``theme_id``
    (field → problem; empty when it may). It reaches only the organisations it supervises,
    in the themes of that link; any other organisation is answered as unknown, as its
    existence is not the department's to learn."""
    themes = supervised.get(organisation_id)
    if themes is None:
        return {"organisation_id": NOT_AN_ORGANISATION}
    if theme_id and theme_id not in themes:
        return {"theme_id": NOT_A_SUPERVISED_THEME}
    return {}


def organisation_reach(supervisors: Links, department_id: str, theme_id: str) -> dict[str, str]:
    """Why an organisation may not write to the department keeping ``theme_id`` (field →
    problem; empty when it may): only a department that supervises it in that theme reads
    the message (a theme is kept by one department, so there is no other to send it to)."""
    if theme_id not in supervisors.get(department_id, ()):
        return {"theme_id": NOT_SUPERVISED_IN_THEME}
    return {}


# ----------------------------------------------------------------------------- errors
class NoContactForTheme(FailedPrecondition):
    code = "no_contact_for_theme"
    default_message = (
        "Er is geen contactpersoon voor dit thema. Voeg minstens één contactpersoon toe voor dit bericht "
        "of bevestig een contactpersoon voor het thema. (There is no contact person for this theme: add one "
        "to this message, or confirm one for the theme.)"
    )


class NotSupervised(FailedPrecondition):
    """An answer in a case whose department no longer supervises the organisation in the
    case's theme (the link ended or lost the theme), from either side: the history stays
    readable, but nobody on the department's side could take an answer up."""

    code = "not_supervised"
    default_message = (
        "Het departement houdt geen toezicht meer op deze organisatie voor dit thema; in dit bericht kan niet "
        "meer worden geantwoord. (The department no longer supervises this organisation in this theme: this "
        "message can no longer be answered.)"
    )


class UnknownTheme(InvalidArgument):
    code = "unknown_theme"
    default_message = "No such theme."


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True, kw_only=True)
class EcounterMessageSent(DomainEvent):
    """``messaging.ecounter_message.sent``: a department's message to an organisation; the
    addresses to tell, never the content."""

    message_id: str
    thread_id: str
    organisation_id: str
    organisation_name: str
    sender_organisation_name: str
    reference: str
    theme_id: str
    told: tuple[Told, ...]
