"""The JSON shapes of the portal (a person's side and the practice's back office) and their
conversion from the portal service's protobuf. Times are ISO 8601 in UTC; days YYYY-MM-DD."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Response
from google.protobuf.message import Message
from pydantic import BaseModel, Field, StrictBool

from gateway.openapi import MULTI_LINE, SINGLE_LINE, WholeNumber, optional, text
from gateway.timestamps import to_datetime
from zorgpost.portal.v1 import portal_pb2 as pb
from zorgpost_kit.files import content_disposition


def optional_time(message: Message, field: str) -> datetime | None:
    return to_datetime(getattr(message, field)) if message.HasField(field) else None


def optional_day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def file_response(content: pb.FileContent) -> Response:
    """A file as a download, never shown inline, with a name that cannot break the header."""
    return Response(
        content=content.data,
        media_type=content.content_type,
        headers={
            "Content-Disposition": content_disposition(content.file_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


#: What a download may be: the kit's allowed file types, and the result exports.
_FILE_TYPES = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain",
    "text/csv",
]
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, as a download (Content-Disposition: attachment).",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in _FILE_TYPES},
    }
}


# ----------------------------------------------------------------------------- appointments
class PractitionerOut(BaseModel):
    id: str
    name: str


class SlotOut(BaseModel):
    id: str
    start: datetime
    end: datetime
    practitioner: PractitionerOut
    location: str


class AgendaSlotOut(SlotOut):
    status: Literal["free", "booked"]
    #: The booking, when booked.
    appointment_id: str | None
    person_id: str | None
    person_name: str | None


class AppointmentOut(BaseModel):
    id: str
    start: datetime
    end: datetime
    practitioner: PractitionerOut
    location: str
    reason: str
    status: Literal["upcoming", "past", "cancelled"]
    #: The patient may still cancel it online (24 hours or more ahead).
    cancellable: bool
    cancelled_at: datetime | None
    created_at: datetime | None
    person_id: str
    #: Back office only: the client's name.
    person_name: str | None


class AppointmentPageOut(BaseModel):
    items: list[AppointmentOut]
    next_cursor: str | None


class BookingNoticeOut(BaseModel):
    #: Seed 5: shown before the patient confirms a booking.
    notice_nl: str
    notice_en: str
    #: Cancelling online is possible until this many hours before.
    cancel_until_hours_before: int


def slot_out(slot: pb.Slot) -> SlotOut:
    return SlotOut(
        id=slot.id,
        start=to_datetime(slot.starts_at),
        end=to_datetime(slot.ends_at),
        practitioner=PractitionerOut(id=slot.practitioner.account_id, name=slot.practitioner.name),
        location=slot.location,
    )


def agenda_slot_out(slot: pb.Slot) -> AgendaSlotOut:
    return AgendaSlotOut(
        **slot_out(slot).model_dump(),
        status=slot.status,  # type: ignore[arg-type]
        appointment_id=slot.appointment_id or None,
        person_id=slot.person_id or None,
        person_name=slot.person_name or None,
    )


def appointment_out(appointment: pb.Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=appointment.id,
        start=to_datetime(appointment.starts_at),
        end=to_datetime(appointment.ends_at),
        practitioner=PractitionerOut(id=appointment.practitioner_id, name=appointment.with_name),
        location=appointment.location,
        reason=appointment.reason,
        status=appointment.status,  # type: ignore[arg-type]
        cancellable=appointment.cancellable,
        cancelled_at=optional_time(appointment, "cancelled_at"),
        created_at=optional_time(appointment, "created_at"),
        person_id=appointment.person_id,
        person_name=appointment.person_name or None,
    )


# ----------------------------------------------------------------------------- medication
class MedicationOut(BaseModel):
    id: str
    name: str
    #: Only chronic medication can be ordered as a repeat prescription.
    chronic: bool
    dosage: str
    started_on: date | None
    stopped_on: date | None
    prescribed_by: str


class PrescriptionItemOut(BaseModel):
    medication_id: str
    name: str
    dosage: str


class PrescriptionRequestOut(BaseModel):
    id: str
    #: The day it can be collected at the pharmacy.
    ready_on: date
    status: Literal["requested", "ready", "rejected"]
    requested_at: datetime
    items: list[PrescriptionItemOut]
    note: str
    answer: str
    handled_at: datetime | None
    person_id: str
    person_name: str | None


class PrescriptionPageOut(BaseModel):
    items: list[PrescriptionRequestOut]
    next_cursor: str | None


def medication_out(medication: pb.Medication) -> MedicationOut:
    return MedicationOut(
        id=medication.id,
        name=medication.name,
        chronic=medication.chronic,
        dosage=medication.dosage,
        started_on=optional_day(medication.started_on),
        stopped_on=optional_day(medication.stopped_on),
        prescribed_by=medication.prescribed_by,
    )


def prescription_out(request: pb.PrescriptionRequest) -> PrescriptionRequestOut:
    return PrescriptionRequestOut(
        id=request.id,
        ready_on=date.fromisoformat(request.ready_on),
        status=request.status,  # type: ignore[arg-type]
        requested_at=to_datetime(request.requested_at),
        items=[PrescriptionItemOut(medication_id=i.medication_id, name=i.name, dosage=i.dosage) for i in request.items],
        note=request.note,
        answer=request.answer,
        handled_at=optional_time(request, "handled_at"),
        person_id=request.person_id,
        person_name=request.person_name or None,
    )


# ----------------------------------------------------------------------------- results
class ObservationOut(BaseModel):
    code: str
    name: str
    value: str
    unit: str
    reference_low: str | None
    reference_high: str | None
    reference_text: str
    #: How the range reads ("3.5 – 5.0").
    reference_range: str
    flag: Literal["normal", "low", "high", ""]


class ResultOut(BaseModel):
    id: str
    title: str
    taken_at: datetime
    published_at: datetime
    published_by_name: str
    #: Empty in lists; GET /portal/results/{id} has them.
    observations: list[ObservationOut]


class ResultPageOut(BaseModel):
    items: list[ResultOut]
    next_cursor: str | None


def result_out(result: pb.LabResult) -> ResultOut:
    return ResultOut(
        id=result.id,
        title=result.title,
        taken_at=to_datetime(result.taken_at),
        published_at=to_datetime(result.published_at),
        published_by_name=result.published_by_name,
        observations=[
            ObservationOut(
                code=o.code,
                name=o.name,
                value=o.value,
                unit=o.unit,
                reference_low=o.reference_low or None,
                reference_high=o.reference_high or None,
                reference_text=o.reference_text,
                reference_range=o.reference_range,
                flag=o.flag,  # type: ignore[arg-type]
            )
            for o in result.observations
        ],
    )


# ----------------------------------------------------------------------------- dossier
class ClientRecordOut(BaseModel):
    person_id: str
    first_name: str
    last_name: str
    display_name: str
    birth_date: date | None
    email: str
    phone: str
    street: str
    postal_code: str
    city: str
    insurer: str
    policy_number: str
    language: str
    updated_at: datetime | None


class InsuranceOut(BaseModel):
    insurer: str
    policy_number: str


class ChangeRequestOut(BaseModel):
    id: str
    person_id: str
    changes: dict[str, str]
    note: str
    requested_at: datetime
    #: Who asked (the person, or someone acting for them).
    requested_by: str
    status: Literal["open", "accepted", "rejected"]
    resolved_at: datetime | None
    answer: str


class ConsentDecisionOut(BaseModel):
    granted: bool
    decided_at: datetime
    decided_by: str
    on_behalf: bool


class ConsentOut(BaseModel):
    code: str
    label_nl: str
    label_en: str
    granted: bool
    #: The practice's default still holds (no decision yet).
    is_default: bool
    default_granted: bool
    #: Every decision, newest first; none is ever lost.
    history: list[ConsentDecisionOut]


def client_out(record: pb.ClientRecord) -> ClientRecordOut:
    return ClientRecordOut(
        person_id=record.person_id,
        first_name=record.first_name,
        last_name=record.last_name,
        display_name=record.display_name,
        birth_date=optional_day(record.birth_date),
        email=record.email,
        phone=record.phone,
        street=record.street,
        postal_code=record.postal_code,
        city=record.city,
        insurer=record.insurer,
        policy_number=record.policy_number,
        language=record.language,
        updated_at=optional_time(record, "updated_at"),
    )


def change_request_out(request: pb.ChangeRequest) -> ChangeRequestOut:
    return ChangeRequestOut(
        id=request.id,
        person_id=request.person_id,
        changes=dict(request.changes),
        note=request.note,
        requested_at=to_datetime(request.requested_at),
        requested_by=request.requested_by,
        status=request.status,  # type: ignore[arg-type]
        resolved_at=optional_time(request, "resolved_at"),
        answer=request.answer,
    )


def consent_out(consent: pb.Consent) -> ConsentOut:
    return ConsentOut(
        code=consent.item.code,
        label_nl=consent.item.label_nl,
        label_en=consent.item.label_en,
        granted=consent.granted,
        is_default=consent.is_default,
        default_granted=consent.item.default_granted,
        history=[
            ConsentDecisionOut(
                granted=d.granted, decided_at=to_datetime(d.decided_at), decided_by=d.decided_by, on_behalf=d.on_behalf
            )
            for d in consent.history
        ],
    )


# ----------------------------------------------------------------------------- documents, trajectories
class ApprovalOut(BaseModel):
    approved_by: str
    approved_by_name: str
    approved_at: datetime


class DocumentOut(BaseModel):
    id: str
    kind: Literal["report", "document", "agreement"]
    source: Literal["practice", "client"]
    title: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    created_by_name: str
    requires_approval: bool
    #: Approval asked and not yet given by the caller (the "?" of seed 4).
    pending: bool
    trajectory_id: str | None
    approvals: list[ApprovalOut]
    download_url: str


class DocumentPageOut(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class PartyOut(BaseModel):
    account_id: str
    name: str
    role: Literal["client", "parent"]
    approved_at: datetime | None


class TrajectoryOut(BaseModel):
    id: str
    person_id: str
    title: str
    status: Literal["awaiting_agreement", "active", "ended"]
    practitioners: list[PractitionerOut]
    created_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None
    end_reason: str
    agreement_document_id: str | None
    #: Who must approve the agreement, and when they did.
    parties: list[PartyOut]


def document_out(document: pb.Document, download_base: str) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        kind=document.kind,  # type: ignore[arg-type]
        source=document.source,  # type: ignore[arg-type]
        title=document.title,
        file_name=document.file_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        created_at=to_datetime(document.created_at),
        created_by_name=document.created_by_name,
        requires_approval=document.requires_approval,
        pending=document.pending,
        trajectory_id=document.trajectory_id or None,
        approvals=[
            ApprovalOut(
                approved_by=a.approved_by, approved_by_name=a.approved_by_name, approved_at=to_datetime(a.approved_at)
            )
            for a in document.approvals
        ],
        download_url=f"{download_base}/{quote(document.id)}/file",
    )


def trajectory_out(trajectory: pb.Trajectory) -> TrajectoryOut:
    return TrajectoryOut(
        id=trajectory.id,
        person_id=trajectory.person_id,
        title=trajectory.title,
        status=trajectory.status,  # type: ignore[arg-type]
        practitioners=[PractitionerOut(id=p.account_id, name=p.name) for p in trajectory.practitioners],
        created_at=to_datetime(trajectory.created_at),
        activated_at=optional_time(trajectory, "activated_at"),
        ended_at=optional_time(trajectory, "ended_at"),
        end_reason=trajectory.end_reason,
        agreement_document_id=trajectory.agreement_document_id or None,
        parties=[
            PartyOut(
                account_id=p.account_id,
                name=p.name,
                role=p.role,  # type: ignore[arg-type]
                approved_at=optional_time(p, "approved_at"),
            )
            for p in trajectory.parties
        ],
    )


# ----------------------------------------------------------------------------- diary, questionnaires
class DiaryEntryOut(BaseModel):
    id: str
    body: str
    #: Shared with the practitioner.
    shared: bool
    written_at: datetime
    updated_at: datetime
    #: Written by someone acting for the person.
    on_behalf: bool


class DiaryPageOut(BaseModel):
    items: list[DiaryEntryOut]
    next_cursor: str | None


class DiaryEntryIn(BaseModel):
    body: str = text(max_length=20_000)
    #: Shared with the practitioner (default: private).
    shared: StrictBool = False


def diary_out(entry: pb.DiaryEntry) -> DiaryEntryOut:
    return DiaryEntryOut(
        id=entry.id,
        body=entry.body,
        shared=entry.shared,
        written_at=to_datetime(entry.written_at),
        updated_at=to_datetime(entry.updated_at),
        on_behalf=entry.on_behalf,
    )


class QuestionModel(BaseModel):
    id: str = optional({"pattern": SINGLE_LINE}, max_length=50, description="empty: q1, q2, … by position")
    kind: Literal["text", "choice", "scale"]
    text: str = Field(max_length=1000, json_schema_extra={"pattern": MULTI_LINE})
    required: StrictBool = True
    #: Choice questions: 2 to 20 different options.
    options: list[str] = Field(default_factory=list, max_length=20)
    #: Scale questions: from scale_min up to a higher scale_max (0 … 100).
    scale_min: WholeNumber = Field(default=0, strict=True, ge=0, le=100)
    scale_max: WholeNumber = Field(default=0, strict=True, ge=0, le=100)
    min_label: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    max_label: str = optional({"pattern": SINGLE_LINE}, max_length=100)


class QuestionnaireOut(BaseModel):
    id: str
    person_id: str
    title: str
    questions: list[QuestionModel]
    status: Literal["open", "submitted"]
    #: Question id → answer. The practice sees them once submitted.
    answers: dict[str, str]
    sent_at: datetime
    sent_by_name: str
    saved_at: datetime | None
    submitted_at: datetime | None
    #: The client's name on the practice's record: the practice's routes only (null in the
    #: client's own portal, and for someone no longer on the record).
    person_name: str | None


class QuestionnairePageOut(BaseModel):
    items: list[QuestionnaireOut]
    next_cursor: str | None


class AnswersIn(BaseModel):
    #: Question id → answer (a choice's option, a scale's whole number, text).
    answers: dict[str, str] = Field(max_length=100)
    #: False: save a draft; true: submit (then it is fixed).
    submit: StrictBool = False


def questionnaire_out(questionnaire: pb.Questionnaire) -> QuestionnaireOut:
    return QuestionnaireOut(
        id=questionnaire.id,
        person_id=questionnaire.person_id,
        title=questionnaire.title,
        questions=[
            QuestionModel(
                id=q.id,
                kind=q.kind,  # type: ignore[arg-type]
                text=q.text,
                required=q.required,
                options=list(q.options),
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                min_label=q.min_label,
                max_label=q.max_label,
            )
            for q in questionnaire.questions
        ],
        status=questionnaire.status,  # type: ignore[arg-type]
        answers=dict(questionnaire.answers),
        sent_at=to_datetime(questionnaire.sent_at),
        sent_by_name=questionnaire.sent_by_name,
        saved_at=optional_time(questionnaire, "saved_at"),
        submitted_at=optional_time(questionnaire, "submitted_at"),
        person_name=questionnaire.person_name or None,
    )
