"""Medication and repeat prescriptions (seed 5, "Herhaalrecepten")."""

from __future__ import annotations

from portal.domain.errors import MedicationNotFound, PrescriptionRequestNotFound
from portal.domain.medication import Medication, PrescriptionRequest, PrescriptionStatus, choose_for_repeat
from portal.domain.notices import PrescriptionReady
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.service.common import (
    Services,
    decode_day_keyset,
    decode_keyset,
    encode_day_keyset,
    encode_keyset,
    page_size,
    parse_day,
    parse_id,
    recipients_of,
    record_action,
)
from portal.service.dossier import require_client
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_text

MAX_NOTE_LENGTH = 1000


# ----------------------------------------------------------------------------- the patient
async def current_medication(services: Services, caller: PersonCaller) -> list[Medication]:
    """What the person uses now, each with its chronic flag."""
    today = services.today()
    async with services.uow() as uow:
        found = await uow.medications.of_person(caller.person_id, caller.organisation_id)
    return [medication for medication in found if medication.is_current(today)]


async def do_request_prescription(
    services: Services, caller: PersonCaller, medication_ids: list[str], note: str
) -> PrescriptionRequest:
    """A repeat prescription of chronic medication only (each other choice named as
    ``medication_ids[i]``), ready by the noon cut-off in working days."""
    errors = FieldErrors()
    text = check_text(note, "note", errors, max_length=MAX_NOTE_LENGTH, required=False)
    errors.raise_if_any()
    now = services.clock()
    today = services.today()
    async with services.uow() as uow:
        current = {
            m.id: m
            for m in await uow.medications.of_person(caller.person_id, caller.organisation_id)
            if m.is_current(today)
        }
        items, ready_on = choose_for_repeat([parse_id(i) or i for i in medication_ids], current, now)
        request = PrescriptionRequest(
            id=new_id(),
            person_id=caller.person_id,
            organisation_id=caller.organisation_id,
            items=items,
            requested_at=now,
            requested_by=caller.actor_id,
            ready_on=ready_on,
            note=text,
        )
        await uow.prescriptions.add(request)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "prescription.requested", request.id, now
        )
        await uow.commit()
    return request


async def list_requests(
    services: Services, caller: PersonCaller, cursor: str, limit: int
) -> tuple[list[PrescriptionRequest], str]:
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.prescriptions.of_person(
            caller.person_id, caller.organisation_id, decode_keyset(cursor), count + 1
        )
    page = found[:count]
    next_cursor = encode_keyset(page[-1].requested_at, page[-1].id) if len(found) > count else ""
    return page, next_cursor


# ----------------------------------------------------------------------------- the practice
async def do_add_medication(
    services: Services, practice: PracticeCaller, person_id: str, name: str, dosage: str, chronic: bool, started_on: str
) -> Medication:
    errors = FieldErrors()
    text = check_text(name, "name", errors, max_length=200)
    dose = check_text(dosage, "dosage", errors, max_length=200, required=False)
    started = parse_day(started_on, "started_on", errors, required=False)
    errors.raise_if_any()
    now = services.clock()
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        medication = Medication(
            id=new_id(),
            person_id=record.person_id,
            organisation_id=practice.organisation_id,
            name=text,
            dosage=dose,
            chronic=chronic,
            started_on=started,
            prescribed_by=practice.name,
            created_at=now,
        )
        await uow.medications.add(medication)
        await record_action(
            uow, record.person_id, practice.organisation_id, practice.account_id, "medication.added", medication.id, now
        )
        await uow.commit()
    return medication


async def do_stop_medication(
    services: Services, practice: PracticeCaller, medication_id: str, stopped_on: str
) -> Medication:
    errors = FieldErrors()
    day = parse_day(stopped_on, "stopped_on", errors, required=False) or services.today()
    errors.raise_if_any()
    now = services.clock()
    identifier = parse_id(medication_id)
    async with services.uow() as uow:
        medication = await uow.medications.get(identifier, practice.organisation_id, lock=True) if identifier else None
        if medication is None:
            raise MedicationNotFound()
        medication.stopped_on = day
        await uow.medications.save(medication)
        await record_action(
            uow,
            medication.person_id,
            practice.organisation_id,
            practice.account_id,
            "medication.stopped",
            medication.id,
            now,
        )
        await uow.commit()
    return medication


async def client_medication(services: Services, practice: PracticeCaller, person_id: str) -> list[Medication]:
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        return await uow.medications.of_person(record.person_id, practice.organisation_id)


def _status(value: str) -> PrescriptionStatus | None:
    if value in ("", "requested"):
        return PrescriptionStatus.REQUESTED
    if value == "all":
        return None
    try:
        return PrescriptionStatus(value)
    except ValueError:
        raise InvalidArgument(fields={"status": "is requested, ready, rejected or all"}) from None


async def practice_requests(
    services: Services, practice: PracticeCaller, status: str, cursor: str, limit: int
) -> tuple[list[tuple[PrescriptionRequest, str]], str]:
    """Requests with the client's name, soonest ready day first."""
    wanted = _status(status)
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.prescriptions.of_organisation(
            practice.organisation_id, wanted, decode_day_keyset(cursor), count + 1
        )
        page = found[:count]
        named = []
        for request in page:
            record = await uow.clients.get(request.person_id, practice.organisation_id)
            named.append((request, record.display_name if record else ""))
    next_cursor = encode_day_keyset(page[-1].ready_on, page[-1].id) if len(found) > count else ""
    return named, next_cursor


async def practice_request(
    services: Services, practice: PracticeCaller, request_id: str
) -> tuple[PrescriptionRequest, str]:
    """One request of the practice's clients with the client's name (404 for another
    practice's)."""
    identifier = parse_id(request_id)
    async with services.uow() as uow:
        request = await uow.prescriptions.get(identifier, practice.organisation_id) if identifier else None
        if request is None:
            raise PrescriptionRequestNotFound()
        record = await uow.clients.get(request.person_id, practice.organisation_id)
    return request, record.display_name if record else ""


async def do_handle(
    services: Services, practice: PracticeCaller, request_id: str, ready: bool, answer: str
) -> PrescriptionRequest:
    """Ready: the patient is told by mail (never what); rejected: the reason shows in the portal."""
    errors = FieldErrors()
    text = check_text(answer, "answer", errors, max_length=MAX_NOTE_LENGTH, required=not ready)
    errors.raise_if_any()
    now = services.clock()
    identifier = parse_id(request_id)
    async with services.uow() as uow:
        request = await uow.prescriptions.get(identifier, practice.organisation_id, lock=True) if identifier else None
        if request is None:
            raise PrescriptionRequestNotFound()
        request.handle(ready, text, now, practice.account_id)
        await uow.prescriptions.save(request)
        await record_action(
            uow,
            request.person_id,
            practice.organisation_id,
            practice.account_id,
            "prescription.ready" if ready else "prescription.rejected",
            request.id,
            now,
        )
        if ready:
            uow.emit(
                PrescriptionReady(
                    organisation_id=practice.organisation_id,
                    organisation_name=practice.organisation_name,
                    person_id=request.person_id,
                    recipients=await recipients_of(uow, request.person_id, practice.organisation_id),
                    request_id=request.id,
                    ready_on=request.ready_on,
                    occurred_at=now,
                )
            )
        await uow.commit()
    return request
