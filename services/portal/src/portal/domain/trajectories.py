"""Care trajectories (seed 4): a client's treatment at a practice, with its practitioners.

A trajectory starts with the agreement ("De overeenkomst"): it becomes active only when every
party approved it — the client from 12, and every parent with authority while the client is
under 16 (the people identity's delegations let act for the client). Ending a trajectory ends
the client's portal access there (identity acts on ``portal.trajectory.ended``) unless
another trajectory of the client is still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from portal.domain.errors import TrajectoryEnded as TrajectoryAlreadyEnded
from zorgpost_kit.calendar import age_on
from zorgpost_kit.events import DomainEvent

#: From this age the client approves the agreement themself (seed 4: "jongeren vanaf 12").
OWN_APPROVAL_AGE = 12
#: Under this age parents with authority approve too (the age parental delegations end).
PARENTAL_AUTHORITY_END_AGE = 16

AGREEMENT_TITLE = "De overeenkomst"


class TrajectoryStatus(StrEnum):
    #: Waiting until every party approved the agreement.
    AWAITING_AGREEMENT = "awaiting_agreement"
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class Practitioner:
    account_id: str
    name: str


@dataclass
class Trajectory:
    id: str
    person_id: str
    organisation_id: str
    title: str
    practitioners: list[Practitioner]
    status: TrajectoryStatus
    created_at: datetime
    created_by: str
    agreement_document_id: str | None = None
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str = ""
    end_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.status is not TrajectoryStatus.ENDED

    def activate(self, at: datetime) -> bool:
        """True when this made it active (it was waiting for the agreement)."""
        if self.status is not TrajectoryStatus.AWAITING_AGREEMENT:
            return False
        self.status, self.activated_at = TrajectoryStatus.ACTIVE, at
        return True

    def end(self, at: datetime, by: str, reason: str) -> None:
        if not self.is_open:
            raise TrajectoryAlreadyEnded()
        self.status, self.ended_at, self.ended_by, self.end_reason = TrajectoryStatus.ENDED, at, by, reason


@dataclass(frozen=True)
class Party:
    """Someone whose approval the agreement needs."""

    account_id: str
    name: str
    #: "client" or "parent".
    role: str


@dataclass(frozen=True)
class AgreementState:
    parties: list[Party]
    #: Account id → when they approved.
    approved: dict[str, datetime] = field(default_factory=dict)

    @property
    def missing(self) -> list[Party]:
        return [party for party in self.parties if party.account_id not in self.approved]

    @property
    def complete(self) -> bool:
        """Every party approved, and there is at least one (a child under 12 without a
        parent in the portal yet cannot start)."""
        return bool(self.parties) and not self.missing


def agreement_parties(
    client_id: str, client_name: str, birth_date: date | None, parents: list[tuple[str, str]], today: date
) -> list[Party]:
    """Who must approve: the client from 12 (also when the birth date is unknown: nobody is
    left out by a gap in the record), and every parent with authority (an active delegate)
    while the client is under 16."""
    age = age_on(birth_date, today) if birth_date is not None else None
    parties: list[Party] = []
    if age is None or age >= OWN_APPROVAL_AGE:
        parties.append(Party(client_id, client_name, "client"))
    if age is None or age < PARENTAL_AUTHORITY_END_AGE:
        parties.extend(Party(account_id, name, "parent") for account_id, name in parents if account_id != client_id)
    return parties


@dataclass(frozen=True, kw_only=True)
class TrajectoryEndedEvent(DomainEvent):
    """``portal.trajectory.ended``: identity ends the client's portal access unless another
    trajectory is open."""

    trajectory_id: str
    person_account_id: str
    organisation_id: str
    ended_at: datetime
    other_trajectory_active: bool
