"""Crashes lose no SMS and duplicate none (beyond tests/e2e/test_resilience.py, which covers
mail): the notifications process is killed with SIGKILL while a code waits in JetStream,
and while an SMS waits for a provider that is down, then started again."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import nats
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from support import fetch, settled_messages, wait_until

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
    client = await nats.connect(stack.nats_url)
    try:
        js = client.jetstream()
        await ensure_stream(js, "identity")
        headers = {"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": event.DESCRIPTOR.full_name}
        await js.publish("identity.one_time_code.issued", event.SerializeToString(), headers=headers)
    finally:
        await client.close()


async def _deliveries(stack: Stack) -> list[asyncpg.Record]:
    return await fetch(stack.database_urls["notifications"], "SELECT channel, status, attempts FROM deliveries")


def _mobile() -> str:
    return f"+316{secrets.randbelow(10**8):08d}"


async def test_a_code_waiting_in_jetstream_while_notifications_is_down_comes_once_after_restart(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack().up()
    stack.kill("notifications")
    mobile = _mobile()
    event = _code_by_sms(mobile)

    await _publish(stack, event)
    # The code is in JetStream; with notifications down nobody can have sent it.
    async with httpx.AsyncClient(base_url=stack.outbox_url) as outbox:
        assert (await outbox.get("/api/messages", params={"to": mobile})).json() == []

    stack.start("notifications")
    [sms] = await settled_messages(stack, mobile, outboxes=(), streams=("IDENTITY",), timeout=30.0)
    assert sms["channel"] == "sms"
    assert re.fullmatch(rf"Uw Zorgpost-code is {event.code}\. Geldig tot \d\d:\d\d\.", sms["text"]), sms["text"]


async def test_an_sms_waiting_for_a_provider_that_is_down_survives_a_kill_and_comes_once(make_stack) -> None:  # type: ignore[no-untyped-def]
    unreachable = f"http://127.0.0.1:{free_port()}/api/sms"
    stack: Stack = make_stack(
        extra_env={"notifications": {"SMS_OUTBOX_URL": unreachable, "DELIVERY_RETRY_BASE_SECONDS": "0.5"}}
    ).up()
    mobile = _mobile()

    event = _code_by_sms(mobile)
    await _publish(stack, event)

    # The provider is unreachable: the SMS is tried, fails transiently and stays queued.
    async def tried_and_queued() -> bool:
        return [(r["status"], r["attempts"] >= 1) for r in await _deliveries(stack)] == [("queued", True)]

    await wait_until(tried_and_queued, within=20.0, interval=0.2, what="the SMS tried and queued again")
    stack.kill("notifications")

    stack.config.extra_env["notifications"] = {"DELIVERY_RETRY_BASE_SECONDS": "0.5"}
    stack.start("notifications")
    [sms] = await settled_messages(stack, mobile, outboxes=(), streams=("IDENTITY",), timeout=30.0)
    assert sms["channel"] == "sms"
    assert sms["text"].startswith(f"Uw Zorgpost-code is {event.code}.")
    [row] = await _deliveries(stack)
    assert (row["channel"], row["status"], row["attempts"] >= 2) == ("sms", "sent", True)
