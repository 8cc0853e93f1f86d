"""/api/v1/portal/practice: the practice's back office — clients and their records, consents,
trajectories and agreements, documents and reports, medication and repeat prescriptions,
results, schedules and the agenda, questionnaires. Its practitioners' (the ``practitioner``
role: ``practise_care``); anyone else gets 403 ``not_permitted``, another practice's ids are
404."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, BeforeValidator, Field, StrictBool
from pydantic_core import PydanticCustomError

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import MULTI_LINE, SINGLE_LINE, WholeNumber, date, errors, identifier, line, optional, text
from gateway.problems import ProblemException
from gateway.routes.portal import read_upload
from gateway.routes.portal_models import (
    FILE_RESPONSE,
    AgendaSlotOut,
    AppointmentOut,
    AppointmentPageOut,
    ChangeRequestOut,
    ClientRecordOut,
    ConsentOut,
    DiaryPageOut,
    DocumentOut,
    DocumentPageOut,
    MedicationOut,
    PrescriptionPageOut,
    PrescriptionRequestOut,
    QuestionModel,
    QuestionnaireOut,
    QuestionnairePageOut,
    ResultOut,
    ResultPageOut,
    TrajectoryOut,
    agenda_slot_out,
    appointment_out,
    change_request_out,
    client_out,
    consent_out,
    diary_out,
    document_out,
    file_response,
    medication_out,
    prescription_out,
    questionnaire_out,
    result_out,
    trajectory_out,
)
from zorgpost.portal.v1 import portal_pb2 as pb


def _text_only(value: object) -> object:
    """A moment comes as date-time text, as the schema says; a number is not taken as
    seconds since 1970 (pydantic's lax mode would), and strict mode would refuse the text."""
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime")
    return value


#: ISO 8601 date-time text only.
DateTimeText = Annotated[datetime, BeforeValidator(_text_only)]


router = APIRouter(tags=["portal practice"])

DOCUMENTS = "/api/v1/portal/practice/documents"
TRANSFER_TIMEOUT_SECONDS = 60.0

_Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
_Cursor = Annotated[str, Query(max_length=300, description="next_cursor of the previous page")]


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


# ----------------------------------------------------------------------------- clients
#: Identity's account ids.
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class ClientIn(BaseModel):
    first_name: str = line(max_length=100)
    last_name: str = line(max_length=100)
    #: Decides who approves an agreement (the client from 12, parents under 16); not in the future.
    birth_date: str = optional({"format": "date"}, max_length=10)
    #: Where notices go (besides the delegates who act for the client).
    email: str = optional({"format": "email"}, max_length=320)
    phone: str = optional({"format": "phone"}, max_length=40)
    street: str = optional({"pattern": MULTI_LINE}, max_length=100)
    postal_code: str = optional({"pattern": SINGLE_LINE}, max_length=10)
    city: str = optional({"pattern": MULTI_LINE}, max_length=100)
    insurer: str = optional({"pattern": MULTI_LINE}, max_length=100)
    policy_number: str = optional({"pattern": MULTI_LINE}, max_length=100)
    language: Literal["nl", "en"] = "nl"


class ClientPageOut(BaseModel):
    items: list[ClientRecordOut]
    next_cursor: str | None


@router.put("/portal/practice/clients/{person_id}", response_model=ClientRecordOut, responses=errors())
async def register_client(
    person_id: Annotated[str, Path(pattern=UUID, description="identity's account id")],
    body: ClientIn,
    caller: CurrentCaller,
    clients: Clients,
) -> ClientRecordOut:
    """Registers a person (identity's account id) as a client, or updates the record ("Over
    mij"); every earlier version is kept."""
    record = await clients.call(
        clients.practice.RegisterClient, pb.RegisterClientRequest(person_id=person_id, **body.model_dump()), caller
    )
    return client_out(record)


@router.get("/portal/practice/clients", response_model=ClientPageOut, responses=errors())
async def list_clients(
    caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> ClientPageOut:
    """The practice's clients by last name."""
    page = await clients.call(clients.practice.ListClients, pb.PageRequest(cursor=cursor, limit=limit), caller)
    return ClientPageOut(items=[client_out(r) for r in page.items], next_cursor=page.next_cursor or None)


@router.get("/portal/practice/clients/{person_id}", response_model=ClientRecordOut, responses=errors(404))
async def get_client(person_id: str, caller: CurrentCaller, clients: Clients) -> ClientRecordOut:
    return client_out(await clients.call(clients.practice.GetClient, pb.ClientRef(person_id=person_id), caller))


@router.get(
    "/portal/practice/clients/{person_id}/consents",
    response_model=list[ConsentOut],
    responses=errors(404),
)
async def client_consents(person_id: str, caller: CurrentCaller, clients: Clients) -> list[ConsentOut]:
    found = await clients.call(clients.practice.GetClientConsents, pb.ClientRef(person_id=person_id), caller)
    return [consent_out(c) for c in found.items]


class ResolveIn(BaseModel):
    answer: str = optional({"pattern": MULTI_LINE}, max_length=2000)


@router.get("/portal/practice/change-requests", response_model=list[ChangeRequestOut], responses=errors())
async def change_requests(
    caller: CurrentCaller, clients: Clients, status: Literal["open", "accepted", "rejected", "all"] = "open"
) -> list[ChangeRequestOut]:
    """Clients' requests to change their personal data, oldest first."""
    found = await clients.call(clients.practice.ListChangeRequests, pb.ListChangeRequestsRequest(status=status), caller)
    return [change_request_out(r) for r in found.items]


@router.post(
    "/portal/practice/change-requests/{request_id}/{decision}",
    response_model=ChangeRequestOut,
    responses=errors(404, 409),
)
async def resolve_change_request(
    request_id: str,
    decision: Literal["accept", "reject"],
    caller: CurrentCaller,
    clients: Clients,
    body: ResolveIn | None = None,
) -> ChangeRequestOut:
    """Accepting applies the change to the client's record (the version before stays)."""
    resolved = await clients.call(
        clients.practice.ResolveChangeRequest,
        pb.ResolveChangeRequestRequest(
            change_request_id=request_id, accept=decision == "accept", answer=body.answer if body else ""
        ),
        caller,
    )
    return change_request_out(resolved)


class ConsentItemModel(BaseModel):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")
    label_nl: str = line(max_length=200)
    label_en: str = line(max_length=200)
    default_granted: StrictBool


class ConsentItemsModel(BaseModel):
    items: list[ConsentItemModel] = Field(max_length=50)


@router.get("/portal/practice/consent-items", response_model=ConsentItemsModel, responses=errors())
async def consent_items(caller: CurrentCaller, clients: Clients) -> ConsentItemsModel:
    """What the practice asks consent for, and the default of each."""
    found = await clients.call(clients.practice.GetConsentItems, pb.GetConsentItemsRequest(), caller)
    return ConsentItemsModel(
        items=[ConsentItemModel.model_validate(item, from_attributes=True) for item in found.items]
    )


@router.put("/portal/practice/consent-items", response_model=ConsentItemsModel, responses=errors())
async def set_consent_items(body: ConsentItemsModel, caller: CurrentCaller, clients: Clients) -> ConsentItemsModel:
    """Replaces the list; clients' decisions stay (also for an item taken away)."""
    saved = await clients.call(
        clients.practice.SetConsentItems,
        pb.ConsentItems(items=[pb.ConsentItem(**item.model_dump()) for item in body.items]),
        caller,
    )
    return ConsentItemsModel(
        items=[ConsentItemModel.model_validate(item, from_attributes=True) for item in saved.items]
    )


# ----------------------------------------------------------------------------- trajectories
_START_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["person_id", "title", "file"],
                    "properties": {
                        "person_id": {"type": "string", "pattern": UUID},
                        "title": {"type": "string", "maxLength": 200, "pattern": SINGLE_LINE},
                        "practitioners": {
                            "type": "string",
                            "description": 'JSON: [{"id": "…", "name": "…"}], besides the caller',
                        },
                        "file": {"type": "string", "format": "binary", "description": "the agreement"},
                    },
                }
            }
        },
    }
}


class EndIn(BaseModel):
    reason: str = optional({"pattern": MULTI_LINE}, max_length=1000)


@router.post(
    "/portal/practice/trajectories",
    status_code=201,
    response_model=TrajectoryOut,
    responses=errors(404, 413, 415),
    openapi_extra=_START_BODY,
)
async def start_trajectory(request: Request, caller: CurrentCaller, clients: Clients) -> TrajectoryOut:
    """Starts a care trajectory with its agreement ("De overeenkomst", the ``file``): it waits
    until every party (the client from 12, every parent with authority under 16) approved."""
    fields, upload = await read_upload(request)
    if upload is None:
        raise ProblemException(422, code="invalid_argument", detail="The agreement is required (field file).")
    try:
        team = json.loads(fields.get("practitioners") or "[]")
        practitioners = [pb.Practitioner(account_id=str(p["id"]), name=str(p["name"])) for p in team]
    except (ValueError, TypeError, KeyError):
        raise ProblemException(422, code="invalid_argument", detail='practitioners: [{"id", "name"}] as JSON') from None
    name, content_type, data = upload
    started = await clients.call(
        clients.practice.StartTrajectory,
        pb.StartTrajectoryRequest(
            person_id=fields.get("person_id", ""),
            title=fields.get("title", ""),
            practitioners=practitioners,
            agreement_file_name=name,
            agreement_content_type=content_type,
            agreement_data=data,
        ),
        caller,
        timeout=TRANSFER_TIMEOUT_SECONDS,
    )
    return trajectory_out(started)


@router.post(
    "/portal/practice/trajectories/{trajectory_id}/end",
    response_model=TrajectoryOut,
    responses=errors(404, 409),
)
async def end_trajectory(
    trajectory_id: str, caller: CurrentCaller, clients: Clients, body: EndIn | None = None
) -> TrajectoryOut:
    """Ends the trajectory; the client's portal access ends with it (identity, on
    ``portal.trajectory.ended``) unless another trajectory of the client is still open."""
    ended = await clients.call(
        clients.practice.EndTrajectory,
        pb.EndTrajectoryRequest(trajectory_id=trajectory_id, reason=body.reason if body else ""),
        caller,
    )
    return trajectory_out(ended)


@router.get("/portal/practice/trajectories", response_model=list[TrajectoryOut], responses=errors(404))
async def practice_trajectories(
    caller: CurrentCaller,
    clients: Clients,
    person_id: Annotated[str, Query(max_length=64)] = "",
    status: Literal["awaiting_agreement", "active", "ended", ""] = "",
) -> list[TrajectoryOut]:
    found = await clients.call(
        clients.practice.ListTrajectories, pb.ListClientTrajectoriesRequest(person_id=person_id, status=status), caller
    )
    return [trajectory_out(t) for t in found.items]


# ----------------------------------------------------------------------------- documents
_PUBLISH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "title", "file"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["report", "document"]},
                        "title": {"type": "string", "maxLength": 200, "pattern": SINGLE_LINE},
                        "requires_approval": {"type": "boolean"},
                        "trajectory_id": {"type": "string", "maxLength": 64},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


def _flag(value: str, field: str) -> bool:
    """A form's boolean: "true" or "false", as the schema says."""
    if value not in ("true", "false"):
        raise RequestValidationError([{"loc": ("body", field), "msg": "is true or false", "type": "bool_parsing"}])
    return value == "true"


@router.post(
    "/portal/practice/clients/{person_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    responses=errors(404, 413, 415),
    openapi_extra=_PUBLISH_BODY,
)
async def publish_document(person_id: str, request: Request, caller: CurrentCaller, clients: Clients) -> DocumentOut:
    """A report or document for the client (and an "ik ga akkoord" when ``requires_approval``);
    the client and their delegates get a notice without its title."""
    fields, upload = await read_upload(request)
    if upload is None:
        raise ProblemException(422, code="invalid_argument", detail="A file is required (field file).")
    name, content_type, data = upload
    published = await clients.call(
        clients.practice.PublishDocument,
        pb.PublishDocumentRequest(
            person_id=person_id,
            kind=fields.get("kind", ""),
            title=fields.get("title", ""),
            requires_approval=_flag(fields.get("requires_approval", "false"), "requires_approval"),
            file_name=name,
            content_type=content_type,
            data=data,
            trajectory_id=fields.get("trajectory_id", ""),
        ),
        caller,
        timeout=TRANSFER_TIMEOUT_SECONDS,
    )
    return document_out(published, DOCUMENTS)


@router.get(
    "/portal/practice/clients/{person_id}/documents",
    response_model=DocumentPageOut,
    responses=errors(404),
)
async def client_documents(
    person_id: str, caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> DocumentPageOut:
    """Everything in the client's dossier, uploads included, with who approved when."""
    page = await clients.call(
        clients.practice.ListClientDocuments,
        pb.ListClientDocumentsRequest(person_id=person_id, cursor=cursor, limit=limit),
        caller,
    )
    return DocumentPageOut(items=[document_out(d, DOCUMENTS) for d in page.items], next_cursor=page.next_cursor or None)


@router.get(
    "/portal/practice/documents/{document_id}/file",
    response_class=Response,
    responses={**FILE_RESPONSE, **errors(404)},
)
async def practice_document_file(document_id: str, caller: CurrentCaller, clients: Clients) -> Response:
    content = await clients.call(
        clients.practice.GetClientDocumentFile, pb.DocumentRef(document_id=document_id), caller
    )
    return file_response(content)


# ----------------------------------------------------------------------------- medication
class MedicationIn(BaseModel):
    name: str = text(max_length=200)
    dosage: str = optional({"pattern": MULTI_LINE}, max_length=200)
    #: Only chronic medication can be ordered as a repeat prescription.
    chronic: StrictBool
    started_on: str = optional({"format": "date"}, max_length=10)


class StopIn(BaseModel):
    #: Empty: today.
    stopped_on: str = optional({"format": "date"}, max_length=10)


class HandleIn(BaseModel):
    #: Why (a rejection needs one; shown in the portal, never mailed).
    answer: str = optional({"pattern": MULTI_LINE}, max_length=1000)


@router.post(
    "/portal/practice/clients/{person_id}/medications",
    status_code=201,
    response_model=MedicationOut,
    responses=errors(404),
)
async def add_medication(person_id: str, body: MedicationIn, caller: CurrentCaller, clients: Clients) -> MedicationOut:
    added = await clients.call(
        clients.practice.AddMedication, pb.AddMedicationRequest(person_id=person_id, **body.model_dump()), caller
    )
    return medication_out(added)


@router.get(
    "/portal/practice/clients/{person_id}/medications",
    response_model=list[MedicationOut],
    responses=errors(404),
)
async def client_medications(person_id: str, caller: CurrentCaller, clients: Clients) -> list[MedicationOut]:
    """Current and stopped medication."""
    found = await clients.call(clients.practice.ListClientMedications, pb.ClientRef(person_id=person_id), caller)
    return [medication_out(m) for m in found.items]


@router.post(
    "/portal/practice/medications/{medication_id}/stop",
    response_model=MedicationOut,
    responses=errors(404),
)
async def stop_medication(
    medication_id: str, caller: CurrentCaller, clients: Clients, body: StopIn | None = None
) -> MedicationOut:
    stopped = await clients.call(
        clients.practice.StopMedication,
        pb.StopMedicationRequest(medication_id=medication_id, stopped_on=body.stopped_on if body else ""),
        caller,
    )
    return medication_out(stopped)


@router.get(
    "/portal/practice/prescription-requests",
    response_model=PrescriptionPageOut,
    responses=errors(),
)
async def practice_prescriptions(
    caller: CurrentCaller,
    clients: Clients,
    status: Literal["requested", "ready", "rejected", "all"] = "requested",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> PrescriptionPageOut:
    """Repeat-prescription requests to handle, soonest ready day first."""
    page = await clients.call(
        clients.practice.ListPrescriptionRequests,
        pb.ListPracticePrescriptionsRequest(status=status, cursor=cursor, limit=limit),
        caller,
    )
    return PrescriptionPageOut(items=[prescription_out(r) for r in page.items], next_cursor=page.next_cursor or None)


@router.get(
    "/portal/practice/prescription-requests/{request_id}",
    response_model=PrescriptionRequestOut,
    responses=errors(404),
)
async def practice_prescription(request_id: str, caller: CurrentCaller, clients: Clients) -> PrescriptionRequestOut:
    """One request, whatever its status, with the client's name."""
    found = await clients.call(
        clients.practice.GetPrescriptionRequest, pb.PrescriptionRequestRef(request_id=request_id), caller
    )
    return prescription_out(found)


@router.post(
    "/portal/practice/prescription-requests/{request_id}/{decision}",
    response_model=PrescriptionRequestOut,
    responses=errors(404, 409),
)
async def handle_prescription(
    request_id: str,
    decision: Literal["ready", "reject"],
    caller: CurrentCaller,
    clients: Clients,
    body: HandleIn | None = None,
) -> PrescriptionRequestOut:
    """``ready``: the patient gets a mail that it can be collected; ``reject`` with an answer."""
    handled = await clients.call(
        clients.practice.HandlePrescription,
        pb.HandlePrescriptionRequest(
            request_id=request_id, ready=decision == "ready", answer=body.answer if body else ""
        ),
        caller,
    )
    return prescription_out(handled)


# ----------------------------------------------------------------------------- results
_DECIMAL = {"pattern": r"^-?[0-9]{1,12}([.,][0-9]{1,6})?$"}


class ObservationIn(BaseModel):
    code: str = optional({"pattern": MULTI_LINE}, max_length=50)
    name: str = text(max_length=200)
    #: As the lab gives it: "7.2", "negatief", "<0.1".
    value: str = text(max_length=100)
    unit: str = optional({"pattern": MULTI_LINE}, max_length=50)
    reference_low: str = optional(_DECIMAL, max_length=20)
    #: Not below reference_low.
    reference_high: str = optional(_DECIMAL, max_length=20)
    reference_text: str = optional({"pattern": SINGLE_LINE}, max_length=100)


class ResultIn(BaseModel):
    title: str = line(max_length=200)
    #: When the sample was taken (not in the future).
    taken_at: DateTimeText
    observations: list[ObservationIn] = Field(min_length=1, max_length=100)


@router.post(
    "/portal/practice/clients/{person_id}/results",
    status_code=201,
    response_model=ResultOut,
    responses=errors(404),
)
async def publish_result(person_id: str, body: ResultIn, caller: CurrentCaller, clients: Clients) -> ResultOut:
    """Publishes lab results; the patient gets a mail that a result is ready, never the values."""
    published = await clients.call(
        clients.practice.PublishResult,
        pb.PublishResultRequest(
            person_id=person_id,
            title=body.title,
            taken_at=_stamp(body.taken_at),
            observations=[pb.Observation(**o.model_dump()) for o in body.observations],
        ),
        caller,
    )
    return result_out(published)


@router.get(
    "/portal/practice/clients/{person_id}/results",
    response_model=ResultPageOut,
    responses=errors(404),
)
async def client_results(
    person_id: str, caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> ResultPageOut:
    page = await clients.call(
        clients.practice.ListClientResults,
        pb.ListClientResultsRequest(person_id=person_id, cursor=cursor, limit=limit),
        caller,
    )
    return ResultPageOut(items=[result_out(r) for r in page.items], next_cursor=page.next_cursor or None)


# ----------------------------------------------------------------------------- schedules, agenda
_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ScheduleIn(BaseModel):
    #: Empty: the caller's own schedule; an assistant names the practitioner (and their name).
    practitioner_id: str = identifier(required=False)
    practitioner_name: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    from_date: str = date()
    #: Not before from_date, at most 120 days after it.
    to_date: str = date()
    #: 0 = Monday … 6 = Sunday.
    weekdays: list[Annotated[int, Field(strict=True, ge=0, le=6)]] = Field(min_length=1, max_length=7)
    #: HH:MM, Amsterdam time.
    start_time: str = Field(max_length=5, pattern=_TIME)
    #: After start_time.
    end_time: str = Field(max_length=5, pattern=_TIME)
    slot_minutes: WholeNumber = Field(strict=True, ge=5, le=240)
    location: str = optional({"pattern": SINGLE_LINE}, max_length=200)


class ScheduleOut(BaseModel):
    slots_added: int
    #: Times the practitioner had a slot at already.
    slots_skipped: int


class SlotIn(BaseModel):
    practitioner_id: str = identifier(required=False)
    practitioner_name: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    #: In the future.
    start: DateTimeText
    #: 5 minutes to 4 hours after start.
    end: DateTimeText
    location: str = optional({"pattern": SINGLE_LINE}, max_length=200)


class PlannedAppointmentIn(BaseModel):
    start: DateTimeText
    #: After start.
    end: DateTimeText
    #: Who the client sees the appointment with (default: the caller).
    with_name: str = optional({"pattern": SINGLE_LINE}, max_length=100)
    location: str = optional({"pattern": SINGLE_LINE}, max_length=200)


@router.post("/portal/practice/schedules", status_code=201, response_model=ScheduleOut, responses=errors())
async def add_schedule(body: ScheduleIn, caller: CurrentCaller, clients: Clients) -> ScheduleOut:
    """Opening hours become free slots (public holidays get none)."""
    added = await clients.call(clients.practice.AddSchedule, pb.AddScheduleRequest(**body.model_dump()), caller)
    return ScheduleOut(slots_added=added.slots_added, slots_skipped=added.slots_skipped)


@router.post("/portal/practice/slots", status_code=201, response_model=AgendaSlotOut, responses=errors())
async def add_slot(body: SlotIn, caller: CurrentCaller, clients: Clients) -> AgendaSlotOut:
    """One free slot at any time (an extra consultation hour)."""
    slot = await clients.call(
        clients.practice.AddSlot,
        pb.AddSlotRequest(
            practitioner_id=body.practitioner_id,
            practitioner_name=body.practitioner_name,
            starts_at=_stamp(body.start),
            ends_at=_stamp(body.end),
            location=body.location,
        ),
        caller,
    )
    return agenda_slot_out(slot)


@router.delete(
    "/portal/practice/slots/{slot_id}",
    status_code=204,
    response_class=Response,
    responses=errors(404, 409),
)
async def remove_slot(slot_id: str, caller: CurrentCaller, clients: Clients) -> Response:
    """Removes a free slot; 409 ``slot_booked`` when it is booked (cancel the appointment first)."""
    await clients.call(clients.practice.RemoveSlot, pb.SlotRef(slot_id=slot_id), caller)
    return Response(status_code=204)


@router.get("/portal/practice/agenda", response_model=list[AgendaSlotOut], responses=errors())
async def agenda(
    caller: CurrentCaller,
    clients: Clients,
    from_: Annotated[str, Query(alias="from", max_length=10, json_schema_extra={"format": "date"})],
    to: Annotated[
        str, Query(max_length=10, description="at most 62 days after from", json_schema_extra={"format": "date"})
    ],
    practitioner_id: Annotated[str, Query(max_length=64)] = "",
) -> list[AgendaSlotOut]:
    """Every slot of the period with its booking and the client's name."""
    found = await clients.call(
        clients.practice.GetAgenda,
        pb.GetAgendaRequest(**{"from": from_, "to": to, "practitioner_id": practitioner_id}),
        caller,
    )
    return [agenda_slot_out(s) for s in found.items]


@router.post(
    "/portal/practice/clients/{person_id}/appointments",
    status_code=201,
    response_model=AppointmentOut,
    responses=errors(404),
)
async def plan_appointment(
    person_id: str, body: PlannedAppointmentIn, caller: CurrentCaller, clients: Clients
) -> AppointmentOut:
    """An appointment the practice plans for a client (it shows in the client's portal)."""
    made = await clients.call(
        clients.practice.CreateAppointment,
        pb.CreateAppointmentRequest(
            person_id=person_id,
            starts_at=_stamp(body.start),
            ends_at=_stamp(body.end),
            with_name=body.with_name,
            location=body.location,
        ),
        caller,
    )
    return appointment_out(made)


@router.get(
    "/portal/practice/clients/{person_id}/appointments",
    response_model=AppointmentPageOut,
    responses=errors(404),
)
async def client_appointments(
    person_id: str,
    caller: CurrentCaller,
    clients: Clients,
    scope: Literal["upcoming", "past"] = "upcoming",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> AppointmentPageOut:
    page = await clients.call(
        clients.practice.ListClientAppointments,
        pb.ListClientAppointmentsRequest(person_id=person_id, scope=scope, cursor=cursor, limit=limit),
        caller,
    )
    return AppointmentPageOut(items=[appointment_out(a) for a in page.items], next_cursor=page.next_cursor or None)


@router.get(
    "/portal/practice/appointments/{appointment_id}",
    response_model=AppointmentOut,
    responses=errors(404),
)
async def practice_appointment(appointment_id: str, caller: CurrentCaller, clients: Clients) -> AppointmentOut:
    """One appointment of a client of the practice, whatever its status, with the client's name."""
    found = await clients.call(
        clients.practice.GetAppointment, pb.AppointmentRef(appointment_id=appointment_id), caller
    )
    return appointment_out(found)


@router.delete(
    "/portal/practice/appointments/{appointment_id}",
    status_code=204,
    response_class=Response,
    responses=errors(404, 409),
)
async def cancel_appointment(appointment_id: str, caller: CurrentCaller, clients: Clients) -> Response:
    """The practice cancels (at any time); the client gets the confirmation mail."""
    await clients.call(clients.practice.CancelAppointment, pb.AppointmentRef(appointment_id=appointment_id), caller)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- questionnaires, diary
class QuestionnaireIn(BaseModel):
    title: str = line(max_length=200)
    questions: list[QuestionModel] = Field(min_length=1, max_length=50)


@router.post(
    "/portal/practice/clients/{person_id}/questionnaires",
    status_code=201,
    response_model=QuestionnaireOut,
    responses=errors(404),
)
async def send_questionnaire(
    person_id: str, body: QuestionnaireIn, caller: CurrentCaller, clients: Clients
) -> QuestionnaireOut:
    """Sends a questionnaire to a client or parent (a notice without its questions)."""
    sent = await clients.call(
        clients.practice.SendQuestionnaire,
        pb.SendQuestionnaireRequest(
            person_id=person_id, title=body.title, questions=[pb.Question(**q.model_dump()) for q in body.questions]
        ),
        caller,
    )
    return questionnaire_out(sent)


@router.get(
    "/portal/practice/questionnaires",
    response_model=QuestionnairePageOut,
    responses=errors(404),
)
async def practice_questionnaires(
    caller: CurrentCaller,
    clients: Clients,
    person_id: Annotated[str, Query(max_length=64)] = "",
    status: Literal["open", "submitted", ""] = "",
    cursor: _Cursor = "",
    limit: _Limit = 20,
) -> QuestionnairePageOut:
    """Sent questionnaires, newest first, each with the client's name; answers show once
    submitted."""
    found = await clients.call(
        clients.practice.ListQuestionnaires,
        pb.ListPracticeQuestionnairesRequest(person_id=person_id, status=status, cursor=cursor, limit=limit),
        caller,
    )
    return QuestionnairePageOut(
        items=[questionnaire_out(q) for q in found.items], next_cursor=found.next_cursor or None
    )


@router.get(
    "/portal/practice/questionnaires/{questionnaire_id}",
    response_model=QuestionnaireOut,
    responses=errors(404),
)
async def practice_questionnaire(questionnaire_id: str, caller: CurrentCaller, clients: Clients) -> QuestionnaireOut:
    found = await clients.call(
        clients.practice.GetQuestionnaire, pb.QuestionnaireRef(questionnaire_id=questionnaire_id), caller
    )
    return questionnaire_out(found)


@router.get("/portal/practice/clients/{person_id}/diary", response_model=DiaryPageOut, responses=errors(404))
async def shared_diary(
    person_id: str, caller: CurrentCaller, clients: Clients, cursor: _Cursor = "", limit: _Limit = 20
) -> DiaryPageOut:
    """Diary notes the client (or a parent) shared with the practice."""
    page = await clients.call(
        clients.practice.ListSharedDiaryEntries,
        pb.ListSharedDiaryRequest(person_id=person_id, cursor=cursor, limit=limit),
        caller,
    )
    return DiaryPageOut(items=[diary_out(e) for e in page.items], next_cursor=page.next_cursor or None)
