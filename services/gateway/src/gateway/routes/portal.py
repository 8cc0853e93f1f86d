"""/api/v1/portal: a person's client or patient portal (seeds 4 and 5).

Every route is about the person the token names: one's own portal, or — with an act-as token
from POST /me/act-as — the portal of the person one acts for (the portal service records
who acted). For the people a portal serves (``use_portal``; the dashboard also for
practitioners): staff get 403 ``not_permitted``. An id of someone else's data is 404,
whatever it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import MULTI_LINE, SINGLE_LINE, errors, identifier, optional
from gateway.problems import ProblemException
from gateway.routes.portal_models import (
    FILE_RESPONSE,
    AnswersIn,
    AppointmentOut,
    AppointmentPageOut,
    BookingNoticeOut,
    ChangeRequestOut,
    ClientRecordOut,
    ConsentOut,
    DiaryEntryIn,
    DiaryEntryOut,
    DiaryPageOut,
    DocumentOut,
    DocumentPageOut,
    InsuranceOut,
    MedicationOut,
    PrescriptionPageOut,
    PrescriptionRequestOut,
    QuestionnaireOut,
    ResultOut,
    ResultPageOut,
    SlotOut,
    TrajectoryOut,
    appointment_out,
    change_request_out,
    client_out,
    consent_out,
    diary_out,
    document_out,
    file_response,
    medication_out,
    optional_time,
    prescription_out,
    questionnaire_out,
    result_out,
    slot_out,
    trajectory_out,
)
from gateway.timestamps import to_datetime
from zorgpost.portal.v1 import portal_pb2 as pb

router = APIRouter(tags=["portal"])

DOCUMENTS = "/api/v1/portal/documents"
#: Uploads are read whole (the portal checks them); nothing larger is even read.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
TRANSFER_TIMEOUT_SECONDS = 60.0
URGENT_NOTICE_NL = (
    "Gebruik deze optie niet als u een spoedeisende klacht heeft. "
    "Neem dan altijd telefonisch contact op met de praktijk."
)
URGENT_NOTICE_EN = "Do not use this for an urgent complaint: then always call the practice."

_Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
_Cursor = Annotated[str, Query(max_length=300, description="next_cursor of the previous page")]


class ActivityOut(BaseModel):
    new_documents: int
    new_reports: int
    appointments_held: int
    new_messages: int
    new_diary_notes: int
    new_results: int
    new_questionnaires: int


class SecurityOut(BaseModel):
    second_factor: bool
    secret_question: bool


class DashboardOut(BaseModel):
    person_id: str
    #: The previous login ("Sinds dinsdag 9 november"); null on the first.
    since: datetime | None
    #: Someone acts for the person (a parent in a child's portal).
    on_behalf: bool
    activity: ActivityOut
    next_appointment: AppointmentOut | None
    upcoming_appointments: list[AppointmentOut]
    active_trajectories: int
    #: Documents waiting for the caller's "ik ga akkoord".
    awaiting_my_approval: int
    open_questionnaires: int
    #: "Privacy en beveiliging"; null in someone else's portal.
    security: SecurityOut | None


@router.get("/portal/dashboard", response_model=DashboardOut, responses=errors())
async def dashboard(caller: CurrentCaller, clients: Clients) -> DashboardOut:
    """The first page: what happened since the previous login (new documents and reports,
    appointments held, new messages, diary notes, results, questionnaires), the next
    appointment, what waits for the caller, and the account's security (own portal only)."""
    found = await clients.call(clients.portal.GetDashboard, pb.GetDashboardRequest(), caller)
    activity = found.activity
    return DashboardOut(
        person_id=found.person_id,
        since=optional_time(found, "since"),
        on_behalf=found.on_behalf,
        activity=ActivityOut(
            new_documents=activity.new_documents,
            new_reports=activity.new_reports,
            appointments_held=activity.appointments_held,
            new_messages=activity.new_messages,
            new_diary_notes=activity.new_diary_notes,
            new_results=activity.new_results,
            new_questionnaires=activity.new_questionnaires,
        ),
        next_appointment=appointment_out(found.next_appointment) if found.HasField("next_appointment") else None,
        upcoming_appointments=[appointment_out(a) for a in found.upcoming_appointments],
        active_trajectories=found.active_trajectories,
        awaiting_my_approval=found.awaiting_my_approval,
        open_questionnaires=found.open_questionnaires,
        security=(
            SecurityOut(second_factor=found.security.second_factor, secret_question=found.security.secret_question)
            if found.HasField("security")
            else None
        ),
    )


# ----------------------------------------------------------------------------- about me
class RecordChangesIn(BaseModel):
    """The personal data to change; a field left out (or empty) stays as it is. A field the
    record does not have is refused (422 naming it), not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    last_name: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    email: str = optional({"format": "email"}, max_length=320)
    phone: str = optional({"format": "phone"}, max_length=40)
    street: str = optional({"pattern": MULTI_LINE}, max_length=100)
    postal_code: str = optional({"pattern": SINGLE_LINE}, max_length=10)
    city: str = optional({"pattern": MULTI_LINE}, max_length=100)
    insurer: str = optional({"pattern": MULTI_LINE}, max_length=100)
    policy_number: str = optional({"pattern": MULTI_LINE}, max_length=100)


class ChangeRequestIn(BaseModel):
    #: At least one field to change.
    changes: RecordChangesIn
    note: str = optional({"pattern": MULTI_LINE}, max_length=2000)


@router.get("/portal/about-me", response_model=ClientRecordOut, responses=errors(404))
async def about_me(caller: CurrentCaller, clients: Clients) -> ClientRecordOut:
    """ "Over mij": the practice's record of the person (404 until the practice made one)."""
    return client_out(await clients.call(clients.portal.GetAboutMe, pb.GetAboutMeRequest(), caller))


@router.get("/portal/insurance", response_model=InsuranceOut, responses=errors(404))
async def insurance(caller: CurrentCaller, clients: Clients) -> InsuranceOut:
    """ "Verzekering": the insurer and policy number in the practice's record."""
    record = await clients.call(clients.portal.GetAboutMe, pb.GetAboutMeRequest(), caller)
    return InsuranceOut(insurer=record.insurer, policy_number=record.policy_number)


@router.post(
    "/portal/change-requests",
    status_code=201,
    response_model=ChangeRequestOut,
    responses=errors(404),
)
async def request_change(body: ChangeRequestIn, caller: CurrentCaller, clients: Clients) -> ChangeRequestOut:
    """Asks the practice to change personal data; each bad field is named (``changes.<field>``)
    and nothing is saved then. The record changes when the practice accepts."""
    changes = {name: value for name, value in body.changes.model_dump().items() if value}
    made = await clients.call(
        clients.portal.RequestRecordChange, pb.RequestRecordChangeRequest(changes=changes, note=body.note), caller
    )
    return change_request_out(made)


@router.get("/portal/change-requests", response_model=list[ChangeRequestOut], responses=errors())
async def my_change_requests(caller: CurrentCaller, clients: Clients) -> list[ChangeRequestOut]:
    found = await clients.call(clients.portal.ListMyChangeRequests, pb.GetAboutMeRequest(), caller)
    return [change_request_out(r) for r in found.items]


# ----------------------------------------------------------------------------- consents
class ConsentIn(BaseModel):
    granted: StrictBool


@router.get("/portal/consents", response_model=list[ConsentOut], responses=errors())
async def consents(caller: CurrentCaller, clients: Clients) -> list[ConsentOut]:
    """ "Toestemming": each item the practice asks, on or off (the practice's default until the
    person decides), with every decision and its time."""
    found = await clients.call(clients.portal.ListConsents, pb.ListConsentsRequest(), caller)
    return [consent_out(c) for c in found.items]


@router.put("/portal/consents/{code}", response_model=ConsentOut, responses=errors(404))
async def set_consent(code: str, body: ConsentIn, caller: CurrentCaller, clients: Clients) -> ConsentOut:
    """Turns one consent on or off; the earlier decisions stay in its history."""
    changed = await clients.call(
        clients.portal.SetConsent, pb.SetConsentRequest(code=code, granted=body.granted), caller
    )
    return consent_out(changed)


# ----------------------------------------------------------------------------- searching the dossier
class DossierHitOut(BaseModel):
    kind: Literal["report", "document", "result", "medication", "diary"]
    id: str
    #: A document's or result's title, a medicine's name, the start of a diary note.
    title: str
    #: When it came into the dossier.
    at: datetime


class DossierSearchPageOut(BaseModel):
    items: list[DossierHitOut]
    next_cursor: str | None


@router.get("/portal/dossier/search", response_model=DossierSearchPageOut, responses=errors())
async def search_dossier(
    caller: CurrentCaller,
    clients: Clients,
    q: Annotated[str, Query(min_length=2, max_length=100, description="what the title, name or note holds")],
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> DossierSearchPageOut:
    """Reports, documents, results, current medication and the caller's own diary notes whose
    title, name or text holds ``q`` (any case; ``%`` and ``_`` are taken literally), newest
    first."""
    page = await clients.call(
        clients.portal.SearchDossier, pb.SearchDossierRequest(query=q, cursor=cursor, limit=limit), caller
    )
    return DossierSearchPageOut(
        items=[
            DossierHitOut(kind=h.kind, id=h.id, title=h.title, at=to_datetime(h.at))
            for h in page.items
        ],
        next_cursor=page.next_cursor or None,
    )


# ----------------------------------------------------------------------------- documents
@router.get("/portal/documents", response_model=DocumentPageOut, responses=errors())
async def documents(
    caller: CurrentCaller,
    clients: Clients,
    kind: Literal["report", "document", ""] = "",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> DocumentPageOut:
    """Reports (``kind=report``, "Verslagen"), documents (``kind=document``, the agreement
    among them) or both, newest first; ``pending`` marks those awaiting the caller's approval."""
    page = await clients.call(
        clients.portal.ListDocuments, pb.ListDocumentsRequest(kind=kind, cursor=cursor, limit=limit), caller
    )
    return DocumentPageOut(items=[document_out(d, DOCUMENTS) for d in page.items], next_cursor=page.next_cursor or None)


@router.get(
    "/portal/documents/{document_id}/file",
    response_class=Response,
    responses={**FILE_RESPONSE, **errors(404)},
)
async def document_file(document_id: str, caller: CurrentCaller, clients: Clients) -> Response:
    """The document's file, as a download."""
    content = await clients.call(clients.portal.GetDocumentFile, pb.DocumentRef(document_id=document_id), caller)
    return file_response(content)


@router.post("/portal/documents/{document_id}/approve", response_model=DocumentOut, responses=errors(404, 409))
async def approve_document(document_id: str, caller: CurrentCaller, clients: Clients) -> DocumentOut:
    """ "Ik ga akkoord": the caller's approval with its time (again keeps the first). When
    every party approved a trajectory's agreement, the trajectory becomes active. 409
    ``no_approval_asked`` for a document that asks none."""
    approved = await clients.call(clients.portal.ApproveDocument, pb.DocumentRef(document_id=document_id), caller)
    return document_out(approved, DOCUMENTS)


async def read_upload(request: Request) -> tuple[dict[str, str], tuple[str, str, bytes] | None]:
    """(text fields, (file name, type, bytes) of the one ``file``) of a multipart form."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        raise ProblemException(413, code="attachment_too_large", detail="The request is larger than allowed.")
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "multipart/form-data":
        raise ProblemException(415, code="unsupported_media_type", detail="Send multipart/form-data.")
    form = await request.form(max_files=1, max_fields=20)
    fields: dict[str, str] = {}
    upload: tuple[str, str, bytes] | None = None
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields[key] = value
        elif key == "file":
            data = await value.read(MAX_UPLOAD_BYTES + 1)
            upload = (value.filename or "", value.content_type or "", data)
            await value.close()
    return fields, upload


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["title", "file"],
                    "properties": {
                        "title": {"type": "string", "maxLength": 200, "pattern": SINGLE_LINE},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/portal/documents",
    status_code=201,
    response_model=DocumentOut,
    responses=errors(413, 415),
    openapi_extra=_UPLOAD_BODY,
)
async def upload_document(request: Request, caller: CurrentCaller, clients: Clients) -> DocumentOut:
    """ "Document uploaden": multipart ``title`` and ``file`` (at most 20 MiB; pdf, png, jpeg,
    heic, docx, xlsx or txt, judged on the content). 413 too large, 415 a type not allowed or
    not what it claims, 422 a missing title or a bad file name."""
    fields, upload = await read_upload(request)
    if upload is None:
        raise ProblemException(422, code="invalid_argument", detail="A file is required (field file).")
    name, content_type, data = upload
    made = await clients.call(
        clients.portal.UploadDocument,
        pb.UploadDocumentRequest(title=fields.get("title", ""), file_name=name, content_type=content_type, data=data),
        caller,
        timeout=TRANSFER_TIMEOUT_SECONDS,
    )
    return document_out(made, DOCUMENTS)


@router.get("/portal/trajectories", response_model=list[TrajectoryOut], responses=errors())
async def trajectories(caller: CurrentCaller, clients: Clients) -> list[TrajectoryOut]:
    """The person's care trajectories, each with the parties of its agreement and when they approved."""
    found = await clients.call(clients.portal.ListTrajectories, pb.ListTrajectoriesRequest(), caller)
    return [trajectory_out(t) for t in found.items]


# ----------------------------------------------------------------------------- medication
class PrescriptionIn(BaseModel):
    #: Ids of the caller's current chronic medication.
    medication_ids: list[Annotated[str, identifier()]] = Field(min_length=1, max_length=20)
    note: str = optional({"pattern": MULTI_LINE}, max_length=1000)


@router.get("/portal/medications", response_model=list[MedicationOut], responses=errors())
async def medications(caller: CurrentCaller, clients: Clients) -> list[MedicationOut]:
    """Current medication with its chronic flag (only chronic medication can be reordered)."""
    found = await clients.call(clients.portal.ListMedications, pb.ListMedicationsRequest(), caller)
    return [medication_out(m) for m in found.items]


@router.post(
    "/portal/prescription-requests",
    status_code=201,
    response_model=PrescriptionRequestOut,
    responses=errors(),
)
async def request_prescription(body: PrescriptionIn, caller: CurrentCaller, clients: Clients) -> PrescriptionRequestOut:
    """A repeat prescription of chronic medication. Asked before 12:00 (Amsterdam) it is
    ready the next working day, otherwise the working day after (weekends and Dutch public
    holidays skipped): ``ready_on``. 422 (``not_chronic``) names each medication that is not
    chronic as ``medication_ids[i]``."""
    made = await clients.call(
        clients.portal.RequestPrescription,
        pb.RequestPrescriptionRequest(medication_ids=body.medication_ids, note=body.note),
        caller,
    )
    return prescription_out(made)


@router.get("/portal/prescription-requests", response_model=PrescriptionPageOut, responses=errors())
async def prescription_requests(
    caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> PrescriptionPageOut:
    """The person's repeat-prescription requests with their status, newest first."""
    page = await clients.call(
        clients.portal.ListPrescriptionRequests, pb.PageRequest(cursor=cursor, limit=limit), caller
    )
    return PrescriptionPageOut(items=[prescription_out(r) for r in page.items], next_cursor=page.next_cursor or None)


# ----------------------------------------------------------------------------- appointments
class BookingIn(BaseModel):
    slot_id: str = identifier()
    #: Optional; never in a mail.
    reason: str = optional({"pattern": MULTI_LINE}, max_length=500)


@router.get("/portal/booking-notice", response_model=BookingNoticeOut)
async def booking_notice() -> BookingNoticeOut:
    """What the booking page shows before the patient confirms (seed 5)."""
    return BookingNoticeOut(notice_nl=URGENT_NOTICE_NL, notice_en=URGENT_NOTICE_EN, cancel_until_hours_before=24)


@router.get("/portal/slots", response_model=list[SlotOut], responses=errors())
async def slots(
    caller: CurrentCaller,
    clients: Clients,
    from_: Annotated[
        str,
        Query(alias="from", max_length=10, description="first day (Amsterdam)", json_schema_extra={"format": "date"}),
    ],
    to: Annotated[
        str,
        Query(max_length=10, description="last day; at most 62 days after from", json_schema_extra={"format": "date"}),
    ],
    practitioner_id: Annotated[str, Query(max_length=64)] = "",
) -> list[SlotOut]:
    """Free slots of the caller's practice between two days, soonest first (a page shows a
    day's times; the month navigation asks the next range)."""
    found = await clients.call(
        clients.portal.ListSlots,
        pb.ListSlotsRequest(**{"from": from_, "to": to, "practitioner_id": practitioner_id}),
        caller,
    )
    return [slot_out(s) for s in found.items]


@router.post(
    "/portal/appointments",
    status_code=201,
    response_model=AppointmentOut,
    responses=errors(404, 409),
)
async def book(body: BookingIn, caller: CurrentCaller, clients: Clients) -> AppointmentOut:
    """Books a free slot (not for urgent complaints: call the practice); a confirmation mail
    follows. 404 for a slot that is not the practice's free time, 409 ``slot_taken`` when
    someone was just earlier, ``slot_in_the_past`` when it has begun."""
    booked = await clients.call(
        clients.portal.BookAppointment, pb.BookAppointmentRequest(slot_id=body.slot_id, reason=body.reason), caller
    )
    return appointment_out(booked)


@router.delete(
    "/portal/appointments/{appointment_id}",
    status_code=204,
    response_class=Response,
    responses=errors(404, 409),
)
async def cancel(appointment_id: str, caller: CurrentCaller, clients: Clients) -> Response:
    """Cancels until 24 hours before; a confirmation mail follows. Later: 409
    ``too_late_to_cancel`` — the practice must be called."""
    await clients.call(clients.portal.CancelAppointment, pb.AppointmentRef(appointment_id=appointment_id), caller)
    return Response(status_code=204)


@router.get("/portal/appointments", response_model=AppointmentPageOut, responses=errors())
async def appointments(
    caller: CurrentCaller,
    clients: Clients,
    scope: Literal["upcoming", "past"] = "upcoming",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> AppointmentPageOut:
    """Upcoming appointments (soonest first) or past and cancelled ones (latest first)."""
    page = await clients.call(
        clients.portal.ListAppointments, pb.ListAppointmentsRequest(scope=scope, cursor=cursor, limit=limit), caller
    )
    return AppointmentPageOut(items=[appointment_out(a) for a in page.items], next_cursor=page.next_cursor or None)


# ----------------------------------------------------------------------------- results
@router.get("/portal/results", response_model=ResultPageOut, responses=errors())
async def results(caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20) -> ResultPageOut:
    """Published results, newest first (their values: GET /portal/results/{id})."""
    page = await clients.call(clients.portal.ListResults, pb.PageRequest(cursor=cursor, limit=limit), caller)
    return ResultPageOut(items=[result_out(r) for r in page.items], next_cursor=page.next_cursor or None)


@router.get("/portal/results/{result_id}", response_model=ResultOut, responses=errors(404))
async def result(result_id: str, caller: CurrentCaller, clients: Clients) -> ResultOut:
    """A result with its observations, units, reference ranges and flags."""
    return result_out(await clients.call(clients.portal.GetResult, pb.ResultRef(result_id=result_id), caller))


@router.get(
    "/portal/results/{result_id}/export",
    response_class=Response,
    responses={**FILE_RESPONSE, **errors(404)},
)
async def export_result(
    result_id: str, caller: CurrentCaller, clients: Clients, format: Literal["pdf", "csv"] = "pdf"
) -> Response:
    """The result as a file to keep: PDF (default) or CSV."""
    content = await clients.call(
        clients.portal.ExportResult, pb.ExportResultRequest(result_id=result_id, format=format), caller
    )
    return file_response(content)


# ----------------------------------------------------------------------------- diary
@router.get("/portal/diary", response_model=DiaryPageOut, responses=errors())
async def diary(caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20) -> DiaryPageOut:
    """The caller's own notes in this portal, newest first (a parent does not read a child's)."""
    page = await clients.call(clients.portal.ListDiaryEntries, pb.PageRequest(cursor=cursor, limit=limit), caller)
    return DiaryPageOut(items=[diary_out(e) for e in page.items], next_cursor=page.next_cursor or None)


@router.post("/portal/diary", status_code=201, response_model=DiaryEntryOut, responses=errors())
async def write_diary(body: DiaryEntryIn, caller: CurrentCaller, clients: Clients) -> DiaryEntryOut:
    """A note, private (default) or shared with the practitioner."""
    made = await clients.call(
        clients.portal.WriteDiaryEntry, pb.WriteDiaryEntryRequest(body=body.body, shared=body.shared), caller
    )
    return diary_out(made)


@router.get("/portal/diary/{entry_id}", response_model=DiaryEntryOut, responses=errors(404))
async def diary_entry(entry_id: str, caller: CurrentCaller, clients: Clients) -> DiaryEntryOut:
    """One of one's own notes (404 for anyone else's, the person's own included for a parent)."""
    return diary_out(await clients.call(clients.portal.GetDiaryEntry, pb.DiaryEntryRef(entry_id=entry_id), caller))


@router.put("/portal/diary/{entry_id}", response_model=DiaryEntryOut, responses=errors(404))
async def update_diary(entry_id: str, body: DiaryEntryIn, caller: CurrentCaller, clients: Clients) -> DiaryEntryOut:
    """Changes one's own note (its text, and whether it is shared)."""
    changed = await clients.call(
        clients.portal.UpdateDiaryEntry,
        pb.UpdateDiaryEntryRequest(entry_id=entry_id, body=body.body, shared=body.shared),
        caller,
    )
    return diary_out(changed)


# ----------------------------------------------------------------------------- questionnaires
@router.get("/portal/questionnaires", response_model=list[QuestionnaireOut], responses=errors())
async def questionnaires(caller: CurrentCaller, clients: Clients) -> list[QuestionnaireOut]:
    found = await clients.call(clients.portal.ListQuestionnaires, pb.ListQuestionnairesRequest(), caller)
    return [questionnaire_out(q) for q in found.items]


@router.get("/portal/questionnaires/{questionnaire_id}", response_model=QuestionnaireOut, responses=errors(404))
async def questionnaire(questionnaire_id: str, caller: CurrentCaller, clients: Clients) -> QuestionnaireOut:
    found = await clients.call(
        clients.portal.GetQuestionnaire, pb.QuestionnaireRef(questionnaire_id=questionnaire_id), caller
    )
    return questionnaire_out(found)


@router.put(
    "/portal/questionnaires/{questionnaire_id}/answers",
    response_model=QuestionnaireOut,
    responses=errors(404, 409),
)
async def answer_questionnaire(
    questionnaire_id: str, body: AnswersIn, caller: CurrentCaller, clients: Clients
) -> QuestionnaireOut:
    """Saves a draft, or submits (``submit: true``: every required question answered, each
    bad answer named as ``answers.<question id>``). 409 once submitted."""
    saved = await clients.call(
        clients.portal.SaveQuestionnaire,
        pb.SaveQuestionnaireRequest(questionnaire_id=questionnaire_id, answers=body.answers, submit=body.submit),
        caller,
    )
    return questionnaire_out(saved)


# ----------------------------------------------------------------------------- export, actions
@router.get(
    "/portal/fhir",
    response_class=Response,
    responses={
        200: {
            "description": "A FHIR R4 Bundle (type collection).",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        },
        **errors(),
    },
)
async def fhir(caller: CurrentCaller, clients: Clients) -> Response:
    """The person's own data as a FHIR R4 Bundle: Patient, Appointment, MedicationStatement,
    Observation, DocumentReference, Communication and Consent resources."""
    bundle = await clients.call(clients.portal.ExportFhir, pb.ExportFhirRequest(), caller)
    return Response(
        content=bundle.json.encode(),
        media_type="application/fhir+json",
        headers={"Content-Disposition": 'attachment; filename="mijn-gegevens.fhir.json"', "Cache-Control": "no-store"},
    )


class ActionOut(BaseModel):
    id: str
    #: e.g. "appointment.booked", "document.approved", "consent.changed".
    action: str
    object_id: str
    actor_id: str
    #: Done by someone acting for the person.
    on_behalf: bool
    at: datetime


class ActionPageOut(BaseModel):
    items: list[ActionOut]
    next_cursor: str | None


@router.get("/portal/actions", response_model=ActionPageOut, responses=errors())
async def actions(caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20) -> ActionPageOut:
    """Who changed what in this portal — the person, someone acting for them, the practice —
    newest first."""
    page = await clients.call(clients.portal.ListActions, pb.PageRequest(cursor=cursor, limit=limit), caller)
    return ActionPageOut(
        items=[
            ActionOut(
                id=a.id,
                action=a.action,
                object_id=a.object_id,
                actor_id=a.actor_id,
                on_behalf=a.on_behalf,
                at=to_datetime(a.at),
            )
            for a in page.items
        ],
        next_cursor=page.next_cursor or None,
    )
