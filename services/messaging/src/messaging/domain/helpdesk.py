"""The technical helpdesk ("Hulp nodig?" → "Technische helpdesk", seed 3): a question with
the address to confirm it to becomes a ticket, a thread of kind ``helpdesk`` between the
asker and the shared inbox of the department(s) running the e-counter for the asker's
organisation, where staff with the helpdesk role answer it."""

from __future__ import annotations

from dataclasses import dataclass

from zorgpost_kit.events import DomainEvent

#: A ticket's subject in the helpdesk's list: the question's first line, this long at most.
MAX_SUBJECT = 80
LANGUAGES = ("nl", "en")


def ticket_subject(question: str) -> str:
    """The first line of the question, shortened with an ellipsis when it is long."""
    first = next((line.strip() for line in question.splitlines() if line.strip()), "")
    return first if len(first) <= MAX_SUBJECT else first[: MAX_SUBJECT - 1].rstrip() + "…"


@dataclass(frozen=True, kw_only=True)
class HelpdeskQuestionAsked(DomainEvent):
    """``messaging.helpdesk_question.asked``: the address given gets a confirmation with a
    link to the ticket; never the question."""

    thread_id: str
    organisation_id: str
    organisation_name: str
    email: str
    language: str
