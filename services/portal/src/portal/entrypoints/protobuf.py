"""The portal's domain objects and views as protobuf messages (and back, where a request
carries them): the gRPC edge's one translation."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from portal.domain.activity import Action, Dashboard
from portal.domain.appointments import Appointment, Slot
from portal.domain.diary import DiaryEntry
from portal.domain.documents import Document
from portal.domain.dossier import ChangeRequest, ClientRecord, ConsentItem, ConsentState
from portal.domain.medication import Medication, PrescriptionRequest
from portal.domain.questionnaires import Question, QuestionKind, Questionnaire
from portal.domain.results import LabResult, Observation, ObservationDraft
from portal.domain.trajectories import Practitioner
from portal.service.appointments import AgendaEntry
from portal.service.trajectories import TrajectoryView
from zorgpost.portal.v1 import portal_pb2 as pb
from zorgpost_kit.errors import InvalidArgument


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def moment(message: Message, field: str) -> datetime | None:
    """An optional timestamp field of a request (unset: None, never 1970)."""
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=UTC)


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


# ----------------------------------------------------------------------------- about me, consents
def client_pb(record: ClientRecord) -> pb.ClientRecord:
    return pb.ClientRecord(
        person_id=record.person_id,
        organisation_id=record.organisation_id,
        first_name=record.first_name,
        last_name=record.last_name,
        display_name=record.display_name,
        birth_date=day(record.birth_date),
        email=record.email,
        phone=record.phone,
        street=record.street,
        postal_code=record.postal_code,
        city=record.city,
        insurer=record.insurer,
        policy_number=record.policy_number,
        language=record.language,
        updated_at=timestamp(record.updated_at),
    )


def change_request_pb(request: ChangeRequest) -> pb.ChangeRequest:
    return pb.ChangeRequest(
        id=request.id,
        person_id=request.person_id,
        changes=request.changes,
        note=request.note,
        requested_at=timestamp(request.requested_at),
        requested_by=request.requested_by,
        status=request.status.value,
        resolved_at=timestamp(request.resolved_at),
        answer=request.answer,
    )


def consent_item_pb(item: ConsentItem) -> pb.ConsentItem:
    return pb.ConsentItem(
        code=item.code, label_nl=item.label_nl, label_en=item.label_en, default_granted=item.default_granted
    )


def consent_pb(state: ConsentState) -> pb.Consent:
    return pb.Consent(
        item=consent_item_pb(state.item),
        granted=state.granted,
        is_default=state.decision is None,
        history=[
            pb.ConsentDecision(
                granted=decision.granted,
                decided_at=timestamp(decision.decided_at),
                decided_by=decision.decided_by,
                on_behalf=decision.decided_by != decision.person_id,
            )
            for decision in state.history
        ],
    )


def consent_items_from(message: pb.ConsentItems) -> list[ConsentItem]:
    return [
        ConsentItem(item.code, item.label_nl, item.label_en, item.default_granted, index)
        for index, item in enumerate(message.items)
    ]


# ----------------------------------------------------------------------------- trajectories, documents
def trajectory_pb(view: TrajectoryView) -> pb.Trajectory:
    trajectory = view.trajectory
    return pb.Trajectory(
        id=trajectory.id,
        person_id=trajectory.person_id,
        organisation_id=trajectory.organisation_id,
        title=trajectory.title,
        practitioners=[pb.Practitioner(account_id=p.account_id, name=p.name) for p in trajectory.practitioners],
        status=trajectory.status.value,
        created_at=timestamp(trajectory.created_at),
        activated_at=timestamp(trajectory.activated_at),
        ended_at=timestamp(trajectory.ended_at),
        end_reason=trajectory.end_reason,
        agreement_document_id=trajectory.agreement_document_id or "",
        parties=[
            pb.Party(
                account_id=party.account_id,
                name=party.name,
                role=party.role,
                approved_at=timestamp(view.agreement.approved.get(party.account_id)),
            )
            for party in view.agreement.parties
        ],
    )


def practitioners_from(items: list[pb.Practitioner]) -> list[Practitioner]:
    return [Practitioner(item.account_id, item.name) for item in items]


def document_pb(document: Document, viewer_id: str) -> pb.Document:
    return pb.Document(
        id=document.id,
        person_id=document.person_id,
        kind=document.kind.value,
        source=document.source.value,
        title=document.title,
        file_name=document.file.file_name,
        content_type=document.file.content_type,
        size=document.file.size,
        sha256=document.file.sha256,
        created_at=timestamp(document.created_at),
        created_by_name=document.created_by_name,
        requires_approval=document.requires_approval,
        pending=document.pending_for(viewer_id),
        trajectory_id=document.trajectory_id or "",
        approvals=[
            pb.Approval(
                approved_by=approval.approved_by,
                approved_by_name=approval.approved_by_name,
                approved_at=timestamp(approval.approved_at),
            )
            for approval in document.approvals
        ],
    )


def file_pb(document: Document, data: bytes) -> pb.FileContent:
    return pb.FileContent(
        file_name=document.file.file_name,
        content_type=document.file.content_type,
        data=data,
        sha256=document.file.sha256,
    )


# ----------------------------------------------------------------------------- appointments
def appointment_pb(appointment: Appointment, now: datetime, person_name: str = "") -> pb.Appointment:
    if appointment.cancelled:
        status = "cancelled"
    elif appointment.ends_at <= now:
        status = "past"
    else:
        status = "upcoming"
    return pb.Appointment(
        id=appointment.id,
        starts_at=timestamp(appointment.starts_at),
        ends_at=timestamp(appointment.ends_at),
        with_name=appointment.with_name,
        location=appointment.location,
        person_id=appointment.person_id,
        practitioner_id=appointment.practitioner_id,
        reason=appointment.reason,
        status=status,
        cancelled_at=timestamp(appointment.cancelled_at),
        cancellable=appointment.starts_at > now and appointment.may_be_cancelled_by_patient(now),
        slot_id=appointment.slot_id or "",
        created_at=timestamp(appointment.created_at),
        person_name=person_name,
    )


def slot_pb(slot: Slot) -> pb.Slot:
    return pb.Slot(
        id=slot.id,
        starts_at=timestamp(slot.starts_at),
        ends_at=timestamp(slot.ends_at),
        practitioner=pb.Practitioner(account_id=slot.practitioner_id, name=slot.practitioner_name),
        location=slot.location,
        status=slot.status.value,
    )


def agenda_pb(entry: AgendaEntry) -> pb.Slot:
    message = slot_pb(entry.slot)
    if entry.appointment is not None:
        message.appointment_id = entry.appointment.id
        message.person_id = entry.appointment.person_id
        message.person_name = entry.person_name
    return message


# ----------------------------------------------------------------------------- medication, results
def medication_pb(medication: Medication) -> pb.Medication:
    return pb.Medication(
        id=medication.id,
        name=medication.name,
        dosage=medication.dosage,
        chronic=medication.chronic,
        started_on=day(medication.started_on),
        stopped_on=day(medication.stopped_on),
        prescribed_by=medication.prescribed_by,
        person_id=medication.person_id,
    )


def prescription_pb(request: PrescriptionRequest, person_name: str = "") -> pb.PrescriptionRequest:
    return pb.PrescriptionRequest(
        id=request.id,
        person_id=request.person_id,
        items=[
            pb.PrescriptionItem(medication_id=item.medication_id, name=item.name, dosage=item.dosage)
            for item in request.items
        ],
        requested_at=timestamp(request.requested_at),
        ready_on=request.ready_on.isoformat(),
        status=request.status.value,
        note=request.note,
        answer=request.answer,
        handled_at=timestamp(request.handled_at),
        person_name=person_name,
    )


def observation_pb(observation: Observation) -> pb.Observation:
    return pb.Observation(
        code=observation.code,
        name=observation.name,
        value=observation.value,
        unit=observation.unit,
        reference_low=str(observation.reference_low) if observation.reference_low is not None else "",
        reference_high=str(observation.reference_high) if observation.reference_high is not None else "",
        reference_text=observation.reference_text,
        reference_range=observation.reference_range,
        flag=observation.flag.value,
    )


def result_pb(result: LabResult, *, with_observations: bool = True) -> pb.LabResult:
    return pb.LabResult(
        id=result.id,
        person_id=result.person_id,
        title=result.title,
        taken_at=timestamp(result.taken_at),
        published_at=timestamp(result.published_at),
        published_by_name=result.published_by_name,
        observations=[observation_pb(o) for o in result.observations] if with_observations else [],
    )


def observation_drafts(items: list[pb.Observation]) -> list[ObservationDraft]:
    return [
        ObservationDraft(
            code=item.code,
            name=item.name,
            value=item.value,
            unit=item.unit,
            reference_low=item.reference_low,
            reference_high=item.reference_high,
            reference_text=item.reference_text,
        )
        for item in items
    ]


# ----------------------------------------------------------------------------- diary, questionnaires
def diary_pb(entry: DiaryEntry) -> pb.DiaryEntry:
    return pb.DiaryEntry(
        id=entry.id,
        body=entry.body,
        shared=entry.shared,
        written_at=timestamp(entry.written_at),
        updated_at=timestamp(entry.updated_at),
        on_behalf=entry.author_id != entry.person_id,
        person_id=entry.person_id,
    )


def question_pb(question: Question) -> pb.Question:
    return pb.Question(
        id=question.id,
        kind=question.kind.value,
        text=question.text,
        required=question.required,
        options=list(question.options),
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        min_label=question.min_label,
        max_label=question.max_label,
    )


def questions_from(items: list[pb.Question]) -> list[Question]:
    questions = []
    for index, item in enumerate(items):
        try:
            kind = QuestionKind(item.kind)
        except ValueError:
            raise InvalidArgument(fields={f"questions[{index}].kind": "is text, choice or scale"}) from None
        questions.append(
            Question(
                item.id,
                kind,
                item.text,
                item.required,
                tuple(item.options),
                item.scale_min,
                item.scale_max,
                item.min_label,
                item.max_label,
            )
        )
    return questions


def questionnaire_pb(questionnaire: Questionnaire, person_name: str = "") -> pb.Questionnaire:
    return pb.Questionnaire(
        id=questionnaire.id,
        person_id=questionnaire.person_id,
        title=questionnaire.title,
        questions=[question_pb(q) for q in questionnaire.questions],
        status=questionnaire.status.value,
        answers=questionnaire.answers,
        sent_at=timestamp(questionnaire.sent_at),
        sent_by_name=questionnaire.sent_by_name,
        saved_at=timestamp(questionnaire.saved_at),
        submitted_at=timestamp(questionnaire.submitted_at),
        person_name=person_name,
    )


# ----------------------------------------------------------------------------- dashboard, actions
def dashboard_pb(dashboard: Dashboard, now: datetime, *, on_behalf: bool) -> pb.Dashboard:
    activity = dashboard.activity
    message = pb.Dashboard(
        person_id=dashboard.person_id,
        since=timestamp(dashboard.since),
        activity=pb.ActivityCounts(
            new_documents=activity.new_documents,
            new_reports=activity.new_reports,
            appointments_held=activity.appointments_held,
            new_messages=activity.new_messages,
            new_diary_notes=activity.new_diary_notes,
            new_results=activity.new_results,
            new_questionnaires=activity.new_questionnaires,
        ),
        upcoming_appointments=[appointment_pb(a, now) for a in dashboard.upcoming_appointments],
        active_trajectories=dashboard.active_trajectories,
        awaiting_my_approval=dashboard.awaiting_my_approval,
        open_questionnaires=dashboard.open_questionnaires,
        on_behalf=on_behalf,
    )
    if dashboard.next_appointment is not None:
        message.next_appointment.CopyFrom(appointment_pb(dashboard.next_appointment, now))
    if dashboard.security is not None:
        message.security.CopyFrom(
            pb.SecurityStatus(
                second_factor=dashboard.security.second_factor, secret_question=dashboard.security.secret_question
            )
        )
    return message


def action_pb(action: Action) -> pb.Action:
    return pb.Action(
        id=action.id,
        action=action.action,
        object_id=action.object_id,
        actor_id=action.actor_id,
        on_behalf=action.on_behalf,
        at=timestamp(action.at),
    )
