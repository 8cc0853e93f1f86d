"""Notifications' event consumers: each turns one event into queued deliveries."""

from __future__ import annotations

from notifications.adapters.unit_of_work import NotificationsUnitOfWork
from notifications.service.deliveries import queue_email
from zorgpost.events.v1 import messaging_events_pb2
from zorgpost_kit.consumer import EventConsumer, EventEnvelope


class SecureMailNoticeConsumer(EventConsumer[messaging_events_pb2.SecureMailSent, NotificationsUnitOfWork]):
    """``messaging.secure_mail.sent`` → "Nieuw bericht van <organisatie>" to the recipient.

    The notice names the organisation and links to the message; the message's subject and
    body are not in the event and so can never reach the mail.
    """

    producer = "messaging"
    subject = "messaging.secure_mail.sent"
    durable = "notifications-secure-mail-sent"
    message_type = messaging_events_pb2.SecureMailSent

    async def consume(
        self, event: messaging_events_pb2.SecureMailSent, envelope: EventEnvelope, uow: NotificationsUnitOfWork
    ) -> None:
        delivery = queue_email(
            uow,
            source_id=event.secure_mail_id,
            organisation_id=event.organisation_id,
            template="secure_mail_notice",
            recipient=event.recipient_email,
            language=event.language or "nl",
            params={"organisation_name": event.organisation_name, "read_token": event.read_token},
        )
        await uow.deliveries.add(delivery)
