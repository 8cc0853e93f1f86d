"""Asking the technical helpdesk: the question becomes a ticket (a ``helpdesk`` thread)
in the organisation's shared inbox, and the address the asker gave is sent a confirmation
(the event), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.domain.errors import HelpdeskLimitReached
from messaging.domain.helpdesk import LANGUAGES, HelpdeskQuestionAsked, ticket_subject
from messaging.domain.secure_mail import SendingLimit, recipient_key
from messaging.domain.threads import ThreadKind
from messaging.service.common import HOUR, MAX_BODY_LENGTH, Caller, Services, caller_name, limits_wait, publish
from messaging.service.conversations import add_message, message_activity, new_thread, store_new_thread
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
    access = new_thread(caller, ThreadKind.HELPDESK, ticket_subject(text), None, name=name, now=now, as_themself=True)
    limits = [
        (
            SendingLimit("helpdesk_account", services.helpdesk_questions_per_account_per_hour, HOUR),
            caller.principal.subject_id,
        ),
        (
            SendingLimit("helpdesk_address", services.helpdesk_questions_per_address_per_hour, HOUR),
            recipient_key(address),
        ),
    ]
    async with services.uow() as uow:
        wait = await limits_wait(uow, now, limits)
        if wait is not None:
            raise HelpdeskLimitReached(retry_after_seconds=wait)
        await store_new_thread(uow, access, now)
        message = await add_message(uow, access, text, now)
        uow.emit(
            HelpdeskQuestionAsked(
                thread_id=access.thread.id,
                organisation_id=organisation_id,
                organisation_name=access.thread.organisation_name,
                email=address,
                language=language,
                occurred_at=now,
            )
        )
        await publish(uow, access.participants, message_activity(message))
        await uow.commit()
    return Ticket(access.thread.id, access.thread.organisation_name)
