"""Crashes and restarts lose nothing, and what they may repeat is recognisable.

Real processes are killed with SIGKILL (no chance to clean up) and started again; NATS is
killed and restarted on its file store. The promises: every committed secure mail leads to
its notice; a notice is delivered at least once, and exactly once unless the notifications
process dies after the mail server accepted it and before it recorded that (then it goes
out again with the same Message-ID, so a receiving system can recognise the duplicate).

Long repetitions of these faults run with ``make chaos`` (marker ``chaos``), not in
``make test``.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, Envelope
from support import (
    StaffMember,
    fetch,
    login,
    notices_settled,
    onboard_staff_member,
    stack_with_own_nats,
    wait_for_messages,
    wait_until,
)

from zorgpost_devstack.postgres import free_port
from zorgpost_devstack.stack import Stack
from zorgpost_kit.consumer import DEFAULT_ACK_WAIT_SECONDS

pytestmark = pytest.mark.slow

SUBJECT_PREFIX = "Zorgpost Secure e-mail – Nieuw bericht van "


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


async def _token(stack: Stack, staff: StaffMember) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10.0) as api:
        return await login(api, staff.email)


async def _onboarded_then_mailing_through(stack: Stack, notifications_env: dict[str, str]) -> StaffMember:
    """A staff member onboarded while mail works (their invitation must arrive), then
    notifications restarted with ``notifications_env`` (the mail server of the test)."""
    staff = await onboard_staff_member(stack)
    await _settled(stack)
    stack.kill("notifications")
    stack.config.extra_env["notifications"] = notifications_env
    stack.start("notifications")
    return staff


async def _row_exists(stack: Stack, service: str, query: str, *, within: float = 15.0) -> None:
    async def found() -> bool:
        return bool(await fetch(stack.database_urls[service], query))

    await wait_until(found, within=within, interval=0.2, what=query)


#: A kill may leave a message fetched and unacknowledged: JetStream hands it out again only
#: after the consumers' ack wait, so settling may take that long (and longer on a busy machine).
SETTLE_WITHIN = DEFAULT_ACK_WAIT_SECONDS + 60.0


async def _settled(stack: Stack, *, within: float = SETTLE_WITHIN) -> None:
    await wait_until(lambda: notices_settled(stack), within=within, interval=0.2, what="every notice settled")


def _assert_is_the_notice(message: dict[str, Any], staff: StaffMember) -> None:
    """The notice of a secure mail: from the right organisation, with a read link, in
    Dutch, and nothing of the mail itself."""
    assert message["subject"] == SUBJECT_PREFIX + staff.organisation_name
    assert "Bericht lezen: http" in message["text"] and "/secure-mail/" in message["text"]
    assert "Vertrouwelijke inhoud" not in message["text"] and "Onderwerp" not in message["text"]


async def test_notice_pending_in_jetstream_is_delivered_once_after_notifications_restarts(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack().up()
    staff = await onboard_staff_member(stack)
    token = await _token(stack, staff)

    stack.kill("notifications")
    recipient = f"wacht-{uuid.uuid4().hex[:8]}@example.org"
    await _send_secure_mail(stack, token, recipient)
    # The event is in JetStream; with notifications down nobody can have sent its notice.
    await _row_exists(stack, "messaging", "SELECT 1 FROM outbox_events WHERE published_at IS NOT NULL")
    async with httpx.AsyncClient(base_url=stack.outbox_url) as outbox:
        assert (await outbox.get("/api/messages", params={"to": recipient})).json() == []

    stack.start("notifications")
    await wait_for_messages(stack, recipient, timeout=20.0)
    await _settled(stack)
    [message] = await wait_for_messages(stack, recipient)
    _assert_is_the_notice(message, staff)


async def test_notifications_killed_with_a_queued_delivery_sends_it_exactly_once(make_stack) -> None:  # type: ignore[no-untyped-def]
    closed_port = str(free_port())
    stack: Stack = make_stack().up()
    staff = await _onboarded_then_mailing_through(
        stack, {"SMTP_PORT": closed_port, "DELIVERY_RETRY_BASE_SECONDS": "0.5"}
    )
    token = await _token(stack, staff)
    recipient = f"retry-{uuid.uuid4().hex[:8]}@example.org"
    await _send_secure_mail(stack, token, recipient)

    # The mail server is unreachable: the delivery is tried, fails transiently and stays queued.
    await _row_exists(
        stack, "notifications", "SELECT 1 FROM deliveries WHERE status = 'queued' AND attempts >= 1", within=20.0
    )
    stack.kill("notifications")

    stack.config.extra_env["notifications"] = {"DELIVERY_RETRY_BASE_SECONDS": "0.5"}
    stack.start("notifications")
    await wait_for_messages(stack, recipient, timeout=20.0)
    await _settled(stack)
    [message] = await wait_for_messages(stack, recipient)
    _assert_is_the_notice(message, staff)
    rows = await fetch(
        stack.database_urls["notifications"], "SELECT status, attempts FROM deliveries WHERE recipient = $1", recipient
    )
    assert [(row["status"], row["attempts"] >= 2) for row in rows] == [("sent", True)]


# --------------------------------------------------------------------------- the crash window
@dataclass
class SlowToSayGoodbye:
    """A mail server that accepts every mail (250 after DATA) and keeps it, then answers
    the client's QUIT only when ``goodbye`` is set. The sender has handed the mail over but
    has not returned from sending yet: the moment between acceptance and the "sent" commit."""

    mails: list[EmailMessage] = field(default_factory=list)
    goodbye: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(parsed)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        await self.goodbye.wait()
        return "221 Bye"


@pytest_asyncio.fixture
async def slow_mail_server() -> AsyncIterator[SlowToSayGoodbye]:
    mail = SlowToSayGoodbye()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(mail, hostname="mx.example.nl"), "127.0.0.1", 0
    )
    mail.port = server.sockets[0].getsockname()[1]
    try:
        yield mail
    finally:
        mail.goodbye.set()
        server.close()
        await server.wait_closed()


async def test_notifications_killed_after_the_mail_server_accepted_sends_it_again_with_the_same_message_id(
    make_stack, slow_mail_server: SlowToSayGoodbye
) -> None:  # type: ignore[no-untyped-def]
    # The SMTP timeout outlasts the test's wait: the send cannot finish on its own first.
    stack: Stack = make_stack().up()
    staff = await _onboarded_then_mailing_through(
        stack, {"SMTP_PORT": str(slow_mail_server.port), "SMTP_TIMEOUT_SECONDS": "120"}
    )
    recipient = f"venster-{uuid.uuid4().hex[:8]}@example.org"
    secure_mail_id = await _send_secure_mail(stack, await _token(stack, staff), recipient)

    async def accepted() -> bool:
        return len(slow_mail_server.mails) == 1

    await wait_until(accepted, within=20.0, what="the mail server accepted the notice")
    stack.kill("notifications")
    [queued] = await fetch(
        stack.database_urls["notifications"],
        "SELECT status, attempts, message_id FROM deliveries WHERE recipient = $1",
        recipient,
    )
    assert (queued["status"], queued["attempts"]) == ("queued", 0)

    slow_mail_server.goodbye.set()
    stack.start("notifications")

    async def accepted_again() -> bool:
        return len(slow_mail_server.mails) == 2

    await wait_until(accepted_again, within=20.0, what="the notice sent again")
    await _settled(stack)
    first, again = slow_mail_server.mails
    assert first["Message-ID"] == again["Message-ID"] == queued["message_id"]
    for mail in (first, again):
        assert mail["To"] == recipient
        assert mail["Subject"] == SUBJECT_PREFIX + staff.organisation_name
    assert len(slow_mail_server.mails) == 2
    [row] = await fetch(
        stack.database_urls["notifications"], "SELECT status, source_id FROM deliveries WHERE recipient = $1", recipient
    )
    assert (row["status"], row["source_id"]) == ("sent", secure_mail_id)


# --------------------------------------------------------------------------- NATS
async def test_nats_killed_and_restarted_loses_no_outbox_event(infra, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with stack_with_own_nats(infra, tmp_path) as (stack, own):
        stack.up()
        staff = await onboard_staff_member(stack)
        token = await _token(stack, staff)

        own.nats.kill()
        recipients = [f"storing-{i}-{uuid.uuid4().hex[:6]}@example.org" for i in range(3)]
        for recipient in recipients:
            # Sending still works: the event is committed to the outbox with the mail.
            await _send_secure_mail(stack, token, recipient)
        unpublished = await fetch(
            stack.database_urls["messaging"],
            "SELECT id FROM outbox_events WHERE published_at IS NULL AND subject = 'messaging.secure_mail.sent'",
        )
        assert len(unpublished) == len(recipients)

        own.nats.start()  # same port, same JetStream file store
        for recipient in recipients:
            await wait_for_messages(stack, recipient, timeout=30.0)
        await _settled(stack)
        for recipient in recipients:
            [message] = await wait_for_messages(stack, recipient)
            _assert_is_the_notice(message, staff)
        assert (
            await fetch(stack.database_urls["messaging"], "SELECT id FROM outbox_events WHERE published_at IS NULL")
            == []
        )


# --------------------------------------------------------------------------- chaos (make chaos)
CHAOS_ROUNDS = int(os.environ.get("ZORGPOST_CHAOS_ROUNDS", "10"))


@pytest.mark.chaos
async def test_notifications_killed_again_and_again_while_mail_is_sent_loses_no_notice(make_stack) -> None:  # type: ignore[no-untyped-def]
    """Rounds of: send a few secure mails, kill notifications at a random moment, start it
    again. Every notice arrives; a repeat is only ever the same mail (same Message-ID)."""
    stack: Stack = make_stack(extra_env={"notifications": {"DELIVERY_RETRY_BASE_SECONDS": "0.2"}}).up()
    staff = await onboard_staff_member(stack)
    token = await _token(stack, staff)
    chance = random.Random(7)  # the same moments on every run
    recipients: list[str] = []
    for round_number in range(CHAOS_ROUNDS):
        batch = [f"chaos-{round_number}-{i}-{uuid.uuid4().hex[:6]}@example.org" for i in range(3)]
        recipients += batch
        for recipient in batch:
            await _send_secure_mail(stack, token, recipient)
        await asyncio.sleep(chance.uniform(0.0, 0.5))  # a random moment to crash at, on purpose
        stack.kill("notifications")
        stack.start("notifications")
        stack.wait_serving("notifications", timeout=60.0)

    await _settled(stack, within=SETTLE_WITHIN + 60.0)
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=10.0) as outbox:
        for recipient in recipients:
            messages = (await outbox.get("/api/messages", params={"to": recipient})).json()
            assert messages, f"no notice to {recipient}"
            details = [(await outbox.get(f"/api/messages/{m['id']}")).json() for m in messages]
            assert len({detail["headers"]["Message-ID"] for detail in details}) == 1, recipient
            for message in messages:
                _assert_is_the_notice(message, staff)
