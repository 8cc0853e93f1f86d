"""Appointments (seed 5, "Afspraken maken"; seed 4, "Afspraken"): free slots, booking and
cancelling by the patient, schedules and the agenda of the practice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.domain.appointments import (
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    Appointment,
    ScheduleTemplate,
    Slot,
    SlotStatus,
    check_schedule,
    check_slot_range,
    slot_times,
)
from portal.domain.errors import AppointmentNotFound, SlotNotFound, SlotTaken
from portal.domain.notices import AppointmentBooked, AppointmentCancelled
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.service.common import (
    Services,
    decode_keyset,
    encode_keyset,
    page_size,
    parse_day,
    parse_id,
    recipients_of,
    record_action,
)
from portal.service.dossier import require_client
from portal.service.ports import PortalUnitOfWork
from zorgpost_kit.calendar import local_datetime
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_name, check_single_line, check_text

MAX_REASON_LENGTH = 500


def day_range(first: str, last: str) -> tuple[datetime, datetime]:
    """[start of ``first``, start of the day after ``last``) in Amsterdam, as UTC moments."""
    errors = FieldErrors()
    start = parse_day(first, "from", errors)
    end = parse_day(last, "to", errors)
    errors.raise_if_any()
    assert start is not None and end is not None
    check_slot_range(start, end)
    return local_datetime(start, time(0)), local_datetime(end + timedelta(days=1), time(0))


# ----------------------------------------------------------------------------- the patient
async def list_free_slots(
    services: Services, caller: PersonCaller, first: str, last: str, practitioner_id: str
) -> list[Slot]:
    """Free slots of the person's practice, soonest first; what has begun is not offered."""
    start, end = day_range(first, last)
    async with services.uow() as uow:
        return await uow.slots.free(caller.organisation_id, start, end, services.clock(), practitioner_id or None)


def check_reason(reason: str) -> str:
    errors = FieldErrors()
    text = check_text(reason, "reason", errors, max_length=MAX_REASON_LENGTH, required=False)
    errors.raise_if_any()
    return text


async def do_book(services: Services, caller: PersonCaller, slot_id: str, reason: str) -> Appointment:
    """Books a free slot for the person: the slot is taken, the appointment stored, and the
    confirmation mail (``portal.appointment.booked``) queued, in one transaction. The slot
    row is locked first: of two people booking it at once, the later finds it taken
    (``slot_taken``)."""
    text = check_reason(reason)
    now = services.clock()
    identifier = parse_id(slot_id)
    async with services.uow() as uow:
        slot = await uow.slots.get(identifier, caller.organisation_id, lock=True) if identifier else None
        if slot is None:
            raise SlotNotFound(fields={"slot_id": "is not a free time of your practice"})
        if slot.status is not SlotStatus.FREE:
            raise SlotTaken()
        slot.book(now)
        appointment = Appointment(
            id=new_id(),
            person_id=caller.person_id,
            organisation_id=caller.organisation_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            with_name=slot.practitioner_name,
            location=slot.location,
            created_at=now,
            created_by=caller.actor_id,
            practitioner_id=slot.practitioner_id,
            slot_id=slot.id,
            reason=text,
        )
        await uow.slots.save(slot)
        await uow.appointments.add(appointment)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "appointment.booked", appointment.id, now
        )
        uow.emit(
            AppointmentBooked(
                organisation_id=caller.organisation_id,
                organisation_name=caller.organisation_name,
                person_id=caller.person_id,
                recipients=await recipients_of(uow, caller.person_id, caller.organisation_id),
                appointment_id=appointment.id,
                starts_at=appointment.starts_at,
                occurred_at=now,
            )
        )
        await uow.commit()
    return appointment


async def _free_slot_of(uow: PortalUnitOfWork, appointment: Appointment, now: datetime) -> None:
    """A cancelled appointment's slot can be booked again, while it lies ahead."""
    if appointment.slot_id is None:
        return
    slot = await uow.slots.get(appointment.slot_id, appointment.organisation_id, lock=True)
    if slot is not None and slot.starts_at > now:
        slot.status = SlotStatus.FREE
        await uow.slots.save(slot)


async def _cancelled(
    uow: PortalUnitOfWork, appointment: Appointment, organisation_name: str, by: str, now: datetime
) -> None:
    await uow.appointments.save(appointment)
    await _free_slot_of(uow, appointment, now)
    uow.emit(
        AppointmentCancelled(
            organisation_id=appointment.organisation_id,
            organisation_name=organisation_name,
            person_id=appointment.person_id,
            recipients=await recipients_of(uow, appointment.person_id, appointment.organisation_id),
            appointment_id=appointment.id,
            starts_at=appointment.starts_at,
            cancelled_by=by,
            occurred_at=now,
        )
    )


async def do_cancel(services: Services, caller: PersonCaller, appointment_id: str) -> Appointment:
    """Cancels until 24 hours before (``too_late_to_cancel`` after: call the practice); the
    slot is free again and the confirmation mail is queued."""
    now = services.clock()
    identifier = parse_id(appointment_id)
    async with services.uow() as uow:
        appointment = await uow.appointments.get(identifier, caller.organisation_id, lock=True) if identifier else None
        if appointment is None or appointment.person_id != caller.person_id:
            raise AppointmentNotFound()
        appointment.cancel_by_patient(now, caller.actor_id)
        await _cancelled(uow, appointment, caller.organisation_name, "patient", now)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "appointment.cancelled", appointment.id, now
        )
        await uow.commit()
    return appointment


async def _appointment_page(
    services: Services, person_id: str, organisation_id: str, scope: str, cursor: str, limit: int
) -> tuple[list[Appointment], str]:
    count = page_size(limit)
    after = decode_keyset(cursor)
    now = services.clock()
    async with services.uow() as uow:
        if scope in ("", "upcoming"):
            found = await uow.appointments.upcoming(person_id, organisation_id, now, after, count + 1)
        elif scope == "past":
            found = await uow.appointments.past(person_id, organisation_id, now, after, count + 1)
        else:
            raise InvalidArgument(fields={"scope": "is upcoming or past"})
    page = found[:count]
    next_cursor = encode_keyset(page[-1].starts_at, page[-1].id) if len(found) > count else ""
    return page, next_cursor


async def list_appointments(
    services: Services, caller: PersonCaller, scope: str, cursor: str, limit: int
) -> tuple[list[Appointment], str]:
    return await _appointment_page(services, caller.person_id, caller.organisation_id, scope, cursor, limit)


# ----------------------------------------------------------------------------- the practice
@dataclass(frozen=True)
class ScheduleDraft:
    practitioner_id: str
    practitioner_name: str
    from_date: str
    to_date: str
    weekdays: list[int]
    start_time: str
    end_time: str
    slot_minutes: int
    location: str = ""


def _parse_time(value: str, field: str, errors: FieldErrors) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, "is not a time (HH:MM)")
        return time(0)


def _practitioner(practice: PracticeCaller, practitioner_id: str, name: str, errors: FieldErrors) -> tuple[str, str]:
    """Whose slots: the caller's own by default; an assistant names the practitioner."""
    if not practitioner_id:
        return practice.account_id, check_name(name or practice.name or "Praktijk", "practitioner_name", errors)
    identifier = parse_id(practitioner_id)
    if identifier is None:
        errors.add("practitioner_id", "is not an account id")
    return identifier or "", check_name(name, "practitioner_name", errors)


def check_schedule_draft(
    draft: ScheduleDraft, practice: PracticeCaller, today: date
) -> tuple[ScheduleTemplate, str, str, str]:
    errors = FieldErrors()
    practitioner_id, name = _practitioner(practice, draft.practitioner_id, draft.practitioner_name, errors)
    first = parse_day(draft.from_date, "from_date", errors)
    last = parse_day(draft.to_date, "to_date", errors)
    start = _parse_time(draft.start_time, "start_time", errors)
    end = _parse_time(draft.end_time, "end_time", errors)
    location = check_single_line(draft.location, "location", errors, max_length=200, required=False)
    errors.raise_if_any()
    assert first is not None and last is not None
    template = ScheduleTemplate(first, last, frozenset(draft.weekdays), start, end, draft.slot_minutes)
    check_schedule(template, today)
    return template, practitioner_id, name, location


async def do_add_schedule(
    services: Services,
    practice: PracticeCaller,
    template: ScheduleTemplate,
    practitioner_id: str,
    name: str,
    location: str,
) -> tuple[int, int]:
    """(slots added, slots that were there already)."""
    now = services.clock()
    made = [
        Slot(new_id(), practice.organisation_id, practitioner_id, name, start, end, location)
        for start, end in slot_times(template, now)
    ]
    async with services.uow() as uow:
        added = await uow.slots.add_all(made)
        await uow.commit()
    return added, len(made) - added


async def do_add_slot(
    services: Services,
    practice: PracticeCaller,
    practitioner_id: str,
    practitioner_name: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    location: str,
) -> Slot:
    """One slot at any time (an extra consultation hour)."""
    errors = FieldErrors()
    identifier, name = _practitioner(practice, practitioner_id, practitioner_name, errors)
    place = check_single_line(location, "location", errors, max_length=200, required=False)
    now = services.clock()
    if starts_at is None:
        errors.add("starts_at", "is required")
    elif starts_at <= now:
        errors.add("starts_at", "is in the past")
    if starts_at is not None and ends_at is not None:
        minutes = (ends_at - starts_at).total_seconds() / 60
        if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
            errors.add("ends_at", f"a slot lasts {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes")
    elif ends_at is None:
        errors.add("ends_at", "is required")
    errors.raise_if_any()
    assert starts_at is not None and ends_at is not None
    slot = Slot(new_id(), practice.organisation_id, identifier, name, starts_at, ends_at, place)
    async with services.uow() as uow:
        if not await uow.slots.add(slot):
            raise InvalidArgument(fields={"starts_at": "the practitioner has a slot at this time already"})
        await uow.commit()
    return slot


async def do_remove_slot(services: Services, practice: PracticeCaller, slot_id: str) -> None:
    identifier = parse_id(slot_id)
    async with services.uow() as uow:
        slot = await uow.slots.get(identifier, practice.organisation_id, lock=True) if identifier else None
        if slot is None:
            raise SlotNotFound()
        slot.require_free()
        await uow.slots.delete(slot.id)
        await uow.commit()


@dataclass(frozen=True)
class AgendaEntry:
    slot: Slot
    appointment: Appointment | None
    person_name: str


async def agenda(
    services: Services, practice: PracticeCaller, first: str, last: str, practitioner_id: str
) -> list[AgendaEntry]:
    """Every slot of the period with its booking and the booker's name."""
    start, end = day_range(first, last)
    async with services.uow() as uow:
        found = await uow.slots.agenda(practice.organisation_id, start, end, practitioner_id or None)
        names: dict[str, str] = {}
        for _, appointment in found:
            if appointment is not None and appointment.person_id not in names:
                record = await uow.clients.get(appointment.person_id, practice.organisation_id)
                names[appointment.person_id] = record.display_name if record else ""
    return [
        AgendaEntry(slot, appointment, names.get(appointment.person_id, "") if appointment else "")
        for slot, appointment in found
    ]


async def do_create_appointment(
    services: Services,
    practice: PracticeCaller,
    person_id: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    with_name: str,
    location: str,
) -> Appointment:
    """An appointment the practice plans for a client (seed 4: the client sees it)."""
    errors = FieldErrors()
    name = check_name(with_name or practice.name, "with_name", errors)
    place = check_single_line(location, "location", errors, max_length=200, required=False)
    if starts_at is None:
        errors.add("starts_at", "is required")
    if ends_at is None or (starts_at is not None and ends_at <= starts_at):
        errors.add("ends_at", "is after starts_at")
    errors.raise_if_any()
    assert starts_at is not None and ends_at is not None
    now = services.clock()
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        appointment = Appointment(
            id=new_id(),
            person_id=record.person_id,
            organisation_id=practice.organisation_id,
            starts_at=starts_at,
            ends_at=ends_at,
            with_name=name,
            location=place,
            created_at=now,
            created_by=practice.account_id,
            practitioner_id=practice.account_id,
        )
        await uow.appointments.add(appointment)
        await record_action(
            uow,
            record.person_id,
            practice.organisation_id,
            practice.account_id,
            "appointment.planned",
            appointment.id,
            now,
        )
        await uow.commit()
    return appointment


async def do_cancel_by_practice(services: Services, practice: PracticeCaller, appointment_id: str) -> Appointment:
    """The practice cancels at any time; the client gets the confirmation."""
    now = services.clock()
    identifier = parse_id(appointment_id)
    async with services.uow() as uow:
        appointment = (
            await uow.appointments.get(identifier, practice.organisation_id, lock=True) if identifier else None
        )
        if appointment is None:
            raise AppointmentNotFound()
        appointment.cancel_by_practice(now, practice.account_id)
        await _cancelled(uow, appointment, practice.organisation_name, "practice", now)
        await record_action(
            uow,
            appointment.person_id,
            practice.organisation_id,
            practice.account_id,
            "appointment.cancelled",
            appointment.id,
            now,
        )
        await uow.commit()
    return appointment


async def practice_appointment(
    services: Services, practice: PracticeCaller, appointment_id: str
) -> tuple[Appointment, str]:
    """One appointment of a client of the practice, with the client's name: 404 for another
    practice's, and (as the client's list) for someone who is not the practice's client."""
    identifier = parse_id(appointment_id)
    async with services.uow() as uow:
        appointment = await uow.appointments.get(identifier, practice.organisation_id) if identifier else None
        record = await uow.clients.get(appointment.person_id, practice.organisation_id) if appointment else None
    if appointment is None or record is None:
        raise AppointmentNotFound()
    return appointment, record.display_name


async def list_client_appointments(
    services: Services, practice: PracticeCaller, person_id: str, scope: str, cursor: str, limit: int
) -> tuple[list[Appointment], str]:
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
    return await _appointment_page(services, record.person_id, practice.organisation_id, scope, cursor, limit)
