"""Results (seed 5, "Uitslagen inzien"): lab results the practitioner publishes, each a set
of observations with their units and reference ranges. The patient is told by mail that a
result is ready, never what it says."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_single_line, check_text

MAX_OBSERVATIONS = 100


class Flag(StrEnum):
    NORMAL = "normal"
    LOW = "low"
    HIGH = "high"
    #: No numeric value or no range to compare with.
    NONE = ""


@dataclass(frozen=True)
class Observation:
    code: str
    name: str
    #: As the lab gave it ("5.4", "negatief", "<0.1").
    value: str
    unit: str
    reference_low: Decimal | None = None
    reference_high: Decimal | None = None
    #: A range in words, when it is not two numbers ("negatief").
    reference_text: str = ""

    @property
    def numeric_value(self) -> Decimal | None:
        return parse_decimal(self.value)

    @property
    def flag(self) -> Flag:
        value = self.numeric_value
        if value is None or (self.reference_low is None and self.reference_high is None):
            return Flag.NONE
        if self.reference_low is not None and value < self.reference_low:
            return Flag.LOW
        if self.reference_high is not None and value > self.reference_high:
            return Flag.HIGH
        return Flag.NORMAL

    @property
    def reference_range(self) -> str:
        if self.reference_low is not None and self.reference_high is not None:
            return f"{self.reference_low} – {self.reference_high}"
        if self.reference_low is not None:
            return f"≥ {self.reference_low}"
        if self.reference_high is not None:
            return f"≤ {self.reference_high}"
        return self.reference_text


@dataclass(frozen=True)
class LabResult:
    id: str
    person_id: str
    organisation_id: str
    title: str
    taken_at: datetime
    published_at: datetime
    published_by: str
    published_by_name: str
    observations: list[Observation]


def parse_decimal(value: str) -> Decimal | None:
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class ObservationDraft:
    code: str
    name: str
    value: str
    unit: str
    reference_low: str = ""
    reference_high: str = ""
    reference_text: str = ""


def check_observations(drafts: list[ObservationDraft], errors: FieldErrors) -> list[Observation]:
    if not drafts:
        errors.add("observations", "give one or more observations")
    if len(drafts) > MAX_OBSERVATIONS:
        errors.add("observations", f"at most {MAX_OBSERVATIONS}")
    observations = []
    for index, draft in enumerate(drafts):
        at = f"observations[{index}]."
        code = check_text(draft.code, at + "code", errors, max_length=50, required=False)
        name = check_text(draft.name, at + "name", errors, max_length=200)
        value = check_text(draft.value, at + "value", errors, max_length=100)
        unit = check_text(draft.unit, at + "unit", errors, max_length=50, required=False)
        low = _bound(draft.reference_low, at + "reference_low", errors)
        high = _bound(draft.reference_high, at + "reference_high", errors)
        if low is not None and high is not None and low > high:
            errors.add(at + "reference_high", "is below reference_low")
        text = check_single_line(draft.reference_text, at + "reference_text", errors, max_length=100, required=False)
        observations.append(Observation(code, name, value, unit, low, high, text))
    return observations


def _bound(value: str, field: str, errors: FieldErrors) -> Decimal | None:
    if not value.strip():
        return None
    number = parse_decimal(value)
    if number is None or math.isinf(float(number)):
        errors.add(field, "is not a number")
    return number
