"""The one set of fakes behind messaging's ports (``messaging.service.ports``): in-memory
stand-ins for the unit of work, the blob store, the directory and the activity signal,
with just enough behaviour for the use cases (ordering and keysets as the SQL does)."""

from __future__ import annotations

import copy
import dataclasses
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import IO, Self

from messaging.domain.activity import ActivityChange, ActivityEntry
from messaging.domain.ecounter import EcounterCase, EcounterEntry, EntryStatus, MessageContact, StandardContact
from messaging.domain.secure_mail import DEFAULT_READ_LINK_DAYS, ReadLink, SecureMailSettings
from messaging.domain.threads import AttachmentInfo, Message, Participant, ParticipantKind, Thread
from messaging.service.common import Services
from messaging.service.ports import (
    EcounterFilter,
    ListCursor,
    Listing,
    Member,
    NewContactPerson,
    ScanVerdict,
    SearchResult,
    SupervisionLink,
    ThemeContacts,
)
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import Unauthenticated
from zorgpost_kit.events import DomainEvent

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Store:
    """What the fake database holds; a unit of work works on a copy and swaps it in on commit."""

    threads: dict[str, Thread] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    likes: set[tuple[str, str]] = field(default_factory=set)
    read_marks: dict[tuple[str, str, int], datetime] = field(default_factory=dict)
    read_links: dict[str, ReadLink] = field(default_factory=dict)
    settings: dict[str, SecureMailSettings] = field(default_factory=dict)
    counts: dict[tuple[str, str, datetime], int] = field(default_factory=lambda: defaultdict(int))
    activity: list[tuple[int, str, ActivityChange]] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    scan_retry_at: dict[str, datetime] = field(default_factory=dict)
    # the e-counter
    reference_numbers: dict[int, int] = field(default_factory=dict)
    ecounter_cases: dict[str, EcounterCase] = field(default_factory=dict)
    ecounter_entries: list[EcounterEntry] = field(default_factory=list)
    #: (thread, contact) of each message's own contacts; (thread, contact person id) taken off.
    own_contacts: list[MessageContact] = field(default_factory=list)
    excluded_contacts: set[tuple[str, str]] = field(default_factory=set)


class FakeThreads:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def add(self, thread: Thread) -> None:
        self._s.threads[thread.id] = copy.deepcopy(thread)

    async def get(self, thread_id: str, *, lock: bool = False) -> Thread | None:
        thread = self._s.threads.get(thread_id)
        return copy.deepcopy(thread) if thread else None

    async def save(self, thread: Thread) -> None:
        self._s.threads[thread.id] = copy.deepcopy(thread)


class FakeParticipants:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def of_thread(self, thread_id: str) -> list[Participant]:
        found = [copy.deepcopy(p) for p in self._s.participants.values() if p.thread_id == thread_id]
        return sorted(found, key=lambda p: p.joined_at)

    async def add(self, participant: Participant) -> bool:
        for other in self._s.participants.values():
            if other.thread_id != participant.thread_id or other.kind is not participant.kind:
                continue
            if participant.kind is ParticipantKind.ACCOUNT and other.account_id == participant.account_id:
                return False
            if (
                participant.kind is ParticipantKind.ORGANISATION
                and other.organisation_id == participant.organisation_id
            ):
                return False
        self._s.participants[participant.id] = copy.deepcopy(participant)
        return True

    async def save(self, participant: Participant) -> None:
        self._s.participants[participant.id] = copy.deepcopy(participant)


class FakeMessages:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def add(self, message: Message) -> None:
        self._s.messages[message.id] = copy.deepcopy(message)

    async def get(self, message_id: str) -> Message | None:
        message = self._s.messages.get(message_id)
        return copy.deepcopy(message) if message else None

    async def latest(self, thread_id: str, *, before_seq: int | None, limit: int) -> list[Message]:
        found = [
            m
            for m in self._s.messages.values()
            if m.thread_id == thread_id and (before_seq is None or m.seq < before_seq)
        ]
        return [copy.deepcopy(m) for m in sorted(found, key=lambda m: -m.seq)[:limit]]

    async def count_unread(self, thread_id: str, after_seq: int, reader: Participant) -> int:
        def others(m: Message) -> bool:
            if reader.kind is ParticipantKind.ORGANISATION:
                return m.sender.organisation_id != reader.organisation_id
            return m.sender.participant_id != reader.id

        return sum(1 for m in self._s.messages.values() if m.thread_id == thread_id and m.seq > after_seq and others(m))

    async def set_like(self, message_id: str, participant_id: str, liked: bool, at: datetime) -> int:
        key = (message_id, participant_id)
        if liked:
            self._s.likes.add(key)
        else:
            self._s.likes.discard(key)
        count = sum(1 for m, _ in self._s.likes if m == message_id)
        self._s.messages[message_id].like_count = count
        return count

    async def liked(self, message_ids: list[str], participant_id: str) -> set[str]:
        return {m for m, p in self._s.likes if p == participant_id and m in message_ids}


class FakeReadMarks:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def add(self, thread_id: str, participant_id: str, up_to_seq: int, at: datetime) -> None:
        self._s.read_marks.setdefault((thread_id, participant_id, up_to_seq), at)

    async def first_seen(self, thread_id: str, seq: int) -> dict[str, datetime]:
        seen: dict[str, datetime] = {}
        for (thread, participant, up_to), at in self._s.read_marks.items():
            if thread == thread_id and up_to >= seq:
                seen[participant] = min(at, seen.get(participant, at))
        return seen


class FakeAttachments:
    def __init__(self, store: Store) -> None:
        self._s = store

    def _all(self) -> list[AttachmentInfo]:
        return [a for m in self._s.messages.values() for a in m.attachments]

    async def get(self, attachment_id: str) -> AttachmentInfo | None:
        return next((a for a in self._all() if a.id == attachment_id), None)

    async def claim_pending(self, limit: int, now: datetime) -> list[AttachmentInfo]:
        due = [
            a
            for a in self._all()
            if a.scan_status == "pending" and self._s.scan_retry_at.get(a.storage_key, now) <= now
        ]
        return sorted(due, key=lambda a: a.created_at)[:limit]

    async def postpone_scan(self, storage_key: str, attempts: int, retry_at: datetime) -> None:
        self._s.scan_retry_at[storage_key] = retry_at
        for message in self._s.messages.values():
            for index, attachment in enumerate(message.attachments):
                if attachment.storage_key == storage_key:
                    message.attachments[index] = dataclasses.replace(attachment, scan_attempts=attempts)

    async def set_scan_status(self, storage_key: str, status: str) -> list[AttachmentInfo]:
        updated = []
        for message in self._s.messages.values():
            for index, attachment in enumerate(message.attachments):
                if attachment.storage_key == storage_key and attachment.scan_status == "pending":
                    message.attachments[index] = dataclasses.replace(attachment, scan_status=status)
                    updated.append(message.attachments[index])
        return updated


class FakeReadLinks:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def add(self, link: ReadLink) -> None:
        self._s.read_links[link.token_hash] = link

    async def find(self, token_hash: str) -> ReadLink | None:
        return self._s.read_links.get(token_hash)

    async def revoke_all(self, thread_id: str, at: datetime) -> None:
        for key, link in self._s.read_links.items():
            if link.thread_id == thread_id and link.revoked_at is None:
                self._s.read_links[key] = dataclasses.replace(link, revoked_at=at)


class FakeSettings:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def get(self, organisation_id: str) -> SecureMailSettings:
        return self._s.settings.get(organisation_id, SecureMailSettings(organisation_id, DEFAULT_READ_LINK_DAYS))

    async def save(self, settings: SecureMailSettings, at: datetime) -> None:
        self._s.settings[settings.organisation_id] = settings


class FakeSendingLimits:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def hit(self, scope: str, key: str, window_start: datetime) -> int:
        self._s.counts[(scope, key, window_start)] += 1
        return self._s.counts[(scope, key, window_start)]


class FakeActivity:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def publish(self, keys: list[str], change: ActivityChange) -> None:
        for key in keys:
            self._s.activity.append((len(self._s.activity) + 1, key, change))


class FakeQueries:
    def __init__(self, store: Store) -> None:
        self._s = store

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
        rows = [
            p
            for p in self._s.participants.values()
            if self._own(p, account_id, staff_of, beyond_inbox)
            and (not kinds or self._s.threads[p.thread_id].kind in kinds)
        ]
        return self._page(rows, lambda p: p.last_activity_at, after, limit)

    def _reached(self, p: Participant, beyond_inbox: frozenset[str]) -> bool:
        return self._s.threads[p.thread_id].kind.value not in beyond_inbox

    def _own(self, p: Participant, account_id: str, staff_of: str | None, beyond_inbox: frozenset[str]) -> bool:
        return (
            p.kind is ParticipantKind.ACCOUNT
            and p.account_id == account_id
            and (
                p.via_organisation_id is None or (p.via_organisation_id == staff_of and self._reached(p, beyond_inbox))
            )
        )

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
        def at(p: Participant) -> datetime | None:
            return p.last_received_at if folder == "received" else p.last_sent_at

        rows = [
            p
            for p in self._s.participants.values()
            if p.kind is ParticipantKind.ORGANISATION
            and p.organisation_id == organisation_id
            and at(p) is not None
            and (assigned_to is None or self._s.threads[p.thread_id].assigned_to_account_id == assigned_to)
            and (not kinds or self._s.threads[p.thread_id].kind in kinds)
            and self._reached(p, beyond_inbox)
        ]
        return self._page(rows, at, after, limit)

    def _page(
        self,
        rows: list[Participant],
        at: Callable[[Participant], datetime | None],
        after: ListCursor | None,
        limit: int,
    ) -> list[Listing]:
        def position(p: Participant) -> tuple[datetime, str]:
            return (at(p) or p.joined_at, p.thread_id)

        ordered = sorted(rows, key=position, reverse=True)
        if after is not None:
            ordered = [p for p in ordered if position(p) < (after.at, after.id)]
        return [Listing(copy.deepcopy(self._s.threads[p.thread_id]), copy.deepcopy(p)) for p in ordered[:limit]]

    async def unread_inbox_threads(self, organisation_id: str, *, beyond_inbox: frozenset[str] = frozenset()) -> int:
        return sum(
            1
            for p in self._s.participants.values()
            if p.kind is ParticipantKind.ORGANISATION
            and p.organisation_id == organisation_id
            and p.unread_count > 0
            and self._reached(p, beyond_inbox)
        )

    async def participants_of(self, thread_ids: list[str]) -> dict[str, list[Participant]]:
        found: dict[str, list[Participant]] = defaultdict(list)
        for p in self._s.participants.values():
            if p.thread_id in thread_ids:
                found[p.thread_id].append(copy.deepcopy(p))
        return dict(found)

    async def messages_by_id(self, message_ids: list[str]) -> dict[str, Message]:
        return {i: copy.deepcopy(self._s.messages[i]) for i in message_ids if i in self._s.messages}

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
        mine = {
            p.thread_id
            for p in self._s.participants.values()
            if (
                self._own(p, account_id, organisation_id, beyond_inbox)
                or (
                    p.kind is ParticipantKind.ORGANISATION
                    and organisation_id
                    and p.organisation_id == organisation_id
                    and self._reached(p, beyond_inbox)
                )
            )
            and (not kinds or self._s.threads[p.thread_id].kind.value in kinds)
        }

        def matches(m: Message) -> bool:
            tokens = m.body.lower().split()
            return all(any(t.strip(".,!?").startswith(w) for t in tokens) for w in words)

        found = sorted(
            (m for m in self._s.messages.values() if m.thread_id in mine and matches(m)),
            key=lambda m: (m.sent_at, m.id),
            reverse=True,
        )
        if after is not None:
            found = [m for m in found if (m.sent_at, m.id) < (after.at, after.id)]
        return [SearchResult(self._s.threads[m.thread_id], m) for m in found[:limit]]

    async def activity_after(self, keys: list[str], position: int, limit: int) -> list[ActivityEntry]:
        return [
            ActivityEntry(
                pos, c.kind, c.thread_id, c.occurred_at, c.message_id, c.actor_participant_id, c.actor_name, c.value
            )
            for pos, key, c in self._s.activity
            if key in keys and pos > position
        ][:limit]

    async def activity_since(self, position: int, limit: int) -> list[tuple[str, ActivityEntry]]:
        return [
            (
                key,
                ActivityEntry(
                    pos, c.kind, c.thread_id, c.occurred_at, c.message_id, c.actor_participant_id, c.actor_name, c.value
                ),
            )
            for pos, key, c in self._s.activity
            if pos > position
        ][:limit]

    async def activity_head(self) -> int:
        return max((pos for pos, _, _ in self._s.activity), default=0)

    async def activity_horizon(self) -> int:
        return 0


class FakeEcounter:
    def __init__(self, store: Store) -> None:
        self._s = store

    async def next_reference_number(self, year: int) -> int:
        self._s.reference_numbers[year] = self._s.reference_numbers.get(year, 0) + 1
        return self._s.reference_numbers[year]

    async def add_case(self, case: EcounterCase) -> None:
        self._s.ecounter_cases[case.thread_id] = case

    async def case(self, thread_id: str) -> EcounterCase | None:
        return self._s.ecounter_cases.get(thread_id)

    async def add_entries(self, entries: list[EcounterEntry]) -> None:
        self._s.ecounter_entries += entries

    async def entries(
        self, organisation_id: str, narrowed: EcounterFilter, after: ListCursor | None, limit: int
    ) -> list[EcounterEntry]:
        def keep(e: EcounterEntry) -> bool:
            return (
                e.organisation_id == organisation_id
                and (narrowed.box is None or e.box is narrowed.box)
                and (not narrowed.theme_id or e.theme_id == narrowed.theme_id)
                and (not narrowed.reference or e.reference == narrowed.reference)
                and narrowed.title.lower() in e.title.lower()
                and (
                    narrowed.sender.lower() in e.sender_name.lower()
                    or narrowed.sender.lower() in e.sender_organisation_name.lower()
                )
                and (narrowed.status is None or e.status is narrowed.status)
                and (narrowed.sent_from is None or e.sent_at >= narrowed.sent_from)
                and (narrowed.sent_before is None or e.sent_at < narrowed.sent_before)
                and (after is None or (e.sent_at, e.id) < (after.at, after.id))
            )

        return sorted(filter(keep, self._s.ecounter_entries), key=lambda e: (e.sent_at, e.id), reverse=True)[:limit]

    async def history(self, organisation_id: str, thread_id: str) -> list[EcounterEntry]:
        mine = [
            e for e in self._s.ecounter_entries if e.organisation_id == organisation_id and e.thread_id == thread_id
        ]
        return sorted(mine, key=lambda e: (e.sent_at, e.id))

    async def set_status(
        self, organisation_id: str, thread_id: str, from_statuses: tuple[EntryStatus, ...], to: EntryStatus
    ) -> None:
        self._s.ecounter_entries = [
            dataclasses.replace(e, status=to)
            if e.organisation_id == organisation_id
            and e.thread_id == thread_id
            and e.status in from_statuses
            and e.box.value == "received"
            else e
            for e in self._s.ecounter_entries
        ]

    async def own_contacts(self, thread_id: str) -> list[MessageContact]:
        return [c for c in self._s.own_contacts if c.thread_id == thread_id]

    async def excluded_contacts(self, thread_id: str) -> set[str]:
        return {person for thread, person in self._s.excluded_contacts if thread == thread_id}

    async def add_own_contact(self, contact: MessageContact) -> None:
        self._s.own_contacts.append(contact)

    async def remove_own_contacts(self, thread_id: str, contact_ids: set[str]) -> None:
        self._s.own_contacts = [c for c in self._s.own_contacts if c.id not in contact_ids]

    async def exclude_contacts(self, thread_id: str, contact_person_ids: set[str]) -> None:
        self._s.excluded_contacts |= {(thread_id, person) for person in contact_person_ids}


class FakeContacts:
    """The contacts service: themes by id with their department, contact persons per
    (organisation, theme); ``added`` records standard contacts added from a message."""

    def __init__(self, themes: dict[str, ThemeContacts] | None = None) -> None:
        self.themes = themes or {}
        self.persons: dict[tuple[str, str], list[StandardContact]] = {}
        self.added: list[NewContactPerson] = []
        #: (organisation, theme) of every question asked.
        self.asked: list[tuple[str, str]] = []

    async def theme_contacts(self, access_token: str, organisation_id: str, theme_id: str) -> ThemeContacts | None:
        self.asked.append((organisation_id, theme_id))
        theme = self.themes.get(theme_id)
        if theme is None:
            return None
        persons = self.persons.get((organisation_id, theme_id), [])
        return dataclasses.replace(
            theme, contact_persons=persons, organisation_emails={p.email.lower() for p in persons}
        )

    async def add_contact_person(self, access_token: str, person: NewContactPerson) -> None:
        self.added.append(person)


class FakeUnitOfWork:
    """Changes go to a copy of the store; commit swaps it in with the emitted events."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self._store)
        self._events: list[DomainEvent] = []
        self.threads = FakeThreads(self._work)
        self.participants = FakeParticipants(self._work)
        self.messages = FakeMessages(self._work)
        self.read_marks = FakeReadMarks(self._work)
        self.attachments = FakeAttachments(self._work)
        self.read_links = FakeReadLinks(self._work)
        self.settings = FakeSettings(self._work)
        self.sending_limits = FakeSendingLimits(self._work)
        self.activity = FakeActivity(self._work)
        self.queries = FakeQueries(self._work)
        self.ecounter = FakeEcounter(self._work)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    async def commit(self) -> None:
        self._work.events.extend(self._events)
        self._events = []
        for name in (f.name for f in dataclasses.fields(Store)):
            setattr(self._store, name, copy.deepcopy(getattr(self._work, name)))


class FakeBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    async def put(self, key: str, file: IO[bytes], size: int) -> None:
        self.blobs[key] = file.read()

    async def read(self, key: str) -> AsyncIterator[bytes]:
        yield self.blobs[key]

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)


class FakeDirectory:
    """Names by account id; ``members`` as identity's directory would answer a staff member
    of ``org-x`` (the organisation of the use-case tests' staff); ``organisations`` by id;
    ``supervision`` answered for the caller whose access token is their organisation's id."""

    def __init__(
        self,
        names: dict[str, str] | None = None,
        members: dict[str, Member] | None = None,
        organisations: dict[str, str] | None = None,
        supervision: dict[str, dict[str, tuple[str, ...]]] | None = None,
    ) -> None:
        self.names = names or {}
        self.members = members or {}
        self.organisations = organisations or {}
        #: Supervision links: department id → supervised organisation id → theme codes.
        self.supervision = supervision or {}
        #: Accounts identity refuses (a session that ended).
        self.refused: set[str] = set()

    async def display_name(self, principal: Principal, access_token: str) -> str:
        if principal.subject_id in self.refused:
            raise Unauthenticated()
        return self.names.get(principal.subject_id, f"Naam van {principal.subject_id}")

    async def member(self, access_token: str, account_id: str) -> Member | None:
        return self.members.get(account_id)

    async def organisation_name(self, access_token: str, organisation_id: str) -> str | None:
        return self.organisations.get(organisation_id)

    async def supervised(self, access_token: str) -> list[SupervisionLink]:
        # The tests' callers carry their organisation's id as their token.
        links = self.supervision.get(access_token, {})
        return [SupervisionLink(o, self.organisations.get(o, o), themes) for o, themes in links.items()]

    async def supervisors(self, access_token: str) -> list[SupervisionLink]:
        return [
            SupervisionLink(department, self.organisations.get(department, department), links[access_token])
            for department, links in self.supervision.items()
            if access_token in links
        ]


class FakeScanner:
    """Finds ``infected`` contents; fails (as clamd does on a file it chokes on) on ``failing``."""

    def __init__(self, infected: set[bytes] | None = None, failing: set[bytes] | None = None) -> None:
        self.infected = infected or set()
        self.failing = failing or set()

    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        data = b"".join([chunk async for chunk in chunks])
        if data in self.failing:
            raise TimeoutError()
        return ScanVerdict(
            clean=data not in self.infected, finding="Eicar-Test-Signature" if data in self.infected else ""
        )


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def make_services(
    *,
    scanning: bool = False,
    per_recipient: int = 20,
    max_bytes: int = 20 * 1024 * 1024,
    directory: FakeDirectory | None = None,
    contacts: FakeContacts | None = None,
) -> tuple[Services, Store, FakeBlobStore]:
    store = Store()
    blobs = FakeBlobStore()
    services = Services(
        uow=lambda: FakeUnitOfWork(store),
        directory=directory or FakeDirectory(),
        blobs=blobs,
        clock=Clock(),
        scanning=scanning,
        max_attachment_bytes=max_bytes,
        secure_mails_per_recipient_per_hour=per_recipient,
        contacts=contacts,
    )
    return services, store, blobs


def spool(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)
