"""EventCodec turns a domain event into what the outbox stores and NATS carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from google.protobuf.wrappers_pb2 import StringValue

from messaging.adapters.events import SECURE_MAIL_SENT, event_codec
from messaging.domain.events import SecureMailSent
from zorgpost.events.v1 import messaging_events_pb2
from zorgpost_kit.events import DomainEvent, EventCodec, UnknownEventError

SENT_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def secure_mail_sent(recipient_mobile: str | None = "+31612345678") -> SecureMailSent:
    return SecureMailSent(
        secure_mail_id="mail-1",
        thread_id="mail-1",
        organisation_id="org-1",
        organisation_name="Gemeente Vlaardingen",
        sender_account_id="acc-1",
        sender_display_name="Jan",
        recipient_participant_id="p-1",
        recipient_email="anna@example.nl",
        recipient_mobile=recipient_mobile,
        read_token="token-abc",
        read_link_expires_at=SENT_AT,
        sent_at=SENT_AT,
        language="nl",
    )


def test_encoding_keeps_the_event_id_and_time_and_names_subject_and_protobuf_type() -> None:
    event = secure_mail_sent()

    outbound = event_codec().encode(event)

    assert outbound.event_id == event.event_id
    assert outbound.occurred_at == event.occurred_at
    assert outbound.subject == SECURE_MAIL_SENT == "messaging.secure_mail.sent"
    assert outbound.event_type == "zorgpost.events.v1.SecureMailSent"


def test_the_payload_decodes_to_the_same_facts() -> None:
    outbound = event_codec().encode(secure_mail_sent())

    decoded = messaging_events_pb2.SecureMailSent.FromString(outbound.payload)

    assert decoded.secure_mail_id == "mail-1"
    assert decoded.organisation_name == "Gemeente Vlaardingen"
    assert decoded.recipient_email == "anna@example.nl"
    assert decoded.recipient_mobile == "+31612345678"
    assert decoded.read_token == "token-abc"
    assert decoded.sent_at.ToDatetime(tzinfo=UTC) == SENT_AT
    assert decoded.language == "nl"


def test_a_missing_mobile_travels_as_an_empty_string() -> None:
    outbound = event_codec().encode(secure_mail_sent(recipient_mobile=None))

    assert messaging_events_pb2.SecureMailSent.FromString(outbound.payload).recipient_mobile == ""


def test_every_event_gets_its_own_id() -> None:
    assert secure_mail_sent().event_id != secure_mail_sent().event_id


def test_an_event_type_nobody_registered_is_refused() -> None:
    @dataclass(frozen=True, kw_only=True)
    class ThemeRenamed(DomainEvent):
        name: str

    codec = EventCodec()
    codec.register(SecureMailSent, "messaging.secure_mail.sent", lambda event: StringValue(value=event.read_token))

    with pytest.raises(UnknownEventError, match="ThemeRenamed"):
        codec.encode(ThemeRenamed(name="Jeugd"))


def test_the_codec_lists_the_subjects_it_publishes() -> None:
    assert event_codec().subjects == [
        "messaging.secure_mail.sent",
        "messaging.secure_mail.link_resent",
        "messaging.message.sent",
        "messaging.ecounter_message.sent",
        "messaging.helpdesk_question.asked",
    ]
