"""NATS JetStream: connections, one stream per producing service, and the outbox relay.

Streams are named after the service that produces them (``MESSAGING`` holds
``messaging.>``) and kept on file storage; dead letters of every consumer go to the
``DEADLETTER`` stream. :func:`ensure_stream` is idempotent, so producers and consumers can
both call it at start, in any order.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zorgpost_kit.db import outbox_events
from zorgpost_kit.events import EVENT_TYPE_HEADER, MSG_ID_HEADER, OCCURRED_AT_HEADER
from zorgpost_kit.logging import get_logger

DEADLETTER_STREAM = "DEADLETTER"
DEADLETTER_SUBJECT_PREFIX = "deadletter"
#: A re-published event id within this window is dropped by JetStream itself; past it, the
#: consumers' inbox tables still make a redelivery harmless.
DUPLICATE_WINDOW_SECONDS = 600

log = get_logger(__name__)


def stream_name(producing_service: str) -> str:
    return producing_service.upper()


async def connect(url: str, *, name: str) -> NatsClient:
    """Connects with endless reconnects: a NATS restart must not end a service."""
    return await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        allow_reconnect=True,
        drain_timeout=10,
    )


async def ensure_stream(js: JetStreamContext, producing_service: str, *, replicas: int = 1) -> None:
    """Creates or updates the stream of ``producing_service`` (idempotent)."""
    await _ensure(
        js,
        StreamConfig(
            name=stream_name(producing_service),
            subjects=[f"{producing_service}.>"],
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        ),
    )


async def ensure_deadletter_stream(js: JetStreamContext, *, replicas: int = 1) -> None:
    await _ensure(
        js,
        StreamConfig(
            name=DEADLETTER_STREAM,
            subjects=[f"{DEADLETTER_SUBJECT_PREFIX}.>"],
            storage=StorageType.FILE,
            num_replicas=replicas,
        ),
    )


async def _ensure(js: JetStreamContext, config: StreamConfig) -> None:
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except BadRequestError:
            # Another process created it between our look and our add.
            pass
    await js.update_stream(config)


class OutboxRelay:
    """Publishes committed outbox rows to JetStream, oldest first, and marks them published.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so several instances of a service share
    the work. A row is marked published only after JetStream acknowledged it; a crash in
    between publishes it again, which ``Nats-Msg-Id`` (= event id) de-duplicates. While NATS
    is unreachable, rows simply wait.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        js: JetStreamContext,
        *,
        batch_size: int = 100,
        idle_seconds: float = 1.0,
        publish_timeout: float = 5.0,
    ) -> None:
        self._session_factory = session_factory
        self._js = js
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._publish_timeout = publish_timeout
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that wrote events: publish now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                published = await self.publish_pending()
                failures = 0
            except Exception as error:  # noqa: BLE001 - the relay must outlive NATS and database outages
                failures += 1
                published = 0
                log.warning("outbox_relay_failed", error=type(error).__name__, detail=str(error), attempt=failures)
            if published == self._batch_size:
                continue
            wait = self._idle_seconds if failures == 0 else min(0.25 * 2**failures, 10.0)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass
        # A last pass so events committed during shutdown leave with this process.
        try:
            await self.publish_pending()
        except Exception as error:  # noqa: BLE001 - they stay in the outbox for the next start
            log.warning("outbox_relay_final_pass_failed", error=type(error).__name__)

    async def publish_pending(self) -> int:
        """Publishes one batch; returns how many rows it published.

        Raises the publish error after marking what JetStream did acknowledge.
        """
        failure: Exception | None = None
        published: list[str] = []
        async with self._session_factory() as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox_events)
                    .where(outbox_events.c.published_at.is_(None))
                    .order_by(outbox_events.c.created_at, outbox_events.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                headers = {
                    **row.headers,
                    MSG_ID_HEADER: row.id,
                    EVENT_TYPE_HEADER: row.event_type,
                    OCCURRED_AT_HEADER: row.occurred_at.isoformat(),
                }
                try:
                    await self._js.publish(row.subject, row.payload, timeout=self._publish_timeout, headers=headers)
                except Exception as error:  # noqa: BLE001 - re-raised below, after the commit
                    failure = error
                    break
                published.append(row.id)
            if published:
                await session.execute(
                    update(outbox_events)
                    .where(outbox_events.c.id.in_(published))
                    .values(published_at=datetime.now(UTC))
                )
        if failure is not None:
            raise failure
        return len(published)
