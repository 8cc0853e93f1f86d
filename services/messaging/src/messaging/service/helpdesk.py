"""Asking the technical helpdesk: the question becomes a ticket (a ``helpdesk`` thread)
in the shared inbox of whoever runs the e-counter for the asker's organisation, and the
address the asker gave is sent a confirmation (the event), in one transaction.

Whose helpdesk: the e-counter of a supervised organisation is run by the department(s)
that supervise it (identity's links), and that is where the helpdesk role is held — a care
organisation has nobody answering technical questions about the e-counter. So the ticket
goes to the shared inbox of every department that supervises the asker's organisation
(usually one), where its staff with the ``helpdesk`` role answer it: only they reach
tickets through that inbox (``domain.threads.reaches_through_inbox``). A department's own
staff ask their own department's helpdesk. The asker takes part as themself and their own
organisation's shared inbox does not: a colleague does not read someone else's ticket. An
organisation that no department supervises has no helpdesk to ask (409 ``no_helpdesk``),
rather than a ticket nobody answers."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.domain.errors import HelpdeskLimitReached, NoHelpdesk
from messaging.domain.helpdesk import LANGUAGES, HelpdeskQuestionAsked, ticket_subject
from messaging.domain.secure_mail import SendingLimit, recipient_key
from messaging.domain.threads import ThreadKind, on_department_side
from messaging.service.common import HOUR, MAX_BODY_LENGTH, Caller, Services, caller_name, limits_wait, publish
from messaging.service.conversations import StartWith, add_message, message_activity, new_thread, store_new_thread
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_text


@dataclass(frozen=True)
class Ticket:
    thread_id: str
    #: Whose helpdesk answers it.
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
    """A ticket for the helpdesk that serves the caller's organisation (see the module's
    docstring). The asker takes part as themself (not through their organisation), so the
    question arrives in the helpdesk's shared inbox as received and unread, where it is
    answered."""
    caller.principal.require(Capability.VIEW_ORGANISATION)
    organisation_id = caller.principal.organisation_id
    assert organisation_id is not None
    address, text, language = check_question(email, question, language)
    helpdesks = await _helpdesks(services, caller)
    name = await caller_name(services, caller)
    now = services.clock()
    access = new_thread(
        caller,
        ThreadKind.HELPDESK,
        ticket_subject(text),
        None,
        name=name,
        now=now,
        as_themself=True,
        start_with=StartWith(organisations=helpdesks) if helpdesks else None,
        own_inbox=not helpdesks,
    )
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
        await publish(uow, access.thread, access.participants, message_activity(message))
        await uow.commit()
    answered_by = ", ".join(department for _, department in helpdesks) or access.thread.organisation_name
    return Ticket(access.thread.id, answered_by)


async def _helpdesks(services: Services, caller: Caller) -> tuple[tuple[str, str], ...]:
    """The departments (id, name) whose shared inbox takes the caller's ticket; empty for a
    department's own staff, whose own shared inbox takes it (see the module's docstring)."""
    links = await services.directory.supervisors(caller.access_token)
    if links:
        return tuple((link.organisation_id, link.organisation_name) for link in links)
    if on_department_side(caller.principal):
        return ()
    raise NoHelpdesk()
