"""The live activity feed of one caller: the stored backlog after a position, then live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from messaging.domain.activity import ActivityEntry, ActivityKind, reader_keys
from messaging.domain.threads import Message
from messaging.service.common import Caller, Services
from messaging.service.ports import ActivitySignal

BATCH = 100


@dataclass(frozen=True)
class ActivityItem:
    entry: ActivityEntry
    #: For "message.sent": the message as it is now.
    message: Message | None = None


async def watch_activity(
    services: Services, signal: ActivitySignal, caller: Caller, after_position: int, *, poll_seconds: float = 5.0
) -> AsyncIterator[ActivityItem]:
    """Everything after ``after_position`` for the caller (and, for staff, their
    organisation's shared inbox), then each new entry as it is committed, until the caller's
    token expires. Rows are written in commit order, so a client that resumes after the last
    position it saw misses nothing. A position older than what is kept first yields a
    ``resync`` entry."""
    keys = reader_keys(caller.principal)
    position = max(after_position, 0)
    async with services.uow() as uow:
        horizon = await uow.queries.activity_horizon()
    if 0 < position < horizon:
        yield ActivityItem(ActivityEntry(horizon, ActivityKind.RESYNC, "", services.clock()))
        position = horizon
    expires_at = caller.principal.expires_at
    while True:
        now = services.clock()
        if expires_at is not None and now >= expires_at:
            return
        generation = signal.generation
        async with services.uow() as uow:
            entries = await uow.queries.activity_after(keys, position, BATCH)
            wanted = [e.message_id for e in entries if e.kind is ActivityKind.MESSAGE_SENT and e.message_id]
            messages = await uow.queries.messages_by_id(wanted) if wanted else {}
        for entry in entries:
            yield ActivityItem(entry, messages.get(entry.message_id or ""))
            position = entry.position
        if len(entries) == BATCH:
            continue
        timeout = poll_seconds
        if expires_at is not None:
            timeout = max(0.0, min(timeout, (expires_at - services.clock()).total_seconds()))
        await signal.wait(generation, timeout)
