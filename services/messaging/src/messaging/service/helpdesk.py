"""Asking the technical helpdesk: the question becomes a ticket (a ``helpdesk`` thread)
in the organisation's shared inbox, and the address the asker gave is sent a confirmation
(the event), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.domain.activity import ActivityChange, ActivityKind
from messaging.domain.helpdesk import LANGUAGES, HelpdeskQuestionAsked, ticket_subject
from messaging.domain.threads import (
    Access,
    Thread,
    ThreadKind,
    account_participant,
    new_id,
    organisation_participant,
)
from messaging.service.common import MAX_BODY_LENGTH, Caller, Services, caller_name, publish
from messaging.service.conversations import add_message, message_activity
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_text


@dataclass(frozen=True)
class Ticket:
    thread_id: str
    organisation_name: str


def check_question(email: str, question: str, language: str) -> tuple[str, str, str]:
    """The address (well-formed), the question (required) and the language of the
    confirmation (nl, the default, or en); every problem named at once."""
    errors = FieldErrors()
    address = check_email(email, "email", errors)
    text = check_text(question, "question", errors, max_length=MAX_BODY_LENGTH, required=True)
    if language and language not in LANGUAGES:
        errors.add("language", "must be one of: nl, en")
    errors.raise_if_any()
    return address, text, language or "nl"


async def do_ask_helpdesk(services: Services, caller: Caller, *, email: str, question: str, language: str) -> Ticket:
    """A ticket for the caller's organisation's helpdesk. The asker takes part as themself
    (not through the organisation), so the question arrives in the shared inbox as received
    and unread, where the helpdesk answers it."""
    caller.principal.require(Capability.VIEW_ORGANISATION)
    organisation_id = caller.principal.organisation_id
    assert organisation_id is not None
    address, text, language = check_question(email, question, language)
    name = await caller_name(services, caller)
    now = services.clock()
    thread_id = new_id()
    organisation_name = caller.principal.organisation_name or ""
    async with services.uow() as uow:
        thread = Thread(
            id=thread_id,
            kind=ThreadKind.HELPDESK,
            subject=ticket_subject(text),
            organisation_id=organisation_id,
            organisation_name=organisation_name,
            created_by_account_id=caller.principal.subject_id,
            created_at=now,
            last_activity_at=now,
        )
        asker = account_participant(thread_id, caller.principal.subject_id, name, now)
        helpdesk = organisation_participant(thread_id, organisation_id, organisation_name, now)
        participants = [asker, helpdesk]
        await uow.threads.add(thread)
        for participant in participants:
            await uow.participants.add(participant)
        await publish(
            uow,
            participants,
            ActivityChange(ActivityKind.THREAD_CREATED, thread_id, now, actor_participant_id=asker.id, actor_name=name),
        )
        message = await add_message(uow, Access(thread, asker, participants), text, now)
        uow.emit(
            HelpdeskQuestionAsked(
                thread_id=thread_id,
                organisation_id=organisation_id,
                organisation_name=organisation_name,
                email=address,
                language=language,
                occurred_at=now,
            )
        )
        await publish(uow, participants, message_activity(message))
        await uow.commit()
    return Ticket(thread_id, organisation_name)
