"""The live activity feed of one caller: the stored backlog after a position, then live.

One :class:`ActivityHub` per process reads the feed once per commit (whatever the number
of open streams) and hands each new row to the streams of its reader key in memory. A
stream first reads its own backlog from the database, then takes what the hub hands it;
a stream that falls behind (its queue full) reads from the database again until it has
caught up. Open streams are capped per account and per session.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from messaging.domain.activity import ActivityEntry, ActivityKind, reader_keys
from messaging.domain.errors import NotForDelegates, TooManyStreams
from messaging.domain.threads import Message
from messaging.service.common import Caller, Services
from zorgpost_kit.auth import TokenRevoked

BATCH = 100
#: The hub reads this many rows per query (of every reader).
HUB_BATCH = 500
#: Entries a stream may have waiting before it is switched to reading the database itself.
QUEUE_SIZE = 1000
#: A quiet stream looks at the clock this often (it ends when the caller's token expires;
#: a revocation of its caller's access wakes it at once, see :meth:`ActivityHub.wake_all`).
IDLE_SECONDS = 30.0


@dataclass(frozen=True)
class ActivityItem:
    entry: ActivityEntry
    #: For "message.sent": the message as it is now.
    message: Message | None = None


def _identity(entry: ActivityEntry) -> tuple[str, str, str | None, str | None, int]:
    return (entry.kind.value, entry.thread_id, entry.message_id, entry.actor_participant_id, entry.value)


def distinct(entries: list[ActivityEntry]) -> list[ActivityEntry]:
    """A staff member reads their own and their organisation's rows: one change written for
    both comes once (the first of a batch)."""
    seen: set[tuple[str, str, str | None, str | None, int]] = set()
    kept = []
    for entry in entries:
        if _identity(entry) not in seen:
            seen.add(_identity(entry))
            kept.append(entry)
    return kept


@dataclass(eq=False)
class Subscription:
    """One open stream: its reader keys, the last position it yielded, and what the hub
    handed it since."""

    keys: tuple[str, ...]
    account_id: str
    session_id: str
    position: int
    queue: asyncio.Queue[ActivityItem] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    #: Set when the hub had to drop entries (the queue was full): read the database again.
    behind: bool = False
    #: Set whenever the hub handed it something.
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, items: list[ActivityItem]) -> None:
        for item in items:
            try:
                self.queue.put_nowait(item)
            except asyncio.QueueFull:
                self.behind = True
                break
        self.changed.set()


class ActivityHub:
    """Reads the feed once per commit for the whole process and fans it out to the open
    streams (see the module docstring). ``fetch`` is the step of a background loop that
    the activity signal wakes."""

    def __init__(self, services: Services, *, max_per_account: int, max_per_session: int) -> None:
        self._services = services
        self._max_per_account = max_per_account
        self._max_per_session = max_per_session
        #: Every row up to here was handed to the streams open when it was read; None while
        #: no stream is open (the next one starts from the feed's head).
        self._position: int | None = None
        self._by_key: dict[str, set[Subscription]] = defaultdict(set)
        self._all: set[Subscription] = set()
        self._lock = asyncio.Lock()

    @property
    def open_streams(self) -> int:
        return len(self._all)

    async def subscribe(self, caller: Caller, after_position: int) -> Subscription:
        """Admits a stream (``TooManyStreams`` past the caps) and hands it every row the hub
        reads from now on."""
        principal = caller.principal
        if principal.acts_on_behalf:
            # The live feed carries everything of the person's; a delegate's pages ask.
            raise NotForDelegates()
        by_account = sum(1 for s in self._all if s.account_id == principal.subject_id)
        by_session = sum(1 for s in self._all if s.session_id == principal.session_id)
        if by_account >= self._max_per_account or by_session >= self._max_per_session:
            raise TooManyStreams(retry_after_seconds=30)
        subscription = Subscription(
            tuple(reader_keys(principal)), principal.subject_id, principal.session_id, max(after_position, 0)
        )
        async with self._lock:
            if self._position is None:
                async with self._services.uow() as uow:
                    self._position = await uow.queries.activity_head()
            self._all.add(subscription)
            for key in subscription.keys:
                self._by_key[key].add(subscription)
        return subscription

    def wake_all(self) -> None:
        """Wakes every open stream to check its caller's access again (a revocation came)."""
        for subscription in self._all:
            subscription.changed.set()

    def unsubscribe(self, subscription: Subscription) -> None:
        self._all.discard(subscription)
        for key in subscription.keys:
            streams = self._by_key.get(key)
            if streams is not None:
                streams.discard(subscription)
                if not streams:
                    del self._by_key[key]
        if not self._all:
            self._position = None

    async def fetch(self) -> bool:
        """Reads what was committed since the last read (one query for every open stream) and
        hands it out; True when a full batch came (there may be more)."""
        async with self._lock:
            if self._position is None or not self._all:
                return False
            async with self._services.uow() as uow:
                rows = await uow.queries.activity_since(self._position, HUB_BATCH)
                wanted = [e.message_id for _, e in rows if e.kind is ActivityKind.MESSAGE_SENT and e.message_id]
                messages = await uow.queries.messages_by_id(wanted) if wanted else {}
            if not rows:
                return False
            self._position = rows[-1][1].position
            per_stream: dict[Subscription, list[ActivityEntry]] = defaultdict(list)
            for reader, entry in rows:
                for subscription in self._by_key.get(reader, ()):
                    per_stream[subscription].append(entry)
            for subscription, entries in per_stream.items():
                subscription.offer([ActivityItem(e, messages.get(e.message_id or "")) for e in distinct(entries)])
            return len(rows) == HUB_BATCH


async def watch_activity(
    services: Services, subscription: Subscription, caller: Caller
) -> AsyncGenerator[ActivityItem, None]:
    """Everything after the subscription's position for the caller (and, for staff, their
    organisation's shared inbox), then each new entry as it is committed, until the caller's
    token expires; ``TokenRevoked`` as soon as the caller's access is revoked (checked
    before every entry and whenever the stream wakes). Rows are written in commit order, so
    a client that resumes after the last position it saw misses nothing. A position older
    than what is kept first yields a ``resync`` entry."""

    def check_access() -> None:
        if services.revocations is not None and services.revocations.refuses(caller.principal):
            raise TokenRevoked()

    keys = list(subscription.keys)
    async with services.uow() as uow:
        horizon = await uow.queries.activity_horizon()
    if 0 < subscription.position < horizon:
        check_access()
        yield ActivityItem(ActivityEntry(horizon, ActivityKind.RESYNC, "", services.clock()))
        subscription.position = horizon
    expires_at = caller.principal.expires_at
    catching_up = True
    while True:
        check_access()
        if expires_at is not None and services.clock() >= expires_at:
            return
        if catching_up or subscription.behind:
            # The backlog, or what the hub had to drop: from the database, until a short page.
            subscription.behind = False
            async with services.uow() as uow:
                entries = await uow.queries.activity_after(keys, subscription.position, BATCH)
                wanted = [e.message_id for e in entries if e.kind is ActivityKind.MESSAGE_SENT and e.message_id]
                messages = await uow.queries.messages_by_id(wanted) if wanted else {}
            for entry in entries:
                check_access()
                yield ActivityItem(entry, messages.get(entry.message_id or ""))
                subscription.position = entry.position
            catching_up = len(entries) == BATCH
            continue
        while not subscription.queue.empty():
            item = subscription.queue.get_nowait()
            if item.entry.position > subscription.position:
                check_access()
                yield item
                subscription.position = item.entry.position
        if subscription.behind:
            continue
        timeout = IDLE_SECONDS
        if expires_at is not None:
            timeout = max(0.0, min(timeout, (expires_at - services.clock()).total_seconds()))
        subscription.changed.clear()
        # A revocation that came while this stream was handing out an entry woke nobody.
        check_access()
        if subscription.queue.empty() and not subscription.behind:
            try:
                await asyncio.wait_for(subscription.changed.wait(), timeout=timeout)
            except TimeoutError:
                pass
