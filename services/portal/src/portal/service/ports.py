"""What the portal's use cases need from the world, as protocols: the unit of work with its
repositories, and identity. The adapters implement them (``portal.adapters``); the unit
tests pass fakes (``tests/unit/portal/portal_fakes.py``).

Every query about a person's data takes the organisation too: a person's portal is their
portal at one practice, and nothing of another practice is found through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from portal.domain.activity import Action, MessageActivity, Visit
from portal.domain.appointments import Appointment, Slot
from portal.domain.delegations import DelegateLink
from portal.domain.diary import DiaryEntry
from portal.domain.documents import Approval, Document, DocumentKind
from portal.domain.dossier import ChangeRequest, ClientRecord, ConsentDecision, ConsentItem, RequestStatus
from portal.domain.medication import Medication, PrescriptionRequest, PrescriptionStatus
from portal.domain.questionnaires import Questionnaire, QuestionnaireStatus
from portal.domain.results import LabResult
from portal.domain.search import DossierHit
from portal.domain.trajectories import Trajectory, TrajectoryStatus
from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True)
class Keyset:
    """A position in a list ordered by (time, id), newest (or soonest) first."""

    at: datetime
    id: str


@dataclass(frozen=True)
class NameKeyset:
    """A position in a list ordered by (sort name, id)."""

    name: str
    id: str


class ClientRepository(Protocol):
    async def get(self, person_id: str, organisation_id: str) -> ClientRecord | None: ...

    async def save(self, record: ClientRecord) -> None:
        """Stores the record and keeps it as a version (every version stays)."""
        ...

    async def page(self, organisation_id: str, after: NameKeyset | None, limit: int) -> list[ClientRecord]:
        """By last name, first name."""
        ...


class ChangeRequestRepository(Protocol):
    async def add(self, request: ChangeRequest) -> None: ...

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> ChangeRequest | None: ...

    async def save(self, request: ChangeRequest) -> None: ...

    async def of_person(self, person_id: str, organisation_id: str) -> list[ChangeRequest]:
        """Newest first."""
        ...

    async def of_organisation(self, organisation_id: str, status: RequestStatus | None) -> list[ChangeRequest]:
        """Oldest first (the first to handle on top); at most 500."""
        ...


class ConsentRepository(Protocol):
    async def items(self, organisation_id: str) -> list[ConsentItem]: ...

    async def replace_items(self, organisation_id: str, items: list[ConsentItem]) -> None: ...

    async def decisions(self, person_id: str, organisation_id: str) -> list[ConsentDecision]: ...

    async def add_decision(self, decision: ConsentDecision) -> None: ...


class TrajectoryRepository(Protocol):
    async def add(self, trajectory: Trajectory) -> None: ...

    async def get(self, trajectory_id: str, organisation_id: str, *, lock: bool = False) -> Trajectory | None: ...

    async def by_agreement(self, document_id: str, *, lock: bool = False) -> Trajectory | None: ...

    async def save(self, trajectory: Trajectory) -> None: ...

    async def of_person(self, person_id: str, organisation_id: str) -> list[Trajectory]:
        """Newest first."""
        ...

    async def of_organisation(
        self, organisation_id: str, person_id: str | None, status: TrajectoryStatus | None
    ) -> list[Trajectory]:
        """Newest first; at most 500."""
        ...

    async def count_open(self, person_id: str, *, except_id: str | None = None) -> int:
        """Open trajectories of the person at any organisation."""
        ...


class DocumentRepository(Protocol):
    async def add(self, document: Document, data: bytes) -> None: ...

    async def get(self, document_id: str) -> Document | None:
        """With its approvals."""
        ...

    async def data(self, document_id: str) -> bytes: ...

    async def page(
        self, person_id: str, organisation_id: str, kinds: set[DocumentKind] | None, after: Keyset | None, limit: int
    ) -> list[Document]:
        """Newest first, with approvals."""
        ...

    async def add_approval(self, approval: Approval) -> bool:
        """False (nothing changed) when this account approved before: the first time stays."""
        ...

    async def count_awaiting(self, person_id: str, organisation_id: str, account_id: str) -> int: ...

    async def count_new(self, person_id: str, organisation_id: str, kinds: set[DocumentKind], since: datetime) -> int:
        """Published by the practice after ``since``."""
        ...

    async def all_of(self, person_id: str, organisation_id: str) -> list[Document]: ...


class SlotRepository(Protocol):
    async def add(self, slot: Slot) -> bool:
        """False (nothing stored) when the practitioner has a slot at that time already."""
        ...

    async def add_all(self, slots: list[Slot]) -> int:
        """Stores those the practitioners have no slot at yet (in one statement); how many."""
        ...

    async def get(self, slot_id: str, organisation_id: str, *, lock: bool = False) -> Slot | None: ...

    async def save(self, slot: Slot) -> None: ...

    async def delete(self, slot_id: str) -> None: ...

    async def free(
        self, organisation_id: str, start: datetime, end: datetime, after: datetime, practitioner_id: str | None
    ) -> list[Slot]:
        """Free slots starting in [start, end) and after ``after``, soonest first."""
        ...

    async def agenda(
        self, organisation_id: str, start: datetime, end: datetime, practitioner_id: str | None
    ) -> list[tuple[Slot, Appointment | None]]:
        """Every slot starting in [start, end), soonest first, with its active booking."""
        ...


class AppointmentRepository(Protocol):
    async def add(self, appointment: Appointment) -> None: ...

    async def get(self, appointment_id: str, organisation_id: str, *, lock: bool = False) -> Appointment | None: ...

    async def save(self, appointment: Appointment) -> None: ...

    async def upcoming(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        """Not cancelled and not over, soonest first."""
        ...

    async def past(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        """Over or cancelled, most recent first."""
        ...

    async def count_held(self, person_id: str, organisation_id: str, since: datetime, now: datetime) -> int: ...

    async def all_of(self, person_id: str, organisation_id: str) -> list[Appointment]: ...


class MedicationRepository(Protocol):
    async def add(self, medication: Medication) -> None: ...

    async def get(self, medication_id: str, organisation_id: str, *, lock: bool = False) -> Medication | None: ...

    async def save(self, medication: Medication) -> None: ...

    async def of_person(self, person_id: str, organisation_id: str) -> list[Medication]:
        """Every medication, current and stopped, by name."""
        ...


class PrescriptionRepository(Protocol):
    async def add(self, request: PrescriptionRequest) -> None: ...

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> PrescriptionRequest | None: ...

    async def save(self, request: PrescriptionRequest) -> None: ...

    async def of_person(
        self, person_id: str, organisation_id: str, after: Keyset | None, limit: int
    ) -> list[PrescriptionRequest]:
        """Newest first."""
        ...

    async def of_organisation(
        self, organisation_id: str, status: PrescriptionStatus | None, after: tuple[date, str] | None, limit: int
    ) -> list[PrescriptionRequest]:
        """Soonest ready day first."""
        ...


class ResultRepository(Protocol):
    async def add(self, result: LabResult) -> None: ...

    async def get(self, result_id: str) -> LabResult | None: ...

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[LabResult]:
        """Newest first, with their observations."""
        ...

    async def count_new(self, person_id: str, organisation_id: str, since: datetime) -> int: ...


class DiaryRepository(Protocol):
    async def add(self, entry: DiaryEntry) -> None: ...

    async def get(self, entry_id: str, *, lock: bool = False) -> DiaryEntry | None: ...

    async def save(self, entry: DiaryEntry) -> None: ...

    async def of_author(
        self, person_id: str, organisation_id: str, author_id: str, after: Keyset | None, limit: int
    ) -> list[DiaryEntry]: ...

    async def shared(
        self, person_id: str, organisation_id: str, after: Keyset | None, limit: int
    ) -> list[DiaryEntry]: ...

    async def count_new(self, person_id: str, organisation_id: str, author_id: str, since: datetime) -> int: ...


class QuestionnaireRepository(Protocol):
    async def add(self, questionnaire: Questionnaire) -> None: ...

    async def get(self, questionnaire_id: str, *, lock: bool = False) -> Questionnaire | None: ...

    async def save(self, questionnaire: Questionnaire) -> None: ...

    async def of_person(self, person_id: str, organisation_id: str) -> list[Questionnaire]:
        """Newest first."""
        ...

    async def of_organisation(
        self,
        organisation_id: str,
        person_id: str | None,
        status: QuestionnaireStatus | None,
        after: Keyset | None,
        limit: int,
    ) -> list[tuple[Questionnaire, str]]:
        """Newest first (by sent_at, id), after ``after``; each with the client's name on the
        practice's record ("" when there is none)."""
        ...


class DelegateRepository(Protocol):
    async def record_granted(self, link: DelegateLink) -> None:
        """Idempotent; a delegation already known to have ended stays ended."""
        ...

    async def record_ended(self, link: DelegateLink) -> None: ...

    async def active_for(self, person_id: str, organisation_id: str) -> list[DelegateLink]: ...


class MessageActivityRepository(Protocol):
    async def add(self, activity: MessageActivity) -> None:
        """Idempotent per (message, person)."""
        ...

    async def count_received(self, person_id: str, organisation_id: str, since: datetime) -> int: ...

    async def of_person(self, person_id: str, organisation_id: str, limit: int) -> list[MessageActivity]: ...


class VisitRepository(Protocol):
    async def get_for_update(self, person_id: str, actor_id: str) -> Visit | None: ...

    async def put(self, person_id: str, actor_id: str, visit: Visit) -> None: ...


class ActionRepository(Protocol):
    async def add(self, action: Action) -> None: ...

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[Action]: ...


class DossierSearch(Protocol):
    async def search(
        self,
        person_id: str,
        organisation_id: str,
        author_id: str,
        text: str,
        today: date,
        after: Keyset | None,
        limit: int,
    ) -> list[DossierHit]:
        """The person's reports, documents (an agreement too), results, current medication
        and ``author_id``'s own diary notes whose title, name or text holds ``text`` (any
        case, taken literally: no wildcards), newest first (by time, id), after ``after``."""
        ...


class PortalUnitOfWork(Protocol):
    """One transaction over every repository; nothing is kept unless :meth:`commit` ran, and
    the events emitted are stored with the change (the outbox)."""

    @property
    def clients(self) -> ClientRepository: ...

    @property
    def change_requests(self) -> ChangeRequestRepository: ...

    @property
    def consents(self) -> ConsentRepository: ...

    @property
    def trajectories(self) -> TrajectoryRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def slots(self) -> SlotRepository: ...

    @property
    def appointments(self) -> AppointmentRepository: ...

    @property
    def medications(self) -> MedicationRepository: ...

    @property
    def prescriptions(self) -> PrescriptionRepository: ...

    @property
    def results(self) -> ResultRepository: ...

    @property
    def diary(self) -> DiaryRepository: ...

    @property
    def questionnaires(self) -> QuestionnaireRepository: ...

    @property
    def delegates(self) -> DelegateRepository: ...

    @property
    def message_activity(self) -> MessageActivityRepository: ...

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def actions(self) -> ActionRepository: ...

    @property
    def dossier_search(self) -> DossierSearch: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, event: DomainEvent) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], PortalUnitOfWork]


class AccountSecurity(Protocol):
    """Identity, asked with the caller's own token."""

    async def security_status(self, access_token: str) -> tuple[bool, bool] | None:
        """(a second factor is on, a secret question is set), or None when identity will not
        say (an act-as token, a session that just ended)."""
        ...

    async def display_name(self, account_id: str, access_token: str) -> str:
        """The caller's own name (cached a while)."""
        ...
