"""The one set of fakes for notifications' use cases: an in-memory unit of work with its
repositories (nothing is kept without a commit, as in PostgreSQL), channels that record
what they were handed, and a clock the test sets. They implement the protocols of
``notifications.service.ports``, so a use case takes them as they are.

(Named after the service: test directories are not packages, so two services' ``fakes``
modules would clash.)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from notifications.domain.address_book import AddressBookEntry
from notifications.domain.model import Delivery, DeliveryStatus
from notifications.domain.preferences import Preferences
from notifications.service.ports import DeliveryFailed, OutgoingMail

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass
class Clock:
    """Time stands still until the test moves it."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Store:
    """What the database holds between units of work."""

    deliveries: dict[str, Delivery] = field(default_factory=dict)
    preferences: dict[str, Preferences] = field(default_factory=dict)
    address_book: dict[str, AddressBookEntry] = field(default_factory=dict)
    commits: int = 0

    def delivery(self, delivery_id: str) -> Delivery:
        return self.deliveries[delivery_id]


class FakeDeliveryRepository:
    def __init__(self, rows: dict[str, Delivery]) -> None:
        self._rows = rows

    async def add(self, delivery: Delivery) -> None:
        assert delivery.id not in self._rows, "delivery ids are unique"
        self._rows[delivery.id] = copy.deepcopy(delivery)

    async def save(self, delivery: Delivery) -> None:
        assert delivery.id in self._rows, "only stored deliveries are saved"
        self._rows[delivery.id] = copy.deepcopy(delivery)

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        due = [d for d in self._rows.values() if d.status is DeliveryStatus.QUEUED and d.next_attempt_at <= now]
        due.sort(key=lambda d: (d.next_attempt_at, d.created_at))
        return [copy.deepcopy(d) for d in due[:limit]]

    async def claim_digest(self, digest_key: str, exclude: set[str]) -> list[Delivery]:
        members = [
            d
            for d in self._rows.values()
            if d.status is DeliveryStatus.QUEUED and d.digest_key == digest_key and d.id not in exclude
        ]
        return [copy.deepcopy(d) for d in sorted(members, key=lambda d: d.created_at)]

    async def open_digest_send_time(self, digest_key: str) -> datetime | None:
        times = [
            d.next_attempt_at
            for d in self._rows.values()
            if d.status is DeliveryStatus.QUEUED and d.digest_key == digest_key
        ]
        return min(times, default=None)

    async def get_for_update(self, delivery_id: str) -> Delivery | None:
        found = self._rows.get(delivery_id)
        return copy.deepcopy(found) if found is not None else None

    async def list_for_source(self, organisation_id: str, source_id: str) -> list[Delivery]:
        found = [d for d in self._rows.values() if (d.organisation_id, d.source_id) == (organisation_id, source_id)]
        return [copy.deepcopy(d) for d in sorted(found, key=lambda d: (d.created_at, d.channel), reverse=True)]

    async def list_failed(self, *, limit: int, for_update: bool = False) -> list[Delivery]:
        failed = sorted(
            (d for d in self._rows.values() if d.status is DeliveryStatus.FAILED), key=lambda d: d.created_at
        )
        return [copy.deepcopy(d) for d in failed[:limit]]

    async def claim_failed_with_secrets(self, created_before: datetime, limit: int) -> list[Delivery]:
        stale = sorted(
            (
                d
                for d in self._rows.values()
                if d.status is DeliveryStatus.FAILED and d.created_at < created_before and d.holds_secrets
            ),
            key=lambda d: d.created_at,
        )
        return [copy.deepcopy(d) for d in stale[:limit]]


class FakePreferencesRepository:
    def __init__(self, rows: dict[str, Preferences]) -> None:
        self._rows = rows

    async def get(self, account_id: str) -> Preferences | None:
        found = self._rows.get(account_id)
        return copy.deepcopy(found) if found is not None else None

    async def save(self, preferences: Preferences) -> None:
        self._rows[preferences.account_id] = copy.deepcopy(preferences)


class FakeAddressBookRepository:
    def __init__(self, rows: dict[str, AddressBookEntry]) -> None:
        self._rows = rows

    async def get(self, account_id: str) -> AddressBookEntry | None:
        return self._rows.get(account_id)

    async def put(self, entry: AddressBookEntry) -> bool:
        if not entry.supersedes(self._rows.get(entry.account_id)):
            return False
        self._rows[entry.account_id] = entry
        return True


class FakeUnitOfWork:
    """Works on a copy of the store; :meth:`commit` writes the copy back."""

    deliveries: FakeDeliveryRepository
    preferences: FakePreferencesRepository
    address_book: FakeAddressBookRepository

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._deliveries = copy.deepcopy(self._store.deliveries)
        self._preferences = copy.deepcopy(self._store.preferences)
        self.deliveries = FakeDeliveryRepository(self._deliveries)
        self.preferences = FakePreferencesRepository(self._preferences)
        self._address_book = dict(self._store.address_book)
        self.address_book = FakeAddressBookRepository(self._address_book)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store.deliveries = copy.deepcopy(self._deliveries)
        self._store.preferences = copy.deepcopy(self._preferences)
        self._store.address_book = dict(self._address_book)
        self._store.commits += 1


def unit_of_work(store: Store) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)


class ProcessKilled(BaseException):
    """The process died at this point: nothing after it runs, nothing uncommitted is kept.
    (A BaseException, like the signal that kills, so no ``except Exception`` catches it.)"""


@dataclass
class RecordingMailer:
    """Accepts every mail and keeps it, like a mail server; ``failures`` are raised first,
    one per send; ``die_after_accepting`` kills the process right after the server took
    the mail."""

    sent: list[OutgoingMail] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)
    die_after_accepting: bool = False

    async def send(self, mail: OutgoingMail) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(mail)
        if self.die_after_accepting:
            self.die_after_accepting = False
            raise ProcessKilled()


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    reference: str


@dataclass
class RecordingSmsSender:
    sent: list[Sms] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)

    async def send(self, to: str, text: str, *, reference: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(Sms(to, text, reference))
