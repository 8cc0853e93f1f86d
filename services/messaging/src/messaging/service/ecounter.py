"""Use cases of the e-counter (seed 3, "De berichtenmodule"): a new message with theme,
title and text under a fresh reference number, replies under the same reference, the
received/sent/theme lists, a message's history, and its contacts ("Contactdetails").

``check_*`` validates everything at once (nothing is sent on an error); ``do_*`` changes
state in one unit of work with its events. Whom contacts reach: see
:func:`messaging.domain.ecounter.who_is_told`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from messaging.domain.ecounter import (
    NOT_AN_ORGANISATION,
    Box,
    EcounterCase,
    EcounterEntry,
    EcounterMessageSent,
    EntryStatus,
    MessageContact,
    NoContactForTheme,
    NotSupervised,
    Told,
    UnknownTheme,
    department_reach,
    entries_for_message,
    format_reference,
    organisation_reach,
    who_is_told,
)
from messaging.domain.errors import ThreadNotFound
from messaging.domain.threads import (
    Access,
    Message,
    ThreadKind,
    new_id,
    require_inbox_kind,
)
from messaging.service.attachments import AcceptedFile, discard_files, store_files
from messaging.service.common import (
    MAX_SUBJECT_LENGTH,
    Caller,
    Services,
    caller_name,
    check_body,
    check_line,
    decode_cursor,
    encode_cursor,
    open_thread,
    parse_id,
    publish,
)
from messaging.service.conversations import (
    StartWith,
    StoredFile,
    add_message,
    check_post_access,
    message_activity,
    new_thread,
    store_new_thread,
)
from messaging.service.ports import (
    ContactsDirectory,
    EcounterFilter,
    ListCursor,
    MessagingUnitOfWork,
    NewContactPerson,
    SupervisionLink,
    ThemeContacts,
)
from zorgpost_kit.calendar import ZONE
from zorgpost_kit.errors import FieldErrors, InvalidArgument, Unavailable
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_name, check_phone

#: The seed's lists show five messages a page.
DEFAULT_ECOUNTER_PAGE = 5
MAX_ECOUNTER_PAGE = 100
MAX_CONTACTS_PER_MESSAGE = 20
TAKEN = "is already a contact person of your organisation"


@dataclass(frozen=True)
class ContactInput:
    """A contact added on a message: ``standard`` also makes them one of the organisation's
    contact persons for the theme (who then gets a confirmation mail)."""

    first_name: str
    last_name: str
    email: str
    phone: str
    standard: bool = False


@dataclass(frozen=True)
class ContactChanges:
    add: tuple[ContactInput, ...] = ()
    #: Standard contact persons to take off this message, or the message's own contacts to drop.
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentView:
    case: EcounterCase
    entry: EcounterEntry
    received_by: str


def _contacts(services: Services) -> ContactsDirectory:
    if services.contacts is None:
        raise Unavailable()
    return services.contacts


def _themes_by_organisation(links: list[SupervisionLink]) -> dict[str, tuple[str, ...]]:
    return {link.organisation_id: link.themes for link in links}


def _organisation_of(caller: Caller) -> str:
    """The caller's organisation, whose e-counter they work only where its shared inbox
    reaches cases (``domain.threads.reaches_through_inbox``, the rule opening a case, the
    lists, search and the live feed apply too): on an organisation's side every member of
    staff who works its shared inbox reads and writes its messages, on a department's side
    its case handlers only (403 for its other staff, naming the capability)."""
    require_inbox_kind(caller.principal, ThreadKind.ORG_CASE)
    assert caller.principal.organisation_id is not None
    return caller.principal.organisation_id


def _require_case_handling(caller: Caller, from_department: bool) -> None:
    """The department's side, as the case itself says (whatever the token's claims)."""
    if from_department:
        caller.principal.require(Capability.HANDLE_CASES)


def check_contact_changes(
    changes: ContactChanges,
    theme: ThemeContacts,
    own: list[MessageContact],
    errors: FieldErrors,
) -> tuple[list[ContactInput], set[str], set[str]]:
    """The contacts to add (all fields required, addresses well-formed and not already the
    organisation's or this message's), the standard contact persons to exclude and the own
    contacts to drop; every problem is recorded under ``contacts[i].<field>`` or
    ``removed_contact_ids[i]``."""
    if len(changes.add) > MAX_CONTACTS_PER_MESSAGE:
        errors.add("contacts", f"at most {MAX_CONTACTS_PER_MESSAGE} contacts")
    standard = {p.id: p for p in theme.contact_persons}
    own_by_id = {c.id: c for c in own}
    excluded: set[str] = set()
    dropped: set[str] = set()
    for index, identifier in enumerate(changes.remove):
        if identifier in standard:
            excluded.add(identifier)
        elif identifier in own_by_id:
            dropped.add(identifier)
        else:
            errors.add(f"removed_contact_ids[{index}]", "is not a contact of this message")
    # Editing a contact for this message only is taking them off it and adding the changed
    # details as the message's own: their address is free again for this message (not as a
    # new standard contact person, which the organisation has already).
    freed = {standard[i].email.lower() for i in excluded} | {own_by_id[i].email.lower() for i in dropped}
    organisation_taken = set(theme.organisation_emails)
    message_taken = {c.email.lower() for c in own if c.id not in dropped}
    added: list[ContactInput] = []
    for index, contact in enumerate(changes.add):
        field = f"contacts[{index}]"
        first_name = check_name(contact.first_name, f"{field}.first_name", errors)
        last_name = check_name(contact.last_name, f"{field}.last_name", errors)
        email = check_email(contact.email, f"{field}.email", errors)
        if not contact.phone.strip():
            errors.add(f"{field}.phone", "is required")
        phone = check_phone(contact.phone, f"{field}.phone", errors)
        address = email.lower()
        in_organisation = address in organisation_taken and (contact.standard or address not in freed)
        if email and (in_organisation or address in message_taken):
            errors.add(f"{field}.email", TAKEN)
        message_taken.add(address)
        added.append(ContactInput(first_name, last_name, email, phone, contact.standard))
    return added, excluded, dropped


def require_a_contact(
    theme: ThemeContacts, excluded: set[str], own: list[MessageContact], added: list[ContactInput]
) -> None:
    """The seed's rule before an organisation sends: at least one contact for the theme —
    a confirmed standard contact person not taken off, or one of the message's own."""
    if not added and not who_is_told(theme.contact_persons, excluded, own):
        raise NoContactForTheme()


def _check_message(title: str, body: str, errors: FieldErrors, *, title_required: bool) -> tuple[str, str]:
    return (
        check_line(title, "title", errors, max_length=MAX_SUBJECT_LENGTH, required=title_required),
        check_body(body, errors, required=True),
    )


async def _add_standard_contacts(services: Services, caller: Caller, theme_id: str, added: list[ContactInput]) -> None:
    for contact in added:
        if contact.standard:
            await _contacts(services).add_contact_person(
                caller.access_token,
                NewContactPerson(contact.first_name, contact.last_name, contact.email, contact.phone, [theme_id]),
            )


def _own_contacts(thread_id: str, added: list[ContactInput]) -> list[MessageContact]:
    return [MessageContact(new_id(), thread_id, c.first_name, c.last_name, c.email, c.phone) for c in added]


def check_ecounter_send(caller: Caller, *, organisation_id: str) -> None:
    """What is checked of a new message before a byte of its files is taken: the caller
    works their organisation's e-counter, the target can be an organisation, and writing to
    another organisation is a case handler's (:func:`do_send_ecounter_message` checks it
    again with everything else)."""
    mine = _organisation_of(caller)
    target = parse_id(organisation_id) if organisation_id else mine
    if target is None:
        raise InvalidArgument(fields={"organisation_id": "is not an organisation"})
    _require_case_handling(caller, target != mine)


async def check_ecounter_reply(services: Services, caller: Caller, thread_id: str) -> str:
    """What is checked of a reply before a byte of its files is taken, in the order
    :func:`do_reply_ecounter_message` checks it: the caller works the e-counter (403), may
    write in this open case of their organisation (404), answers for the department only as
    a case handler (403), and the department still supervises the organisation in the
    case's theme (409 ``not_supervised``)."""
    mine = _organisation_of(caller)
    canonical = await check_post_access(services, caller, thread_id)
    async with services.uow() as uow:
        case = await uow.ecounter.case(canonical)
    if case is None or case.side_of(mine) is None:
        raise ThreadNotFound()
    _require_case_handling(caller, case.side_of(mine) == "department")
    await _require_supervision(services, caller, case, mine)
    return canonical


async def _require_supervision(services: Services, caller: Caller, case: EcounterCase, mine: str) -> None:
    """Either side answers only while the department supervises the organisation in the
    case's theme: after the link ended nobody on the department's side could take it up.
    Identity is asked afresh, so a link that ended counts at once."""
    if case.side_of(mine) == "department":
        supervised = _themes_by_organisation(await services.directory.supervised(caller.access_token))
        if department_reach(supervised, case.organisation_id, case.theme_id):
            raise NotSupervised()
    else:
        supervisors = _themes_by_organisation(await services.directory.supervisors(caller.access_token))
        if organisation_reach(supervisors, case.department_id, case.theme_id):
            raise NotSupervised()


async def do_send_ecounter_message(
    services: Services,
    caller: Caller,
    *,
    theme_id: str,
    title: str,
    body: str,
    organisation_id: str,
    changes: ContactChanges,
    files: list[AcceptedFile] | None = None,
) -> SentView:
    """A new message under a new reference number. From an organisation: to the department
    keeping the theme, which must supervise it in that theme (``theme_id`` refused
    otherwise), and only with a contact for the theme (409 ``no_contact_for_theme``
    otherwise). From the department: to ``organisation_id``, one it supervises in the theme
    (an organisation it does not supervise is refused as unknown, a theme outside the link
    names ``theme_id``), whose contacts for the theme are told. Nothing is sent when any
    field is wrong; every wrong field is named. ``files`` (already received and checked)
    are stored once everything else passed, and removed again when the message is not
    sent."""
    mine = _organisation_of(caller)
    errors = FieldErrors()
    text_title, text_body = _check_message(title, body, errors, title_required=True)
    target = parse_id(organisation_id) if organisation_id else mine
    # Writing to another organisation is the department's side: refused before contacts is
    # asked about that organisation's theme contacts.
    _require_case_handling(caller, target is not None and target != mine)
    theme = None
    reach: dict[str, str] = {}
    if target is None:
        reach = {"organisation_id": NOT_AN_ORGANISATION}
    elif target != mine:
        # Its supervision links first: an organisation it does not supervise is unknown to
        # it, and contacts is not asked about it at all.
        reach = department_reach(
            _themes_by_organisation(await services.directory.supervised(caller.access_token)), target, theme_id
        )
    for field, problem in reach.items():
        errors.add(field, problem)
    if target is not None and not reach and theme_id:
        theme = await _contacts(services).theme_contacts(caller.access_token, target, theme_id)
    if theme is None:
        if not theme_id:
            errors.add("theme_id", "is required")
        elif not reach:
            errors.add("theme_id", "is not a theme")
    elif theme.department_id == mine and target == mine:
        errors.add("organisation_id", "choose the organisation the message is for")
    elif target != mine and theme.department_id != mine:
        errors.add("organisation_id", "you may write to another organisation only about your own themes")
    elif target == mine:
        # An organisation writes to the department keeping the theme, which must supervise
        # it in that theme: otherwise the message would reach nobody who may read it.
        supervisors = _themes_by_organisation(await services.directory.supervisors(caller.access_token))
        for field, problem in organisation_reach(supervisors, theme.department_id, theme.theme_id).items():
            errors.add(field, problem)
    added: list[ContactInput] = []
    excluded: set[str] = set()
    if theme is not None:
        added, excluded, _ = check_contact_changes(changes, theme, [], errors)
    errors.raise_if_any()
    assert theme is not None and target is not None
    from_department = theme.department_id == mine
    _require_case_handling(caller, from_department)
    if from_department:
        name_of_target = await services.directory.organisation_name(caller.access_token, target)
        if name_of_target is None:
            raise InvalidArgument(fields={"organisation_id": "is not an organisation"})
    else:
        name_of_target = caller.principal.organisation_name or ""
        require_a_contact(theme, excluded, [], added)
    stored = await store_files(services, files or [])
    try:
        return await _send_new(
            services,
            caller,
            theme=theme,
            target=target,
            name_of_target=name_of_target,
            title=text_title,
            body=text_body,
            added=added,
            excluded=excluded,
            files=stored,
        )
    except BaseException:
        await discard_files(services, stored)
        raise


async def _send_new(
    services: Services,
    caller: Caller,
    *,
    theme: ThemeContacts,
    target: str,
    name_of_target: str,
    title: str,
    body: str,
    added: list[ContactInput],
    excluded: set[str],
    files: list[StoredFile],
) -> SentView:
    mine = _organisation_of(caller)
    from_department = theme.department_id == mine
    name = await caller_name(services, caller)
    # Every check has passed: the contact persons (each mailed to confirm) are made last,
    # so only a failure of the store below itself could leave them without the message.
    await _add_standard_contacts(services, caller, theme.theme_id, added)
    now = services.clock()
    async with services.uow() as uow:
        reference = format_reference(now.year, await uow.ecounter.next_reference_number(now.year))
        thread_id = new_id()
        case = EcounterCase(
            thread_id=thread_id,
            reference=reference,
            theme_id=theme.theme_id,
            theme_name=theme.theme_name,
            organisation_id=target,
            organisation_name=name_of_target,
            department_id=theme.department_id,
            department_name=theme.department_name,
            team_name=theme.team_name,
            created_at=now,
        )
        # Started as StartThread starts an org case: the caller, their organisation's shared
        # inbox and the other side's.
        access = new_thread(
            caller,
            ThreadKind.ORG_CASE,
            title,
            reference,
            name=name,
            now=now,
            start_with=StartWith(organisations=(case.other_side(mine),)),
            thread_id=thread_id,
        )
        await store_new_thread(uow, access, now)
        await uow.ecounter.add_case(case)
        entry = await _send_in(
            uow,
            access,
            case=case,
            mine=mine,
            name=name,
            title=title,
            body=body,
            theme=theme,
            own=[],
            new_own=_own_contacts(thread_id, added),
            excluded=excluded,
            dropped=set(),
            now=now,
            files=files,
        )
        await uow.commit()
    return SentView(case, entry, case.received_by if not from_department else name_of_target)


async def _send_in(
    work: MessagingUnitOfWork,
    access: Access,
    *,
    case: EcounterCase,
    mine: str,
    name: str,
    title: str,
    body: str,
    theme: ThemeContacts,
    own: list[MessageContact],
    new_own: list[MessageContact],
    excluded: set[str],
    dropped: set[str],
    now: datetime,
    files: list[StoredFile],
) -> EcounterEntry:
    """The message in its thread, both sides' entries (the sender's earlier received ones
    now answered), the message's contact changes and, from the department, the notice to
    the organisation's contacts (the event); in the caller's unit of work."""
    for contact in new_own:
        await work.ecounter.add_own_contact(contact)
    await work.ecounter.remove_own_contacts(case.thread_id, dropped)
    await work.ecounter.exclude_contacts(case.thread_id, excluded)
    message = await add_message(work, access, body, now, files=files)
    entries = entries_for_message(
        case,
        sender_organisation_id=mine,
        message_id=message.id,
        title=title,
        sender_name=f"{name} ({access.organisation.display_name})" if access.organisation else name,
        sent_at=now,
    )
    await work.ecounter.add_entries(entries)
    await work.ecounter.set_status(mine, case.thread_id, (EntryStatus.NEW, EntryStatus.READ), EntryStatus.ANSWERED)
    if case.side_of(mine) == "department":
        all_excluded = (await work.ecounter.excluded_contacts(case.thread_id)) | excluded
        remaining = [c for c in own if c.id not in dropped] + new_own
        told = who_is_told(theme.contact_persons, all_excluded, remaining)
        work.emit(
            EcounterMessageSent(
                message_id=message.id,
                thread_id=case.thread_id,
                organisation_id=case.organisation_id,
                organisation_name=case.organisation_name,
                sender_organisation_name=case.department_name,
                reference=case.reference,
                theme_id=case.theme_id,
                told=tuple(told),
                occurred_at=now,
            )
        )
    await publish(work, access.thread, access.participants, message_activity(message))
    return entries[0]


async def do_reply_ecounter_message(
    services: Services,
    caller: Caller,
    *,
    thread_id: str,
    title: str,
    body: str,
    changes: ContactChanges,
    files: list[AcceptedFile] | None = None,
) -> SentView:
    """A reply under the thread's reference number, by either side (404 for anyone else).
    The organisation's replies need a contact for the theme, as a new message does; both
    sides' need the department's supervision of the organisation in the theme to last (409
    ``not_supervised`` once it ended: the thread stays readable to both).
    ``files`` as :func:`do_send_ecounter_message` takes them."""
    mine = _organisation_of(caller)
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        opened = await open_thread(uow, caller, thread_id, name=name, now=now, lock=False)
        case = await uow.ecounter.case(str(parse_id(thread_id)))
        if case is None or case.side_of(mine) is None:
            raise ThreadNotFound()
        # before any contact person is made (checked again under the lock when storing)
        opened.thread.require_open()
        _require_case_handling(caller, case.side_of(mine) == "department")
        own = await uow.ecounter.own_contacts(case.thread_id)
        already_excluded = await uow.ecounter.excluded_contacts(case.thread_id)
    # Checked before the files were taken too (check_ecounter_reply); asked again, as the
    # link may have ended while they came in.
    await _require_supervision(services, caller, case, mine)
    errors = FieldErrors()
    text_title, text_body = _check_message(title, body, errors, title_required=False)
    theme = await _contacts(services).theme_contacts(caller.access_token, case.organisation_id, case.theme_id)
    if theme is None:
        raise UnknownTheme(fields={"theme_id": "the theme of this message no longer exists"})
    added, excluded, dropped = check_contact_changes(changes, theme, own, errors)
    errors.raise_if_any()
    if case.side_of(mine) == "organisation":
        remaining = [c for c in own if c.id not in dropped]
        require_a_contact(theme, excluded | already_excluded, remaining, added)
    stored = await store_files(services, files or [])
    try:
        entry = await _reply_in(
            services,
            caller,
            case=case,
            name=name,
            now=now,
            title=text_title,
            body=text_body,
            theme=theme,
            own=own,
            added=added,
            excluded=excluded,
            dropped=dropped,
            files=stored,
        )
    except BaseException:
        await discard_files(services, stored)
        raise
    from_department = case.side_of(mine) == "department"
    return SentView(case, entry, case.organisation_name if from_department else case.received_by)


async def _reply_in(
    services: Services,
    caller: Caller,
    *,
    case: EcounterCase,
    name: str,
    now: datetime,
    title: str,
    body: str,
    theme: ThemeContacts,
    own: list[MessageContact],
    added: list[ContactInput],
    excluded: set[str],
    dropped: set[str],
    files: list[StoredFile],
) -> EcounterEntry:
    mine = _organisation_of(caller)
    thread_id = case.thread_id
    # Every check has passed (the thread was open when checked): the contact persons are
    # made last, so only a failure of the store below itself (or the thread closed in
    # between) could leave them without the message.
    await _add_standard_contacts(services, caller, case.theme_id, added)
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name=name, now=now, lock=True)
        access.thread.require_open()
        entry = await _send_in(
            uow,
            access,
            case=case,
            mine=mine,
            name=name,
            title=title or access.thread.subject,
            body=body,
            theme=theme,
            own=own,
            new_own=_own_contacts(case.thread_id, added),
            excluded=excluded,
            dropped=dropped,
            now=now,
            files=files,
        )
        await uow.commit()
    return entry


# ----------------------------------------------------------------------------- lists
@dataclass(frozen=True)
class ListRequest:
    box: str = ""
    theme_id: str = ""
    reference: str = ""
    title: str = ""
    sender: str = ""
    status: str = ""
    sent_from: str = ""
    sent_until: str = ""
    cursor: str = ""
    limit: int = 0


def _day(value: str, field: str, errors: FieldErrors) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(field, "is not a date (YYYY-MM-DD)")
        return None


def _start_of(day: date) -> datetime:
    """Days are Dutch days: a message of 00:30 in Amsterdam belongs to that date."""
    return datetime.combine(day, time.min, tzinfo=ZONE)


def check_list_request(request: ListRequest) -> tuple[EcounterFilter, ListCursor | None, int]:
    errors = FieldErrors()
    box: Box | None = None
    if request.box:
        try:
            box = Box(request.box)
        except ValueError:
            errors.add("box", "is received or sent")
    status: EntryStatus | None = None
    if request.status:
        try:
            status = EntryStatus(request.status)
        except ValueError:
            errors.add("status", "is new, read, answered or sent")
    reference = check_line(request.reference, "reference", errors, max_length=20, required=False)
    title = check_line(request.title, "title", errors, max_length=MAX_SUBJECT_LENGTH, required=False)
    sender = check_line(request.sender, "sender", errors, max_length=MAX_SUBJECT_LENGTH, required=False)
    theme_id = check_line(request.theme_id, "theme_id", errors, max_length=64, required=False)
    first = _day(request.sent_from, "sent_from", errors)
    last = _day(request.sent_until, "sent_until", errors)
    if first and last and last < first:
        errors.add("sent_until", "is before sent_from")
    cursor = None
    try:
        cursor = decode_cursor(request.cursor)
    except InvalidArgument as error:
        for field, problem in error.fields.items():
            errors.add(field, problem)
    errors.raise_if_any()
    limit = request.limit if request.limit > 0 else DEFAULT_ECOUNTER_PAGE
    narrowed = EcounterFilter(
        box=box,
        theme_id=theme_id,
        reference=reference,
        title=title,
        sender=sender,
        status=status,
        sent_from=_start_of(first) if first else None,
        sent_before=_start_of(last + timedelta(days=1)) if last else None,
    )
    return narrowed, cursor, min(limit, MAX_ECOUNTER_PAGE)


async def list_ecounter_messages(
    services: Services, caller: Caller, request: ListRequest
) -> tuple[list[EcounterEntry], str]:
    """One page of the caller's organisation's messages, newest first, and the cursor of the
    next page ("" on the last). Every staff member of the organisation sees every message
    of it (the seed: "Iedereen die kan aanmelden, kan ook alle berichten … raadplegen"); on
    a department's side its case handlers (:func:`_organisation_of`)."""
    mine = _organisation_of(caller)
    narrowed, cursor, limit = check_list_request(request)
    async with services.uow() as uow:
        entries = await uow.ecounter.entries(mine, narrowed, cursor, limit + 1)
    next_cursor = ""
    if len(entries) > limit:
        entries = entries[:limit]
        last = entries[-1]
        next_cursor = encode_cursor(ListCursor(last.sent_at, last.id))
    return entries, next_cursor


# ----------------------------------------------------------------------------- a message
@dataclass(frozen=True)
class CaseContact:
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    #: One of the organisation's contact persons for the theme (else: this message's own).
    standard: bool
    confirmed: bool
    #: Taken off this message (a standard contact person).
    excluded: bool


@dataclass(frozen=True)
class CaseView:
    case: EcounterCase
    #: Oldest first; each entry with its message.
    history: list[tuple[EcounterEntry, Message | None]]
    contacts: list[CaseContact]
    told: list[Told]


async def do_open_case(services: Services, caller: Caller, thread_id: str) -> CaseView:
    """A message with its history (every message in and out under its reference, as the
    caller's organisation sees them) and who of the organisation is told of answers. Opening
    marks the organisation's new received entries read. 404 for anyone outside the two sides."""
    mine = _organisation_of(caller)
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        await open_thread(uow, caller, thread_id, name=name, now=now, lock=False)
        case = await uow.ecounter.case(str(parse_id(thread_id)))
        if case is None or case.side_of(mine) is None:
            raise ThreadNotFound()
        entries = await uow.ecounter.history(mine, case.thread_id)
        messages = await uow.queries.messages_by_id([e.message_id for e in entries])
        own = await uow.ecounter.own_contacts(case.thread_id)
        excluded = await uow.ecounter.excluded_contacts(case.thread_id)
        await uow.ecounter.set_status(mine, case.thread_id, (EntryStatus.NEW,), EntryStatus.READ)
        await uow.commit()
    theme = await _contacts(services).theme_contacts(caller.access_token, case.organisation_id, case.theme_id)
    standard = theme.contact_persons if theme is not None else []
    contacts = [
        CaseContact(p.id, p.first_name, p.last_name, p.email, p.phone, True, p.confirmed, p.id in excluded)
        for p in standard
    ] + [CaseContact(c.id, c.first_name, c.last_name, c.email, c.phone, False, True, False) for c in own]
    return CaseView(
        case,
        [(entry, messages.get(entry.message_id)) for entry in entries],
        contacts,
        who_is_told(standard, excluded, own),
    )
