"""Event consumers: durable pull consumers with explicit ack, an inbox against redelivery,
finite redelivery and a dead-letter subject.

A consumer is a small class with one :meth:`EventConsumer.consume`; the
:class:`ConsumerRunner` does everything else, in one place:

* the event is handled inside a unit of work that also records ``(consumer, event id)`` in
  the ``inbox_events`` table, so a redelivered event has no second effect;
* success → ack; a :class:`zorgpost_kit.errors.DomainError` (the event can never succeed) or
  an undecodable message → dead letter + term; any other error → nak with a growing delay,
  until ``max_deliver`` is reached, then dead letter + term.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from google.protobuf.message import DecodeError, Message
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.dialects.postgresql import insert as pg_insert

from zorgpost_kit.db import UnitOfWork, inbox_events
from zorgpost_kit.errors import DomainError
from zorgpost_kit.events import EVENT_TYPE_HEADER, MSG_ID_HEADER, OCCURRED_AT_HEADER
from zorgpost_kit.jetstream import (
    DEADLETTER_SUBJECT_PREFIX,
    DEFAULT_STREAM_MAX_AGE_SECONDS,
    ensure_deadletter_stream,
    ensure_stream,
    stream_name,
)
from zorgpost_kit.logging import REQUEST_ID_HEADER, bind_request_id, get_logger

log = get_logger(__name__)

P = TypeVar("P", bound=Message)
U = TypeVar("U", bound=UnitOfWork)


@dataclass(frozen=True)
class EventEnvelope:
    """What the bus says about an event besides its payload."""

    event_id: str
    subject: str
    occurred_at: datetime | None
    request_id: str | None
    delivery_attempt: int


class EventConsumer(Generic[P, U]):
    """Handles one subject. Subclasses set the class attributes and write :meth:`consume`.

    ``consume`` runs inside an open unit of work and must not commit: the runner commits the
    change together with the inbox record, so the effect and "processed" are one fact.
    """

    #: The service that publishes the subject (its stream is ``producer.upper()``).
    producer: ClassVar[str]
    subject: ClassVar[str]
    #: Durable consumer name, shared by every instance of the consuming service.
    durable: ClassVar[str]
    message_type: ClassVar[type[Message]]

    async def consume(self, event: P, envelope: EventEnvelope, uow: U) -> None:
        raise NotImplementedError  # pragma: no cover - abstract


#: Deliveries of one event before it goes to the dead letters, and how long one delivery may
#: stay unacknowledged before JetStream hands it over again. Services set both through
#: ``ServiceSettings.consumer_max_deliveries`` / ``consumer_ack_wait_seconds``.
DEFAULT_MAX_DELIVER = 10
DEFAULT_ACK_WAIT_SECONDS = 60.0


def redelivery_delay(attempt: int) -> float:
    """Seconds before delivery attempt ``attempt + 1``: 1, 2, 4 … capped at 5 minutes."""
    return float(min(2 ** max(attempt - 1, 0), 300))


def redelivery_horizon_seconds(
    max_deliver: int = DEFAULT_MAX_DELIVER, ack_wait_seconds: float = DEFAULT_ACK_WAIT_SECONDS
) -> float:
    """The longest a running consumer can keep redelivering one event after its first delivery.

    Every attempt may use its whole ack wait (a handler that hangs) and each failed one waits
    :func:`redelivery_delay` before the next; after ``max_deliver`` attempts the event is
    dead-lettered and never delivered again. With the defaults (10 attempts, 60 s) that is
    600 s + 511 s = 1,111 s, about 19 minutes. A stream must keep its messages longer than
    this, or an event could vanish while it is still being retried.
    """
    waits = sum(redelivery_delay(attempt) for attempt in range(1, max_deliver))
    return max_deliver * ack_wait_seconds + waits


class ConsumerRunner(Generic[U]):
    """Runs every consumer of a service until :meth:`stop`."""

    def __init__(
        self,
        js: JetStreamContext,
        uow_factory: Callable[[], U],
        consumers: Sequence[EventConsumer[Message, U]],
        *,
        max_deliver: int = DEFAULT_MAX_DELIVER,
        ack_wait_seconds: float = DEFAULT_ACK_WAIT_SECONDS,
        batch_size: int = 20,
        stream_replicas: int = 1,
        stream_max_age_seconds: float = DEFAULT_STREAM_MAX_AGE_SECONDS,
    ) -> None:
        self._js = js
        self._uow_factory = uow_factory
        self._consumers = list(consumers)
        self._max_deliver = max_deliver
        self._ack_wait = ack_wait_seconds
        self._batch_size = batch_size
        self._replicas = stream_replicas
        self._stream_max_age = stream_max_age_seconds
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscriptions: list[JetStreamContext.PullSubscription] = []

    async def start(self) -> None:
        await ensure_deadletter_stream(self._js, replicas=self._replicas, max_age_seconds=self._stream_max_age)
        for consumer in self._consumers:
            await ensure_stream(
                self._js, consumer.producer, replicas=self._replicas, max_age_seconds=self._stream_max_age
            )
            subscription = await self._js.pull_subscribe(
                consumer.subject,
                durable=consumer.durable,
                stream=stream_name(consumer.producer),
                config=ConsumerConfig(
                    durable_name=consumer.durable,
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    filter_subject=consumer.subject,
                    max_deliver=self._max_deliver,
                    ack_wait=self._ack_wait,
                ),
            )
            self._subscriptions.append(subscription)
            self._tasks.append(
                asyncio.create_task(self._pull_loop(consumer, subscription), name=f"consumer:{consumer.durable}")
            )

    async def stop(self) -> None:
        """Stops fetching; a message being handled is finished (and acked) first."""
        self._stopping.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        # Unsubscribed here rather than drained with the connection: draining a pull
        # subscription with no fetch in flight never completes. The durable consumer stays.
        for subscription in self._subscriptions:
            await subscription.unsubscribe()

    async def _pull_loop(
        self, consumer: EventConsumer[Message, U], subscription: JetStreamContext.PullSubscription
    ) -> None:
        # Idle, ask for one message: a waiting fetch of N returns only when N arrived or the
        # timeout ran out, which would hold a lone event back for the whole timeout. After
        # a full batch there is probably a backlog, and a fetch of N returns at once.
        batch = 1
        while not self._stopping.is_set():
            try:
                messages = await subscription.fetch(batch, timeout=1.0)
            except (NatsTimeoutError, TimeoutError):
                # nats-py raises either, depending on where in the fetch the time ran out.
                batch = 1
                continue
            except Exception as error:  # noqa: BLE001 - keep pulling through NATS restarts
                log.warning("consumer_fetch_failed", consumer=consumer.durable, error=type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            for message in messages:
                await self.handle(consumer, message)
            batch = self._batch_size if len(messages) == batch else 1

    async def handle(self, consumer: EventConsumer[Message, U], message: Msg) -> None:
        """Handles one delivery and settles it (ack, nak or term) exactly once."""
        headers = message.headers or {}
        attempt = message.metadata.num_delivered
        event_id = headers.get(MSG_ID_HEADER)
        with bind_request_id(headers.get(REQUEST_ID_HEADER)):
            if not event_id:
                await self._dead_letter(consumer, message, "missing Nats-Msg-Id header")
                return
            try:
                event = consumer.message_type.FromString(message.data)
            except DecodeError:
                await self._dead_letter(
                    consumer, message, f"payload is not a {consumer.message_type.DESCRIPTOR.full_name}"
                )
                return
            envelope = EventEnvelope(
                event_id=event_id,
                subject=message.subject,
                occurred_at=_parse_time(headers.get(OCCURRED_AT_HEADER)),
                request_id=headers.get(REQUEST_ID_HEADER),
                delivery_attempt=attempt,
            )
            try:
                handled = await self._consume_once(consumer, event, envelope)
            except DomainError as error:
                await self._dead_letter(consumer, message, f"{error.code}: {error.message}")
                return
            except Exception as error:  # noqa: BLE001 - central failure handling: nak, later dead letter
                if attempt >= self._max_deliver:
                    await self._dead_letter(consumer, message, f"{type(error).__name__} after {attempt} attempts")
                else:
                    log.warning(
                        "event_failed_will_retry",
                        consumer=consumer.durable,
                        event_id=event_id,
                        attempt=attempt,
                        error=type(error).__name__,
                        detail=str(error),
                    )
                    await message.nak(delay=redelivery_delay(attempt))
                return
            await message.ack()
            log.info(
                "event_consumed" if handled else "event_already_consumed", consumer=consumer.durable, event_id=event_id
            )

    async def _consume_once(self, consumer: EventConsumer[Message, U], event: Message, envelope: EventEnvelope) -> bool:
        async with self._uow_factory() as uow:
            # The inbox row is written first: a concurrent duplicate waits on it and then
            # finds the conflict, so only one delivery ever has an effect.
            recorded = await uow.session.execute(
                pg_insert(inbox_events)
                .values(consumer=consumer.durable, event_id=envelope.event_id)
                .on_conflict_do_nothing()
                .returning(inbox_events.c.event_id)
            )
            if recorded.first() is None:
                return False
            await consumer.consume(event, envelope, uow)
            await uow.commit()
            return True

    async def _dead_letter(self, consumer: EventConsumer[Message, U], message: Msg, reason: str) -> None:
        headers = dict(message.headers or {})
        # A new id: the original id would be de-duplicated against other dead letters of it.
        headers.pop(MSG_ID_HEADER, None)
        headers["Zorgpost-Original-Subject"] = message.subject
        headers["Zorgpost-Consumer"] = consumer.durable
        headers["Zorgpost-Failure"] = reason[:500]
        await self._js.publish(f"{DEADLETTER_SUBJECT_PREFIX}.{consumer.durable}", message.data, headers=headers)
        await message.term()
        log.error(
            "event_dead_lettered",
            consumer=consumer.durable,
            event_id=(message.headers or {}).get(MSG_ID_HEADER),
            event_type=(message.headers or {}).get(EVENT_TYPE_HEADER),
            reason=reason,
        )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
