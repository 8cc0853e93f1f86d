"""Identity's events on the wire: the subject and protobuf of each domain event.

Subjects read ``identity.<aggregate>.<past-tense-verb>``; payloads are the messages of
``proto/zorgpost/events/v1/identity_events.proto``.
"""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from identity.domain import events
from zorgpost.events.v1 import identity_events_pb2 as pb
from zorgpost_kit.events import EventCodec


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def recipient_proto(recipient: events.Recipient) -> pb.Recipient:
    return pb.Recipient(
        account_id=recipient.account_id,
        email=recipient.email,
        mobile=recipient.mobile,
        display_name=recipient.display_name,
        language=recipient.language,
    )


def _one_time_code_issued(event: events.OneTimeCodeIssued) -> pb.OneTimeCodeIssued:
    return pb.OneTimeCodeIssued(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        purpose=event.purpose,
        channel=event.channel,
        code=event.code,
        expires_at=timestamp(event.expires_at),
    )


def _password_reset_requested(event: events.PasswordResetRequested) -> pb.PasswordResetRequested:
    return pb.PasswordResetRequested(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _password_changed(event: events.PasswordChanged) -> pb.PasswordChanged:
    return pb.PasswordChanged(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        changed_at=timestamp(event.changed_at),
    )


def _account_locked(event: events.AccountLocked) -> pb.AccountLocked:
    return pb.AccountLocked(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        locked_until=timestamp(event.locked_until),
    )


def event_codec() -> EventCodec:
    codec = EventCodec()
    # Each domain event is registered here: codec.register(EventType, "identity.x.y", to_proto)
    # security (issue 3 part A)
    codec.register(events.OneTimeCodeIssued, "identity.one_time_code.issued", _one_time_code_issued)
    codec.register(events.PasswordResetRequested, "identity.password_reset.requested", _password_reset_requested)
    codec.register(events.PasswordChanged, "identity.password.changed", _password_changed)
    codec.register(events.AccountLocked, "identity.account.locked", _account_locked)
    # journeys (issue 3 part B); imported here because that module builds on this one's helpers
    from identity.adapters.journey_events import register_journey_events

    register_journey_events(codec)
    return codec
