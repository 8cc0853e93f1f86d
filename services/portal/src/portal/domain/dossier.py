"""The dossier's own parts (seed 4, "Mijn Dossier"): about me (the practice's record of the
person, with insurance), change requests the person sends the practice, and consents.

Nothing here is ever overwritten without a trace: a record change keeps the version before
it, a consent change is a new row with its time and who made it, and a change request keeps
its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from portal.domain.errors import ChangeRequestResolved
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_name, check_phone, check_single_line, check_text


@dataclass(frozen=True)
class ClientRecord:
    """About me: what the practice keeps of a person; insurance included."""

    person_id: str
    organisation_id: str
    first_name: str
    last_name: str
    birth_date: date | None
    email: str = ""
    phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    insurer: str = ""
    policy_number: str = ""
    language: str = "nl"
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_key(self) -> str:
        """How client lists are ordered (and paged): by last name, then first name."""
        return f"{self.last_name} {self.first_name}".casefold()


#: The fields of about me a person may ask the practice to change (the birth date is the
#: practice's to correct; the name and contact data are the person's to tell).
CHANGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "insurer",
    "policy_number",
)


def check_record_fields(values: dict[str, str], errors: FieldErrors, *, prefix: str = "") -> dict[str, str]:
    """Each value normalised, every bad one named (``prefix`` + field)."""
    checked: dict[str, str] = {}
    for name, value in values.items():
        key = prefix + name
        if name in ("first_name", "last_name"):
            checked[name] = check_name(value, key, errors)
        elif name == "email":
            checked[name] = check_email(value, key, errors, required=False)
        elif name == "phone":
            checked[name] = check_phone(value, key, errors)
        elif name == "postal_code":
            checked[name] = check_single_line(value, key, errors, max_length=10, required=False).upper()
        elif name in ("street", "city", "insurer", "policy_number"):
            checked[name] = check_text(value, key, errors, max_length=100, required=False)
        else:
            errors.add(key, "is not a field of your personal data you can ask to change")
    return checked


def apply_changes(record: ClientRecord, changes: dict[str, str], at: datetime, by: str) -> ClientRecord:
    """The record with the (already checked) changes of a request applied."""
    values: dict[str, Any] = {name: value for name, value in changes.items() if name in CHANGEABLE_FIELDS}
    return replace(record, **values, updated_at=at, updated_by=by)


class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass
class ChangeRequest:
    """A person asks the practice to change about-me data (seed 4: "uw gegevens wijzigen")."""

    id: str
    person_id: str
    organisation_id: str
    changes: dict[str, str]
    note: str
    requested_at: datetime
    requested_by: str
    status: RequestStatus = RequestStatus.OPEN
    resolved_at: datetime | None = None
    resolved_by: str = ""
    answer: str = ""

    def resolve(self, accept: bool, answer: str, at: datetime, by: str) -> None:
        if self.status is not RequestStatus.OPEN:
            raise ChangeRequestResolved()
        self.status = RequestStatus.ACCEPTED if accept else RequestStatus.REJECTED
        self.resolved_at, self.resolved_by, self.answer = at, by, answer


# --- consents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentItem:
    """Something a practice asks consent for, with its default (seed 4: "waar u automatisch
    toestemming voor geeft tijdens het traject en waarvoor niet")."""

    code: str
    label_nl: str
    label_en: str
    default_granted: bool
    position: int = 0


@dataclass(frozen=True)
class ConsentDecision:
    """One change of one consent: never updated, never deleted."""

    id: str
    person_id: str
    organisation_id: str
    code: str
    granted: bool
    decided_at: datetime
    decided_by: str


@dataclass(frozen=True)
class ConsentState:
    item: ConsentItem
    granted: bool
    #: The person's latest decision; None while the practice's default holds.
    decision: ConsentDecision | None
    history: list[ConsentDecision] = field(default_factory=list)


def consent_states(items: list[ConsentItem], decisions: list[ConsentDecision]) -> list[ConsentState]:
    """Each item as it stands: the latest decision, else the practice's default; with every
    decision, newest first."""
    states = []
    for item in sorted(items, key=lambda i: (i.position, i.code)):
        history = sorted((d for d in decisions if d.code == item.code), key=lambda d: d.decided_at, reverse=True)
        latest = history[0] if history else None
        states.append(ConsentState(item, latest.granted if latest else item.default_granted, latest, history))
    return states


def check_consent_items(items: list[ConsentItem]) -> list[ConsentItem]:
    errors = FieldErrors()
    seen: set[str] = set()
    checked = []
    for index, item in enumerate(items):
        code = item.code.strip()
        if not code or len(code) > 50 or not code.replace("_", "").replace("-", "").isalnum():
            errors.add(f"items[{index}].code", "use letters, digits, - and _ (at most 50)")
        elif code in seen:
            errors.add(f"items[{index}].code", "appears twice")
        seen.add(code)
        label_nl = check_single_line(item.label_nl, f"items[{index}].label_nl", errors, max_length=200)
        label_en = check_single_line(item.label_en, f"items[{index}].label_en", errors, max_length=200)
        checked.append(ConsentItem(code, label_nl, label_en, item.default_granted, index))
    errors.raise_if_any()
    return checked
