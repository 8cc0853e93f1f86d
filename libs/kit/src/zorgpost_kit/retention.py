"""Retention of the kit's tables: what was published or handled is not kept forever.

Outbox payloads carry the secrets a notice needs (one-time codes, link tokens, temporary
passwords). Once JetStream has an event, its outbox row is only a record, so published rows
are deleted after the outbox retention. Inbox rows hold no secrets, but grow with every
event; they are deleted once no redelivery of their event can come any more (after the
streams' max age, see ``ServiceSettings.inbox_retention_seconds``).

Every instance of a service runs the pruner; rows are claimed with ``FOR UPDATE SKIP
LOCKED`` in small batches, so replicas share the work instead of waiting on each other,
and no delete holds many locks for long.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.db import inbox_events, outbox_events
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

#: Never poll less often than this, however long the retention.
MAX_IDLE_SECONDS = 300.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RetentionPruner:
    """Deletes published outbox rows older than ``outbox_retention`` and inbox rows older
    than ``inbox_retention``, ``batch_size`` rows per statement. Unpublished outbox rows are
    never touched, however old: they still have to reach JetStream."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        outbox_retention: timedelta,
        inbox_retention: timedelta,
        batch_size: int = 500,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._session_factory = session_factory
        self._outbox_retention = outbox_retention
        self._inbox_retention = inbox_retention
        self._batch_size = batch_size
        self._clock = clock

    async def prune_outbox(self) -> int:
        """Deletes one batch of expired published rows; returns how many."""
        cutoff = self._clock() - self._outbox_retention
        expired = (
            select(outbox_events.c.id)
            .where(outbox_events.c.published_at.is_not(None), outbox_events.c.published_at < cutoff)
            .order_by(outbox_events.c.published_at)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self._session_factory() as session, session.begin():
            result = await session.execute(
                delete(outbox_events).where(outbox_events.c.id.in_(expired)).returning(outbox_events.c.id)
            )
            return len(result.all())

    async def prune_inbox(self) -> int:
        """Deletes one batch of inbox records past the redelivery horizon; returns how many."""
        cutoff = self._clock() - self._inbox_retention
        key = tuple_(inbox_events.c.consumer, inbox_events.c.event_id)
        expired = (
            select(inbox_events.c.consumer, inbox_events.c.event_id)
            .where(inbox_events.c.processed_at < cutoff)
            .order_by(inbox_events.c.processed_at)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self._session_factory() as session, session.begin():
            result = await session.execute(
                delete(inbox_events).where(key.in_(expired)).returning(inbox_events.c.event_id)
            )
            return len(result.all())

    async def prune(self) -> bool:
        """One round of both; True when a batch was full (there is probably more)."""
        outbox = await self.prune_outbox()
        inbox = await self.prune_inbox()
        if outbox or inbox:
            log.info("retention_pruned", outbox_events=outbox, inbox_events=inbox)
        return outbox == self._batch_size or inbox == self._batch_size

    def background_loop(self) -> BackgroundLoop:
        """The pruner as a service's background loop. It looks again after a tenth of the
        shorter retention (at least every second, at most every five minutes), so a row is
        gone at most that long after its retention ran out."""
        shortest = min(self._outbox_retention, self._inbox_retention).total_seconds()
        idle = min(max(shortest / 10, 1.0), MAX_IDLE_SECONDS)
        return BackgroundLoop("retention", self.prune, idle_seconds=idle)
