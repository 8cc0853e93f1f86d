"""Crashes and restarts lose nothing and duplicate nothing.

Real processes are killed with SIGKILL (no chance to clean up) and started again; NATS is
killed and restarted on its file store. The promise: every committed secure mail leads to
exactly one notice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from support import StaffMember, create_staff_member, login, wait_for_messages

from zorgpost_devstack.infra import ContainerInfrastructure, EmbeddedInfrastructure
from zorgpost_devstack.nats_server import NatsServer
from zorgpost_devstack.postgres import free_port
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.slow


async def _send_secure_mail(stack: Stack, token: str, recipient: str) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10.0) as api:
        response = await api.post(
            "/api/v1/secure-mails",
            json={"recipient_email": recipient, "subject": "Onderwerp", "body": "Vertrouwelijke inhoud"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 201, response.text
    secure_mail_id: str = response.json()["id"]
    return secure_mail_id


async def _fetch(stack: Stack, service: str, query: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(stack.database_urls[service].replace("postgresql+asyncpg", "postgresql"))
    try:
        return list(await connection.fetch(query))
    finally:
        await connection.close()


async def _token(stack: Stack, staff: StaffMember) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10.0) as api:
        return await login(api, staff.email)


async def _wait_until(condition_query: str, stack: Stack, service: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not (await _fetch(stack, service, condition_query)):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {condition_query}")
        await asyncio.sleep(0.2)


async def test_notice_pending_in_jetstream_is_delivered_once_after_notifications_restarts(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack().up()
    staff = await create_staff_member(stack)
    token = await _token(stack, staff)

    stack.kill("notifications")
    recipient = f"wacht-{uuid.uuid4().hex[:8]}@example.org"
    await _send_secure_mail(stack, token, recipient)
    # The event waits in JetStream while nobody consumes it.
    await _wait_until("SELECT 1 FROM outbox_events WHERE published_at IS NOT NULL", stack, "messaging")
    await asyncio.sleep(1.0)
    async with httpx.AsyncClient(base_url=stack.outbox_url) as outbox:
        assert (await outbox.get("/api/messages", params={"to": recipient})).json() == []

    stack.start("notifications")
    messages = await wait_for_messages(stack, recipient, timeout=20.0, settle=2.0)
    assert len(messages) == 1


async def test_notifications_killed_with_a_queued_delivery_sends_it_exactly_once(make_stack) -> None:  # type: ignore[no-untyped-def]
    closed_port = str(free_port())
    stack: Stack = make_stack(
        extra_env={"notifications": {"SMTP_PORT": closed_port, "DELIVERY_RETRY_BASE_SECONDS": "0.5"}}
    ).up()
    staff = await create_staff_member(stack)
    token = await _token(stack, staff)
    recipient = f"retry-{uuid.uuid4().hex[:8]}@example.org"
    await _send_secure_mail(stack, token, recipient)

    # The mail server is unreachable: the delivery is tried, fails transiently and stays queued.
    await _wait_until(
        "SELECT 1 FROM deliveries WHERE status = 'queued' AND attempts >= 1", stack, "notifications", timeout=20.0
    )
    stack.kill("notifications")

    stack.config.extra_env["notifications"] = {"DELIVERY_RETRY_BASE_SECONDS": "0.5"}
    stack.start("notifications")
    messages = await wait_for_messages(stack, recipient, timeout=20.0, settle=2.0)
    assert len(messages) == 1
    rows = await _fetch(stack, "notifications", "SELECT status, attempts FROM deliveries")
    assert [(row["status"], row["attempts"] >= 2) for row in rows] == [("sent", True)]


class _OwnNats:
    """The session's PostgreSQL with a NATS server of this test's own, which it may kill."""

    def __init__(self, infra: EmbeddedInfrastructure | ContainerInfrastructure, data_dir: Path) -> None:
        self._infra = infra
        self.nats = NatsServer(data_dir, free_port())

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def create_database(self, name: str) -> str:
        return self._infra.create_database(name)

    def stop(self) -> None:
        self.nats.stop()


async def test_nats_killed_and_restarted_loses_no_outbox_event(infra, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    own = _OwnNats(infra, tmp_path / "nats")
    own.nats.start()
    from zorgpost_devstack.stack import StackConfig

    stack = Stack(own, StackConfig(data_dir=tmp_path / "stack", database_prefix=f"n{uuid.uuid4().hex[:8]}_"))
    try:
        stack.up()
        staff = await create_staff_member(stack)
        token = await _token(stack, staff)

        own.nats.kill()
        recipients = [f"storing-{i}-{uuid.uuid4().hex[:6]}@example.org" for i in range(3)]
        for recipient in recipients:
            # Sending still works: the event is committed to the outbox with the mail.
            await _send_secure_mail(stack, token, recipient)
        await asyncio.sleep(1.5)
        unpublished = await _fetch(
            stack,
            "messaging",
            "SELECT id FROM outbox_events WHERE published_at IS NULL AND subject = 'messaging.secure_mail.sent'",
        )
        assert len(unpublished) == len(recipients)

        own.nats.start()  # same port, same JetStream file store
        for recipient in recipients:
            messages = await wait_for_messages(stack, recipient, timeout=30.0)
            assert len(messages) == 1
        await asyncio.sleep(2.0)
        for recipient in recipients:
            assert len(await wait_for_messages(stack, recipient)) == 1
        assert await _fetch(stack, "messaging", "SELECT id FROM outbox_events WHERE published_at IS NULL") == []
    finally:
        stack.stop_all()
        for name in list(stack.processes):
            stack.kill(name)
        own.stop()
