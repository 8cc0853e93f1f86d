"""NATS JetStream: connections, one stream per producing service, and the outbox relay.

Streams are named after the service that produces them (``MESSAGING`` holds
``messaging.>``) and kept on file storage; dead letters of every consumer go to the
``DEADLETTER`` stream. :func:`ensure_stream` is idempotent, so producers and consumers can
both call it at start, in any order.

Events carry secrets to the notices (one-time codes, link tokens, temporary passwords), so
no stream keeps a message forever: each has a ``max_age`` (default 7 days, the
``stream_max_age_seconds`` setting), after which JetStream deletes it whether or not it was
consumed. It must be longer than the consumers' redelivery horizon (see
:func:`zorgpost_kit.consumer.redelivery_horizon_seconds`, about 19 minutes with the
defaults); what it adds beyond that is how long a consuming service may be down without
losing events.
"""

from __future__ import annotations

from datetime import UTC, datetime

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.db import outbox_events
from zorgpost_kit.events import EVENT_TYPE_HEADER, MSG_ID_HEADER, OCCURRED_AT_HEADER
from zorgpost_kit.logging import get_logger

DEADLETTER_STREAM = "DEADLETTER"
DEADLETTER_SUBJECT_PREFIX = "deadletter"
#: A re-published event id within this window is dropped by JetStream itself; past it, the
#: consumers' inbox tables still make a redelivery harmless. (Never longer than the stream's
#: max age: JetStream refuses that.)
DUPLICATE_WINDOW_SECONDS = 600
#: How long a stream keeps a message, consumed or not.
DEFAULT_STREAM_MAX_AGE_SECONDS = 7 * 24 * 3600.0

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


async def ensure_stream(
    js: JetStreamContext,
    producing_service: str,
    *,
    replicas: int = 1,
    max_age_seconds: float = DEFAULT_STREAM_MAX_AGE_SECONDS,
) -> None:
    """Creates or updates the stream of ``producing_service`` (idempotent); messages older
    than ``max_age_seconds`` are deleted."""
    await _ensure(
        js,
        StreamConfig(
            name=stream_name(producing_service),
            subjects=[f"{producing_service}.>"],
            storage=StorageType.FILE,
            duplicate_window=min(DUPLICATE_WINDOW_SECONDS, max_age_seconds),
            max_age=max_age_seconds,
            num_replicas=replicas,
        ),
    )


async def ensure_deadletter_stream(
    js: JetStreamContext, *, replicas: int = 1, max_age_seconds: float = DEFAULT_STREAM_MAX_AGE_SECONDS
) -> None:
    """Dead letters hold the payload of the event that failed (its secrets too), so they age
    out like every other stream; an operator has ``max_age_seconds`` to look at them."""
    await _ensure(
        js,
        StreamConfig(
            name=DEADLETTER_STREAM,
            subjects=[f"{DEADLETTER_SUBJECT_PREFIX}.>"],
            storage=StorageType.FILE,
            duplicate_window=min(DUPLICATE_WINDOW_SECONDS, max_age_seconds),
            max_age=max_age_seconds,
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
    is unreachable, rows simply wait. :meth:`background_loop` runs it in a service.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        js: JetStreamContext,
        *,
        batch_size: int = 100,
        publish_timeout: float = 5.0,
    ) -> None:
        self._session_factory = session_factory
        self._js = js
        self._batch_size = batch_size
        self._publish_timeout = publish_timeout

    def background_loop(self, *, idle_seconds: float = 1.0) -> BackgroundLoop:
        """The relay as a service's background loop: woken after every commit, polling every
        ``idle_seconds`` otherwise, and publishing once more on the way out so events
        committed during shutdown leave with this process."""

        async def step() -> bool:
            return await self.publish_pending() == self._batch_size

        return BackgroundLoop("outbox_relay", step, idle_seconds=idle_seconds, final_step=step)

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
