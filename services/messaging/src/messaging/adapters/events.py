"""Messaging's events on the wire: subject and protobuf of each domain event, and the
events it consumes."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from messaging.domain.ecounter import EcounterMessageSent
from messaging.domain.events import MessageRecipient, MessageSent, SecureMailLinkResent, SecureMailSent
from messaging.domain.helpdesk import HelpdeskQuestionAsked
from zorgpost.events.v1 import messaging_events_pb2
from zorgpost_kit.events import EventCodec

SECURE_MAIL_SENT = "messaging.secure_mail.sent"
SECURE_MAIL_LINK_RESENT = "messaging.secure_mail.link_resent"
MESSAGE_SENT = "messaging.message.sent"
ECOUNTER_MESSAGE_SENT = "messaging.ecounter_message.sent"
HELPDESK_QUESTION_ASKED = "messaging.helpdesk_question.asked"
#: Consumed: identity's fact that an invitee accepted.
INVITATION_ACCEPTED = "identity.invitation.accepted"


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _recipient(recipient: MessageRecipient) -> messaging_events_pb2.MessageRecipient:
    return messaging_events_pb2.MessageRecipient(
        kind=recipient.kind,
        account_id=recipient.account_id,
        participant_id=recipient.participant_id,
        organisation_id=recipient.organisation_id,
        display_name=recipient.display_name,
        email=recipient.email,
        mobile=recipient.mobile,
        read_token=recipient.read_token,
        read_link_expires_at=timestamp(recipient.read_link_expires_at),
        language=recipient.language,
        reason=recipient.reason,
    )


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
            sent_at=timestamp(event.sent_at),
            language=event.language,
            recipient_participant_id=event.recipient_participant_id,
            read_link_expires_at=timestamp(event.read_link_expires_at),
            sender_display_name=event.sender_display_name,
        ),
    )
    codec.register(
        SecureMailLinkResent,
        SECURE_MAIL_LINK_RESENT,
        lambda event: messaging_events_pb2.SecureMailLinkResent(
            thread_id=event.thread_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            recipient_participant_id=event.recipient_participant_id,
            recipient_email=event.recipient_email,
            recipient_mobile=event.recipient_mobile or "",
            read_token=event.read_token,
            read_link_expires_at=timestamp(event.read_link_expires_at),
            language=event.language,
            resent_by_account_id=event.resent_by_account_id,
        ),
    )
    codec.register(
        MessageSent,
        MESSAGE_SENT,
        lambda event: messaging_events_pb2.MessageSent(
            message_id=event.message_id,
            thread_id=event.thread_id,
            thread_kind=event.thread_kind,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            sender_participant_id=event.sender_participant_id,
            sender_account_id=event.sender_account_id,
            sender_display_name=event.sender_display_name,
            sent_by_guest=event.sent_by_guest,
            recipients=[_recipient(recipient) for recipient in event.recipients],
            sent_at=timestamp(event.sent_at),
            seq=event.seq,
            has_attachments=event.has_attachments,
            acting_account_id=event.acting_account_id,
        ),
    )
    codec.register(
        EcounterMessageSent,
        ECOUNTER_MESSAGE_SENT,
        lambda event: messaging_events_pb2.EcounterMessageSent(
            message_id=event.message_id,
            thread_id=event.thread_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            sender_organisation_name=event.sender_organisation_name,
            reference=event.reference,
            theme_id=event.theme_id,
            contacts=[
                messaging_events_pb2.EcounterContact(email=told.email, display_name=told.display_name)
                for told in event.told
            ],
        ),
    )
    codec.register(
        HelpdeskQuestionAsked,
        HELPDESK_QUESTION_ASKED,
        lambda event: messaging_events_pb2.HelpdeskQuestionAsked(
            thread_id=event.thread_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            email=event.email,
            language=event.language,
        ),
    )
    return codec
