"""The delivery queue on a real PostgreSQL (migrated as in production) with a real SMTP
server on 127.0.0.1, driven through the service's own use cases with a clock the test
moves: digests, expiry, forgotten secrets, a poisoned delivery that must not block the
queue, and migrations that match the tables."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, Envelope
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from support import fetch

from notifications.adapters.mail import SmtpMailer
from notifications.adapters.orm import metadata
from notifications.adapters.templates import TemplateCatalogue
from notifications.adapters.unit_of_work import SqlNotificationsUnitOfWork
from notifications.config import Settings
from notifications.domain.errors import CannotRedrive
from notifications.domain.model import Category, Channel, Delivery, RetryPolicy
from notifications.domain.notices import ONE_TIME_CODE, SECURE_MAIL_NOTICE, Addressee, Notice
from notifications.domain.preferences import ChannelChoice, Preferences
from notifications.service.deliveries import DeadLetterSecrets, DeliveryWorker, do_redrive
from notifications.service.notices import NoticeQueue
from zorgpost_kit.db import create_engine, create_session_factory, kit_metadata
from zorgpost_kit.events import EventCodec
from zorgpost_kit.migrations import alembic_config, upgrade_to_head

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PUBLIC_URL = "https://zorgpost.example"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Inbox:
    mails: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(parsed)
        return "250 OK"


class NoSms:
    async def send(self, to: str, text: str, *, reference: str) -> None:
        raise AssertionError("these tests send no SMS")


@dataclass
class Queue:
    """The service's parts on a fresh database of their own."""

    database_url: str
    uow: Any
    worker: DeliveryWorker
    intake: NoticeQueue
    clock: Clock
    inbox: Inbox


@pytest_asyncio.fixture(loop_scope="module")
async def queue(infra) -> AsyncIterator[Queue]:  # type: ignore[no-untyped-def]
    database_url = infra.create_database(f"w{uuid.uuid4().hex[:10]}_notifications")
    await asyncio.to_thread(upgrade_to_head, "notifications", database_url)
    engine = create_engine(database_url, pool_size=2)
    session_factory = create_session_factory(engine)
    inbox = Inbox()
    smtp = await asyncio.get_running_loop().create_server(lambda: SMTP(inbox), "127.0.0.1", 0)
    clock = Clock()

    def uow() -> SqlNotificationsUnitOfWork:
        return SqlNotificationsUnitOfWork(session_factory, EventCodec())

    worker = DeliveryWorker(
        uow=uow,
        templates=TemplateCatalogue(PUBLIC_URL),
        mailer=SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.sockets[0].getsockname()[1])),
        sms=NoSms(),
        policy=RetryPolicy(max_attempts=3, base=timedelta(seconds=2), cap=timedelta(seconds=10)),
        clock=clock,
    )
    try:
        yield Queue(database_url, uow, worker, NoticeQueue(clock=clock), clock, inbox)
    finally:
        smtp.close()
        await smtp.wait_closed()
        await engine.dispose()


def secure_mail_notice(account_id: str, organisation: str) -> Notice:
    return Notice(
        kind=SECURE_MAIL_NOTICE,
        addressee=Addressee(account_id=account_id, email=f"{account_id}@example.org", language="nl"),
        source_id=str(uuid.uuid4()),
        organisation_id=str(uuid.uuid4()),
        organisation_name=organisation,
        params={"read_token": uuid.uuid4().hex},
    )


async def queue_notices(queue: Queue, *notices: Notice) -> list[Delivery]:
    async with queue.uow() as uow:
        deliveries = await queue.intake.do_queue(uow, notices)
        await uow.commit()
    return deliveries


async def wants_digest(queue: Queue, account_id: str, minutes: int) -> None:
    async with queue.uow() as uow:
        await uow.preferences.save(
            Preferences(
                account_id,
                digest_window_minutes=minutes,
                categories={Category.MESSAGES: ChannelChoice(email=True, sms=False)},
                updated_at=T0,
            )
        )
        await uow.commit()


async def rows(queue: Queue, ids: list[str]) -> list[Any]:
    return await fetch(
        queue.database_url, "SELECT id, status, sent_at, params FROM deliveries WHERE id = ANY($1) ORDER BY id", ids
    )


# --------------------------------------------------------------------------- digests
async def test_new_messages_within_the_window_go_out_as_one_mail(queue: Queue) -> None:
    account = f"acc-{uuid.uuid4().hex[:8]}"
    await wants_digest(queue, account, 30)
    notices = [
        secure_mail_notice(account, "Gemeente Vlaardingen"),
        secure_mail_notice(account, "GGD Rotterdam"),
        secure_mail_notice(account, "Gemeente Vlaardingen"),
    ]
    queued: list[Delivery] = []
    for minutes, notice in zip((0, 5, 10), notices, strict=True):
        queue.clock.now = T0 + timedelta(minutes=minutes)
        queued += await queue_notices(queue, notice)
    assert {d.next_attempt_at for d in queued} == {T0 + timedelta(minutes=30)}, "later ones join the open digest"

    queue.clock.now = T0 + timedelta(minutes=29)
    assert await queue.worker.send_due() == 0
    queue.clock.now = T0 + timedelta(minutes=30)
    assert await queue.worker.send_due() == 1

    [mail] = queue.inbox.mails
    assert mail["To"] == f"{account}@example.org"
    assert mail["Subject"] == "Zorgpost Secure e-mail – 3 nieuwe berichten"
    assert mail["List-Unsubscribe"] == f"<{PUBLIC_URL}/me/notification-preferences>"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for notice in notices:
        assert f"{PUBLIC_URL}/secure-mail/{notice.params['read_token']}" in text
    assert "Gemeente Vlaardingen, GGD Rotterdam via Zorgpost" in text
    stored = await rows(queue, [d.id for d in queued])
    assert {(row["status"], row["sent_at"]) for row in stored} == {("sent", T0 + timedelta(minutes=30))}
    assert all("read_token" not in row["params"] for row in stored), "a sent notice keeps no token"


async def test_a_message_after_the_digest_went_out_opens_a_new_window(queue: Queue) -> None:
    account = f"acc-{uuid.uuid4().hex[:8]}"
    await wants_digest(queue, account, 10)
    await queue_notices(queue, secure_mail_notice(account, "Gemeente Vlaardingen"))
    queue.clock.now = T0 + timedelta(minutes=10)
    assert await queue.worker.send_due() == 1

    queue.clock.now = T0 + timedelta(minutes=11)
    [later] = await queue_notices(queue, secure_mail_notice(account, "GGD Rotterdam"))
    assert later.next_attempt_at == T0 + timedelta(minutes=21)
    queue.clock.now = T0 + timedelta(minutes=21)
    assert await queue.worker.send_due() == 1

    # Alone in its window, a notice goes out as itself, not as a digest of one.
    first, second = queue.inbox.mails
    assert first["Subject"] == second["Subject"].replace("GGD Rotterdam", "Gemeente Vlaardingen")
    assert second["Subject"] == "Zorgpost Secure e-mail – Nieuw bericht van GGD Rotterdam"


async def test_without_a_digest_each_message_goes_at_once(queue: Queue) -> None:
    account = f"acc-{uuid.uuid4().hex[:8]}"
    await queue_notices(
        queue, secure_mail_notice(account, "Gemeente Vlaardingen"), secure_mail_notice(account, "GGD Rotterdam")
    )

    assert await queue.worker.send_due() == 2
    assert len(queue.inbox.mails) == 2


# --------------------------------------------------------------------------- what is not sent
async def test_a_code_that_expired_while_waiting_is_not_sent(queue: Queue) -> None:
    notice = Notice(
        kind=ONE_TIME_CODE,
        addressee=Addressee(account_id="acc-code", email="code@example.org"),
        source_id="acc-code",
        organisation_id="org-1",
        organisation_name="Gemeente Vlaardingen",
        params={"code": "123456", "purpose": "login", "expires_at": (T0 + timedelta(minutes=5)).isoformat()},
        channel=Channel.EMAIL,
        expires_at=T0 + timedelta(minutes=5),
    )
    [delivery] = await queue_notices(queue, notice)

    queue.clock.now = T0 + timedelta(minutes=5)
    await queue.worker.send_due()

    assert queue.inbox.mails == []
    [row] = await rows(queue, [delivery.id])
    assert row["status"] == "failed"
    assert "code" not in row["params"]
    [reason] = await fetch(queue.database_url, "SELECT failure_reason FROM deliveries WHERE id = $1", delivery.id)
    assert reason["failure_reason"] == "expired before it could be sent"


async def test_a_delivery_that_cannot_be_rendered_fails_and_does_not_block_the_queue(queue: Queue) -> None:
    broken = secure_mail_notice("acc-broken", "Gemeente Vlaardingen")
    [poisoned] = await queue_notices(queue, broken)
    await fetch(queue.database_url, "UPDATE deliveries SET params = '{}' WHERE id = $1", poisoned.id)
    queue.clock.now = T0 + timedelta(seconds=1)
    [fine] = await queue_notices(queue, secure_mail_notice("acc-fine", "GGD Rotterdam"))

    assert await queue.worker.send_due() == 2

    assert [mail["To"] for mail in queue.inbox.mails] == ["acc-fine@example.org"]
    [row] = await fetch(queue.database_url, "SELECT status, failure_reason FROM deliveries WHERE id = $1", poisoned.id)
    assert (row["status"], row["failure_reason"]) == ("failed", "cannot be rendered: UndefinedError")
    assert [r["status"] for r in await rows(queue, [fine.id])] == ["sent"]


# --------------------------------------------------------------------------- dead letters
async def test_a_dead_letter_forgets_its_code_after_the_retention_and_can_then_not_be_redriven(queue: Queue) -> None:
    queue.clock.now = T0
    notice = Notice(
        kind=ONE_TIME_CODE,
        addressee=Addressee(account_id="acc-dead", email="vertrokken@example.org", language="nl"),
        source_id=str(uuid.uuid4()),
        organisation_id=str(uuid.uuid4()),
        organisation_name="Huisartsenpraktijk De Linde",
        params={"code": "918273", "purpose": "login", "expires_at": ""},
        channel=Channel.EMAIL,
    )
    [queued] = await queue_notices(queue, notice)
    async with queue.uow() as uow:
        dead = await uow.deliveries.get_for_update(queued.id)
        assert dead is not None
        dead.mark_failed_attempt(T0, "recipient refused (550)", permanent=True, policy=queue.worker.policy)
        await uow.deliveries.save(dead)
        await uow.commit()
    retention = timedelta(days=7)
    secrets = DeadLetterSecrets(queue.uow, retention, clock=queue.clock)

    queue.clock.now = T0 + retention - timedelta(seconds=1)
    await secrets.do_forget_expired()
    [row] = await fetch(queue.database_url, "SELECT params, expires_at FROM deliveries WHERE id = $1", queued.id)
    assert '"918273"' in row["params"] and row["expires_at"] is None

    queue.clock.now = T0 + retention + timedelta(seconds=1)
    assert await secrets.do_forget_expired() >= 1
    [row] = await fetch(
        queue.database_url, "SELECT status, params, expires_at FROM deliveries WHERE id = $1", queued.id
    )
    assert row["status"] == "failed"
    assert "918273" not in row["params"] and "Huisartsenpraktijk De Linde" in row["params"]
    assert row["expires_at"] == queue.clock.now
    with pytest.raises(CannotRedrive):
        await do_redrive(queue.uow, queued.id, now=queue.clock.now)
    assert await secrets.do_forget_expired() == 0


# --------------------------------------------------------------------------- migrations
async def schema_differences(database_url: str) -> list[Any]:
    """What autogenerate would change: nothing, when the migrations made the code's tables."""
    engine = create_engine(database_url, pool_size=1)

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    not (type_ == "table" and name in kit_metadata.tables)
                ),
            },
        )
        return list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as connection:
            return await connection.run_sync(differences)
    finally:
        await engine.dispose()


async def test_the_migrations_create_exactly_the_tables_the_code_uses(queue: Queue) -> None:
    assert await schema_differences(queue.database_url) == []


async def test_the_preferences_migration_can_be_undone_and_redone(queue: Queue) -> None:
    config = alembic_config("notifications", queue.database_url)

    await asyncio.to_thread(command.downgrade, config, "0001")
    [row] = await fetch(queue.database_url, "SELECT to_regclass('notification_preferences') AS t")
    assert row["t"] is None
    await asyncio.to_thread(command.upgrade, config, "head")

    assert await schema_differences(queue.database_url) == []
