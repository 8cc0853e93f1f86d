"""Delegations (machtigingen): one person acting for another in a practice's portal.

The Dutch rules of seed 5, decided by the person's age on the day of the request:

* under 12: a parent with authority may get access; the practice's staff grant it, after
  checking that authority (software cannot verify a parent's own declaration);
* 12 to 15: the child must consent from its own account;
* 16 and older: only with the person's explicit consent.

Delegations granted while the person was under 16 are *parental*: they end by themselves
on the 16th birthday. Those a person of 16 or older consented to do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from identity.domain.errors import DelegationNotActive, DelegationNotAwaitingConsent
from identity.domain.notices import Recipient
from zorgpost_kit.calendar import age_on, birthday, latest_birth_date_for_age
from zorgpost_kit.events import DomainEvent

CONSENT_AGE = 12
PARENTAL_END_AGE = 16
#: Who may ask a practice for access to a child's portal: an adult (meerderjarig).
ADULT_AGE = 18


class ConsentRule(StrEnum):
    #: Under 12: granted by staff, no consent asked.
    NONE_NEEDED = "none_needed"
    #: 12 to 15: the child consents from its own account.
    CHILD_CONSENTS = "child_consents"
    #: 16 and older: explicit consent of the person.
    PERSON_CONSENTS = "person_consents"


def consent_rule(age: int) -> ConsentRule:
    if age < CONSENT_AGE:
        return ConsentRule.NONE_NEEDED
    if age < PARENTAL_END_AGE:
        return ConsentRule.CHILD_CONSENTS
    return ConsentRule.PERSON_CONSENTS


def is_adult(age: int) -> bool:
    return age >= ADULT_AGE


def sixteenth_birthday(born: date) -> date:
    """The first day on which the person is 16 (1 March for someone born on 29 February
    when that year has none), the day parental delegations end."""
    return birthday(born, PARENTAL_END_AGE)


def sixteen_years_before(day: date) -> date:
    """Everyone born on or before this day is 16 or older on ``day``: the candidates whose
    parental delegations end."""
    return latest_birth_date_for_age(PARENTAL_END_AGE, day)


class DelegationKind(StrEnum):
    #: Granted while the person was under 16: ends on the 16th birthday.
    PARENTAL = "parental"
    #: Consented to by a person of 16 or older: ends only when revoked.
    CONSENTED = "consented"


class DelegationStatus(StrEnum):
    AWAITING_CONSENT = "awaiting_consent"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class EndReason(StrEnum):
    REVOKED = "revoked"
    TURNED_16 = "turned_16"
    ACCESS_ENDED = "access_ended"


@dataclass
class Delegation:
    id: str
    organisation_id: str
    #: The person acted for.
    person_account_id: str
    #: The person who acts (the parent, the proxy).
    delegate_account_id: str
    kind: DelegationKind
    status: DelegationStatus
    created_at: datetime
    created_by: str
    granted_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None

    @classmethod
    def request(
        cls,
        *,
        id: str,
        organisation_id: str,
        person_account_id: str,
        delegate_account_id: str,
        person_age: int,
        created_by: str,
        now: datetime,
    ) -> Delegation:
        """A delegation that is active at once under 12, and otherwise awaits the person's consent."""
        rule = consent_rule(person_age)
        kind = DelegationKind.CONSENTED if rule is ConsentRule.PERSON_CONSENTS else DelegationKind.PARENTAL
        status = DelegationStatus.ACTIVE if rule is ConsentRule.NONE_NEEDED else DelegationStatus.AWAITING_CONSENT
        return cls(
            id=id,
            organisation_id=organisation_id,
            person_account_id=person_account_id,
            delegate_account_id=delegate_account_id,
            kind=kind,
            status=status,
            created_at=now,
            created_by=created_by,
            granted_at=now if status is DelegationStatus.ACTIVE else None,
        )

    @property
    def is_active(self) -> bool:
        return self.status is DelegationStatus.ACTIVE

    @property
    def is_open(self) -> bool:
        """Active or awaiting consent: what a new request for the same pair would duplicate."""
        return self.status in (DelegationStatus.ACTIVE, DelegationStatus.AWAITING_CONSENT)

    def consent(self, accept: bool, now: datetime) -> None:
        if self.status is not DelegationStatus.AWAITING_CONSENT:
            raise DelegationNotAwaitingConsent()
        if accept:
            self.status, self.granted_at = DelegationStatus.ACTIVE, now
        else:
            self.status, self.ended_at = DelegationStatus.DECLINED, now

    def end(self, reason: EndReason, now: datetime) -> None:
        if not self.is_open:
            raise DelegationNotActive()
        self.status, self.ended_at, self.end_reason = DelegationStatus.ENDED, now, reason

    def ends_by_age_on(self, person_birth_date: date | None, today: date) -> bool:
        """True for an open parental delegation whose person is 16 on ``today``."""
        return (
            self.is_open
            and self.kind is DelegationKind.PARENTAL
            and person_birth_date is not None
            and age_on(person_birth_date, today) >= PARENTAL_END_AGE
        )


@dataclass(frozen=True, kw_only=True)
class DelegationConsentRequested(DomainEvent):
    """The person (12 or older) is asked to consent from their own account."""

    delegation_id: str
    organisation_id: str
    organisation_name: str
    person: Recipient
    delegate_name: str


@dataclass(frozen=True, kw_only=True)
class DelegationGranted(DomainEvent):
    """The delegate may act for the person from now on; both are told."""

    delegation_id: str
    organisation_id: str
    organisation_name: str
    person: Recipient
    delegate: Recipient


@dataclass(frozen=True, kw_only=True)
class DelegationEnded(DomainEvent):
    """The delegate may no longer act for the person; both are told."""

    delegation_id: str
    organisation_id: str
    organisation_name: str
    person: Recipient
    delegate: Recipient
    reason: EndReason
