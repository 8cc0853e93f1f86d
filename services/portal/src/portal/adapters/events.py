"""The portal's events on the wire: the subject and protobuf of each domain event, and the
subjects it consumes."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from portal.domain.notices import (
    AppointmentBooked,
    AppointmentCancelled,
    DocumentPublished,
    PortalNotice,
    PrescriptionReady,
    QuestionnaireSent,
    ResultPublished,
)
from portal.domain.trajectories import TrajectoryEndedEvent
from zorgpost.events.v1 import portal_events_pb2 as pb
from zorgpost_kit.events import EventCodec

TRAJECTORY_ENDED = "portal.trajectory.ended"
APPOINTMENT_BOOKED = "portal.appointment.booked"
APPOINTMENT_CANCELLED = "portal.appointment.cancelled"
PRESCRIPTION_READY = "portal.prescription.ready"
RESULT_PUBLISHED = "portal.result.published"
DOCUMENT_PUBLISHED = "portal.document.published"
QUESTIONNAIRE_SENT = "portal.questionnaire.sent"
#: Consumed.
DELEGATION_GRANTED = "identity.delegation.granted"
DELEGATION_ENDED = "identity.delegation.ended"
MESSAGE_SENT = "messaging.message.sent"


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _recipients(event: PortalNotice) -> list[pb.PortalRecipient]:
    return [
        pb.PortalRecipient(
            account_id=recipient.account_id,
            email=recipient.email,
            display_name=recipient.display_name,
            language=recipient.language,
        )
        for recipient in event.recipients
    ]


def event_codec() -> EventCodec:
    codec = EventCodec()
    codec.register(
        TrajectoryEndedEvent,
        TRAJECTORY_ENDED,
        lambda event: pb.TrajectoryEnded(
            trajectory_id=event.trajectory_id,
            person_account_id=event.person_account_id,
            organisation_id=event.organisation_id,
            ended_at=timestamp(event.ended_at),
            other_trajectory_active=event.other_trajectory_active,
        ),
    )
    codec.register(
        AppointmentBooked,
        APPOINTMENT_BOOKED,
        lambda event: pb.AppointmentBooked(
            appointment_id=event.appointment_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
            starts_at=timestamp(event.starts_at),
        ),
    )
    codec.register(
        AppointmentCancelled,
        APPOINTMENT_CANCELLED,
        lambda event: pb.AppointmentCancelled(
            appointment_id=event.appointment_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
            starts_at=timestamp(event.starts_at),
            cancelled_by=event.cancelled_by,
        ),
    )
    codec.register(
        PrescriptionReady,
        PRESCRIPTION_READY,
        lambda event: pb.PrescriptionReady(
            request_id=event.request_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
            ready_on=event.ready_on.isoformat(),
        ),
    )
    codec.register(
        ResultPublished,
        RESULT_PUBLISHED,
        lambda event: pb.ResultPublished(
            result_id=event.result_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
        ),
    )
    codec.register(
        DocumentPublished,
        DOCUMENT_PUBLISHED,
        lambda event: pb.DocumentPublished(
            document_id=event.document_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
            document_kind=event.kind,
            requires_approval=event.requires_approval,
        ),
    )
    codec.register(
        QuestionnaireSent,
        QUESTIONNAIRE_SENT,
        lambda event: pb.QuestionnaireSent(
            questionnaire_id=event.questionnaire_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            person_id=event.person_id,
            recipients=_recipients(event),
        ),
    )
    return codec
