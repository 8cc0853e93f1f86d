"""Messaging's events on the wire: subject and protobuf of each domain event."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from messaging.domain.model import SecureMailSent
from zorgpost.events.v1 import messaging_events_pb2
from zorgpost_kit.events import EventCodec

SECURE_MAIL_SENT = "messaging.secure_mail.sent"


def _timestamp(event: SecureMailSent) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(event.sent_at)
    return stamp


def event_codec() -> EventCodec:
    codec = EventCodec()
    codec.register(
        SecureMailSent,
        SECURE_MAIL_SENT,
        lambda event: messaging_events_pb2.SecureMailSent(
            secure_mail_id=event.secure_mail_id,
            thread_id=event.thread_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            sender_account_id=event.sender_account_id,
            recipient_email=event.recipient_email,
            recipient_mobile=event.recipient_mobile or "",
            read_token=event.read_token,
            sent_at=_timestamp(event),
            language=event.language,
        ),
    )
    return codec
