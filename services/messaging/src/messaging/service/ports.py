"""What the use cases need from the outside world. The adapters implement these with
PostgreSQL, a blob store, clamd and identity; the unit tests with one shared set of fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import IO, Protocol, Self

from messaging.domain.activity import ActivityChange, ActivityEntry
from messaging.domain.ecounter import Box, EcounterCase, EcounterEntry, EntryStatus, MessageContact, StandardContact
from messaging.domain.secure_mail import ReadLink, SecureMailSettings
from messaging.domain.threads import AttachmentInfo, Message, Participant, Thread
from zorgpost_kit.auth import Principal
from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True)
class ListCursor:
    """A keyset position in a list ordered by (time, id), newest first."""

    at: datetime
    id: str


@dataclass(frozen=True)
class Listing:
    """A thread as one participant (or the organisation's row) sees it in a list."""

    thread: Thread
    me: Participant


@dataclass(frozen=True)
class SearchResult:
    thread: Thread
    message: Message


class ThreadRepository(Protocol):
    async def add(self, thread: Thread) -> None: ...

    async def get(self, thread_id: str, *, lock: bool = False) -> Thread | None:
        """``lock``: the thread row is held until commit, so changes to one thread (its
        sequence numbers, its participants' read state) happen one after the other."""
        ...

    async def save(self, thread: Thread) -> None: ...


class ParticipantRepository(Protocol):
    async def of_thread(self, thread_id: str) -> list[Participant]: ...

    async def add(self, participant: Participant) -> bool:
        """False (and nothing stored) when that account, organisation or guest already
        takes part."""
        ...

    async def save(self, participant: Participant) -> None: ...


class MessageRepository(Protocol):
    async def add(self, message: Message) -> None:
        """Stores the message with its attachments' metadata."""
        ...

    async def get(self, message_id: str) -> Message | None: ...

    async def latest(self, thread_id: str, *, before_seq: int | None, limit: int) -> list[Message]:
        """Newest first."""
        ...

    async def count_unread(self, thread_id: str, after_seq: int, reader: Participant) -> int:
        """Messages after ``after_seq`` that ``reader`` did not write (for an organisation:
        that none of its staff wrote)."""
        ...

    async def set_like(self, message_id: str, participant_id: str, liked: bool, at: datetime) -> int:
        """Likes or unlikes (idempotently); the message's like count after."""
        ...

    async def liked(self, message_ids: list[str], participant_id: str) -> set[str]: ...


class ReadMarkRepository(Protocol):
    async def add(self, thread_id: str, participant_id: str, up_to_seq: int, at: datetime) -> None: ...

    async def first_seen(self, thread_id: str, seq: int) -> dict[str, datetime]:
        """Per participant id: when they first read up to ``seq`` or further."""
        ...


class AttachmentRepository(Protocol):
    async def get(self, attachment_id: str) -> AttachmentInfo | None: ...

    async def claim_pending(self, limit: int, now: datetime) -> list[AttachmentInfo]:
        """Attachments waiting for the virus scan whose next try is due, oldest first, locked
        for this transaction (others skip them)."""
        ...

    async def postpone_scan(self, storage_key: str, attempts: int, retry_at: datetime) -> None:
        """Records a failed scan of the file stored under ``storage_key``: not before ``retry_at``."""
        ...

    async def set_scan_status(self, storage_key: str, status: str) -> list[AttachmentInfo]:
        """Every attachment stored under ``storage_key`` (forwarded copies share it)."""
        ...


class ReadLinkRepository(Protocol):
    async def add(self, link: ReadLink) -> None: ...

    async def find(self, token_hash: str) -> ReadLink | None: ...

    async def revoke_all(self, thread_id: str, at: datetime) -> None: ...


class SettingsRepository(Protocol):
    async def get(self, organisation_id: str) -> SecureMailSettings: ...

    async def save(self, settings: SecureMailSettings, at: datetime) -> None: ...


class SendingLimitRepository(Protocol):
    async def hit(self, scope: str, key: str, window_start: datetime) -> int:
        """Counts one send in the window; the count after it."""
        ...


class ActivityRepository(Protocol):
    async def publish(self, keys: list[str], change: ActivityChange) -> None:
        """One feed row per key. Call it as the last step before commit: rows are
        positioned in commit order."""
        ...


class ConversationQueries(Protocol):
    """The read side: lists that page by keyset and use their own indexes."""

    async def threads_of_account(
        self,
        account_id: str,
        staff_of: str | None,
        after: ListCursor | None,
        limit: int,
        *,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[Listing]:
        """The account's own rows; one acquired via an organisation only while ``staff_of``
        (the organisation the caller's token says they are staff of) is it and its thread is
        of none of ``beyond_inbox`` (``domain.threads.kinds_beyond_inbox``). ``kinds``: only
        threads of these kinds (empty: every kind)."""
        ...

    async def inbox(
        self,
        organisation_id: str,
        folder: str,
        after: ListCursor | None,
        limit: int,
        assigned_to: str | None,
        *,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[Listing]:
        """The organisation's rows, leaving out threads of ``beyond_inbox``."""
        ...

    async def unread_inbox_threads(
        self, organisation_id: str, *, beyond_inbox: frozenset[str] = frozenset()
    ) -> int: ...

    async def participants_of(self, thread_ids: list[str]) -> dict[str, list[Participant]]: ...

    async def messages_by_id(self, message_ids: list[str]) -> dict[str, Message]: ...

    async def search(
        self,
        account_id: str,
        organisation_id: str | None,
        words: list[str],
        after: ListCursor | None,
        limit: int,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[SearchResult]:
        """In the account's own threads (the same rule as ``threads_of_account``, with
        ``organisation_id`` as ``staff_of``) and that organisation's shared inbox, both
        without threads of ``beyond_inbox``."""
        ...

    async def activity_after(self, keys: list[str], position: int, limit: int) -> list[ActivityEntry]:
        """The rows of these readers after ``position``, oldest first; one change written
        for several of them comes once."""
        ...

    async def activity_since(self, position: int, limit: int) -> list[tuple[str, ActivityEntry]]:
        """(reader, entry) of every reader after ``position``, oldest first."""
        ...

    async def activity_head(self) -> int:
        """The highest position written so far (0 when none)."""
        ...

    async def activity_horizon(self) -> int:
        """The highest position already pruned (0 when none)."""
        ...


@dataclass(frozen=True)
class EcounterFilter:
    """What an e-counter list is narrowed to; empty values do not narrow."""

    box: Box | None = None
    theme_id: str = ""
    reference: str = ""
    #: Part of the title, any case.
    title: str = ""
    #: Part of the sender's or their organisation's name, any case.
    sender: str = ""
    status: EntryStatus | None = None
    sent_from: datetime | None = None
    sent_before: datetime | None = None


class EcounterRepository(Protocol):
    async def next_reference_number(self, year: int) -> int:
        """The next number of ``year``'s sequence (1, 2, …); concurrent callers wait in turn."""

    async def add_case(self, case: EcounterCase) -> None: ...

    async def case(self, thread_id: str) -> EcounterCase | None: ...

    async def add_entries(self, entries: list[EcounterEntry]) -> None: ...

    async def entries(
        self, organisation_id: str, narrowed: EcounterFilter, after: ListCursor | None, limit: int
    ) -> list[EcounterEntry]:
        """The organisation's entries, newest first, after the keyset position."""

    async def history(self, organisation_id: str, thread_id: str) -> list[EcounterEntry]:
        """Every entry of the organisation under one reference, oldest first."""

    async def set_status(
        self, organisation_id: str, thread_id: str, from_statuses: tuple[EntryStatus, ...], to: EntryStatus
    ) -> None:
        """Moves the organisation's received entries of the thread along (new → read, → answered)."""

    async def own_contacts(self, thread_id: str) -> list[MessageContact]: ...

    async def excluded_contacts(self, thread_id: str) -> set[str]:
        """The ids of standard contact persons taken off this message."""

    async def add_own_contact(self, contact: MessageContact) -> None: ...

    async def remove_own_contacts(self, thread_id: str, contact_ids: set[str]) -> None: ...

    async def exclude_contacts(self, thread_id: str, contact_person_ids: set[str]) -> None: ...


class MessagingUnitOfWork(Protocol):
    @property
    def threads(self) -> ThreadRepository: ...

    @property
    def participants(self) -> ParticipantRepository: ...

    @property
    def messages(self) -> MessageRepository: ...

    @property
    def read_marks(self) -> ReadMarkRepository: ...

    @property
    def attachments(self) -> AttachmentRepository: ...

    @property
    def read_links(self) -> ReadLinkRepository: ...

    @property
    def settings(self) -> SettingsRepository: ...

    @property
    def sending_limits(self) -> SendingLimitRepository: ...

    @property
    def activity(self) -> ActivityRepository: ...

    @property
    def queries(self) -> ConversationQueries: ...

    @property
    def ecounter(self) -> EcounterRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, event: DomainEvent) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], MessagingUnitOfWork]
Clock = Callable[[], datetime]


class BlobStore(Protocol):
    """Where attachment bytes live, under generated keys."""

    async def put(self, key: str, file: IO[bytes], size: int) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class ScanVerdict:
    clean: bool
    #: What the scanner found (for the log), empty when clean.
    finding: str = ""


class VirusScanner(Protocol):
    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict: ...


@dataclass(frozen=True)
class Member:
    """An active account of the calling staff member's own organisation, as identity knows it."""

    account_id: str
    display_name: str
    organisation_id: str
    is_staff: bool
    is_person: bool
    #: Their roles in that organisation (which kinds of thread they reach through its inbox).
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SupervisionLink:
    """A supervision link as identity keeps it, seen from the caller's organisation."""

    #: The organisation on the other side: the supervised one, or the supervising department.
    organisation_id: str
    organisation_name: str
    #: The theme codes the link covers (contacts' theme ids).
    themes: tuple[str, ...]


class Directory(Protocol):
    """The names people see, and who a staff member may act on (identity decides)."""

    async def display_name(self, principal: Principal, access_token: str) -> str:
        """The caller's own name. Raises ``Unauthenticated`` when identity refuses the
        caller: never a stand-in such as the organisation's name."""
        ...

    async def member(self, access_token: str, account_id: str) -> Member | None:
        """An active account of the (staff) caller's own organisation; None for any other."""
        ...

    async def organisation_name(self, access_token: str, organisation_id: str) -> str | None:
        """An organisation's name; None when there is no such organisation."""
        ...

    async def supervised(self, access_token: str) -> list[SupervisionLink]:
        """The organisations the caller's organisation (a department) supervises; empty for
        any other organisation. Asked afresh every time: a link that ended counts at once."""
        ...

    async def supervisors(self, access_token: str) -> list[SupervisionLink]:
        """The departments that supervise the caller's organisation."""
        ...


@dataclass(frozen=True)
class ThemeContacts:
    """A theme as contacts keeps it, and an organisation's contact persons for it."""

    theme_id: str
    theme_name: str
    department_id: str
    department_name: str
    team_name: str
    contact_persons: list[StandardContact]
    #: Every address that is a contact person of the organisation (lower-cased).
    organisation_emails: set[str]


@dataclass(frozen=True)
class NewContactPerson:
    first_name: str
    last_name: str
    email: str
    phone: str
    theme_ids: list[str]


class ContactsDirectory(Protocol):
    """The contacts service, as the e-counter needs it (with the caller's token)."""

    async def theme_contacts(self, access_token: str, organisation_id: str, theme_id: str) -> ThemeContacts | None:
        """None when there is no such theme, or the caller may not see the organisation's contacts."""
        ...

    async def add_contact_person(self, access_token: str, person: NewContactPerson) -> None:
        """Adds a standard contact person to the caller's organisation (contacts mails the
        confirmation). Raises contacts' field errors as ``InvalidArgument``."""
        ...


class AccessRevocations(Protocol):
    """The accounts and sessions whose access ended lately (kept by the runtime, fed by
    identity): a live stream checks its caller against it, as every request's token check
    does."""

    def refuses(self, principal: Principal) -> bool: ...
