"""Appointments and the practitioners' schedules (seed 5, "Afspraken maken").

A practitioner's schedule is a set of slots; a patient books a free one (never for urgent
complaints: those go by telephone) and may cancel until 24 hours before. The practice also
puts appointments in a client's agenda itself (seed 4: "afspraken inzien").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from portal.domain.errors import AppointmentNotActive, SlotBooked, SlotInThePast, TooLateToCancel
from zorgpost_kit.calendar import is_public_holiday, local_datetime
from zorgpost_kit.errors import FieldErrors

#: Seed 5: "Afspraken kunt u zelf annuleren, graag 24 uur van tevoren."
CANCELLATION_NOTICE = timedelta(hours=24)
#: What the booking page shows before the patient confirms.
URGENT_NOTICE_NL = (
    "Gebruik deze optie niet als u een spoedeisende klacht heeft. "
    "Neem dan altijd telefonisch contact op met de praktijk."
)
URGENT_NOTICE_EN = "Do not use this for an urgent complaint: then always call the practice."
#: A schedule covers at most this many days at once, and a slot lasts 5 minutes to 4 hours.
MAX_SCHEDULE_DAYS = 120
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
#: Free slots are listed for at most this many days at once (a month and some).
MAX_SLOT_RANGE_DAYS = 62


class SlotStatus(StrEnum):
    FREE = "free"
    BOOKED = "booked"


@dataclass
class Slot:
    id: str
    organisation_id: str
    practitioner_id: str
    practitioner_name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: SlotStatus = SlotStatus.FREE

    def book(self, now: datetime) -> None:
        if self.starts_at <= now:
            raise SlotInThePast()
        self.status = SlotStatus.BOOKED

    def require_free(self) -> None:
        if self.status is not SlotStatus.FREE:
            raise SlotBooked()


@dataclass
class Appointment:
    id: str
    person_id: str
    organisation_id: str
    starts_at: datetime
    ends_at: datetime
    with_name: str
    location: str
    created_at: datetime
    created_by: str
    practitioner_id: str = ""
    slot_id: str | None = None
    reason: str = ""
    cancelled_at: datetime | None = None
    cancelled_by: str = ""

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_upcoming(self, now: datetime) -> bool:
        return not self.cancelled and self.ends_at > now

    def may_be_cancelled_by_patient(self, now: datetime) -> bool:
        return not self.cancelled and self.starts_at - now >= CANCELLATION_NOTICE

    def cancel_by_patient(self, now: datetime, by: str) -> None:
        """Until 24 hours before; later the practice must be called."""
        if self.cancelled or self.starts_at <= now:
            raise AppointmentNotActive()
        if not self.may_be_cancelled_by_patient(now):
            raise TooLateToCancel()
        self.cancelled_at, self.cancelled_by = now, by

    def cancel_by_practice(self, now: datetime, by: str) -> None:
        if self.cancelled:
            raise AppointmentNotActive()
        self.cancelled_at, self.cancelled_by = now, by


@dataclass(frozen=True)
class ScheduleTemplate:
    """Opening hours of a practitioner to turn into slots: on ``weekdays`` (0 = Monday) from
    ``first_day`` to ``last_day``, between ``start`` and ``end`` (Amsterdam time), slots of
    ``slot_minutes``. Public holidays get no slots."""

    first_day: date
    last_day: date
    weekdays: frozenset[int]
    start: time
    end: time
    slot_minutes: int


def check_schedule(template: ScheduleTemplate, today: date) -> None:
    errors = FieldErrors()
    if template.last_day < template.first_day:
        errors.add("to_date", "is before from_date")
    elif (template.last_day - template.first_day).days >= MAX_SCHEDULE_DAYS:
        errors.add("to_date", f"a schedule covers at most {MAX_SCHEDULE_DAYS} days at once")
    if template.last_day < today:
        errors.add("to_date", "is in the past")
    if not template.weekdays or not template.weekdays <= set(range(7)):
        errors.add("weekdays", "give one or more of 0 (Monday) … 6 (Sunday)")
    if template.end <= template.start:
        errors.add("end_time", "is not after start_time")
    if not MIN_SLOT_MINUTES <= template.slot_minutes <= MAX_SLOT_MINUTES:
        errors.add("slot_minutes", f"is between {MIN_SLOT_MINUTES} and {MAX_SLOT_MINUTES}")
    errors.raise_if_any()


def slot_times(template: ScheduleTemplate, now: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) of every slot the template makes that starts after ``now``."""
    times: list[tuple[datetime, datetime]] = []
    length = timedelta(minutes=template.slot_minutes)
    day = template.first_day
    while day <= template.last_day:
        if day.weekday() in template.weekdays and not is_public_holiday(day):
            start = local_datetime(day, template.start)
            closing = local_datetime(day, template.end)
            while start + length <= closing:
                if start > now:
                    times.append((start, start + length))
                start += length
        day += timedelta(days=1)
    return times


def check_slot_range(first: date, last: date) -> None:
    errors = FieldErrors()
    if last < first:
        errors.add("to", "is before from")
    elif (last - first).days > MAX_SLOT_RANGE_DAYS:
        errors.add("to", f"ask for at most {MAX_SLOT_RANGE_DAYS} days at once")
    errors.raise_if_any()
