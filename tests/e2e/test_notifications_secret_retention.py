"""Secrets do not outlive their use: a password-reset token and a secure-mail read token
travel in events to their notices, and after the retention nothing of them is left in the
producers' outbox tables, in the JetStream streams (dead letters included) or in the
notifications service's deliveries.

The stack runs with short retention settings (on a NATS server of its own, as every test
stack): published outbox rows are deleted after 15 s, stream messages after 30 s (longer
than the consumers' redelivery horizon of 2 deliveries with an ack wait of 10 s: 21 s).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from support import fetch_value, login, onboard_staff_member, reset_token_in, wait_for_messages, wait_until

from zorgpost_devstack.infra import SERVICES_WITH_DATABASE
from zorgpost_devstack.stack import Stack
from zorgpost_kit.jetstream import DEADLETTER_STREAM

OUTBOX_RETENTION_SECONDS = 15
STREAM_MAX_AGE_SECONDS = 30
RETENTION = {
    "OUTBOX_RETENTION_SECONDS": str(OUTBOX_RETENTION_SECONDS),
    "STREAM_MAX_AGE_SECONDS": str(STREAM_MAX_AGE_SECONDS),
    "CONSUMER_MAX_DELIVERIES": "2",
    "CONSUMER_ACK_WAIT_SECONDS": "10",
}
#: Long enough for the retention to run out, and for a loaded machine.
GONE_WITHIN = STREAM_MAX_AGE_SECONDS + 60.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(extra_env={service: dict(RETENTION) for service in SERVICES_WITH_DATABASE}),
]


@pytest_asyncio.fixture(loop_scope="module")
async def js(stack: Stack) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(stack.nats_url)
    try:
        yield client.jetstream()
    finally:
        await client.close()


async def _in_outbox(stack: Stack, service: str, secret: str) -> bool:
    query = "SELECT count(*) FROM outbox_events WHERE position($1::bytea IN payload) > 0"
    return bool(await fetch_value(stack.database_urls[service], query, secret.encode()))


async def _in_stream(js: JetStreamContext, stream: str, secret: str) -> bool:
    """Whether any message still stored in ``stream`` carries ``secret``."""
    try:
        state = (await js.stream_info(stream)).state
    except NotFoundError:
        return False
    for sequence in range(state.first_seq, state.last_seq + 1) if state.messages else ():
        try:
            message = await js.get_msg(stream, sequence)
        except NotFoundError:
            continue  # aged out between the look at the state and this read
        if secret.encode() in (message.data or b""):
            return True
    return False


async def _in_deliveries(stack: Stack, secret: str) -> bool:
    query = "SELECT count(*) FROM deliveries WHERE position($1 IN params::text) > 0"
    return bool(await fetch_value(stack.database_urls["notifications"], query, secret))


async def _requested_secrets(stack: Stack) -> dict[str, tuple[str, str]]:
    """Sends a password reset and a secure mail; returns each secret its notice carried,
    with the service and stream that carried it."""
    staff = await onboard_staff_member(stack)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        requested = await api.post("/api/v1/auth/password-reset", json={"email": staff.email})
        assert requested.status_code == 202, requested.text
        reset_mail = (await wait_for_messages(stack, staff.email, count=staff.mails + 1, timeout=20.0))[0]
        reset_token = reset_token_in(reset_mail)

        token = await login(api, staff.email)
        recipient = f"bewaartermijn-{uuid.uuid4().hex[:8]}@example.org"
        sent = await api.post(
            "/api/v1/secure-mails",
            json={"recipient_email": recipient, "subject": "Onderwerp", "body": "Vertrouwelijk"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 201, sent.text
    [notice] = await wait_for_messages(stack, recipient, timeout=20.0)
    read_link = re.search(r"/secure-mail/([A-Za-z0-9_\-]+)", notice["text"])
    assert read_link, notice["text"]
    return {reset_token: ("identity", "IDENTITY"), read_link.group(1): ("messaging", "MESSAGING")}


async def test_after_the_retention_no_outbox_row_stream_message_or_delivery_holds_a_sent_token(
    stack: Stack, js: JetStreamContext
) -> None:
    for stream in ("IDENTITY", "MESSAGING", DEADLETTER_STREAM):
        assert (await js.stream_info(stream)).config.max_age == STREAM_MAX_AGE_SECONDS

    secrets = await _requested_secrets(stack)

    # Right after the notices went out, the tokens are still where they travelled: the
    # checks below can see them, so their later absence means something.
    for secret, (service, stream) in secrets.items():
        assert await _in_outbox(stack, service, secret), f"{service} outbox"
        assert await _in_stream(js, stream, secret), f"{stream} stream"
        # A sent notice forgets its token at once.
        assert not await _in_deliveries(stack, secret)

    async def nothing_left() -> bool:
        for secret, (service, stream) in secrets.items():
            if await _in_outbox(stack, service, secret):
                return False
            for name in (stream, DEADLETTER_STREAM):
                if await _in_stream(js, name, secret):
                    return False
            if await _in_deliveries(stack, secret):
                return False
        return True

    await wait_until(nothing_left, within=GONE_WITHIN, interval=1.0, what="every token gone from every store")
