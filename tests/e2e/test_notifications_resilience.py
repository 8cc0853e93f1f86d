"""Crashes lose no SMS and duplicate none (beyond tests/e2e/test_resilience.py, which covers
mail): the notifications process is killed with SIGKILL while a code waits in JetStream,
and while an SMS waits for a provider that is down, then started again."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import nats
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from support import wait_for_messages

from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost_devstack.postgres import free_port
from zorgpost_devstack.stack import Stack
from zorgpost_kit.jetstream import ensure_stream

pytestmark = pytest.mark.slow


def _code_by_sms(mobile: str) -> identity.OneTimeCodeIssued:
    expires = Timestamp()
    expires.FromDatetime(datetime.now(UTC) + timedelta(minutes=15))
    return identity.OneTimeCodeIssued(
        organisation_id=str(uuid.uuid4()),
        organisation_name="Huisartsenpraktijk De Linde",
        recipient=identity.Recipient(account_id=str(uuid.uuid4()), email="anna@example.org", mobile=mobile),
        purpose="login",
        channel="sms",
        code=f"{secrets.randbelow(10**6):06d}",
        expires_at=expires,
    )


async def _publish(stack: Stack, event: identity.OneTimeCodeIssued) -> None:
    client = await nats.connect(stack.infra.nats_url)
    try:
        js = client.jetstream()
        await ensure_stream(js, "identity")
        headers = {"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": event.DESCRIPTOR.full_name}
        await js.publish("identity.one_time_code.issued", event.SerializeToString(), headers=headers)
    finally:
        await client.close()


async def _deliveries(stack: Stack) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(stack.database_urls["notifications"].replace("postgresql+asyncpg", "postgresql"))
    try:
        return list(await connection.fetch("SELECT channel, status, attempts FROM deliveries"))
    finally:
        await connection.close()


def _mobile() -> str:
    return f"+316{secrets.randbelow(10**8):08d}"


async def test_a_code_waiting_in_jetstream_while_notifications_is_down_comes_once_after_restart(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack().up()
    stack.kill("notifications")
    mobile = _mobile()
    event = _code_by_sms(mobile)

    await _publish(stack, event)
    await asyncio.sleep(1.0)
    async with httpx.AsyncClient(base_url=stack.outbox_url) as outbox:
        assert (await outbox.get("/api/messages", params={"to": mobile})).json() == []

    stack.start("notifications")
    [sms] = await wait_for_messages(stack, mobile, timeout=20.0, settle=2.0)
    assert sms["text"].startswith(f"Uw Zorgpost-code is {event.code}.")


async def test_an_sms_waiting_for_a_provider_that_is_down_survives_a_kill_and_comes_once(make_stack) -> None:  # type: ignore[no-untyped-def]
    unreachable = f"http://127.0.0.1:{free_port()}/api/sms"
    stack: Stack = make_stack(
        extra_env={"notifications": {"SMS_OUTBOX_URL": unreachable, "DELIVERY_RETRY_BASE_SECONDS": "0.5"}}
    ).up()
    mobile = _mobile()

    await _publish(stack, _code_by_sms(mobile))
    # The provider is unreachable: the SMS is tried, fails transiently and stays queued.
    deadline = time.monotonic() + 20.0
    while [(r["status"], r["attempts"] >= 1) for r in await _deliveries(stack)] != [("queued", True)]:
        assert time.monotonic() < deadline, await _deliveries(stack)
        await asyncio.sleep(0.2)
    stack.kill("notifications")

    stack.config.extra_env["notifications"] = {"DELIVERY_RETRY_BASE_SECONDS": "0.5"}
    stack.start("notifications")
    [sms] = await wait_for_messages(stack, mobile, timeout=20.0, settle=2.0)
    assert sms["channel"] == "sms"
    [row] = await _deliveries(stack)
    assert (row["channel"], row["status"], row["attempts"] >= 2) == ("sms", "sent", True)
