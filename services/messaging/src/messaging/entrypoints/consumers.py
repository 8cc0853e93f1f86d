"""Messaging's event consumers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from messaging.adapters.events import INVITATION_ACCEPTED
from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.service.invitations import JoinByInvitation, do_join_by_invitation
from zorgpost.events.v1 import identity_events_pb2
from zorgpost_kit.consumer import EventConsumer, EventEnvelope


class InvitationAcceptedConsumer(EventConsumer[identity_events_pb2.InvitationAccepted, MessagingUnitOfWork]):
    """An invitee accepted (seed 1): they become a participant of the conversation."""

    producer: ClassVar[str] = "identity"
    subject: ClassVar[str] = INVITATION_ACCEPTED
    durable: ClassVar[str] = "messaging-invitation-accepted"
    message_type = identity_events_pb2.InvitationAccepted

    async def consume(
        self, event: identity_events_pb2.InvitationAccepted, envelope: EventEnvelope, uow: MessagingUnitOfWork
    ) -> None:
        accepted_at = event.accepted_at.ToDatetime(tzinfo=UTC) if event.HasField("accepted_at") else None
        await do_join_by_invitation(
            uow,
            JoinByInvitation(
                invitation_id=event.invitation_id,
                thread_id=event.thread_id,
                account_id=event.account_id,
                display_name=event.display_name,
                organisation_id=event.organisation_id,
                inviter_account_id=event.inviter_account_id,
            ),
            accepted_at or envelope.occurred_at or datetime.now(UTC),
        )
