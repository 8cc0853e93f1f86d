"""The kit's delivery guarantees against real PostgreSQL and NATS, without a service process:
a change and its event commit together or not at all; the relay publishes with
``Nats-Msg-Id`` so a re-publish is dropped; a consumer has one effect per event however often
it is delivered, retries a transient failure a bounded number of times and dead-letters what
can never succeed; published events and handled ones are not kept past their retention.

Every test has a database and a stream of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import pytest
import pytest_asyncio
from contract_helpers import stream_messages
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import Column, MetaData, String, Table, Text, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from support import wait_until

from zorgpost.events.v1.messaging_events_pb2 import SecureMailSent
from zorgpost_devstack.infra import ContainerInfrastructure, EmbeddedInfrastructure
from zorgpost_kit.consumer import ConsumerRunner, EventConsumer, EventEnvelope
from zorgpost_kit.db import UnitOfWork, create_engine, create_session_factory, inbox_events, kit_metadata, outbox_events
from zorgpost_kit.errors import FailedPrecondition
from zorgpost_kit.events import DomainEvent, EventCodec, UnknownEventError
from zorgpost_kit.jetstream import DEADLETTER_STREAM, OutboxRelay, ensure_stream, stream_name
from zorgpost_kit.logging import bind_request_id
from zorgpost_kit.retention import RetentionPruner

pytestmark = pytest.mark.asyncio(loop_scope="module")

EVENT_TYPE = "zorgpost.events.v1.SecureMailSent"

test_metadata = MetaData()
notes = Table(
    "contract_notes",
    test_metadata,
    Column("id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)


@dataclass(frozen=True, kw_only=True)
class NoteWritten(DomainEvent):
    note_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class NoteNobodyRegistered(DomainEvent):
    """An event type the codec does not know: a programming error at commit."""


def _codec(subject: str) -> EventCodec:
    codec = EventCodec()
    # The payload reuses a real event message: the kit does not care which one it is.
    codec.register(
        NoteWritten,
        subject,
        lambda event: SecureMailSent(secure_mail_id=event.note_id, organisation_name=event.text),
    )
    return codec


class NoteRefused(FailedPrecondition):
    code = "note_refused"
    default_message = "This note can never be written."


@dataclass
class Bus:
    """A producer name of this test only: its stream ``<NAME>`` holds ``<name>.>``."""

    js: JetStreamContext
    producer: str

    @property
    def stream(self) -> str:
        return stream_name(self.producer)

    @property
    def subject(self) -> str:
        return f"{self.producer}.note.written"

    async def messages(self) -> int:
        info = await self.js.stream_info(self.stream)
        return int(info.state.messages)


@dataclass
class Database:
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    url: str

    async def notes(self, note_id: str) -> list[str]:
        async with self.session_factory() as session:
            return list((await session.execute(select(notes.c.text).where(notes.c.id == note_id))).scalars())

    async def note_count(self) -> int:
        async with self.session_factory() as session:
            return int(await session.scalar(select(func.count()).select_from(notes)) or 0)

    async def outbox(self) -> list[Any]:
        async with self.session_factory() as session:
            return list((await session.execute(select(outbox_events))).all())

    async def inbox(self, consumer: str) -> list[str]:
        async with self.session_factory() as session:
            return list(
                (
                    await session.execute(select(inbox_events.c.event_id).where(inbox_events.c.consumer == consumer))
                ).scalars()
            )


@pytest.fixture
def database_url(infra: EmbeddedInfrastructure | ContainerInfrastructure) -> str:
    return infra.create_database(f"kit_{uuid.uuid4().hex[:12]}")


@pytest_asyncio.fixture(loop_scope="module")
async def db(database_url: str) -> AsyncIterator[Database]:
    engine = create_engine(database_url, pool_size=4)
    async with engine.begin() as connection:
        await connection.run_sync(kit_metadata.create_all)
        await connection.run_sync(test_metadata.create_all)
    try:
        yield Database(engine, create_session_factory(engine), database_url)
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(loop_scope="module")
async def bus(infra: EmbeddedInfrastructure | ContainerInfrastructure) -> AsyncIterator[Bus]:
    client = await nats.connect(infra.nats_url)
    js = client.jetstream()
    the_bus = Bus(js, f"kit{uuid.uuid4().hex[:10]}")
    await ensure_stream(js, the_bus.producer)
    try:
        yield the_bus
    finally:
        await js.delete_stream(the_bus.stream)
        await client.close()


def _note_event(text: str = "een notitie") -> NoteWritten:
    return NoteWritten(note_id=str(uuid.uuid4()), text=text)


async def _write_note(db: Database, codec: EventCodec, event: NoteWritten) -> None:
    async with UnitOfWork(db.session_factory, codec) as uow:
        await uow.session.execute(insert(notes).values(id=event.note_id, text=event.text))
        uow.emit(event)
        await uow.commit()


# --------------------------------------------------------------------------- unit of work
async def test_a_commit_writes_the_change_and_its_event_together(db: Database, bus: Bus) -> None:
    commits: list[str] = []
    event = _note_event()
    with bind_request_id("req-kit-commit"):
        async with UnitOfWork(
            db.session_factory, _codec(bus.subject), on_commit=lambda: commits.append("committed")
        ) as uow:
            await uow.session.execute(insert(notes).values(id=event.note_id, text=event.text))
            uow.emit(event)
            await uow.commit()

    assert await db.notes(event.note_id) == [event.text]
    [row] = await db.outbox()
    assert row.id == event.event_id
    assert row.subject == bus.subject
    assert row.event_type == EVENT_TYPE
    assert row.occurred_at == event.occurred_at
    assert row.published_at is None
    assert row.headers == {"X-Request-Id": "req-kit-commit"}
    payload = SecureMailSent.FromString(row.payload)
    assert (payload.secure_mail_id, payload.organisation_name) == (event.note_id, event.text)
    # The relay is woken once, after the transaction committed.
    assert commits == ["committed"]


async def test_an_exception_inside_the_block_writes_neither(db: Database, bus: Bus) -> None:
    event = _note_event()
    commits: list[str] = []
    with pytest.raises(RuntimeError, match="midden in de transactie"):
        async with UnitOfWork(
            db.session_factory, _codec(bus.subject), on_commit=lambda: commits.append("committed")
        ) as uow:
            await uow.session.execute(insert(notes).values(id=event.note_id, text=event.text))
            uow.emit(event)
            await uow.flush()
            raise RuntimeError("midden in de transactie")
    assert await db.notes(event.note_id) == []
    assert await db.outbox() == []
    assert commits == []


async def test_leaving_the_block_without_commit_writes_neither(db: Database, bus: Bus) -> None:
    event = _note_event()
    async with UnitOfWork(db.session_factory, _codec(bus.subject)) as uow:
        await uow.session.execute(insert(notes).values(id=event.note_id, text=event.text))
        uow.emit(event)
    assert await db.notes(event.note_id) == []
    assert await db.outbox() == []


async def test_an_event_the_codec_cannot_encode_fails_the_commit_and_writes_neither(db: Database, bus: Bus) -> None:
    note_id = str(uuid.uuid4())
    with pytest.raises(UnknownEventError):
        async with UnitOfWork(db.session_factory, _codec(bus.subject)) as uow:
            await uow.session.execute(insert(notes).values(id=note_id, text="x"))
            uow.emit(NoteNobodyRegistered())
            await uow.commit()
    assert await db.notes(note_id) == []
    assert await db.outbox() == []


# --------------------------------------------------------------------------- outbox relay
async def test_the_relay_publishes_with_the_event_id_and_marks_the_row(db: Database, bus: Bus) -> None:
    event = _note_event()
    with bind_request_id("req-kit-relay"):
        await _write_note(db, _codec(bus.subject), event)
    relay = OutboxRelay(db.session_factory, bus.js)

    assert await relay.publish_pending() == 1
    [row] = await db.outbox()
    assert row.published_at is not None
    assert await relay.publish_pending() == 0

    [message] = await stream_messages(bus.js, bus.stream, bus.subject, lambda _: True, within=5.0)
    headers = message.headers or {}
    assert headers["Nats-Msg-Id"] == event.event_id
    assert headers["Zorgpost-Event-Type"] == EVENT_TYPE
    assert datetime.fromisoformat(headers["Zorgpost-Occurred-At"]) == event.occurred_at
    assert headers["X-Request-Id"] == "req-kit-relay"
    assert message.data == row.payload
    assert await bus.messages() == 1


async def test_publishing_a_row_again_is_deduplicated_by_jetstream(db: Database, bus: Bus) -> None:
    event = _note_event()
    await _write_note(db, _codec(bus.subject), event)
    relay = OutboxRelay(db.session_factory, bus.js)
    assert await relay.publish_pending() == 1

    # A crash between JetStream's ack and the "published" mark: the row goes out again.
    async with db.session_factory() as session, session.begin():
        await session.execute(update(outbox_events).values(published_at=None))
    assert await relay.publish_pending() == 1
    assert await bus.messages() == 1
    [row] = await db.outbox()
    assert row.published_at is not None


async def test_the_running_relay_publishes_a_commit_promptly_when_woken(db: Database, bus: Bus) -> None:
    relay = OutboxRelay(db.session_factory, bus.js).background_loop(idle_seconds=30.0)
    task = asyncio.create_task(relay.run())
    try:
        # After its first, empty pass the relay idles 30 s: only the wake can publish sooner.
        async def first_pass_done() -> bool:
            return relay.rounds >= 1

        await wait_until(first_pass_done, within=10.0, what="the relay's first pass")
        event = _note_event()
        async with UnitOfWork(db.session_factory, _codec(bus.subject), on_commit=relay.wake) as uow:
            await uow.session.execute(insert(notes).values(id=event.note_id, text=event.text))
            uow.emit(event)
            await uow.commit()

        async def published() -> bool:
            return await bus.messages() == 1

        await wait_until(published, within=5.0, what="woken relay published")
    finally:
        relay.stop()
        await asyncio.wait_for(task, timeout=10.0)


# --------------------------------------------------------------------------- consumers
@dataclass
class NoteConsumer(EventConsumer[SecureMailSent, UnitOfWork]):
    """Writes the note an event carries; ``failure`` makes every attempt raise instead."""

    producer_name: str
    durable_name: str
    failure: Exception | None = None
    attempts: list[EventEnvelope] = field(default_factory=list)

    message_type = SecureMailSent

    def __post_init__(self) -> None:
        self.producer = self.producer_name  # type: ignore[misc]
        self.subject = f"{self.producer_name}.note.written"  # type: ignore[misc]
        self.durable = self.durable_name  # type: ignore[misc]

    async def consume(self, event: SecureMailSent, envelope: EventEnvelope, uow: UnitOfWork) -> None:
        self.attempts.append(envelope)
        await uow.session.execute(insert(notes).values(id=consumed(event.secure_mail_id), text=event.organisation_name))
        if self.failure is not None:
            raise self.failure


def consumed(note_id: str) -> str:
    """The id under which the consumer writes a note: apart from the producer's own row."""
    return f"consumed:{note_id}"


class LostAck:
    """A delivery whose ack never reaches the server (the process died right after the
    commit): JetStream redelivers it when the ack wait runs out."""

    def __init__(self, message: Msg) -> None:
        self._message = message

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message, name)

    async def ack(self) -> None:
        return None


def _runner(
    bus: Bus, db: Database, consumer: NoteConsumer, *, max_deliver: int = 3, ack_wait: float = 5.0
) -> ConsumerRunner[UnitOfWork]:
    codec = _codec(bus.subject)
    return ConsumerRunner(
        bus.js,
        lambda: UnitOfWork(db.session_factory, codec),
        [consumer],  # type: ignore[list-item]
        max_deliver=max_deliver,
        ack_wait_seconds=ack_wait,
    )


@pytest.fixture
def durable() -> str:
    return f"kit-contract-{uuid.uuid4().hex[:10]}"


async def _consumer_settled(bus: Bus, durable: str) -> bool:
    info = await bus.js.consumer_info(bus.stream, durable)
    return info.num_pending == 0 and info.num_ack_pending == 0


async def test_a_running_consumer_applies_a_relayed_event_once_and_acks_it(
    db: Database, bus: Bus, durable: str
) -> None:
    event = _note_event("via de relay")
    with bind_request_id("req-kit-consume"):
        await _write_note(db, _codec(bus.subject), event)
    assert await OutboxRelay(db.session_factory, bus.js).publish_pending() == 1
    consumer = NoteConsumer(bus.producer, durable)
    runner = _runner(bus, db, consumer)
    await runner.start()
    try:
        await wait_until(lambda: _consumer_settled(bus, durable), within=10.0, what="event acked")
    finally:
        await runner.stop()
    [envelope] = consumer.attempts
    assert envelope.event_id == event.event_id
    assert envelope.subject == bus.subject
    assert envelope.occurred_at == event.occurred_at
    assert envelope.request_id == "req-kit-consume"
    assert envelope.delivery_attempt == 1
    assert await db.inbox(durable) == [event.event_id]
    assert await db.notes(consumed(event.note_id)) == ["via de relay"]


async def test_a_redelivered_event_has_exactly_one_effect(db: Database, bus: Bus, durable: str) -> None:
    consumer = NoteConsumer(bus.producer, durable)
    runner = _runner(bus, db, consumer, ack_wait=1.0)
    subscription = await bus.js.pull_subscribe(
        consumer.subject,
        durable=durable,
        stream=bus.stream,
        config=ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=1.0,
            max_deliver=5,
            filter_subject=consumer.subject,
        ),
    )
    try:
        note_id = str(uuid.uuid4())
        event_id = str(uuid.uuid4())
        await bus.js.publish(
            consumer.subject,
            SecureMailSent(secure_mail_id=note_id, organisation_name="eenmaal").SerializeToString(),
            headers={"Nats-Msg-Id": event_id, "Zorgpost-Event-Type": EVENT_TYPE},
        )
        [first] = await subscription.fetch(1, timeout=5.0)
        assert first.metadata.num_delivered == 1
        await runner.handle(consumer, LostAck(first))  # type: ignore[arg-type]
        assert await db.notes(consumed(note_id)) == ["eenmaal"]

        # The ack wait (1 s) runs out and JetStream hands the same event over again.
        [second] = await subscription.fetch(1, timeout=5.0)
        assert second.metadata.num_delivered == 2
        assert (second.headers or {})["Nats-Msg-Id"] == event_id
        await runner.handle(consumer, second)

        assert len(consumer.attempts) == 1
        assert await db.notes(consumed(note_id)) == ["eenmaal"]
        assert await db.inbox(durable) == [event_id]
        await wait_until(lambda: _consumer_settled(bus, durable), within=5.0, what="redelivery acked")
    finally:
        await subscription.unsubscribe()


async def _dead_letters(bus: Bus, durable: str, *, count: int = 1) -> list[Msg]:
    return await stream_messages(
        bus.js, DEADLETTER_STREAM, f"deadletter.{durable}", lambda _: True, count=count, within=15.0, settle=0.3
    )


async def test_a_failing_consumer_is_retried_up_to_max_deliver_then_dead_lettered(
    db: Database, bus: Bus, durable: str
) -> None:
    consumer = NoteConsumer(bus.producer, durable, failure=RuntimeError("database even weg"))
    runner = _runner(bus, db, consumer, max_deliver=3)
    await runner.start()
    try:
        note_id = str(uuid.uuid4())
        event_id = str(uuid.uuid4())
        payload = SecureMailSent(secure_mail_id=note_id, organisation_name="mislukt").SerializeToString()
        await bus.js.publish(
            consumer.subject, payload, headers={"Nats-Msg-Id": event_id, "Zorgpost-Event-Type": EVENT_TYPE}
        )
        [dead] = await _dead_letters(bus, durable)
        await wait_until(lambda: _consumer_settled(bus, durable), within=5.0, what="dead letter terminated")
    finally:
        await runner.stop()

    # Every attempt ran the handler again: a failed attempt leaves no inbox record behind.
    assert [envelope.delivery_attempt for envelope in consumer.attempts] == [1, 2, 3]
    headers = dead.headers or {}
    assert headers["Zorgpost-Failure"] == "RuntimeError after 3 attempts"
    assert headers["Zorgpost-Consumer"] == durable
    assert headers["Zorgpost-Original-Subject"] == consumer.subject
    assert headers["Zorgpost-Event-Type"] == EVENT_TYPE
    assert "Nats-Msg-Id" not in headers
    assert dead.data == payload
    # Each failed attempt rolled back, the effect and the inbox record alike.
    assert await db.notes(consumed(note_id)) == []
    assert await db.inbox(durable) == []


async def test_a_domain_error_is_dead_lettered_at_once(db: Database, bus: Bus, durable: str) -> None:
    consumer = NoteConsumer(bus.producer, durable, failure=NoteRefused())
    runner = _runner(bus, db, consumer, max_deliver=5)
    await runner.start()
    try:
        note_id = str(uuid.uuid4())
        await bus.js.publish(
            consumer.subject,
            SecureMailSent(secure_mail_id=note_id).SerializeToString(),
            headers={"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": EVENT_TYPE},
        )
        [dead] = await _dead_letters(bus, durable)
        await wait_until(lambda: _consumer_settled(bus, durable), within=5.0, what="dead letter terminated")
    finally:
        await runner.stop()
    assert [envelope.delivery_attempt for envelope in consumer.attempts] == [1]
    assert (dead.headers or {})["Zorgpost-Failure"] == "note_refused: This note can never be written."
    assert await db.notes(consumed(note_id)) == []
    assert await db.inbox(durable) == []


async def test_undecodable_and_unidentified_events_are_dead_lettered_unhandled(
    db: Database, bus: Bus, durable: str
) -> None:
    consumer = NoteConsumer(bus.producer, durable)
    runner = _runner(bus, db, consumer)
    await runner.start()
    try:
        garbage = b"\x0a\xff\xff\xff\xff\x0fgeen protobuf"
        await bus.js.publish(consumer.subject, garbage, headers={"Nats-Msg-Id": str(uuid.uuid4())})
        await bus.js.publish(consumer.subject, SecureMailSent(secure_mail_id="zonder-id").SerializeToString())
        dead = await _dead_letters(bus, durable, count=2)
        await wait_until(lambda: _consumer_settled(bus, durable), within=5.0, what="dead letters terminated")
    finally:
        await runner.stop()
    assert consumer.attempts == []
    failures = {message.data: (message.headers or {})["Zorgpost-Failure"] for message in dead}
    assert failures == {
        garbage: f"payload is not a {EVENT_TYPE}",
        SecureMailSent(secure_mail_id="zonder-id").SerializeToString(): "missing Nats-Msg-Id header",
    }
    assert await db.inbox(durable) == []
    assert await db.note_count() == 0


# --------------------------------------------------------------------------- retention
async def _age_rows(db: Database, *, published: dict[str, timedelta | None], inbox: dict[str, timedelta]) -> None:
    """Outbox rows published that long ago (None: not yet published) and inbox rows handled
    that long ago, written straight into the tables."""
    now = datetime.now(UTC)
    async with db.session_factory() as session, session.begin():
        for event_id, age in published.items():
            await session.execute(
                insert(outbox_events).values(
                    id=event_id,
                    subject="kit.note.written",
                    event_type=EVENT_TYPE,
                    payload=b"token-" + event_id.encode(),
                    occurred_at=now - (age or timedelta(days=30)),
                    published_at=now - age if age is not None else None,
                )
            )
        for event_id, age in inbox.items():
            await session.execute(
                insert(inbox_events).values(consumer="kit-retention", event_id=event_id, processed_at=now - age)
            )


async def test_published_outbox_rows_and_handled_inbox_rows_are_deleted_after_their_retention(db: Database) -> None:
    await _age_rows(
        db,
        published={
            "old-1": timedelta(days=8),
            "old-2": timedelta(days=7, minutes=1),
            "recent": timedelta(days=6),
            # However old: an unpublished event still has to reach JetStream.
            "unpublished": None,
        },
        inbox={"handled-long-ago": timedelta(days=9), "handled-lately": timedelta(hours=1)},
    )
    pruner = RetentionPruner(
        db.session_factory, outbox_retention=timedelta(days=7), inbox_retention=timedelta(days=8), batch_size=1
    )

    # One row per batch: a full batch says "there may be more", until nothing is left.
    assert [await pruner.prune() for _ in range(3)] == [True, True, False]

    assert sorted(row.id for row in await db.outbox()) == ["recent", "unpublished"]
    assert await db.inbox("kit-retention") == ["handled-lately"]


async def test_a_pruner_skips_rows_another_instance_holds_instead_of_waiting(db: Database) -> None:
    await _age_rows(db, published={"held": timedelta(days=8), "free": timedelta(days=8)}, inbox={})
    pruner = RetentionPruner(db.session_factory, outbox_retention=timedelta(days=7), inbox_retention=timedelta(days=8))

    async with db.session_factory() as other_instance, other_instance.begin():
        await other_instance.execute(select(outbox_events).where(outbox_events.c.id == "held").with_for_update())
        # Would block until the other transaction ends if it waited on the lock.
        assert await asyncio.wait_for(pruner.prune_outbox(), timeout=10.0) == 1

    assert [row.id for row in await db.outbox()] == ["held"]
    assert await pruner.prune_outbox() == 1
    assert await db.outbox() == []


async def test_a_published_event_is_gone_from_the_outbox_and_the_stream_after_their_retention(
    db: Database, bus: Bus
) -> None:
    secret = f"leestoken-{uuid.uuid4().hex}"
    short_lived = Bus(bus.js, f"kitretention{uuid.uuid4().hex[:8]}")
    await ensure_stream(short_lived.js, short_lived.producer, max_age_seconds=2.0)
    try:
        await _write_note(db, _codec(short_lived.subject), _note_event(secret))
        assert await OutboxRelay(db.session_factory, short_lived.js).publish_pending() == 1
        [message] = await stream_messages(short_lived.js, short_lived.stream, short_lived.subject, lambda _: True)
        assert secret.encode() in message.data
        info = await short_lived.js.stream_info(short_lived.stream)
        assert info.config.max_age == 2.0

        pruner = RetentionPruner(
            db.session_factory, outbox_retention=timedelta(seconds=1), inbox_retention=timedelta(days=1)
        ).background_loop()
        task = asyncio.create_task(pruner.run())
        try:

            async def outbox_empty() -> bool:
                return not [row for row in await db.outbox() if secret.encode() in row.payload]

            await wait_until(outbox_empty, within=15.0, what="the published row pruned")
        finally:
            pruner.stop()
            await asyncio.wait_for(task, timeout=10.0)

        async def stream_empty() -> bool:
            return await short_lived.messages() == 0

        await wait_until(stream_empty, within=15.0, what="the message aged out of the stream")
    finally:
        await short_lived.js.delete_stream(short_lived.stream)
