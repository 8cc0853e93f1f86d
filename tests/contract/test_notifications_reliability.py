"""Reliable delivery, with the real notifications process talking to real servers on
127.0.0.1 that this test scripts: an SMTP server that refuses the first attempts, and an
HTTP SMS provider that fails. Transient refusals are retried until the notice arrives
exactly once; permanent ones are not retried; what runs out of attempts becomes a dead
letter that the operator's command lists and re-drives."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, Envelope
from contract_helpers import RPC_TIMEOUT, start_services
from google.protobuf.timestamp_pb2 import Timestamp
from nats.js import JetStreamContext
from support import StaffMember, notices_settled, wait_until

from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = pytest.mark.asyncio(loop_scope="module")

MAX_ATTEMPTS = 4
WITHIN = 15.0


# --------------------------------------------------------------------------- the scripted servers
@dataclass
class RefusingMailServer:
    """Refuses an address with 451 (greylisting) as often as ``refuse_first`` says, and with
    550 when it is ``gone``; counts every RCPT and every accepted mail per address."""

    refuse_first: dict[str, int] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    tried: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    port: int = 0

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Envelope, address: str, options: Any) -> str:
        self.tried[address] += 1
        if address in self.gone:
            return "550 5.1.1 mailbox unavailable"
        if self.refuse_first.get(address, 0) > 0:
            self.refuse_first[address] -= 1
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        self.accepted.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@dataclass
class FailingSmsProvider:
    """Answers 503 to a number as often as ``fail_first`` says (forever when it is in
    ``down_for``), 400 when the number is ``refused``, else 200; counts per number."""

    fail_first: dict[str, int] = field(default_factory=dict)
    down_for: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    tried: Counter[str] = field(default_factory=Counter)
    accepted: dict[str, list[str]] = field(default_factory=dict)
    port: int = 0

    def answer(self, to: str, text: str) -> int:
        self.tried[to] += 1
        if to in self.refused:
            return 400
        if to in self.down_for:
            return 503
        if self.fail_first.get(to, 0) > 0:
            self.fail_first[to] -= 1
            return 503
        self.accepted.setdefault(to, []).append(text)
        return 200

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        length = next(
            int(line.split(":", 1)[1]) for line in head.split("\r\n") if line.lower().startswith("content-length")
        )
        body = json.loads(await reader.readexactly(length))
        status = self.answer(body["recipient"], body["message"])
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}".encode())
        await writer.drain()
        writer.close()


@dataclass
class Servers:
    mail: RefusingMailServer
    sms: FailingSmsProvider


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def servers() -> AsyncIterator[Servers]:
    loop = asyncio.get_running_loop()
    mail, sms = RefusingMailServer(), FailingSmsProvider()
    smtp = await loop.create_server(lambda: SMTP(mail, hostname="mx.example.nl"), "127.0.0.1", 0)
    http = await asyncio.start_server(sms.handle, "127.0.0.1", 0)
    mail.port, sms.port = smtp.sockets[0].getsockname()[1], http.sockets[0].getsockname()[1]
    try:
        yield Servers(mail, sms)
    finally:
        for server in (smtp, http):
            server.close()
            await server.wait_closed()


@pytest.fixture(scope="module")
def stack(make_module_stack, servers: Servers) -> Stack:  # type: ignore[no-untyped-def]
    settings = {
        "SMTP_PORT": str(servers.mail.port),
        "SMS_PROVIDER": "http",
        "SMS_HTTP_URL": f"http://127.0.0.1:{servers.sms.port}/v1/sms",
        "SMS_HTTP_BODY_TEMPLATE": '{"recipient": "{to}", "message": "{text}"}',
        "SMS_HTTP_SUCCESS_STATUSES": "[200]",
        "DELIVERY_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "DELIVERY_RETRY_BASE_SECONDS": "0.2",
        "DELIVERY_RETRY_MAX_SECONDS": "1",
    }
    return start_services(make_module_stack(extra_env={"notifications": settings}), ["identity", "notifications"])


@pytest_asyncio.fixture(loop_scope="module")
async def deliveries(stack: Stack, staff_token: str) -> AsyncIterator[Callable[[str], Any]]:
    async with grpc.aio.insecure_channel(stack.grpc_address("notifications")) as channel:
        stub = notifications_pb2_grpc.NotificationsServiceStub(channel)

        async def of(source_id: str) -> list[notifications_pb2.Delivery]:
            response = await stub.ListDeliveries(
                notifications_pb2.ListDeliveriesRequest(source_id=source_id),
                metadata=call_metadata(staff_token),
                timeout=RPC_TIMEOUT,
            )
            return list(response.deliveries)

        yield of


# --------------------------------------------------------------------------- helpers
def _mobile() -> str:
    return f"+316{secrets.randbelow(10**8):08d}"


async def _send_code(
    js: JetStreamContext, staff: StaffMember, *, channel: str, email: str = "", mobile: str = ""
) -> str:
    """Publishes a code as identity would; returns the account id the delivery is filed under."""
    account_id = str(uuid.uuid4())
    expires = Timestamp()
    expires.FromDatetime(datetime.now(UTC) + timedelta(minutes=15))
    event = identity.OneTimeCodeIssued(
        organisation_id=staff.organisation_id,
        organisation_name=staff.organisation_name,
        recipient=identity.Recipient(
            account_id=account_id, email=email or "onbekend@example.org", mobile=mobile, language="nl"
        ),
        purpose="login",
        channel=channel,
        code=f"{secrets.randbelow(10**6):06d}",
        expires_at=expires,
    )
    headers = {"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": event.DESCRIPTOR.full_name}
    await js.publish("identity.one_time_code.issued", event.SerializeToString(), headers=headers, timeout=5.0)
    return account_id


async def _settled(of: Callable[[str], Any], source_id: str, status: str) -> notifications_pb2.Delivery:
    async def reached() -> bool:
        found = await of(source_id)
        return len(found) == 1 and found[0].status == status

    await wait_until(reached, within=WITHIN, what=f"delivery {status}")
    [delivery] = await of(source_id)
    return delivery


async def _quiet(stack: Stack) -> None:
    """Waits until no send can still happen: the code events are all acknowledged and no
    delivery is queued. Counting at the servers after this counts for good."""

    async def settled() -> bool:
        return await notices_settled(stack, outboxes=("identity",), streams=("IDENTITY",))

    await wait_until(settled, within=WITHIN, what="every notice settled")


async def _operator(stack: Stack, *args: str) -> tuple[int, str, str]:
    """Runs ``zorgpost-notifications deliveries …`` as an operator would, with the service's
    own settings. Asynchronously: the scripted servers in this loop keep answering."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "notifications",
        "deliveries",
        *args,
        env={**os.environ, **stack.env_for("notifications")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


# --------------------------------------------------------------------------- mail
async def test_a_mail_greylisted_twice_arrives_exactly_once_on_the_third_attempt(
    js: JetStreamContext, stack: Stack, staff: StaffMember, servers: Servers, deliveries: Callable[[str], Any]
) -> None:
    address = f"greylist-{uuid.uuid4().hex[:8]}@example.org"
    servers.mail.refuse_first[address] = 2

    account_id = await _send_code(js, staff, channel="email", email=address)

    delivery = await _settled(deliveries, account_id, "sent")
    await _quiet(stack)
    assert servers.mail.accepted[address] == 1
    assert servers.mail.tried[address] == 3
    assert (delivery.attempts, delivery.failure_reason) == (3, "")


async def test_a_mail_refused_for_good_is_not_tried_again(
    js: JetStreamContext, stack: Stack, staff: StaffMember, servers: Servers, deliveries: Callable[[str], Any]
) -> None:
    address = f"vertrokken-{uuid.uuid4().hex[:8]}@example.org"
    servers.mail.gone.add(address)

    account_id = await _send_code(js, staff, channel="email", email=address)

    delivery = await _settled(deliveries, account_id, "failed")
    await _quiet(stack)
    assert servers.mail.tried[address] == 1
    assert (delivery.attempts, delivery.failure_reason) == (1, "recipient refused (550)")


# --------------------------------------------------------------------------- SMS
async def test_an_sms_the_provider_fails_twice_arrives_exactly_once(
    js: JetStreamContext, stack: Stack, staff: StaffMember, servers: Servers, deliveries: Callable[[str], Any]
) -> None:
    mobile = _mobile()
    servers.sms.fail_first[mobile] = 2

    account_id = await _send_code(js, staff, channel="sms", mobile=mobile)

    delivery = await _settled(deliveries, account_id, "sent")
    await _quiet(stack)
    assert servers.sms.tried[mobile] == 3
    [text] = servers.sms.accepted[mobile]
    assert text.startswith("Uw Zorgpost-code is ")
    assert (delivery.channel, delivery.attempts) == ("sms", 3)
    assert delivery.recipient != mobile and delivery.recipient.startswith(mobile[:6])


async def test_an_sms_the_provider_refuses_is_not_tried_again(
    js: JetStreamContext, stack: Stack, staff: StaffMember, servers: Servers, deliveries: Callable[[str], Any]
) -> None:
    mobile = _mobile()
    servers.sms.refused.add(mobile)

    account_id = await _send_code(js, staff, channel="sms", mobile=mobile)

    delivery = await _settled(deliveries, account_id, "failed")
    await _quiet(stack)
    assert servers.sms.tried[mobile] == 1
    assert (delivery.attempts, delivery.failure_reason) == (1, "SMS provider answered 400")


# --------------------------------------------------------------------------- dead letters
async def test_what_runs_out_of_attempts_is_listed_and_redriven_by_the_operator(
    js: JetStreamContext, stack: Stack, staff: StaffMember, servers: Servers, deliveries: Callable[[str], Any]
) -> None:
    mobile = _mobile()
    servers.sms.down_for.add(mobile)
    account_id = await _send_code(js, staff, channel="sms", mobile=mobile)
    dead = await _settled(deliveries, account_id, "failed")
    assert (dead.attempts, dead.failure_reason) == (MAX_ATTEMPTS, "SMS provider answered 503")
    assert servers.sms.tried[mobile] == MAX_ATTEMPTS

    status, out, _ = await _operator(stack, "list-failed")
    assert status == 0
    [line] = [line for line in out.splitlines() if line.startswith(dead.id)]
    assert dead.recipient in line and mobile not in line
    assert "SMS provider answered 503" in line
    assert "Uw Zorgpost-code" not in out

    servers.sms.down_for.discard(mobile)
    status, out, _ = await _operator(stack, "redrive", "--id", dead.id)
    assert status == 0
    assert out.startswith(f"requeued\t{dead.id}")

    delivery = await _settled(deliveries, account_id, "sent")
    await _quiet(stack)
    assert len(servers.sms.accepted[mobile]) == 1
    assert delivery.attempts == 1

    # A sent delivery is not a dead letter: the operator is told, nothing is sent again.
    status, _, err = await _operator(stack, "redrive", "--id", dead.id)
    assert status == 1
    assert "not requeued" in err
    status, _, err = await _operator(stack, "redrive", "--id", str(uuid.uuid4()))
    assert (status, "not requeued" in err) == (1, True)
