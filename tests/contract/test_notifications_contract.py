"""Notifications' contract: it reacts to ``messaging.secure_mail.sent`` published on
JetStream (here by the test, as messaging would) with exactly one notice mail, lets the
sending organisation's staff see the delivery, and dead-letters what it can never handle."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, Person, access_token, health_status, refusal, stream_messages
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck
from support import (
    StaffMember,
    assert_notice,
    count_rows,
    create_staff_member,
    fetch,
    notice_detail,
    settled_messages,
    wait_for_messages,
    wait_until,
)

from zorgpost.events.v1 import messaging_events_pb2
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "notifications", outbox=True)]

SERVICE = "zorgpost.notifications.v1.NotificationsService"
SUBJECT = "messaging.secure_mail.sent"
DURABLE = "notifications-secure-mail-sent"
DEADLETTER_SUBJECT = f"deadletter.{DURABLE}"
#: How long a notice may take from publish to the outbox (consumer, delivery worker, SMTP).
NOTICE_TIMEOUT = 10.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def other_staff_token(stack: Stack) -> str:
    return await access_token(stack, await create_staff_member(stack))


@pytest.fixture
def notifications(channel: grpc.aio.Channel) -> notifications_pb2_grpc.NotificationsServiceStub:
    return notifications_pb2_grpc.NotificationsServiceStub(channel)


def _secure_mail_sent(staff: StaffMember, *, language: str = "nl") -> messaging_events_pb2.SecureMailSent:
    sent_at = Timestamp()
    sent_at.GetCurrentTime()
    mail_id = str(uuid.uuid4())
    return messaging_events_pb2.SecureMailSent(
        secure_mail_id=mail_id,
        thread_id=mail_id,
        organisation_id=staff.organisation_id,
        organisation_name=staff.organisation_name,
        sender_account_id=staff.account_id,
        recipient_email=f"burger-{uuid.uuid4().hex[:8]}@example.org",
        recipient_mobile="+31612345678",
        read_token=secrets.token_urlsafe(32),
        sent_at=sent_at,
        language=language,
    )


async def _publish(js: JetStreamContext, data: bytes, *, event_id: str | None, **extra_headers: str) -> PubAck:
    headers = {"Zorgpost-Event-Type": "zorgpost.events.v1.SecureMailSent", **extra_headers}
    if event_id is not None:
        headers["Nats-Msg-Id"] = event_id
    return await js.publish(SUBJECT, data, headers=headers, timeout=5.0)


async def _consumer_idle(js: JetStreamContext) -> bool:
    info = await js.consumer_info("MESSAGING", DURABLE)
    return info.num_pending == 0 and info.num_ack_pending == 0


async def _deliveries(
    notifications: notifications_pb2_grpc.NotificationsServiceStub, token: str, source_id: str
) -> list[notifications_pb2.Delivery]:
    response = await notifications.ListDeliveries(
        notifications_pb2.ListDeliveriesRequest(source_id=source_id), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return list(response.deliveries)


async def _one_notice(stack: Stack, to: str) -> dict[str, Any]:
    """The one notice to ``to``, in full, once every event is handled and nothing is queued."""
    [mail] = await settled_messages(stack, to, outboxes=("identity",), streams=("MESSAGING",), timeout=NOTICE_TIMEOUT)
    return await notice_detail(stack, mail)


async def test_secure_mail_sent_gives_exactly_one_dutch_notice(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    event = _secure_mail_sent(staff, language="nl")
    await _publish(js, event.SerializeToString(), event_id=str(uuid.uuid4()))
    mail = await _one_notice(stack, event.recipient_email)
    assert mail["channel"] == "email"
    assert_notice(
        mail,
        subject=f"Zorgpost Secure e-mail – Nieuw bericht van {staff.organisation_name}",
        organisation=staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}/secure-mail/{event.read_token}",
    )
    assert "Bericht lezen" in mail["text"]
    # The link's token is a secret: it is in the mail, never in the log.
    assert event.read_token not in (stack.log_dir / "notifications.log").read_text()


async def test_an_english_event_gives_an_english_notice(js: JetStreamContext, stack: Stack, staff: StaffMember) -> None:
    event = _secure_mail_sent(staff, language="en")
    await _publish(js, event.SerializeToString(), event_id=str(uuid.uuid4()))
    mail = await _one_notice(stack, event.recipient_email)
    assert_notice(
        mail,
        subject=f"Zorgpost Secure e-mail – New message from {staff.organisation_name}",
        organisation=staff.organisation_name,
        language="en",
        link=f"{stack.web_url}/secure-mail/{event.read_token}",
    )


async def test_the_same_event_published_twice_gives_one_notice(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    event = _secure_mail_sent(staff)
    event_id = str(uuid.uuid4())
    first = await _publish(js, event.SerializeToString(), event_id=event_id)
    second = await _publish(js, event.SerializeToString(), event_id=event_id)
    assert not first.duplicate
    assert second.duplicate
    assert second.seq == first.seq
    await _one_notice(stack, event.recipient_email)


async def test_the_sending_organisation_sees_the_delivery_as_sent(
    js: JetStreamContext,
    stack: Stack,
    staff: StaffMember,
    staff_token: str,
    other_staff_token: str,
    notifications: notifications_pb2_grpc.NotificationsServiceStub,
) -> None:
    event = _secure_mail_sent(staff)
    await _publish(js, event.SerializeToString(), event_id=str(uuid.uuid4()))
    await wait_for_messages(stack, event.recipient_email, timeout=NOTICE_TIMEOUT)

    async def sent() -> bool:
        deliveries = await _deliveries(notifications, staff_token, event.secure_mail_id)
        return len(deliveries) == 1 and deliveries[0].status == "sent"

    await wait_until(sent, within=10.0, what="delivery status sent")
    [delivery] = await _deliveries(notifications, staff_token, event.secure_mail_id)
    assert delivery.source_id == event.secure_mail_id
    assert delivery.channel == "email"
    assert delivery.template == "secure_mail_notice"
    assert delivery.attempts == 1
    assert delivery.failure_reason == ""
    assert delivery.HasField("sent_at")
    assert delivery.sent_at.ToDatetime() >= delivery.created_at.ToDatetime()
    # Masked: recognisable, not harvestable.
    assert delivery.recipient == f"b***@{event.recipient_email.split('@')[1]}"
    assert event.recipient_email not in delivery.recipient

    # Another organisation's staff learn nothing about it.
    assert await _deliveries(notifications, other_staff_token, event.secure_mail_id) == []


async def test_list_deliveries_is_for_staff_with_a_source_id(
    notifications: notifications_pb2_grpc.NotificationsServiceStub, stack: Stack, person: Person, staff_token: str
) -> None:
    source_id = str(uuid.uuid4())
    unauthenticated = await refusal(
        notifications.ListDeliveries(notifications_pb2.ListDeliveriesRequest(source_id=source_id), timeout=RPC_TIMEOUT)
    )
    assert unauthenticated.code == grpc.StatusCode.UNAUTHENTICATED
    assert unauthenticated.reason == "invalid_token"

    person_token = await access_token(stack, person)
    denied = await refusal(
        notifications.ListDeliveries(
            notifications_pb2.ListDeliveriesRequest(source_id=source_id),
            metadata=call_metadata(person_token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    assert denied.reason == "not_permitted"

    missing = await refusal(
        notifications.ListDeliveries(
            notifications_pb2.ListDeliveriesRequest(), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT
        )
    )
    assert missing.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(missing.fields) == {"source_id"}

    assert await _deliveries(notifications, staff_token, source_id) == []


def _dead_letter_with(request_id: str) -> Callable[[Msg], bool]:
    def match(message: Msg) -> bool:
        return (message.headers or {}).get("X-Request-Id") == request_id

    return match


@pytest.mark.parametrize(
    ("kind", "failure"),
    [
        ("garbage-payload", "payload is not a zorgpost.events.v1.SecureMailSent"),
        ("no-event-id", "missing Nats-Msg-Id header"),
    ],
    ids=["garbage-payload", "no-event-id"],
)
async def test_an_event_that_can_never_be_handled_is_dead_lettered_and_sends_nothing(
    js: JetStreamContext, stack: Stack, staff: StaffMember, kind: str, failure: str
) -> None:
    # Start from a consumer with nothing in flight, so any delivery after this is ours.
    await wait_until(lambda: _consumer_idle(js), within=20.0, what="notifications consumer idle")
    database = stack.database_urls["notifications"]
    before = await count_rows(database, ["deliveries", "inbox_events"])
    request_id = f"contract-{uuid.uuid4().hex}"
    event_id = str(uuid.uuid4())
    if kind == "garbage-payload":
        # Field 1, length-delimited, claiming ~4 GB: never a valid protobuf.
        data = b"\x0a\xff\xff\xff\xff\x0f" + request_id.encode()
        await _publish(js, data, event_id=event_id, **{"X-Request-Id": request_id})
    else:
        data = _secure_mail_sent(staff).SerializeToString()
        await _publish(js, data, event_id=None, **{"X-Request-Id": request_id})

    [dead] = await stream_messages(
        js, "DEADLETTER", DEADLETTER_SUBJECT, _dead_letter_with(request_id), within=10.0, settle=0.3
    )
    headers = dead.headers or {}
    assert headers["Zorgpost-Failure"] == failure
    assert headers["Zorgpost-Consumer"] == DURABLE
    assert headers["Zorgpost-Original-Subject"] == SUBJECT
    assert dead.data == data

    await wait_until(lambda: _consumer_idle(js), within=10.0, what="notifications consumer idle")
    assert await count_rows(database, ["deliveries", "inbox_events"]) == before
    assert await fetch(database, "SELECT 1 FROM inbox_events WHERE event_id = $1", event_id) == []


@pytest.mark.parametrize("service", ["", SERVICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_an_event_without_a_recipient_does_not_stop_other_notices(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    broken = _secure_mail_sent(staff)
    broken.recipient_email = ""
    good = _secure_mail_sent(staff)
    await _publish(js, broken.SerializeToString(), event_id=str(uuid.uuid4()))
    await _publish(js, good.SerializeToString(), event_id=str(uuid.uuid4()))
    [mail] = await wait_for_messages(stack, good.recipient_email, timeout=NOTICE_TIMEOUT)
    assert mail["subject"] == f"Zorgpost Secure e-mail – Nieuw bericht van {staff.organisation_name}"


# --------------------------------------------------------------------------- known bugs
async def test_a_failing_event_does_not_write_its_read_token_to_the_log(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    event = _secure_mail_sent(staff)
    # Longer than deliveries.organisation_id allows: the consumer's insert fails.
    event.organisation_id = "x" * 40
    event_id = str(uuid.uuid4())
    ack = await _publish(js, event.SerializeToString(), event_id=event_id)
    log = stack.log_dir / "notifications.log"
    try:

        async def failed_once() -> bool:
            return event_id in log.read_text() and "event_failed_will_retry" in log.read_text()

        await wait_until(failed_once, within=10.0, what="first failed attempt logged")
        assert event.read_token not in log.read_text()
    finally:
        await js.delete_msg("MESSAGING", ack.seq)
