"""Messaging's contract, spoken over gRPC and JetStream to the real process: SendSecureMail
answers the stored mail and publishes ``messaging.secure_mail.sent`` (what notifications
relies on) without the content; refusals store nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from contract_helpers import (
    RPC_TIMEOUT,
    Person,
    access_token,
    health_status,
    reflected_services,
    refusal,
    resign_with_foreign_key,
    stream_messages,
)
from grpc_health.v1 import health_pb2
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from support import StaffMember, count_rows, fetch, wait_until

from zorgpost.events.v1 import messaging_events_pb2
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "messaging")]

SERVICE = "zorgpost.messaging.v1.MessagingService"
SUBJECT = "messaging.secure_mail.sent"
TABLES = ("threads", "participants", "messages", "read_links", "outbox_events")


@pytest.fixture
def messaging(channel: grpc.aio.Channel) -> messaging_pb2_grpc.MessagingServiceStub:
    return messaging_pb2_grpc.MessagingServiceStub(channel)


def _request(**overrides: str) -> messaging_pb2.SendSecureMailRequest:
    fields = {
        "recipient_email": f"burger-{uuid.uuid4().hex[:8]}@example.org",
        "recipient_mobile": "06-12345678",
        "subject": "Uw aanvraag",
        "body": "Uw aanvraag is ontvangen.",
    }
    fields.update(overrides)
    return messaging_pb2.SendSecureMailRequest(**fields)


def _event(message: Msg) -> messaging_events_pb2.SecureMailSent:
    return messaging_events_pb2.SecureMailSent.FromString(message.data)


def _is_event_of(mail_id: str) -> Callable[[Msg], bool]:
    def match(message: Msg) -> bool:
        try:
            return _event(message).secure_mail_id == mail_id
        except Exception:  # another producer's garbage on the shared subject
            return False

    return match


async def test_send_secure_mail_answers_the_stored_mail(
    messaging: messaging_pb2_grpc.MessagingServiceStub, staff: StaffMember, staff_token: str
) -> None:
    before = datetime.now(UTC)
    request = _request(recipient_email="  Burger.Jansen@EXAMPLE.org ", subject="  Uw aanvraag bijstand  ")
    mail = await messaging.SendSecureMail(request, metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT)
    assert uuid.UUID(mail.id)
    assert uuid.UUID(mail.thread_id)
    assert mail.recipient_email == "Burger.Jansen@example.org"
    assert mail.recipient_mobile == "+31612345678"
    assert mail.subject == "Uw aanvraag bijstand"
    assert mail.sender_account_id == staff.account_id
    assert mail.organisation_id == staff.organisation_id
    sent_at = mail.sent_at.ToDatetime(tzinfo=UTC)
    assert before - timedelta(seconds=2) <= sent_at <= datetime.now(UTC) + timedelta(seconds=2)


async def test_without_a_mobile_number_the_mail_has_none(
    messaging: messaging_pb2_grpc.MessagingServiceStub, staff_token: str
) -> None:
    mail = await messaging.SendSecureMail(
        _request(recipient_mobile=""), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT
    )
    assert mail.recipient_mobile == ""


async def test_secure_mail_sent_event_is_published_without_the_content(
    messaging: messaging_pb2_grpc.MessagingServiceStub,
    js: JetStreamContext,
    stack: Stack,
    staff: StaffMember,
    staff_token: str,
) -> None:
    request_id = f"contract-{uuid.uuid4().hex}"
    secret_subject = f"Uw dossier schuldhulp {uuid.uuid4().hex[:8]}"
    secret_body = f"Uw BSN is 123456782, dossier {uuid.uuid4().hex}"
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    mail = await messaging.SendSecureMail(
        _request(
            recipient_email=recipient, recipient_mobile="+31 6 1234 5678", subject=secret_subject, body=secret_body
        ),
        metadata=call_metadata(staff_token, request_id=request_id),
        timeout=RPC_TIMEOUT,
    )

    [message] = await stream_messages(js, "MESSAGING", SUBJECT, _is_event_of(mail.id), within=10.0, settle=0.5)
    assert message.subject == SUBJECT
    headers = message.headers or {}
    assert headers["Zorgpost-Event-Type"] == "zorgpost.events.v1.SecureMailSent"
    assert headers["X-Request-Id"] == request_id
    event_id = headers["Nats-Msg-Id"]
    assert uuid.UUID(event_id)
    occurred_at = datetime.fromisoformat(headers["Zorgpost-Occurred-At"])
    assert abs(occurred_at - mail.sent_at.ToDatetime(tzinfo=UTC)) < timedelta(seconds=1)

    event = _event(message)
    assert event.secure_mail_id == mail.id
    assert event.thread_id == mail.thread_id
    assert event.organisation_id == staff.organisation_id
    assert event.organisation_name == staff.organisation_name
    assert event.sender_account_id == staff.account_id
    assert event.recipient_email == recipient
    assert event.recipient_mobile == "+31612345678"
    assert len(event.read_token) >= 32
    assert event.language == "nl"
    assert event.sent_at == mail.sent_at
    # The notice must never be able to carry the content.
    for secret in (secret_subject, secret_body, "123456782"):
        assert secret.encode() not in message.data
        assert all(secret not in value for value in headers.values())

    # The event id is the outbox row's id, and the row is marked published.
    async def published() -> bool:
        rows = await fetch(
            stack.database_urls["messaging"], "SELECT published_at FROM outbox_events WHERE id = $1", event_id
        )
        return len(rows) == 1 and rows[0]["published_at"] is not None

    await wait_until(published, within=5.0, what="outbox row marked published")


async def test_neither_content_nor_read_token_reaches_the_log(
    messaging: messaging_pb2_grpc.MessagingServiceStub, js: JetStreamContext, stack: Stack, staff_token: str
) -> None:
    secret_subject = f"Uitslag onderzoek {uuid.uuid4().hex[:8]}"
    secret_body = f"Uw uitslag is bekend, kenmerk {uuid.uuid4().hex}"
    mail = await messaging.SendSecureMail(
        _request(subject=secret_subject, body=secret_body), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT
    )
    [message] = await stream_messages(js, "MESSAGING", SUBJECT, _is_event_of(mail.id), within=10.0)
    log = (stack.log_dir / "messaging.log").read_text()
    assert "service_started" in log
    for secret in (secret_subject, secret_body, _event(message).read_token):
        assert secret not in log


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (
            {"recipient_email": "geen-adres", "recipient_mobile": "12", "subject": "  ", "body": ""},
            {"recipient_email", "recipient_mobile", "subject", "body"},
        ),
        (
            {"recipient_email": "", "subject": "", "body": "", "recipient_mobile": ""},
            {"recipient_email", "subject", "body"},
        ),
        ({"recipient_mobile": "010 248 4000"}, {"recipient_mobile"}),
        ({"subject": "x" * 201}, {"subject"}),
        ({"recipient_email": "a@@example.org", "body": " \n\t "}, {"recipient_email", "body"}),
    ],
    ids=["everything-wrong", "everything-empty", "landline-as-mobile", "subject-too-long", "email-and-body"],
)
async def test_invalid_input_names_every_bad_field_and_stores_nothing(
    messaging: messaging_pb2_grpc.MessagingServiceStub,
    stack: Stack,
    staff_token: str,
    overrides: dict[str, str],
    fields: set[str],
) -> None:
    before = await count_rows(stack.database_urls["messaging"], TABLES)
    failure = await refusal(
        messaging.SendSecureMail(_request(**overrides), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "invalid_argument"
    assert set(failure.fields) == fields
    assert all(failure.fields.values())
    assert await count_rows(stack.database_urls["messaging"], TABLES) == before


@pytest.mark.parametrize("field", ["subject", "body"])
async def test_a_nul_character_is_refused_naming_the_field(
    messaging: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_token: str, field: str
) -> None:
    before = await count_rows(stack.database_urls["messaging"], TABLES)
    failure = await refusal(
        messaging.SendSecureMail(
            _request(**{field: "Uw dossier\x00 schuldhulp"}), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT
        )
    )
    assert await count_rows(stack.database_urls["messaging"], TABLES) == before
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(failure.fields) == {field}


async def test_a_person_may_not_send_secure_mail(
    messaging: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, person: Person
) -> None:
    token = await access_token(stack, person)
    before = await count_rows(stack.database_urls["messaging"], TABLES)
    failure = await refusal(messaging.SendSecureMail(_request(), metadata=call_metadata(token), timeout=RPC_TIMEOUT))
    assert failure.code == grpc.StatusCode.PERMISSION_DENIED
    assert failure.reason == "not_permitted"
    assert await count_rows(stack.database_urls["messaging"], TABLES) == before


async def test_a_person_with_invalid_input_is_refused_as_a_person_not_as_a_form(
    messaging: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, person: Person
) -> None:
    token = await access_token(stack, person)
    failure = await refusal(
        messaging.SendSecureMail(_request(recipient_email="geen"), metadata=call_metadata(token), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.PERMISSION_DENIED
    assert failure.fields == {}


@pytest.mark.parametrize("token_kind", ["none", "garbage", "foreign-key"])
async def test_without_a_valid_token_nothing_is_sent(
    messaging: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_token: str, token_kind: str
) -> None:
    token = {"none": None, "garbage": "not-a-jwt", "foreign-key": resign_with_foreign_key(staff_token)}[token_kind]
    before = await count_rows(stack.database_urls["messaging"], TABLES)
    failure = await refusal(messaging.SendSecureMail(_request(), metadata=call_metadata(token), timeout=RPC_TIMEOUT))
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_token"
    assert await count_rows(stack.database_urls["messaging"], TABLES) == before


@pytest.mark.parametrize("service", ["", SERVICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service(channel: grpc.aio.Channel) -> None:
    assert SERVICE in await reflected_services(channel)
