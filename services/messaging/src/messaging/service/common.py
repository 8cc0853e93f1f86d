"""What every use case shares: the caller's way into a thread, paging, field checks."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from messaging.domain.activity import ActivityChange, keys_of
from messaging.domain.errors import ThreadNotFound
from messaging.domain.secure_mail import SendingLimit, recipient_key
from messaging.domain.threads import Access, Message, Participant, Thread, resolve_access
from messaging.service.ports import (
    AccessRevocations,
    BlobStore,
    Clock,
    ContactsDirectory,
    Directory,
    ListCursor,
    MessagingUnitOfWork,
    UnitOfWorkFactory,
)
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors, InvalidArgument

DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 100_000


@dataclass(frozen=True)
class Caller:
    """A verified caller, the token to pass on (for identity look-ups) and their name."""

    principal: Principal
    access_token: str = ""


@dataclass
class Services:
    """Everything the use cases need, built once by the bootstrap."""

    uow: UnitOfWorkFactory
    directory: Directory
    blobs: BlobStore
    clock: Clock
    #: True when a virus scanner is configured: new files wait in quarantine for it.
    scanning: bool = False
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_files_per_message: int = 10
    secure_mails_per_recipient_per_hour: int = 20
    secure_mails_per_account_per_hour: int = 200
    #: A helpdesk question mails the address the asker types: capped per asker and per
    #: address (notifications itself caps nothing per recipient).
    helpdesk_questions_per_account_per_hour: int = 5
    helpdesk_questions_per_address_per_hour: int = 5
    #: The e-counter's themes and contact persons (None where a test needs no e-counter).
    contacts: ContactsDirectory | None = None
    #: Checked by a live stream before everything it hands out (None where a test has none).
    revocations: AccessRevocations | None = None


def parse_id(value: str) -> str | None:
    """A canonical uuid, or None (an id that cannot exist is simply not found)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


def page_size(limit: int, *, default: int = DEFAULT_PAGE) -> int:
    if limit <= 0:
        return default
    return min(limit, MAX_PAGE)


def encode_cursor(cursor: ListCursor) -> str:
    raw = f"{cursor.at.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: A cursor's moment lies between these (a list's rows are dated by the service's clock):
#: anything else was not given by a list, and PostgreSQL could not even compare it.
_CURSOR_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_CURSOR_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_NOT_A_CURSOR = "is not a cursor this list gave"


def decode_cursor(value: str) -> ListCursor | None:
    """The keyset position a list gave as ``next_cursor``; anything else is a field error
    (never a database error: every part is checked before it is used)."""
    if not value:
        return None
    if len(value) > 200 or not value.isascii():
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR})
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, _, identifier = raw.partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR}) from None
    if not _CURSOR_EARLIEST <= moment < _CURSOR_LATEST or parse_id(identifier) is None:
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR})
    return ListCursor(moment, identifier)


def decode_seq_cursor(value: str) -> int | None:
    """A message list's cursor: a sequence number in ASCII digits (``"²".isdigit()`` is true)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR})
    return int(value)


HOUR = timedelta(hours=1)


async def sending_limit_wait(
    uow: MessagingUnitOfWork, services: Services, now: datetime, *, account_id: str | None, recipient_email: str | None
) -> int | None:
    """Counts one mail to ``recipient_email`` (by the mailbox it reaches) sent by
    ``account_id`` against the hourly limits; the seconds until the window ends when either
    is exceeded, else None."""
    checks: list[tuple[SendingLimit, str]] = []
    if recipient_email:
        checks.append(
            (
                SendingLimit("recipient", services.secure_mails_per_recipient_per_hour, HOUR),
                recipient_key(recipient_email),
            )
        )
    if account_id:
        checks.append((SendingLimit("account", services.secure_mails_per_account_per_hour, HOUR), account_id))
    return await limits_wait(uow, now, checks)


async def limits_wait(uow: MessagingUnitOfWork, now: datetime, checks: list[tuple[SendingLimit, str]]) -> int | None:
    """Counts one hit per (limit, key) in the current windows (the counts roll back with
    the caller's transaction); the seconds until a window ends when one is exceeded, else
    None. Every hourly cap on mails the service causes counts here."""
    for limit, key in checks:
        if await uow.sending_limits.hit(limit.scope, key, limit.window_start(now)) > limit.limit:
            return limit.retry_after_seconds(now)
    return None


async def caller_name(services: Services, caller: Caller) -> str:
    if caller.principal.is_guest:
        return ""
    return await services.directory.display_name(caller.principal, caller.access_token)


async def open_thread(
    uow: MessagingUnitOfWork, caller: Caller, thread_id: str, *, name: str, now: datetime, lock: bool
) -> Access:
    """The caller's access to a thread (404 when they have none). A staff member's first
    visit to their organisation's thread adds their own participant row; an account's
    changed name is carried onto its row."""
    identifier = parse_id(thread_id)
    if identifier is None:
        raise ThreadNotFound()
    thread = await uow.threads.get(identifier, lock=lock)
    participants = await uow.participants.of_thread(identifier) if thread is not None else []
    access = resolve_access(thread, participants, caller.principal, name, now)
    if lock:
        if access.is_new:
            await uow.participants.add(access.participant)
        elif name and access.participant.display_name != name and not access.participant.is_guest:
            access.participant.display_name = name
            await uow.participants.save(access.participant)
    return access


async def publish(
    uow: MessagingUnitOfWork, thread: Thread, participants: list[Participant], change: ActivityChange
) -> None:
    await uow.activity.publish(keys_of(participants, thread.kind), change)


def check_body(body: str, errors: FieldErrors, *, required: bool) -> str:
    from zorgpost_kit.validation import check_text

    return check_text(body, "body", errors, max_length=MAX_BODY_LENGTH, required=required)


def check_line(value: str, field: str, errors: FieldErrors, *, max_length: int, required: bool = True) -> str:
    """One line of text (a subject, a case number): as :func:`check_text`, and no line
    breaks or tabs either (what the API's schema says of such a field)."""
    from zorgpost_kit.validation import check_text

    text = check_text(value, field, errors, max_length=max_length, required=required)
    if any(c in text for c in "\n\r\t"):
        errors.add(field, "must be one line")
    return text


def check_subject(subject: str, errors: FieldErrors) -> str:
    return check_line(subject, "subject", errors, max_length=MAX_SUBJECT_LENGTH)


@dataclass(frozen=True)
class ThreadSummaryView:
    thread: Thread
    me: Participant
    other_party_name: str
    unread_count: int
    last_message: Message | None
    opened_by_recipient: bool


@dataclass(frozen=True)
class ThreadView:
    summary: ThreadSummaryView
    participants: list[Participant]
    #: Oldest first.
    messages: list[Message]
    liked: set[str]
    seen_counts: dict[str, int]
    older_cursor: str
    #: The caller may withdraw it now (the sender of a secure mail nobody opened yet).
    withdrawable_by_me: bool = False
