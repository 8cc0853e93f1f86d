"""The portal's event consumers: what it learns from identity (who may act for whom) and
from messaging (activity in care and e-consult conversations, for the dashboard and the
export). Each is idempotent: the runner records the event in the inbox with the change."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from portal.adapters.events import DELEGATION_ENDED, DELEGATION_GRANTED, MESSAGE_SENT
from portal.adapters.unit_of_work import SqlPortalUnitOfWork
from portal.domain.activity import MessageActivity
from portal.domain.delegations import DelegateLink
from portal.service.learning import do_learn_delegation, do_learn_message
from zorgpost.events.v1 import identity_events_pb2, messaging_events_pb2
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.consumer import EventConsumer, EventEnvelope


def _moment(stamp: Timestamp, fallback: datetime) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC) if stamp.seconds or stamp.nanos else fallback


def _link(
    event: identity_events_pb2.DelegationGranted | identity_events_pb2.DelegationEnded, *, active: bool, at: datetime
) -> DelegateLink:
    return DelegateLink(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        person_id=event.person.account_id,
        delegate_id=event.delegate.account_id,
        delegate_name=event.delegate.display_name,
        delegate_email=event.delegate.email,
        delegate_language=event.delegate.language or "nl",
        active=active,
        changed_at=at,
    )


class DelegationGrantedConsumer(EventConsumer[identity_events_pb2.DelegationGranted, SqlPortalUnitOfWork]):
    """``identity.delegation.granted`` → this delegate approves agreements and is told of news."""

    producer = "identity"
    subject = DELEGATION_GRANTED
    durable = "portal-delegation-granted"
    message_type = identity_events_pb2.DelegationGranted

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock

    async def consume(
        self, event: identity_events_pb2.DelegationGranted, envelope: EventEnvelope, uow: SqlPortalUnitOfWork
    ) -> None:
        await do_learn_delegation(uow, _link(event, active=True, at=envelope.occurred_at or self._clock()))


class DelegationEndedConsumer(EventConsumer[identity_events_pb2.DelegationEnded, SqlPortalUnitOfWork]):
    """``identity.delegation.ended`` → no longer a party, no longer told."""

    producer = "identity"
    subject = DELEGATION_ENDED
    durable = "portal-delegation-ended"
    message_type = identity_events_pb2.DelegationEnded

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock

    async def consume(
        self, event: identity_events_pb2.DelegationEnded, envelope: EventEnvelope, uow: SqlPortalUnitOfWork
    ) -> None:
        await do_learn_delegation(uow, _link(event, active=False, at=envelope.occurred_at or self._clock()))


class MessageSentConsumer(EventConsumer[messaging_events_pb2.MessageSent, SqlPortalUnitOfWork]):
    """``messaging.message.sent`` in a care or e-consult conversation → "n new messages"."""

    producer = "messaging"
    subject = MESSAGE_SENT
    durable = "portal-message-sent"
    message_type = messaging_events_pb2.MessageSent

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock

    async def consume(
        self, event: messaging_events_pb2.MessageSent, envelope: EventEnvelope, uow: SqlPortalUnitOfWork
    ) -> None:
        sent_at = _moment(event.sent_at, envelope.occurred_at or self._clock())
        activities = [
            MessageActivity(
                message_id=event.message_id,
                person_id=recipient.account_id,
                thread_id=event.thread_id,
                thread_kind=event.thread_kind,
                organisation_id=event.organisation_id,
                direction="received",
                sender_name=event.sender_display_name,
                sent_at=sent_at,
            )
            for recipient in event.recipients
            if recipient.kind == "account" and recipient.account_id
        ]
        if event.sender_account_id:
            activities.append(
                MessageActivity(
                    message_id=event.message_id,
                    person_id=event.sender_account_id,
                    thread_id=event.thread_id,
                    thread_kind=event.thread_kind,
                    organisation_id=event.organisation_id,
                    direction="sent",
                    sender_name=event.sender_display_name,
                    sent_at=sent_at,
                    acted_by=event.acting_account_id,
                )
            )
        await do_learn_message(uow, activities)
