"""Use cases of secure e-mail (seed 2): staff send to an outside address, a signed-in
person writes to their organisation, the organisation's shared inbox (received / sent,
unread, assigned), withdrawing an unopened mail, fresh read links, the organisation's
link lifetime, and resolving a link for identity's access codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from messaging.domain.activity import ActivityChange, ActivityKind, keys_of, staff_reader_key
from messaging.domain.errors import (
    AlreadyOpened,
    NoGuestRecipient,
    NoOrganisation,
    NotForDelegates,
    NotStaffOfOrganisation,
    OnlySenderMayWithdraw,
    PersonsOnly,
    ReadLinkNotFound,
    SendingLimitReached,
)
from messaging.domain.events import SecureMailLinkResent, SecureMailSent
from messaging.domain.secure_mail import (
    MAX_READ_LINK_DAYS,
    MIN_READ_LINK_DAYS,
    ReadLink,
    SecureMailSettings,
    hash_read_token,
    may_withdraw,
    new_read_link,
)
from messaging.domain.threads import (
    Access,
    Message,
    Participant,
    Thread,
    ThreadKind,
    ThreadState,
    account_participant,
    guest_participant,
    kinds_beyond_inbox,
    new_id,
    organisation_participant,
    policy_for,
    reaches_through_inbox,
)
from messaging.service.common import (
    Caller,
    Services,
    ThreadSummaryView,
    ThreadView,
    caller_name,
    check_body,
    check_subject,
    decode_cursor,
    encode_cursor,
    open_thread,
    page_size,
    parse_id,
    publish,
    sending_limit_wait,
)
from messaging.service.conversations import (
    add_message,
    check_kinds,
    message_activity,
    summaries_of,
    summary_of,
    thread_view,
)
from messaging.service.ports import ListCursor, Member, MessagingUnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_mobile

LANGUAGES = ("nl", "en")
INBOX_FOLDERS = ("received", "sent")


@dataclass(frozen=True)
class SecureMailDraft:
    """What the sender typed, unchecked."""

    recipient_email: str
    recipient_mobile: str
    subject: str
    body: str
    language: str = ""


@dataclass(frozen=True)
class SendSecureMail:
    """Command: a staff member sends a secure e-mail to an outside address (checked)."""

    recipient_email: str
    recipient_mobile: str | None
    subject: str
    body: str
    language: str


@dataclass(frozen=True)
class SentSecureMail:
    thread: Thread
    guest: Participant
    sender_account_id: str
    message: Message


def check_send_secure_mail(caller: Caller, draft: SecureMailDraft) -> SendSecureMail:
    """Authorises the sender (staff of an organisation) and validates every field at once."""
    caller.principal.require(Capability.SEND_SECURE_MAIL)
    errors = FieldErrors()
    email = check_email(draft.recipient_email, "recipient_email", errors)
    mobile = check_mobile(draft.recipient_mobile, "recipient_mobile", errors)
    subject = check_subject(draft.subject, errors)
    body = check_body(draft.body, errors, required=True)
    language = draft.language or "nl"
    if language not in LANGUAGES:
        errors.add("language", "is not one of nl, en")
    errors.raise_if_any()
    return SendSecureMail(email, mobile, subject, body, language)


async def count_sends(
    uow: MessagingUnitOfWork, services: Services, now: datetime, *, account_id: str, recipient_email: str | None
) -> None:
    """Counts one secure mail against the sender's and the address's hourly limits; past
    either, :class:`SendingLimitReached` with the seconds until the window ends (and the
    transaction, count included, is rolled back)."""
    wait = await sending_limit_wait(uow, services, now, account_id=account_id, recipient_email=recipient_email)
    if wait is not None:
        raise SendingLimitReached(retry_after_seconds=wait)


async def do_send_secure_mail(
    services: Services, caller: Caller, command: SendSecureMail, *, thread_id: str | None = None
) -> SentSecureMail:
    """Stores the thread (the organisation's shared inbox, the sender, the guest), the first
    message, a read link (its hash) and ``messaging.secure_mail.sent`` in one transaction.
    ``thread_id`` is for demo data with fixed ids; otherwise a new one is made."""
    principal = caller.principal
    assert principal.organisation_id is not None
    name = await caller_name(services, caller)
    now = services.clock()
    thread = Thread(
        id=thread_id or new_id(),
        kind=ThreadKind.SECURE_MAIL,
        subject=command.subject,
        organisation_id=principal.organisation_id,
        organisation_name=principal.organisation_name or "",
        created_by_account_id=principal.subject_id,
        created_at=now,
        last_activity_at=now,
    )
    organisation = organisation_participant(thread.id, principal.organisation_id, thread.organisation_name, now)
    sender = account_participant(
        thread.id, principal.subject_id, name, now, via_organisation_id=principal.organisation_id
    )
    guest = guest_participant(thread.id, command.recipient_email, command.recipient_mobile, command.language, now)
    participants = [organisation, sender, guest]
    async with services.uow() as uow:
        await count_sends(uow, services, now, account_id=principal.subject_id, recipient_email=command.recipient_email)
        await uow.threads.add(thread)
        for participant in participants:
            await uow.participants.add(participant)
        access = Access(thread, sender, participants, organisation=organisation)
        message = await add_message(uow, access, command.body, now, opens_secure_mail=True)
        settings = await uow.settings.get(principal.organisation_id)
        token, link = new_read_link(thread.id, guest.id, now, settings.read_link_days)
        await uow.read_links.add(link)
        uow.emit(
            SecureMailSent(
                secure_mail_id=thread.id,
                thread_id=thread.id,
                organisation_id=principal.organisation_id,
                organisation_name=thread.organisation_name,
                sender_account_id=principal.subject_id,
                sender_display_name=name,
                recipient_participant_id=guest.id,
                recipient_email=command.recipient_email,
                recipient_mobile=command.recipient_mobile,
                read_token=token,
                read_link_expires_at=link.expires_at,
                sent_at=now,
                language=command.language,
                occurred_at=now,
            )
        )
        await _publish_new_thread(uow, access, message)
        await uow.commit()
    return SentSecureMail(thread, guest, principal.subject_id, message)


async def _publish_new_thread(uow: MessagingUnitOfWork, access: Access, message: Message) -> None:
    created = ActivityChange(
        ActivityKind.THREAD_CREATED,
        access.thread.id,
        access.thread.created_at,
        actor_participant_id=access.participant.id,
        actor_name=access.participant.display_name,
    )
    await publish(uow, access.thread, access.participants, created)
    await publish(uow, access.thread, access.participants, message_activity(message))


def check_write_to_organisation(caller: Caller, subject: str, body: str) -> tuple[str, str]:
    principal = caller.principal
    if not principal.can(Capability.WRITE_TO_ORGANISATION):
        raise PersonsOnly()
    if principal.acts_on_behalf:
        # A secure mail is the person's own; a delegate writes through the portal's care
        # messages and e-consults (see KindPolicy.reachable_by_delegate).
        raise NotForDelegates()
    if principal.organisation_id is None:
        raise NoOrganisation()
    errors = FieldErrors()
    text_subject = check_subject(subject, errors)
    text_body = check_body(body, errors, required=True)
    errors.raise_if_any()
    return text_subject, text_body


async def do_write_to_organisation(services: Services, caller: Caller, subject: str, body: str) -> ThreadView:
    """A person's secure mail to the organisation their token names: it lands in that
    organisation's shared inbox (received) and the inbox is told (``messaging.message.sent``)."""
    principal = caller.principal
    assert principal.organisation_id is not None
    name = await caller_name(services, caller)
    now = services.clock()
    thread = Thread(
        id=new_id(),
        kind=ThreadKind.SECURE_MAIL,
        subject=subject,
        organisation_id=principal.organisation_id,
        organisation_name=principal.organisation_name or "",
        created_by_account_id=principal.subject_id,
        created_at=now,
        last_activity_at=now,
    )
    me = account_participant(thread.id, principal.subject_id, name, now)
    organisation = organisation_participant(thread.id, principal.organisation_id, thread.organisation_name, now)
    participants = [me, organisation]
    async with services.uow() as uow:
        await count_sends(uow, services, now, account_id=principal.subject_id, recipient_email=None)
        await uow.threads.add(thread)
        for participant in participants:
            await uow.participants.add(participant)
        access = Access(thread, me, participants)
        message = await add_message(uow, access, body, now)
        await _publish_new_thread(uow, access, message)
        await uow.commit()
    return thread_view(access, [message], liked=set(), older_cursor="")


# ----------------------------------------------------------------------------- the shared inbox
async def list_inbox(
    services: Services,
    caller: Caller,
    folder: str,
    cursor: str,
    limit: int,
    *,
    assigned_to_me: bool,
    kinds: list[str] | tuple[str, ...] = (),
) -> tuple[list[ThreadSummaryView], str, int]:
    """The organisation's shared secure-mail inbox: (threads, next cursor, unread threads).
    Staff only; every staff member of the organisation sees the same inbox, but for the
    kinds they do not reach through it (``domain.threads.reaches_through_inbox``)."""
    principal = caller.principal
    principal.require(Capability.WORK_SHARED_INBOX)
    assert principal.organisation_id is not None
    chosen = folder or "received"
    if chosen not in INBOX_FOLDERS:
        raise InvalidArgument(fields={"folder": "is not one of received, sent"})
    count = page_size(limit)
    after = decode_cursor(cursor)
    assignee = principal.subject_id if assigned_to_me else None
    async with services.uow() as uow:
        beyond = kinds_beyond_inbox(principal)
        listings = await uow.queries.inbox(
            principal.organisation_id, chosen, after, count + 1, assignee, kinds=check_kinds(kinds), beyond_inbox=beyond
        )
        summaries = await summaries_of(uow, listings[:count])
        unread = await uow.queries.unread_inbox_threads(principal.organisation_id, beyond_inbox=beyond)
    next_cursor = ""
    if len(listings) > count:
        last = listings[count - 1]
        at = last.me.last_received_at if chosen == "received" else last.me.last_sent_at
        next_cursor = encode_cursor(ListCursor(at or last.thread.created_at, last.thread.id))
    return summaries, next_cursor, unread


async def _inbox_thread(
    services: Services,
    caller: Caller,
    uow: MessagingUnitOfWork,
    thread_id: str,
    capability: Capability = Capability.WORK_SHARED_INBOX,
) -> Access:
    """A thread of the caller's organisation's shared inbox, locked for a change."""
    caller.principal.require(capability)
    access = await open_thread(
        uow, caller, thread_id, name=await caller_name(services, caller), now=services.clock(), lock=True
    )
    if access.organisation is None or access.thread.organisation_id != caller.principal.organisation_id:
        raise NotStaffOfOrganisation()
    return access


async def do_assign(services: Services, caller: Caller, thread_id: str, assignee_account_id: str) -> ThreadSummaryView:
    """Hands the thread to a colleague (an empty id: to nobody). The assignee must be an
    active staff member of the thread's organisation, as identity says; their name is
    identity's too, never the client's, and must reach the thread's kind through that inbox
    as the caller's organisation's staff (an e-counter case of the department: a case
    handler; a helpdesk ticket: the helpdesk), so nobody is handed what they cannot read.
    The assignee is told of later messages (``messaging.message.sent``, reason
    ``assignee``) and sees it under "assigned to me"."""
    caller.principal.require(Capability.WORK_SHARED_INBOX)
    assignee = parse_id(assignee_account_id) if assignee_account_id else ""
    if assignee is None:
        raise InvalidArgument(fields={"assignee_account_id": "is not an account id"})
    member = await services.directory.member(caller.access_token, assignee) if assignee else None
    if assignee and (
        member is None or not member.is_staff or member.organisation_id != caller.principal.organisation_id
    ):
        raise InvalidArgument(fields={"assignee_account_id": "is not a staff member of your organisation"})
    now = services.clock()
    async with services.uow() as uow:
        access = await _inbox_thread(services, caller, uow, thread_id)
        thread = access.thread
        if member is not None and not _reaches(member, caller.principal, thread.kind):
            raise InvalidArgument(fields={"assignee_account_id": "cannot read this kind of conversation"})
        thread.assigned_to_account_id = member.account_id if member else None
        thread.assigned_to_name = member.display_name if member else None
        await uow.threads.save(thread)
        change = ActivityChange(
            ActivityKind.THREAD_ASSIGNED,
            thread.id,
            now,
            actor_participant_id=access.participant.id,
            actor_name=access.participant.display_name,
        )
        keys = keys_of(access.participants, thread.kind)
        if member and access.organisation and access.organisation.organisation_id:
            # The colleague is told as staff of the organisation the thread is assigned in.
            assignee = staff_reader_key(access.organisation.organisation_id, member.account_id, thread.kind)
            if assignee not in keys:
                keys.append(assignee)
        last = await _last_message(uow, thread)
        await uow.activity.publish(keys, change)
        await uow.commit()
    return summary_of(thread, access.organisation or access.participant, access.participants, last)


def _reaches(member: Member, principal: Principal, kind: ThreadKind) -> bool:
    """Whether a colleague reaches threads of ``kind`` through the shared inbox of the
    caller's organisation (``principal``), as their roles there say. Only the kinds not
    every staff member reaches are asked about: every other kind any staff member may hold."""
    if not policy_for(kind).restricted_inbox:
        return True
    colleague = Principal(
        member.account_id,
        member.account_id,
        "",
        principal.organisation_id,
        principal.organisation_name,
        roles=member.roles,
        organisation_kind=principal.organisation_kind,
    )
    return reaches_through_inbox(colleague, kind)


async def _last_message(uow: MessagingUnitOfWork, thread: Thread) -> Message | None:
    if thread.last_message_id is None:
        return None
    return (await uow.queries.messages_by_id([thread.last_message_id])).get(thread.last_message_id)


async def do_withdraw(services: Services, caller: Caller, thread_id: str) -> ThreadSummaryView:
    """Takes back a secure mail its recipient has not opened: the thread is withdrawn, its
    links stop working and the recipient's token no longer reaches it."""
    now = services.clock()
    async with services.uow() as uow:
        access = await _inbox_thread(services, caller, uow, thread_id, Capability.SEND_SECURE_MAIL)
        thread = access.thread
        thread.require(thread.policy.withdrawable_until_opened)
        if not may_withdraw(caller.principal, thread.created_by_account_id):
            raise OnlySenderMayWithdraw()
        thread.require_open()
        guests = [p for p in access.participants if p.is_guest]
        if not guests:
            raise NoGuestRecipient()
        if any(guest.opened_at is not None for guest in guests):
            raise AlreadyOpened()
        thread.state = ThreadState.WITHDRAWN
        thread.last_activity_at = now
        await uow.threads.save(thread)
        await uow.read_links.revoke_all(thread.id, now)
        change = ActivityChange(
            ActivityKind.THREAD_WITHDRAWN,
            thread.id,
            now,
            actor_participant_id=access.participant.id,
            actor_name=access.participant.display_name,
        )
        last = await _last_message(uow, thread)
        await publish(uow, access.thread, access.participants, change)
        await uow.commit()
    return summary_of(thread, access.organisation or access.participant, access.participants, last)


async def do_resend_read_link(services: Services, caller: Caller, thread_id: str) -> datetime:
    """A fresh read link for the guest (``messaging.secure_mail.link_resent`` carries it to
    the notice); counts against the address's sending limit. Earlier links keep working
    until they expire. Returns when the new one expires."""
    now = services.clock()
    async with services.uow() as uow:
        access = await _inbox_thread(services, caller, uow, thread_id, Capability.SEND_SECURE_MAIL)
        thread = access.thread
        thread.require(thread.policy.guests)
        thread.require_open()
        guest = next((p for p in access.participants if p.is_guest), None)
        if guest is None or guest.email is None:
            raise NoGuestRecipient()
        await count_sends(uow, services, now, account_id=caller.principal.subject_id, recipient_email=guest.email)
        settings = await uow.settings.get(thread.organisation_id or "")
        token, link = new_read_link(thread.id, guest.id, now, settings.read_link_days)
        await uow.read_links.add(link)
        uow.emit(
            SecureMailLinkResent(
                thread_id=thread.id,
                organisation_id=thread.organisation_id or "",
                organisation_name=thread.organisation_name,
                recipient_participant_id=guest.id,
                recipient_email=guest.email,
                recipient_mobile=guest.mobile,
                read_token=token,
                read_link_expires_at=link.expires_at,
                language=guest.language,
                resent_by_account_id=caller.principal.subject_id,
                occurred_at=now,
            )
        )
        await uow.commit()
    return link.expires_at


# ----------------------------------------------------------------------------- settings
async def get_settings(services: Services, caller: Caller) -> SecureMailSettings:
    caller.principal.require(Capability.VIEW_ORGANISATION)
    assert caller.principal.organisation_id is not None
    async with services.uow() as uow:
        return await uow.settings.get(caller.principal.organisation_id)


async def do_update_settings(services: Services, caller: Caller, read_link_days: int) -> SecureMailSettings:
    """Administrators set how long a read link works for their organisation (new links only)."""
    caller.principal.require(Capability.MANAGE_ORGANISATION_SETTINGS)
    assert caller.principal.organisation_id is not None
    if not MIN_READ_LINK_DAYS <= read_link_days <= MAX_READ_LINK_DAYS:
        raise InvalidArgument(
            fields={"read_link_days": f"must be between {MIN_READ_LINK_DAYS} and {MAX_READ_LINK_DAYS} days"}
        )
    settings = SecureMailSettings(caller.principal.organisation_id, read_link_days)
    async with services.uow() as uow:
        await uow.settings.save(settings, services.clock())
        await uow.commit()
    return settings


# ----------------------------------------------------------------------------- read links
@dataclass(frozen=True)
class ResolvedReadLink:
    link: ReadLink
    thread: Thread
    guest: Participant


async def resolve_read_link(services: Services, token: str) -> ResolvedReadLink:
    """What a "Bericht lezen" token opens; :class:`ReadLinkNotFound` when it is unknown,
    expired, revoked or its mail withdrawn (all look the same)."""
    if not token or len(token) > 200:
        raise ReadLinkNotFound()
    now = services.clock()
    async with services.uow() as uow:
        link = await uow.read_links.find(hash_read_token(token))
        if link is None or not link.works_at(now):
            raise ReadLinkNotFound()
        thread = await uow.threads.get(link.thread_id)
        if thread is None or thread.state is ThreadState.WITHDRAWN or not policy_for(thread.kind).guests:
            raise ReadLinkNotFound()
        participants = await uow.participants.of_thread(thread.id)
    guest = next((p for p in participants if p.id == link.participant_id and p.is_guest), None)
    if guest is None:
        raise ReadLinkNotFound()
    return ResolvedReadLink(link, thread, guest)
