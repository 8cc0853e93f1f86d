"""A parent asks online for access to a child's portal (seed 5, "Portaal account voor
familieleden of kinderen").

The parent describes the child (name, birth date) and says how they are related; the
practice's staff check the parental authority and decide. Approval grants a delegation the
way staff grant one themselves (:mod:`identity.domain.delegations`): under 12 it is active
at once, from 12 to 15 it waits for the child's consent from its own account. From 16 a
parent cannot ask at all: the child decides about its own portal, and a parent gets access
only with the child's written consent, arranged with the practice.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from identity.domain.delegations import ConsentRule, consent_rule
from identity.domain.errors import AccessRequestDecided, ChildIsSixteen
from identity.domain.notices import OrganisationNotice
from identity.domain.people import check_birth_date, display_name
from zorgpost_kit.calendar import age_on
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_name, check_text

NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class Relation(StrEnum):
    PARENT = "parent"
    CARER = "carer"
    #: A guardian (voogd) with parental authority.
    GUARDIAN = "guardian"


class AccessRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ChildAccessForm:
    """What the parent types, unchecked."""

    child_first_name: str
    child_last_name: str
    child_birth_date: str
    relation: str
    note: str = ""


@dataclass(frozen=True)
class CheckedChildAccess:
    child_first_name: str
    child_last_name: str
    child_birth_date: date
    relation: Relation
    note: str


def check_access_form(form: ChildAccessForm, today: date) -> CheckedChildAccess:
    """Every bad field named at once (422), then the age rule: a child of 16 or older on
    ``today`` (the Dutch day) is refused with :class:`ChildIsSixteen` (409)."""
    errors = FieldErrors()
    first = check_name(form.child_first_name, "child_first_name", errors)
    last = check_name(form.child_last_name, "child_last_name", errors)
    born = check_birth_date(form.child_birth_date, errors, today=today, field="child_birth_date")
    relation: Relation | None = None
    if not form.relation.strip():
        errors.add("relation", "is required")
    else:
        try:
            relation = Relation(form.relation.strip())
        except ValueError:
            errors.add("relation", "must be 'parent', 'carer' or 'guardian'")
    note = check_text(form.note, "note", errors, max_length=NOTE_MAX_LENGTH, required=False)
    errors.raise_if_any()
    assert born is not None and relation is not None
    check_child_may_be_requested(born, today)
    return CheckedChildAccess(first, last, born, relation, note)


def check_child_may_be_requested(born: date, today: date) -> ConsentRule:
    """The consent rule that applies to the child today; a child of 16 or older cannot be
    asked for by a parent (:class:`ChildIsSixteen`)."""
    rule = consent_rule(age_on(born, today))
    if rule is ConsentRule.PERSON_CONSENTS:
        raise ChildIsSixteen()
    return rule


def check_reason(reason: str) -> str:
    errors = FieldErrors()
    text = check_text(reason, "reason", errors, max_length=REASON_MAX_LENGTH)
    errors.raise_if_any()
    return text


def normalised_name(first_name: str, last_name: str) -> str:
    """A person's name as compared between a request and a record: NFKC (a composed "é"
    equals a decomposed one, a full-width letter its ordinary one), without case, and with
    every run of white space one space."""
    text = unicodedata.normalize("NFKC", f"{first_name} {last_name}")
    return " ".join(text.casefold().split())


def same_child(first_name: str, last_name: str) -> str:
    """How two requests are recognised as being about the same child (with the birth date):
    the normalised name (:func:`normalised_name`)."""
    return normalised_name(first_name, last_name)


@dataclass
class AccessRequest:
    id: str
    organisation_id: str
    #: The parent who asks (a person of the organisation).
    requester_account_id: str
    child_first_name: str
    child_last_name: str
    child_birth_date: date
    relation: Relation
    note: str
    requested_at: datetime
    status: AccessRequestStatus = AccessRequestStatus.PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    #: Why the practice said no (shown to the parent on their page, not in the mail).
    reason: str = ""
    #: The delegation an approval granted.
    delegation_id: str | None = None

    @property
    def child_name(self) -> str:
        return display_name(self.child_first_name, self.child_last_name)

    @property
    def child_key(self) -> str:
        return same_child(self.child_first_name, self.child_last_name)

    @property
    def is_pending(self) -> bool:
        return self.status is AccessRequestStatus.PENDING

    def child_age_on(self, day: date) -> int:
        return age_on(self.child_birth_date, day)

    def check_pending(self) -> None:
        if not self.is_pending:
            raise AccessRequestDecided()

    def approve(self, staff_account_id: str, delegation_id: str, now: datetime) -> None:
        self.check_pending()
        self.status, self.decided_at, self.decided_by = AccessRequestStatus.APPROVED, now, staff_account_id
        self.delegation_id = delegation_id

    def reject(self, staff_account_id: str, reason: str, now: datetime) -> None:
        self.check_pending()
        self.status, self.decided_at, self.decided_by = AccessRequestStatus.REJECTED, now, staff_account_id
        self.reason = reason


def encode_cursor(request: AccessRequest) -> str:
    """Where a page of a practice's requests (oldest first) goes on after ``request``."""
    raw = f"{request.requested_at.isoformat()}|{request.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_NOT_A_CURSOR = "is not a cursor this list gave"


def decode_cursor(value: str) -> tuple[datetime, str] | None:
    """The keyset position a list gave as ``next_cursor`` (None: from the start); anything
    else is a field error, never a database error."""
    if not value:
        return None
    if len(value) > 200 or not value.isascii():
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR})
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, _, identifier = raw.partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not 2000 <= moment.year < 9000:
            raise ValueError("not a moment a list gave")
        return moment.astimezone(UTC), str(uuid.UUID(identifier))
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(fields={"cursor": _NOT_A_CURSOR}) from None


@dataclass(frozen=True)
class AccessRequestPage:
    """A page of a practice's requests, oldest first, and where the next one starts."""

    items: list[AccessRequest]
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True)
class AccessRequestSubmitted(OrganisationNotice):
    """A receipt to the parent: the practice has the request and will decide."""

    access_request_id: str
    child_name: str


@dataclass(frozen=True, kw_only=True)
class AccessRequestApproved(OrganisationNotice):
    """The practice approved; ``awaiting_consent``: the child (12 to 15) must still consent
    from its own account before the parent can act (under 12 the delegation is active and
    :class:`~identity.domain.delegations.DelegationGranted` tells the parent so)."""

    access_request_id: str
    child_name: str
    delegation_id: str
    awaiting_consent: bool


@dataclass(frozen=True, kw_only=True)
class AccessRequestRejected(OrganisationNotice):
    """The practice said no; the reason is on the parent's page, not in the notice."""

    access_request_id: str
    child_name: str
