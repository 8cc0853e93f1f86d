"""The one set of fakes for the portal's use cases: an in-memory unit of work with every
repository of ``portal.service.ports`` (nothing is kept without a commit, as in PostgreSQL:
each unit of work works on a copy that :meth:`FakeUnitOfWork.commit` makes the truth), the
events it would store, and identity and the exporter as the use cases see them.

(Named after the service: test directories are not packages, so two services' ``fakes``
modules would clash.)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Self

from portal.domain.activity import Action, MessageActivity, Visit
from portal.domain.appointments import Appointment, Slot, SlotStatus
from portal.domain.delegations import DelegateLink
from portal.domain.diary import DiaryEntry
from portal.domain.documents import Approval, Document, DocumentKind, DocumentSource
from portal.domain.dossier import ChangeRequest, ClientRecord, ConsentDecision, ConsentItem, RequestStatus
from portal.domain.medication import Medication, PrescriptionRequest, PrescriptionStatus
from portal.domain.questionnaires import Questionnaire, QuestionnaireStatus
from portal.domain.results import LabResult
from portal.domain.search import DossierHit, HitKind
from portal.domain.trajectories import Trajectory, TrajectoryStatus
from portal.service.common import Services
from portal.service.ports import Keyset, NameKeyset
from zorgpost_kit.calendar import SettableClock
from zorgpost_kit.events import DomainEvent


@dataclass
class Data:
    """What the database holds."""

    clients: dict[tuple[str, str], ClientRecord] = field(default_factory=dict)
    record_versions: list[ClientRecord] = field(default_factory=list)
    change_requests: dict[str, ChangeRequest] = field(default_factory=dict)
    consent_items: dict[str, list[ConsentItem]] = field(default_factory=dict)
    consent_decisions: list[ConsentDecision] = field(default_factory=list)
    trajectories: dict[str, Trajectory] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    medications: dict[str, Medication] = field(default_factory=dict)
    prescriptions: dict[str, PrescriptionRequest] = field(default_factory=dict)
    results: dict[str, LabResult] = field(default_factory=dict)
    diary: dict[str, DiaryEntry] = field(default_factory=dict)
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    delegates: dict[str, DelegateLink] = field(default_factory=dict)
    messages: dict[tuple[str, str], MessageActivity] = field(default_factory=dict)
    visits: dict[tuple[str, str], Visit] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)


@dataclass
class Store:
    data: Data = field(default_factory=Data)
    events: list[DomainEvent] = field(default_factory=list)
    commits: int = 0


def _page_desc(items: list[tuple[datetime, str]], after: Keyset | None, limit: int) -> list[str]:
    ordered = sorted(items, reverse=True)
    if after is not None:
        ordered = [item for item in ordered if item < (after.at, after.id)]
    return [identifier for _, identifier in ordered[:limit]]


class FakeClients:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def get(self, person_id: str, organisation_id: str) -> ClientRecord | None:
        return self._d.clients.get((person_id, organisation_id))

    async def save(self, record: ClientRecord) -> None:
        self._d.clients[(record.person_id, record.organisation_id)] = record
        self._d.record_versions.append(record)

    async def page(self, organisation_id: str, after: NameKeyset | None, limit: int) -> list[ClientRecord]:
        found = sorted(
            (r for (_, org), r in self._d.clients.items() if org == organisation_id),
            key=lambda r: (r.sort_key, r.person_id),
        )
        if after is not None:
            found = [r for r in found if (r.sort_key, r.person_id) > (after.name, after.id)]
        return found[:limit]


class FakeChangeRequests:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, request: ChangeRequest) -> None:
        self._d.change_requests[request.id] = request

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> ChangeRequest | None:
        found = self._d.change_requests.get(request_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def save(self, request: ChangeRequest) -> None:
        self._d.change_requests[request.id] = request

    async def of_person(self, person_id: str, organisation_id: str) -> list[ChangeRequest]:
        found = [
            r
            for r in self._d.change_requests.values()
            if (r.person_id, r.organisation_id) == (person_id, organisation_id)
        ]
        return sorted(found, key=lambda r: r.requested_at, reverse=True)

    async def of_organisation(self, organisation_id: str, status: RequestStatus | None) -> list[ChangeRequest]:
        found = [
            r
            for r in self._d.change_requests.values()
            if r.organisation_id == organisation_id and (status is None or r.status is status)
        ]
        return sorted(found, key=lambda r: r.requested_at)


class FakeConsents:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def items(self, organisation_id: str) -> list[ConsentItem]:
        return list(self._d.consent_items.get(organisation_id, []))

    async def replace_items(self, organisation_id: str, items: list[ConsentItem]) -> None:
        self._d.consent_items[organisation_id] = list(items)

    async def decisions(self, person_id: str, organisation_id: str) -> list[ConsentDecision]:
        return [
            d for d in self._d.consent_decisions if (d.person_id, d.organisation_id) == (person_id, organisation_id)
        ]

    async def add_decision(self, decision: ConsentDecision) -> None:
        self._d.consent_decisions.append(decision)


class FakeTrajectories:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, trajectory: Trajectory) -> None:
        self._d.trajectories[trajectory.id] = trajectory

    async def get(self, trajectory_id: str, organisation_id: str, *, lock: bool = False) -> Trajectory | None:
        found = self._d.trajectories.get(trajectory_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def by_agreement(self, document_id: str, *, lock: bool = False) -> Trajectory | None:
        return next((t for t in self._d.trajectories.values() if t.agreement_document_id == document_id), None)

    async def save(self, trajectory: Trajectory) -> None:
        self._d.trajectories[trajectory.id] = trajectory

    async def of_person(self, person_id: str, organisation_id: str) -> list[Trajectory]:
        found = [
            t for t in self._d.trajectories.values() if (t.person_id, t.organisation_id) == (person_id, organisation_id)
        ]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    async def of_organisation(
        self, organisation_id: str, person_id: str | None, status: TrajectoryStatus | None
    ) -> list[Trajectory]:
        found = [
            t
            for t in self._d.trajectories.values()
            if t.organisation_id == organisation_id
            and (person_id is None or t.person_id == person_id)
            and (status is None or t.status is status)
        ]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    async def count_open(self, person_id: str, *, except_id: str | None = None) -> int:
        return sum(
            1 for t in self._d.trajectories.values() if t.person_id == person_id and t.is_open and t.id != except_id
        )


class FakeDocuments:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, document: Document, data: bytes) -> None:
        self._d.documents[document.id] = document
        self._d.files[document.id] = data

    async def get(self, document_id: str) -> Document | None:
        return self._d.documents.get(document_id)

    async def data(self, document_id: str) -> bytes:
        return self._d.files.get(document_id, b"")

    def _of(self, person_id: str, organisation_id: str) -> list[Document]:
        return [
            d for d in self._d.documents.values() if (d.person_id, d.organisation_id) == (person_id, organisation_id)
        ]

    async def page(
        self, person_id: str, organisation_id: str, kinds: set[DocumentKind] | None, after: Keyset | None, limit: int
    ) -> list[Document]:
        found = [d for d in self._of(person_id, organisation_id) if kinds is None or d.kind in kinds]
        ids = _page_desc([(d.created_at, d.id) for d in found], after, limit)
        return [self._d.documents[i] for i in ids]

    async def add_approval(self, approval: Approval) -> bool:
        document = self._d.documents[approval.document_id]
        if document.approved_by(approval.approved_by) is not None:
            return False
        self._d.documents[document.id] = replace(document, approvals=[*document.approvals, approval])
        return True

    async def count_awaiting(self, person_id: str, organisation_id: str, account_id: str) -> int:
        return sum(1 for d in self._of(person_id, organisation_id) if d.pending_for(account_id))

    async def count_new(self, person_id: str, organisation_id: str, kinds: set[DocumentKind], since: datetime) -> int:
        return sum(
            1
            for d in self._of(person_id, organisation_id)
            if d.kind in kinds and d.source is DocumentSource.PRACTICE and d.created_at > since
        )

    async def all_of(self, person_id: str, organisation_id: str) -> list[Document]:
        return sorted(self._of(person_id, organisation_id), key=lambda d: d.created_at)


class FakeSlots:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, slot: Slot) -> bool:
        taken = any(
            s.practitioner_id == slot.practitioner_id and s.starts_at == slot.starts_at for s in self._d.slots.values()
        )
        if not taken:
            self._d.slots[slot.id] = slot
        return not taken

    async def add_all(self, slots: list[Slot]) -> int:
        return sum([await self.add(slot) for slot in slots])

    async def get(self, slot_id: str, organisation_id: str, *, lock: bool = False) -> Slot | None:
        found = self._d.slots.get(slot_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def save(self, slot: Slot) -> None:
        self._d.slots[slot.id] = slot

    async def delete(self, slot_id: str) -> None:
        del self._d.slots[slot_id]

    async def free(
        self, organisation_id: str, start: datetime, end: datetime, after: datetime, practitioner_id: str | None
    ) -> list[Slot]:
        found = [
            s
            for s in self._d.slots.values()
            if s.organisation_id == organisation_id
            and start <= s.starts_at < end
            and s.starts_at > after
            and s.status is SlotStatus.FREE
            and (not practitioner_id or s.practitioner_id == practitioner_id)
        ]
        return sorted(found, key=lambda s: (s.starts_at, s.practitioner_name, s.id))

    async def agenda(
        self, organisation_id: str, start: datetime, end: datetime, practitioner_id: str | None
    ) -> list[tuple[Slot, Appointment | None]]:
        found = sorted(
            (
                s
                for s in self._d.slots.values()
                if s.organisation_id == organisation_id
                and start <= s.starts_at < end
                and (not practitioner_id or s.practitioner_id == practitioner_id)
            ),
            key=lambda s: (s.starts_at, s.id),
        )
        booked = {a.slot_id: a for a in self._d.appointments.values() if a.slot_id and not a.cancelled}
        return [(s, booked.get(s.id)) for s in found]


class FakeAppointments:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, appointment: Appointment) -> None:
        self._d.appointments[appointment.id] = appointment

    async def get(self, appointment_id: str, organisation_id: str, *, lock: bool = False) -> Appointment | None:
        found = self._d.appointments.get(appointment_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def save(self, appointment: Appointment) -> None:
        self._d.appointments[appointment.id] = appointment

    def _of(self, person_id: str, organisation_id: str) -> list[Appointment]:
        return [
            a for a in self._d.appointments.values() if (a.person_id, a.organisation_id) == (person_id, organisation_id)
        ]

    async def upcoming(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        found = sorted(
            (a for a in self._of(person_id, organisation_id) if not a.cancelled and a.ends_at > now),
            key=lambda a: (a.starts_at, a.id),
        )
        if after is not None:
            found = [a for a in found if (a.starts_at, a.id) > (after.at, after.id)]
        return found[:limit]

    async def past(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        found = [a for a in self._of(person_id, organisation_id) if a.cancelled or a.ends_at <= now]
        ids = _page_desc([(a.starts_at, a.id) for a in found], after, limit)
        return [self._d.appointments[i] for i in ids]

    async def count_held(self, person_id: str, organisation_id: str, since: datetime, now: datetime) -> int:
        return sum(1 for a in self._of(person_id, organisation_id) if not a.cancelled and since < a.ends_at <= now)

    async def all_of(self, person_id: str, organisation_id: str) -> list[Appointment]:
        return sorted(self._of(person_id, organisation_id), key=lambda a: a.starts_at)


class FakeMedications:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, medication: Medication) -> None:
        self._d.medications[medication.id] = medication

    async def get(self, medication_id: str, organisation_id: str, *, lock: bool = False) -> Medication | None:
        found = self._d.medications.get(medication_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def save(self, medication: Medication) -> None:
        self._d.medications[medication.id] = medication

    async def of_person(self, person_id: str, organisation_id: str) -> list[Medication]:
        found = [
            m for m in self._d.medications.values() if (m.person_id, m.organisation_id) == (person_id, organisation_id)
        ]
        return sorted(found, key=lambda m: (m.name, m.id))


class FakePrescriptions:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, request: PrescriptionRequest) -> None:
        self._d.prescriptions[request.id] = request

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> PrescriptionRequest | None:
        found = self._d.prescriptions.get(request_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    async def save(self, request: PrescriptionRequest) -> None:
        self._d.prescriptions[request.id] = request

    async def of_person(
        self, person_id: str, organisation_id: str, after: Keyset | None, limit: int
    ) -> list[PrescriptionRequest]:
        found = [
            r
            for r in self._d.prescriptions.values()
            if (r.person_id, r.organisation_id) == (person_id, organisation_id)
        ]
        return [self._d.prescriptions[i] for i in _page_desc([(r.requested_at, r.id) for r in found], after, limit)]

    async def of_organisation(
        self, organisation_id: str, status: PrescriptionStatus | None, after: tuple[date, str] | None, limit: int
    ) -> list[PrescriptionRequest]:
        found = sorted(
            (
                r
                for r in self._d.prescriptions.values()
                if r.organisation_id == organisation_id and (status is None or r.status is status)
            ),
            key=lambda r: (r.ready_on, r.id),
        )
        if after is not None:
            found = [r for r in found if (r.ready_on, r.id) > after]
        return found[:limit]


class FakeResults:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, result: LabResult) -> None:
        self._d.results[result.id] = result

    async def get(self, result_id: str) -> LabResult | None:
        return self._d.results.get(result_id)

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[LabResult]:
        found = [
            r for r in self._d.results.values() if (r.person_id, r.organisation_id) == (person_id, organisation_id)
        ]
        return [self._d.results[i] for i in _page_desc([(r.published_at, r.id) for r in found], after, limit)]

    async def count_new(self, person_id: str, organisation_id: str, since: datetime) -> int:
        return sum(
            1
            for r in self._d.results.values()
            if (r.person_id, r.organisation_id) == (person_id, organisation_id) and r.published_at > since
        )


class FakeDiary:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, entry: DiaryEntry) -> None:
        self._d.diary[entry.id] = entry

    async def get(self, entry_id: str, *, lock: bool = False) -> DiaryEntry | None:
        return self._d.diary.get(entry_id)

    async def save(self, entry: DiaryEntry) -> None:
        self._d.diary[entry.id] = entry

    def _page(self, found: list[DiaryEntry], after: Keyset | None, limit: int) -> list[DiaryEntry]:
        return [self._d.diary[i] for i in _page_desc([(e.written_at, e.id) for e in found], after, limit)]

    async def of_author(
        self, person_id: str, organisation_id: str, author_id: str, after: Keyset | None, limit: int
    ) -> list[DiaryEntry]:
        found = [
            e
            for e in self._d.diary.values()
            if (e.person_id, e.organisation_id, e.author_id) == (person_id, organisation_id, author_id)
        ]
        return self._page(found, after, limit)

    async def shared(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[DiaryEntry]:
        found = [
            e
            for e in self._d.diary.values()
            if (e.person_id, e.organisation_id) == (person_id, organisation_id) and e.shared
        ]
        return self._page(found, after, limit)

    async def count_new(self, person_id: str, organisation_id: str, author_id: str, since: datetime) -> int:
        return sum(
            1
            for e in self._d.diary.values()
            if (e.person_id, e.organisation_id, e.author_id) == (person_id, organisation_id, author_id)
            and e.written_at > since
        )


class FakeQuestionnaires:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, questionnaire: Questionnaire) -> None:
        self._d.questionnaires[questionnaire.id] = questionnaire

    async def get(self, questionnaire_id: str, *, lock: bool = False) -> Questionnaire | None:
        return self._d.questionnaires.get(questionnaire_id)

    async def save(self, questionnaire: Questionnaire) -> None:
        self._d.questionnaires[questionnaire.id] = questionnaire

    async def of_person(self, person_id: str, organisation_id: str) -> list[Questionnaire]:
        found = [
            q
            for q in self._d.questionnaires.values()
            if (q.person_id, q.organisation_id) == (person_id, organisation_id)
        ]
        return sorted(found, key=lambda q: q.sent_at, reverse=True)

    async def of_organisation(
        self,
        organisation_id: str,
        person_id: str | None,
        status: QuestionnaireStatus | None,
        after: Keyset | None,
        limit: int,
    ) -> list[tuple[Questionnaire, str]]:
        found = {
            q.id: q
            for q in self._d.questionnaires.values()
            if q.organisation_id == organisation_id
            and (person_id is None or q.person_id == person_id)
            and (status is None or q.status is status)
        }
        ids = _page_desc([(q.sent_at, q.id) for q in found.values()], after, limit)
        named = []
        for identifier in ids:
            record = self._d.clients.get((found[identifier].person_id, organisation_id))
            named.append((found[identifier], record.display_name if record else ""))
        return named


class FakeDelegates:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def record_granted(self, link: DelegateLink) -> None:
        known = self._d.delegates.get(link.delegation_id)
        self._d.delegates[link.delegation_id] = replace(link, active=known.active) if known else link

    async def record_ended(self, link: DelegateLink) -> None:
        self._d.delegates[link.delegation_id] = replace(link, active=False)

    async def active_for(self, person_id: str, organisation_id: str) -> list[DelegateLink]:
        return [
            link
            for link in self._d.delegates.values()
            if (link.person_id, link.organisation_id) == (person_id, organisation_id) and link.active
        ]


class FakeMessageActivity:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, activity: MessageActivity) -> None:
        self._d.messages.setdefault((activity.message_id, activity.person_id), activity)

    async def count_received(self, person_id: str, organisation_id: str, since: datetime) -> int:
        return sum(
            1
            for m in self._d.messages.values()
            if (m.person_id, m.organisation_id) == (person_id, organisation_id)
            and m.direction == "received"
            and m.sent_at > since
        )

    async def of_person(self, person_id: str, organisation_id: str, limit: int) -> list[MessageActivity]:
        found = [
            m for m in self._d.messages.values() if (m.person_id, m.organisation_id) == (person_id, organisation_id)
        ]
        return sorted(found, key=lambda m: m.sent_at, reverse=True)[:limit]


class FakeVisits:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def get_for_update(self, person_id: str, actor_id: str) -> Visit | None:
        return self._d.visits.get((person_id, actor_id))

    async def put(self, person_id: str, actor_id: str, visit: Visit) -> None:
        self._d.visits[(person_id, actor_id)] = visit


class FakeActions:
    def __init__(self, data: Data) -> None:
        self._d = data

    async def add(self, action: Action) -> None:
        self._d.actions.append(action)

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[Action]:
        found = {a.id: a for a in self._d.actions if (a.person_id, a.organisation_id) == (person_id, organisation_id)}
        return [found[i] for i in _page_desc([(a.at, a.id) for a in found.values()], after, limit)]


class FakeDossierSearch:
    """What the SQL search finds, by the same rules (case-insensitive, literal)."""

    def __init__(self, data: Data) -> None:
        self._d = data

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
        wanted = text.casefold()
        owner = (person_id, organisation_id)
        hits = [
            DossierHit(
                HitKind.REPORT if d.kind is DocumentKind.REPORT else HitKind.DOCUMENT, d.id, d.title, d.created_at
            )
            for d in self._d.documents.values()
            if (d.person_id, d.organisation_id) == owner and wanted in d.title.casefold()
        ]
        hits += [
            DossierHit(HitKind.RESULT, r.id, r.title, r.published_at)
            for r in self._d.results.values()
            if (r.person_id, r.organisation_id) == owner and wanted in r.title.casefold()
        ]
        hits += [
            DossierHit(HitKind.MEDICATION, m.id, m.name, m.created_at)
            for m in self._d.medications.values()
            if (m.person_id, m.organisation_id) == owner
            and m.is_current(today)
            and wanted in m.name.casefold()
        ]
        hits += [
            DossierHit(HitKind.DIARY, e.id, e.body[:200], e.written_at)
            for e in self._d.diary.values()
            if (e.person_id, e.organisation_id, e.author_id) == (*owner, author_id) and wanted in e.body.casefold()
        ]
        found = {hit.id: hit for hit in hits}
        return [found[i] for i in _page_desc([(hit.at, hit.id) for hit in hits], after, limit)]


class FakeUnitOfWork:
    """Works on a copy of the store's data; :meth:`commit` makes the copy the truth and keeps
    the events emitted."""

    clients: FakeClients
    change_requests: FakeChangeRequests
    consents: FakeConsents
    trajectories: FakeTrajectories
    documents: FakeDocuments
    slots: FakeSlots
    appointments: FakeAppointments
    medications: FakeMedications
    prescriptions: FakePrescriptions
    results: FakeResults
    diary: FakeDiary
    questionnaires: FakeQuestionnaires
    delegates: FakeDelegates
    message_activity: FakeMessageActivity
    visits: FakeVisits
    actions: FakeActions
    dossier_search: FakeDossierSearch

    def __init__(self, store: Store) -> None:
        self._store = store
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        self._data = copy.deepcopy(self._store.data)
        self._events = []
        data = self._data
        self.clients = FakeClients(data)
        self.change_requests = FakeChangeRequests(data)
        self.consents = FakeConsents(data)
        self.trajectories = FakeTrajectories(data)
        self.documents = FakeDocuments(data)
        self.slots = FakeSlots(data)
        self.appointments = FakeAppointments(data)
        self.medications = FakeMedications(data)
        self.prescriptions = FakePrescriptions(data)
        self.results = FakeResults(data)
        self.diary = FakeDiary(data)
        self.questionnaires = FakeQuestionnaires(data)
        self.delegates = FakeDelegates(data)
        self.message_activity = FakeMessageActivity(data)
        self.visits = FakeVisits(data)
        self.actions = FakeActions(data)
        self.dossier_search = FakeDossierSearch(data)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    async def commit(self) -> None:
        self._store.data = copy.deepcopy(self._data)
        self._store.events.extend(self._events)
        self._events = []
        self._store.commits += 1


class FakeIdentity:
    """Identity as the dashboard asks it: a fixed security status (None: acting) and names."""

    def __init__(self, status: tuple[bool, bool] | None = (True, False), names: dict[str, str] | None = None) -> None:
        self.status = status
        self.names = names or {}

    async def security_status(self, access_token: str) -> tuple[bool, bool] | None:
        return self.status

    async def display_name(self, account_id: str, access_token: str) -> str:
        return self.names.get(account_id, "")


class FakeExporter:
    def csv(self, result: LabResult) -> bytes:
        return f"csv:{result.id}".encode()

    def pdf(self, result: LabResult, record: ClientRecord | None, organisation_name: str) -> bytes:
        return f"%PDF-{result.id}".encode()


def make_services(clock: SettableClock, identity: FakeIdentity | None = None) -> tuple[Services, Store]:
    store = Store()
    services = Services(
        uow=lambda: FakeUnitOfWork(store), clock=clock, identity=identity or FakeIdentity(), exporter=FakeExporter()
    )
    return services, store
