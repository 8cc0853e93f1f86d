"""Use cases of every thread kind: start, list, open, read, send, like, seen by, forward,
search. ``check_*`` validates and authorises; ``do_*`` changes state in one unit of work."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from messaging.domain.activity import ActivityChange, ActivityKind
from messaging.domain.errors import MessageNotFound, NoOrganisation, NotAllowedForKind, PersonsOnly, ThreadNotFound
from messaging.domain.events import MessageRecipient, MessageSent
from messaging.domain.notices import notice_recipients
from messaging.domain.secure_mail import new_read_link, withdrawable_by
from messaging.domain.threads import (
    DELEGATE_KINDS,
    Access,
    AttachmentInfo,
    Forwarded,
    Message,
    Participant,
    ParticipantKind,
    Sender,
    Thread,
    ThreadKind,
    account_participant,
    apply_new_message,
    kinds_beyond_inbox,
    new_id,
    organisation_participant,
    other_party_name,
    policy_for,
    require_inbox_kind,
    seen_by_count,
    staff_organisation,
)
from messaging.service.common import (
    Caller,
    Services,
    ThreadSummaryView,
    ThreadView,
    caller_name,
    check_body,
    check_line,
    check_subject,
    decode_cursor,
    decode_seq_cursor,
    encode_cursor,
    open_thread,
    page_size,
    parse_id,
    publish,
    sending_limit_wait,
)
from messaging.service.ports import ListCursor, Listing, Member, MessagingUnitOfWork, SearchResult
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.logging import get_logger
from zorgpost_kit.roles import Capability

log = get_logger(__name__)

MAX_REFERENCE_LENGTH = 100
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class StoredFile:
    """A file already in the blob store, to be attached to a new message."""

    file_name: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    scan_status: str


# ----------------------------------------------------------------------------- sending
async def add_message(
    uow: MessagingUnitOfWork,
    access: Access,
    body: str,
    now: datetime,
    *,
    files: list[StoredFile] | tuple[StoredFile, ...] = (),
    forwarded_from: Forwarded | None = None,
    opens_secure_mail: bool = False,
    acting_account_id: str = "",
    limits: Services | None = None,
) -> Message:
    """Adds a message to the thread ``access`` reaches, updates everyone's read state and
    raises ``messaging.message.sent`` (with a fresh read link for each guest to tell). The
    caller publishes the activity and commits.

    With ``limits``, each notice to a guest (a mail with a fresh read link) counts against
    the sending limits of the guest's mailbox and of the sender, as a secure mail does;
    past them the message is still stored, but no further notice or link goes out this
    hour (the guest's earlier link opens the thread with every message in it)."""
    thread = access.thread
    me = access.participant
    message_id = new_id()
    seq = thread.record_message(message_id, now)
    sender = Sender(
        participant_id=me.id,
        kind=me.kind,
        display_name=me.display_name,
        account_id=me.account_id,
        organisation_id=me.via_organisation_id,
    )
    attachments = [
        AttachmentInfo(
            id=new_id(),
            message_id=message_id,
            thread_id=thread.id,
            file_name=file.file_name,
            content_type=file.content_type,
            size=file.size,
            sha256=file.sha256,
            storage_key=file.storage_key,
            scan_status=file.scan_status,
            created_at=now,
        )
        for file in files
    ]
    message = Message(message_id, thread.id, seq, sender, body, now, forwarded_from, 0, attachments)
    await uow.messages.add(message)
    apply_new_message(access.participants, me, seq, now)
    thread.close_if_answered(me)
    for participant in access.participants:
        await uow.participants.save(participant)
    await uow.threads.save(thread)

    recipients: list[MessageRecipient] = []
    for recipient in notice_recipients(thread, access.participants, me, opens_secure_mail=opens_secure_mail):
        if isinstance(recipient, Participant):
            if limits is not None and (
                await sending_limit_wait(
                    uow, limits, now, account_id=me.account_id, recipient_email=recipient.email or ""
                )
                is not None
            ):
                log.info("guest_notice_held_back", thread_id=thread.id, reason="sending_limit")
                continue
            settings = await uow.settings.get(thread.organisation_id or "")
            token, link = new_read_link(thread.id, recipient.id, now, settings.read_link_days)
            await uow.read_links.add(link)
            recipient = MessageRecipient(
                kind="guest",
                reason="participant",
                participant_id=recipient.id,
                display_name=recipient.display_name,
                email=recipient.email or "",
                mobile=recipient.mobile or "",
                read_token=token,
                read_link_expires_at=link.expires_at,
                language=recipient.language,
            )
        recipients.append(recipient)
    uow.emit(
        MessageSent(
            message_id=message_id,
            thread_id=thread.id,
            thread_kind=thread.kind,
            organisation_id=thread.organisation_id or "",
            organisation_name=thread.organisation_name,
            sender_participant_id=me.id,
            sender_account_id=me.account_id or "",
            sender_display_name=me.display_name,
            sent_by_guest=me.is_guest,
            seq=seq,
            sent_at=now,
            has_attachments=bool(attachments),
            recipients=tuple(recipients),
            acting_account_id=acting_account_id,
            occurred_at=now,
        )
    )
    return message


def acting_account(caller: Caller) -> str:
    """The actor of an act-as token (a parent writing for a child), "" otherwise."""
    return caller.principal.actor_id if caller.principal.acts_on_behalf else ""


def message_activity(message: Message) -> ActivityChange:
    return ActivityChange(
        ActivityKind.MESSAGE_SENT,
        message.thread_id,
        message.sent_at,
        message_id=message.id,
        actor_participant_id=message.sender.participant_id,
        actor_name=message.sender.display_name,
        value=message.seq,
    )


async def thread_summary(services: Services, caller: Caller, thread_id: str) -> ThreadSummaryView:
    """The thread as the caller's list shows it (404 when they have no way in), without
    opening it: nothing is written, nobody is told. For another service that must know what
    a thread is before it acts (identity, inviting someone into a chat)."""
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name="", now=services.clock(), lock=False)
        last_id = access.thread.last_message_id
        last = (await uow.queries.messages_by_id([last_id])).get(last_id) if last_id else None
    return summary_of(access.thread, access.participant, access.participants, last)


async def check_post_access(services: Services, caller: Caller, thread_id: str) -> str:
    """Before any file is read: the caller may write in this open thread (404 otherwise).
    Returns the thread's canonical id."""
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name="", now=services.clock(), lock=False)
    access.thread.require_open()
    return access.thread.id


def check_message_body(body: str, *, has_files: bool) -> str:
    """The text; empty is allowed only when files come with it."""
    errors = FieldErrors()
    text = check_body(body, errors, required=not has_files)
    errors.raise_if_any()
    return text


async def do_post_message(
    services: Services, caller: Caller, thread_id: str, body: str, files: list[StoredFile]
) -> Message:
    """Stores the message, its attachments' metadata, everyone's read state, the event and the
    activity in one transaction."""
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name=name, now=now, lock=True)
        access.thread.require_open()
        message = await add_message(
            uow, access, body, now, files=files, acting_account_id=acting_account(caller), limits=services
        )
        await publish(uow, access.thread, access.participants, message_activity(message))
        await uow.commit()
    return message


# ----------------------------------------------------------------------------- starting
def check_create_thread(
    caller: Caller, kind: str, subject: str, body: str, reference: str
) -> tuple[ThreadKind, str, str, str | None]:
    """The kind may be started this way and by this caller; every field is checked at once."""
    principal = caller.principal
    try:
        thread_kind = ThreadKind(kind or ThreadKind.CHAT)
    except ValueError:
        raise InvalidArgument(fields={"kind": "is not a kind of conversation"}) from None
    policy = policy_for(thread_kind)
    allowed = policy.startable_by_staff if principal.can(Capability.WORK_SHARED_INBOX) else policy.startable_by_person
    if not policy.started_by_create_thread or not allowed or principal.is_guest:
        raise NotAllowedForKind()
    if principal.acts_on_behalf and not policy.reachable_by_delegate:
        raise NotAllowedForKind()
    if principal.can(Capability.WORK_SHARED_INBOX) and policy.shared_inbox:
        # Staff start it for their organisation: only a kind they reach through its inbox.
        require_inbox_kind(principal, thread_kind)
    errors = FieldErrors()
    text_subject = check_subject(subject, errors)
    text_body = check_body(body, errors, required=False)
    text_reference = check_line(
        reference, "reference", errors, max_length=MAX_REFERENCE_LENGTH, required=policy.reference_required
    )
    errors.raise_if_any()
    if policy.shared_inbox and principal.organisation_id is None:
        raise NoOrganisation()
    return thread_kind, text_subject, text_body, text_reference or None


@dataclass(frozen=True)
class ParticipantRef:
    """Someone to start a thread with: a person's account, or an organisation."""

    account_id: str = ""
    organisation_id: str = ""


@dataclass(frozen=True)
class StartWith:
    """Whom a thread starts with, checked: person accounts and other organisations."""

    persons: tuple[Member, ...] = ()
    #: (id, name)
    organisations: tuple[tuple[str, str], ...] = ()


def check_start_thread(
    caller: Caller, kind: str, subject: str, body: str, reference: str, refs: list[ParticipantRef]
) -> tuple[ThreadKind, str, str, str | None]:
    """May the caller start this kind with these participants (StartThread, the one way to
    start a thread together with its first message and files)?

    A person starts their own (an e-consult or a care message to their practice) with no
    one named: their organisation takes part as its shared inbox. Staff who work the shared
    inbox name whom it is for, in the shape and number the kind's policy allows; whether each
    exists and may be added is :func:`resolve_start_with`'s."""
    if refs:
        caller.principal.require(Capability.WORK_SHARED_INBOX)
    elif not caller.principal.can(Capability.WRITE_TO_ORGANISATION):
        # Without anyone named this is a person writing to their practice.
        raise PersonsOnly()
    checked = check_create_thread(caller, kind, subject, body, reference)
    if not refs:
        return checked
    policy = policy_for(checked[0])
    if not (policy.start_with_persons or policy.start_with_organisations):
        raise NotAllowedForKind()
    errors = FieldErrors()
    persons = organisations = 0
    seen: set[str] = set()
    for index, ref in enumerate(refs):
        field = f"participants[{index}]"
        identifier = parse_id(ref.account_id or ref.organisation_id)
        if bool(ref.account_id) == bool(ref.organisation_id) or identifier is None:
            errors.add(field, "give either an account id or an organisation id")
        elif identifier in seen:
            errors.add(field, "is named twice")
        else:
            seen.add(identifier)
            persons += bool(ref.account_id)
            organisations += bool(ref.organisation_id)
    if persons > policy.start_with_persons:
        errors.add("participants", f"at most {policy.start_with_persons} people in this kind of conversation")
    if organisations > policy.start_with_organisations:
        errors.add(
            "participants",
            f"at most {policy.start_with_organisations} other organisations in this kind of conversation",
        )
    errors.raise_if_any()
    return checked


def serves(caller: Caller, member: Member) -> bool:
    """Whom staff may start a thread with: for now, the persons of their own organisation.
    Hook: once organisations serve people of other organisations (a care network, a
    referral), that relation is checked here."""
    return member.is_person and member.organisation_id == caller.principal.organisation_id


async def resolve_start_with(services: Services, caller: Caller, refs: list[ParticipantRef]) -> StartWith:
    """Looks every participant up in identity; each one that is not there, or not someone
    the caller may start a conversation with, is a field error ``participants[i]``."""
    errors = FieldErrors()
    persons: list[Member] = []
    organisations: list[tuple[str, str]] = []
    for index, ref in enumerate(refs):
        field = f"participants[{index}]"
        if ref.account_id:
            member = await services.directory.member(caller.access_token, str(parse_id(ref.account_id)))
            if member is None or not serves(caller, member):
                errors.add(field, "is not a client of your organisation")
            else:
                persons.append(member)
        else:
            identifier = str(parse_id(ref.organisation_id))
            name = await services.directory.organisation_name(caller.access_token, identifier)
            if name is None or identifier == caller.principal.organisation_id:
                errors.add(field, "is not another organisation")
            else:
                organisations.append((identifier, name))
    errors.raise_if_any()
    return StartWith(tuple(persons), tuple(organisations))


def new_thread(
    caller: Caller,
    kind: ThreadKind,
    subject: str,
    reference: str | None,
    *,
    name: str,
    now: datetime,
    start_with: StartWith | None = None,
    thread_id: str | None = None,
    as_themself: bool = False,
    own_inbox: bool = True,
) -> Access:
    """A thread not yet stored: the caller (and their organisation's shared inbox where the
    kind has one and ``own_inbox``) and whom it ``start_with``. Every way a thread starts
    builds it here. ``as_themself``: the caller takes part as themself even where they work
    the shared inbox (a helpdesk question arrives there received and unread)."""
    principal = caller.principal
    policy = policy_for(kind)
    thread = Thread(
        id=thread_id or new_id(),
        kind=kind,
        subject=subject,
        organisation_id=principal.organisation_id,
        organisation_name=principal.organisation_name or "",
        created_by_account_id=principal.subject_id,
        created_at=now,
        reference=reference,
        last_activity_at=now,
    )
    me = account_participant(
        thread.id,
        principal.subject_id,
        name,
        now,
        via_organisation_id=(
            principal.organisation_id if principal.can(Capability.WORK_SHARED_INBOX) and not as_themself else None
        ),
    )
    participants = [me]
    organisation = None
    if policy.shared_inbox and own_inbox and principal.organisation_id is not None:
        organisation = organisation_participant(thread.id, principal.organisation_id, thread.organisation_name, now)
        participants.append(organisation)
    if start_with is not None:
        participants += [account_participant(thread.id, m.account_id, m.display_name, now) for m in start_with.persons]
        participants += [
            organisation_participant(thread.id, identifier, org_name, now)
            for identifier, org_name in start_with.organisations
        ]
    return Access(thread, me, participants, organisation=organisation)


async def store_new_thread(uow: MessagingUnitOfWork, access: Access, now: datetime) -> None:
    """Stores a :func:`new_thread` with its participants and tells them it started, in the
    caller's unit of work (the first message follows in the same one)."""
    await uow.threads.add(access.thread)
    for participant in access.participants:
        await uow.participants.add(participant)
    me = access.participant
    created = ActivityChange(
        ActivityKind.THREAD_CREATED, access.thread.id, now, actor_participant_id=me.id, actor_name=me.display_name
    )
    await publish(uow, access.thread, access.participants, created)


async def do_create_thread(
    services: Services,
    caller: Caller,
    kind: ThreadKind,
    subject: str,
    body: str,
    reference: str | None,
    *,
    start_with: StartWith | None = None,
    files: list[StoredFile] | tuple[StoredFile, ...] = (),
) -> ThreadView:
    """Stores the thread (:func:`new_thread`) and (with a text or files) its first message
    and their activity, in one transaction."""
    name = await caller_name(services, caller)
    now = services.clock()
    access = new_thread(caller, kind, subject, reference, name=name, now=now, start_with=start_with)
    async with services.uow() as uow:
        await store_new_thread(uow, access, now)
        messages: list[Message] = []
        if body or files:
            messages.append(
                await add_message(uow, access, body, now, files=files, acting_account_id=acting_account(caller))
            )
        for message in messages:
            await publish(uow, access.thread, access.participants, message_activity(message))
        await uow.commit()
    return thread_view(access, messages, liked=set(), older_cursor="")


# ----------------------------------------------------------------------------- reading
def check_kinds(kinds: list[str] | tuple[str, ...]) -> frozenset[str]:
    """A list filter's kinds (empty: every kind)."""
    known = {kind.value for kind in ThreadKind}
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        raise InvalidArgument(fields={"kinds": f"{', '.join(unknown)} is not a kind of conversation"})
    return frozenset(kinds)


def summary_of(
    thread: Thread, me: Participant, participants: list[Participant], last_message: Message | None
) -> ThreadSummaryView:
    return ThreadSummaryView(
        thread=thread,
        me=me,
        other_party_name=other_party_name(participants, me),
        unread_count=me.unread_count,
        last_message=last_message,
        opened_by_recipient=any(p.is_guest and p.opened_at is not None for p in participants),
    )


def thread_view(access: Access, messages: list[Message], *, liked: set[str], older_cursor: str) -> ThreadView:
    last = messages[-1] if messages else None
    return ThreadView(
        summary=summary_of(access.thread, access.participant, access.participants, last),
        participants=access.participants,
        messages=messages,
        liked=liked,
        seen_counts={m.id: seen_by_count(m, access.participants) for m in messages},
        older_cursor=older_cursor,
        withdrawable_by_me=withdrawable_by(access.caller, access),
    )


async def mark_read(uow: MessagingUnitOfWork, access: Access, up_to: int, now: datetime) -> bool:
    """Moves the caller's (and their organisation's) read mark forward; True when it moved."""
    thread = access.thread
    me = access.participant
    moved = False
    save_me = False
    if me.is_guest and me.opened_at is None:
        me.opened_at = now
        save_me = True
    up_to = min(up_to, thread.last_seq)
    if up_to > me.last_read_seq:
        me.last_read_seq = up_to
        me.last_read_at = now
        me.unread_count = await uow.messages.count_unread(thread.id, up_to, me)
        await uow.read_marks.add(thread.id, me.id, up_to, now)
        moved = save_me = True
    if save_me:
        await uow.participants.save(me)
    organisation = access.organisation
    if organisation is not None and up_to > organisation.last_read_seq:
        organisation.last_read_seq = up_to
        organisation.last_read_at = now
        organisation.unread_count = await uow.messages.count_unread(thread.id, up_to, organisation)
        await uow.participants.save(organisation)
        moved = True
    return moved


def read_activity(access: Access, now: datetime) -> ActivityChange:
    return ActivityChange(
        ActivityKind.THREAD_READ,
        access.thread.id,
        now,
        actor_participant_id=access.participant.id,
        actor_name=access.participant.display_name,
        value=access.participant.last_read_seq,
    )


async def do_open_thread(services: Services, caller: Caller, thread_id: str, limit: int) -> ThreadView:
    """The thread with its latest messages (oldest first), read up to the latest by the caller
    (a guest's first visit counts as opening the mail); the others see the read receipt."""
    count = page_size(limit, default=50)
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name=name, now=now, lock=True)
        moved = await mark_read(uow, access, access.thread.last_seq, now)
        newest = await uow.messages.latest(access.thread.id, before_seq=None, limit=count + 1)
        liked = await uow.messages.liked([m.id for m in newest], access.participant.id)
        if moved:
            await publish(uow, access.thread, access.participants, read_activity(access, now))
        await uow.commit()
    page = newest[:count]
    older = str(page[-1].seq) if len(newest) > count else ""
    return thread_view(access, list(reversed(page)), liked=liked, older_cursor=older)


async def list_messages(
    services: Services, caller: Caller, thread_id: str, cursor: str, limit: int
) -> tuple[ThreadView, str]:
    """Older messages, newest first, before the cursor's sequence number."""
    count = page_size(limit, default=50)
    before = decode_seq_cursor(cursor)
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name="", now=services.clock(), lock=False)
        found = await uow.messages.latest(access.thread.id, before_seq=before, limit=count + 1)
        liked = await uow.messages.liked([m.id for m in found], access.participant.id)
    page = found[:count]
    next_cursor = str(page[-1].seq) if len(found) > count else ""
    return thread_view(access, page, liked=liked, older_cursor=next_cursor), next_cursor


async def list_threads(
    services: Services, caller: Caller, cursor: str, limit: int, kinds: list[str] | tuple[str, ...] = ()
) -> tuple[list[ThreadSummaryView], str]:
    """The caller's conversations (of ``kinds``, or every kind), newest activity first."""
    count = page_size(limit)
    after = decode_cursor(cursor)
    wanted = check_kinds(kinds)
    principal = caller.principal
    if principal.acts_on_behalf:
        wanted = (wanted or DELEGATE_KINDS) & DELEGATE_KINDS
        if not wanted:
            return [], ""
    async with services.uow() as uow:
        listings = await uow.queries.threads_of_account(
            principal.subject_id,
            staff_organisation(principal),
            after,
            count + 1,
            kinds=wanted,
            beyond_inbox=kinds_beyond_inbox(principal),
        )
        summaries = await summaries_of(uow, listings[:count])
    next_cursor = ""
    if len(listings) > count:
        last = listings[count - 1]
        next_cursor = encode_cursor(ListCursor(last.me.last_activity_at or last.thread.created_at, last.thread.id))
    return summaries, next_cursor


async def summaries_of(uow: MessagingUnitOfWork, listings: list[Listing]) -> list[ThreadSummaryView]:
    ids = [listing.thread.id for listing in listings]
    participants = await uow.queries.participants_of(ids)
    last_ids = [listing.thread.last_message_id for listing in listings if listing.thread.last_message_id]
    previews = await uow.queries.messages_by_id(last_ids)
    return [
        summary_of(
            listing.thread,
            listing.me,
            participants.get(listing.thread.id, []),
            previews.get(listing.thread.last_message_id or ""),
        )
        for listing in listings
    ]


async def do_mark_read(services: Services, caller: Caller, thread_id: str, up_to_message_id: str) -> Participant:
    now = services.clock()
    async with services.uow() as uow:
        access = await open_thread(uow, caller, thread_id, name=await caller_name(services, caller), now=now, lock=True)
        up_to = access.thread.last_seq
        if up_to_message_id:
            identifier = parse_id(up_to_message_id)
            message = await uow.messages.get(identifier) if identifier else None
            if message is None or message.thread_id != access.thread.id:
                raise MessageNotFound(fields={"up_to_message_id": "is not a message of this conversation"})
            up_to = message.seq
        if await mark_read(uow, access, up_to, now):
            await publish(uow, access.thread, access.participants, read_activity(access, now))
        await uow.commit()
    return access.participant


# ----------------------------------------------------------------------------- likes, seen by
async def _message_access(
    uow: MessagingUnitOfWork, services: Services, caller: Caller, message_id: str, *, name: str, lock: bool
) -> tuple[Message, Access]:
    identifier = parse_id(message_id)
    message = await uow.messages.get(identifier) if identifier else None
    if message is None:
        raise MessageNotFound()
    try:
        access = await open_thread(uow, caller, message.thread_id, name=name, now=services.clock(), lock=lock)
    except ThreadNotFound:
        raise MessageNotFound() from None
    return message, access


async def do_set_like(services: Services, caller: Caller, message_id: str, liked: bool) -> tuple[str, int, bool]:
    """Like or unlike (idempotent); (message id, like count, liked by the caller)."""
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        message, access = await _message_access(uow, services, caller, message_id, name=name, lock=True)
        access.thread.require(access.thread.policy.likes)
        access.thread.require_open()
        count = await uow.messages.set_like(message.id, access.participant.id, liked, now)
        change = ActivityChange(
            ActivityKind.MESSAGE_LIKED if liked else ActivityKind.MESSAGE_UNLIKED,
            message.thread_id,
            now,
            message_id=message.id,
            actor_participant_id=access.participant.id,
            actor_name=access.participant.display_name,
            value=count,
        )
        await publish(uow, access.thread, access.participants, change)
        await uow.commit()
    return message.id, count, liked


async def seen_by(
    services: Services, caller: Caller, message_id: str
) -> tuple[str, list[tuple[Participant, datetime]]]:
    """Who has seen a message ("Gezien door"), earliest first; the sender and organisation
    rows are not listed."""
    async with services.uow() as uow:
        message, access = await _message_access(uow, services, caller, message_id, name="", lock=False)
        first_seen = await uow.read_marks.first_seen(message.thread_id, message.seq)
    readers = [
        (participant, first_seen[participant.id])
        for participant in access.participants
        if participant.id in first_seen
        and participant.id != message.sender.participant_id
        and participant.kind is not ParticipantKind.ORGANISATION
    ]
    readers.sort(key=lambda reader: reader[1])
    return message.id, readers


# ----------------------------------------------------------------------------- forward
async def do_forward(services: Services, caller: Caller, message_id: str, to_thread_id: str) -> Message:
    """Copies a message (text and files) into another open thread the caller takes part in;
    a thread the caller is not in is refused as unknown (404)."""
    name = await caller_name(services, caller)
    now = services.clock()
    async with services.uow() as uow:
        source, _ = await _message_access(uow, services, caller, message_id, name=name, lock=False)
        target = await open_thread(uow, caller, to_thread_id, name=name, now=now, lock=True)
        target.thread.require_open()
        files = [
            StoredFile(a.file_name, a.content_type, a.size, a.sha256, a.storage_key, a.scan_status)
            for a in source.attachments
        ]
        forwarded = Forwarded(source.sender.display_name, source.sent_at)
        message = await add_message(
            uow, target, source.body, now, files=files, forwarded_from=forwarded, limits=services
        )
        await publish(uow, target.thread, target.participants, message_activity(message))
        await uow.commit()
    return message


# ----------------------------------------------------------------------------- search
def search_words(query: str) -> list[str]:
    words = [word.lower() for word in re.findall(r"\w+", query)][:MAX_SEARCH_WORDS]
    if len(query) > 200 or not words:
        raise InvalidArgument(fields={"query": "give one or more words to look for (at most 200 characters)"})
    return words


async def search(
    services: Services, caller: Caller, query: str, cursor: str, limit: int
) -> tuple[list[SearchResult], str]:
    """Messages with every word (a word also matches as the start of a longer one), in the
    caller's conversations and, for staff, their organisation's shared inbox; newest first."""
    words = search_words(query)
    count = page_size(limit)
    after = decode_cursor(cursor)
    principal = caller.principal
    async with services.uow() as uow:
        found = await uow.queries.search(
            principal.subject_id,
            staff_organisation(principal),
            words,
            after,
            count + 1,
            kinds=DELEGATE_KINDS if principal.acts_on_behalf else frozenset(),
            beyond_inbox=kinds_beyond_inbox(principal),
        )
    page = found[:count]
    next_cursor = ""
    if len(found) > count:
        last = page[-1].message
        next_cursor = encode_cursor(ListCursor(last.sent_at, last.id))
    return page, next_cursor
