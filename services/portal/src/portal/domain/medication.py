"""Medication and repeat prescriptions (seed 5, "Herhaalrecepten").

Only chronic medication can be ordered again; a request asked for before 12:00 (Amsterdam)
is ready the next working day, otherwise the working day after (weekends and Dutch public
holidays skipped: :func:`zorgpost_kit.calendar.prescription_ready_on`). The practice marks
it ready, and the patient gets a mail without what was ordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from portal.domain.errors import NotChronic, PrescriptionRequestHandled
from zorgpost_kit.calendar import prescription_ready_on
from zorgpost_kit.errors import FieldErrors, InvalidArgument

MAX_ITEMS_PER_REQUEST = 20


@dataclass
class Medication:
    id: str
    person_id: str
    organisation_id: str
    name: str
    dosage: str
    chronic: bool
    started_on: date | None
    prescribed_by: str
    created_at: datetime
    stopped_on: date | None = None

    def is_current(self, today: date) -> bool:
        return self.stopped_on is None or self.stopped_on > today


class PrescriptionStatus(StrEnum):
    REQUESTED = "requested"
    READY = "ready"
    REJECTED = "rejected"


@dataclass(frozen=True)
class PrescriptionItem:
    medication_id: str
    name: str
    dosage: str


@dataclass
class PrescriptionRequest:
    id: str
    person_id: str
    organisation_id: str
    items: list[PrescriptionItem]
    requested_at: datetime
    requested_by: str
    ready_on: date
    note: str = ""
    status: PrescriptionStatus = PrescriptionStatus.REQUESTED
    handled_at: datetime | None = None
    handled_by: str = ""
    answer: str = ""

    def handle(self, ready: bool, answer: str, at: datetime, by: str) -> None:
        if self.status is not PrescriptionStatus.REQUESTED:
            raise PrescriptionRequestHandled()
        self.status = PrescriptionStatus.READY if ready else PrescriptionStatus.REJECTED
        self.handled_at, self.handled_by, self.answer = at, by, answer


def choose_for_repeat(
    requested_ids: list[str], current: dict[str, Medication], requested_at: datetime
) -> tuple[list[PrescriptionItem], date]:
    """The items of a request and its ready day. Each id must be one of the person's current
    medications (an unknown id is named, never a 404 for the whole request) and chronic;
    every problem is named at once, as ``medication_ids[i]``."""
    errors = FieldErrors()
    if not requested_ids:
        errors.add("medication_ids", "choose one or more of your chronic medications")
    if len(requested_ids) > MAX_ITEMS_PER_REQUEST:
        errors.add("medication_ids", f"at most {MAX_ITEMS_PER_REQUEST} at once")
    items: list[PrescriptionItem] = []
    seen: set[str] = set()
    not_chronic = False
    for index, medication_id in enumerate(requested_ids):
        medication = current.get(medication_id)
        field_name = f"medication_ids[{index}]"
        if medication is None:
            errors.add(field_name, "is not one of your current medications")
        elif not medication.chronic:
            errors.add(field_name, f"{medication.name} is not chronic medication; ask the assistant")
            not_chronic = True
        elif medication.id in seen:
            errors.add(field_name, "is chosen twice")
        else:
            seen.add(medication.id)
            items.append(PrescriptionItem(medication.id, medication.name, medication.dosage))
    error_type: type[InvalidArgument] = NotChronic if not_chronic else InvalidArgument
    errors.raise_if_any(error_type)
    return items, prescription_ready_on(requested_at)
