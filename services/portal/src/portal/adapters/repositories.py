"""The portal's repositories on PostgreSQL (the ports of ``portal.service.ports``).
Each returns domain objects, never rows; queries are named for what they answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from portal.adapters.orm import (
    appointments,
    care_trajectories,
    change_requests,
    client_record_versions,
    clients,
    consent_decisions,
    consent_items,
    delegate_links,
    diary_entries,
    document_approvals,
    document_files,
    documents,
    lab_results,
    medications,
    message_activity,
    portal_actions,
    portal_visits,
    prescription_requests,
    questionnaires,
    slots,
)
from portal.domain.activity import Action, MessageActivity, Visit
from portal.domain.appointments import Appointment, Slot, SlotStatus
from portal.domain.delegations import DelegateLink
from portal.domain.diary import DiaryEntry
from portal.domain.documents import Approval, Document, DocumentKind, DocumentSource, StoredFile
from portal.domain.dossier import ChangeRequest, ClientRecord, ConsentDecision, ConsentItem, RequestStatus
from portal.domain.medication import Medication, PrescriptionItem, PrescriptionRequest, PrescriptionStatus
from portal.domain.questionnaires import Question, QuestionKind, Questionnaire, QuestionnaireStatus
from portal.domain.results import LabResult, Observation
from portal.domain.search import DossierHit, HitKind
from portal.domain.trajectories import Practitioner, Trajectory, TrajectoryStatus
from portal.service.ports import Keyset, NameKeyset

#: Back-office lists that are not paged stop here.
LIST_CAP = 500


# ----------------------------------------------------------------------------- about me
def _client(row: Row[Any]) -> ClientRecord:
    return ClientRecord(
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        first_name=row.first_name,
        last_name=row.last_name,
        birth_date=row.birth_date,
        email=row.email,
        phone=row.phone,
        street=row.street,
        postal_code=row.postal_code,
        city=row.city,
        insurer=row.insurer,
        policy_number=row.policy_number,
        language=row.language,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _column_values(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """``asdict``'s dict factory for rows: an enum is stored as its value and a tuple as a
    list (JSONB), in nested dataclasses too."""
    return {
        name: value.value if isinstance(value, Enum) else list(value) if isinstance(value, tuple) else value
        for name, value in items
    }


def _values(record: Any) -> dict[str, Any]:
    """A domain dataclass as the column values of its row."""
    return asdict(record, dict_factory=_column_values)


class SqlClients:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, person_id: str, organisation_id: str) -> ClientRecord | None:
        row = (
            await self._session.execute(
                select(clients).where(clients.c.person_id == person_id, clients.c.organisation_id == organisation_id)
            )
        ).first()
        return _client(row) if row else None

    async def save(self, record: ClientRecord) -> None:
        values = {**asdict(record), "sort_name": record.sort_key}
        await self._session.execute(
            pg_insert(clients)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[clients.c.person_id, clients.c.organisation_id],
                set_={key: value for key, value in values.items() if key not in ("person_id", "organisation_id")},
            )
        )
        snapshot = {**asdict(record), "birth_date": record.birth_date.isoformat() if record.birth_date else None}
        snapshot["updated_at"] = record.updated_at.isoformat() if record.updated_at else None
        await self._session.execute(
            insert(client_record_versions).values(
                person_id=record.person_id,
                organisation_id=record.organisation_id,
                record=snapshot,
                saved_at=record.updated_at,
                saved_by=record.updated_by,
            )
        )

    async def page(self, organisation_id: str, after: NameKeyset | None, limit: int) -> list[ClientRecord]:
        query = select(clients).where(clients.c.organisation_id == organisation_id)
        if after is not None:
            query = query.where(tuple_(clients.c.sort_name, clients.c.person_id) > tuple_(after.name, after.id))
        rows = await self._session.execute(query.order_by(clients.c.sort_name, clients.c.person_id).limit(limit))
        return [_client(row) for row in rows]


def _change_request(row: Row[Any]) -> ChangeRequest:
    return ChangeRequest(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        changes=dict(row.changes),
        note=row.note,
        requested_at=row.requested_at,
        requested_by=row.requested_by,
        status=RequestStatus(row.status),
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        answer=row.answer,
    )


class SqlChangeRequests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: ChangeRequest) -> None:
        await self._session.execute(insert(change_requests).values(**_values(request)))

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> ChangeRequest | None:
        query = select(change_requests).where(
            change_requests.c.id == request_id, change_requests.c.organisation_id == organisation_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _change_request(row) if row else None

    async def save(self, request: ChangeRequest) -> None:
        await self._session.execute(
            update(change_requests).where(change_requests.c.id == request.id).values(**_values(request))
        )

    async def of_person(self, person_id: str, organisation_id: str) -> list[ChangeRequest]:
        rows = await self._session.execute(
            select(change_requests)
            .where(change_requests.c.person_id == person_id, change_requests.c.organisation_id == organisation_id)
            .order_by(change_requests.c.requested_at.desc())
            .limit(LIST_CAP)
        )
        return [_change_request(row) for row in rows]

    async def of_organisation(self, organisation_id: str, status: RequestStatus | None) -> list[ChangeRequest]:
        query = select(change_requests).where(change_requests.c.organisation_id == organisation_id)
        if status is not None:
            query = query.where(change_requests.c.status == status)
        rows = await self._session.execute(query.order_by(change_requests.c.requested_at).limit(LIST_CAP))
        return [_change_request(row) for row in rows]


class SqlConsents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def items(self, organisation_id: str) -> list[ConsentItem]:
        rows = await self._session.execute(
            select(consent_items)
            .where(consent_items.c.organisation_id == organisation_id)
            .order_by(consent_items.c.position, consent_items.c.code)
        )
        return [ConsentItem(r.code, r.label_nl, r.label_en, r.default_granted, r.position) for r in rows]

    async def replace_items(self, organisation_id: str, items: list[ConsentItem]) -> None:
        # Decisions refer to items by code; a removed item's decisions stay in the history.
        await self._session.execute(delete(consent_items).where(consent_items.c.organisation_id == organisation_id))
        if items:
            await self._session.execute(
                insert(consent_items),
                [{"organisation_id": organisation_id, **asdict(item)} for item in items],
            )

    async def decisions(self, person_id: str, organisation_id: str) -> list[ConsentDecision]:
        rows = await self._session.execute(
            select(consent_decisions)
            .where(consent_decisions.c.person_id == person_id, consent_decisions.c.organisation_id == organisation_id)
            .order_by(consent_decisions.c.decided_at)
        )
        return [
            ConsentDecision(r.id, r.person_id, r.organisation_id, r.code, r.granted, r.decided_at, r.decided_by)
            for r in rows
        ]

    async def add_decision(self, decision: ConsentDecision) -> None:
        await self._session.execute(insert(consent_decisions).values(**asdict(decision)))


# ----------------------------------------------------------------------------- trajectories
def _trajectory(row: Row[Any]) -> Trajectory:
    return Trajectory(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        title=row.title,
        practitioners=[Practitioner(p["account_id"], p["name"]) for p in row.practitioners],
        status=TrajectoryStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        agreement_document_id=row.agreement_document_id,
        activated_at=row.activated_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        end_reason=row.end_reason,
    )


class SqlTrajectories:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, trajectory: Trajectory) -> None:
        await self._session.execute(insert(care_trajectories).values(**_values(trajectory)))

    async def get(self, trajectory_id: str, organisation_id: str, *, lock: bool = False) -> Trajectory | None:
        query = select(care_trajectories).where(
            care_trajectories.c.id == trajectory_id, care_trajectories.c.organisation_id == organisation_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _trajectory(row) if row else None

    async def by_agreement(self, document_id: str, *, lock: bool = False) -> Trajectory | None:
        query = select(care_trajectories).where(care_trajectories.c.agreement_document_id == document_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _trajectory(row) if row else None

    async def save(self, trajectory: Trajectory) -> None:
        await self._session.execute(
            update(care_trajectories).where(care_trajectories.c.id == trajectory.id).values(**_values(trajectory))
        )

    async def of_person(self, person_id: str, organisation_id: str) -> list[Trajectory]:
        rows = await self._session.execute(
            select(care_trajectories)
            .where(care_trajectories.c.person_id == person_id, care_trajectories.c.organisation_id == organisation_id)
            .order_by(care_trajectories.c.created_at.desc())
        )
        return [_trajectory(row) for row in rows]

    async def of_organisation(
        self, organisation_id: str, person_id: str | None, status: TrajectoryStatus | None
    ) -> list[Trajectory]:
        query = select(care_trajectories).where(care_trajectories.c.organisation_id == organisation_id)
        if person_id is not None:
            query = query.where(care_trajectories.c.person_id == person_id)
        if status is not None:
            query = query.where(care_trajectories.c.status == status)
        rows = await self._session.execute(query.order_by(care_trajectories.c.created_at.desc()).limit(LIST_CAP))
        return [_trajectory(row) for row in rows]

    async def count_open(self, person_id: str, *, except_id: str | None = None) -> int:
        query = (
            select(func.count())
            .select_from(care_trajectories)
            .where(care_trajectories.c.person_id == person_id, care_trajectories.c.status != TrajectoryStatus.ENDED)
        )
        if except_id is not None:
            query = query.where(care_trajectories.c.id != except_id)
        return int(await self._session.scalar(query) or 0)


# ----------------------------------------------------------------------------- documents
_DOCUMENT_COLUMNS = [column for column in documents.c]


def _document(row: Row[Any], approvals: list[Approval]) -> Document:
    return Document(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        kind=DocumentKind(row.kind),
        source=DocumentSource(row.source),
        title=row.title,
        file=StoredFile(row.file_name, row.content_type, row.size, row.sha256),
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_name=row.created_by_name,
        requires_approval=row.requires_approval,
        trajectory_id=row.trajectory_id,
        approvals=approvals,
    )


class SqlDocuments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, document: Document, data: bytes) -> None:
        await self._session.execute(
            insert(documents).values(
                id=document.id,
                person_id=document.person_id,
                organisation_id=document.organisation_id,
                kind=document.kind.value,
                source=document.source.value,
                title=document.title,
                file_name=document.file.file_name,
                content_type=document.file.content_type,
                size=document.file.size,
                sha256=document.file.sha256,
                created_at=document.created_at,
                created_by=document.created_by,
                created_by_name=document.created_by_name,
                requires_approval=document.requires_approval,
                trajectory_id=document.trajectory_id,
            )
        )
        await self._session.execute(insert(document_files).values(document_id=document.id, data=data))

    async def _with_approvals(self, rows: list[Row[Any]]) -> list[Document]:
        ids = [row.id for row in rows]
        approvals: dict[str, list[Approval]] = defaultdict(list)
        if ids:
            found = await self._session.execute(
                select(document_approvals)
                .where(document_approvals.c.document_id.in_(ids))
                .order_by(document_approvals.c.approved_at)
            )
            for a in found:
                approvals[a.document_id].append(
                    Approval(a.document_id, a.person_id, a.approved_by, a.approved_by_name, a.approved_at)
                )
        return [_document(row, approvals.get(row.id, [])) for row in rows]

    async def get(self, document_id: str) -> Document | None:
        rows = list(await self._session.execute(select(*_DOCUMENT_COLUMNS).where(documents.c.id == document_id)))
        found = await self._with_approvals(rows)
        return found[0] if found else None

    async def data(self, document_id: str) -> bytes:
        return bytes(
            await self._session.scalar(select(document_files.c.data).where(document_files.c.document_id == document_id))
            or b""
        )

    async def page(
        self, person_id: str, organisation_id: str, kinds: set[DocumentKind] | None, after: Keyset | None, limit: int
    ) -> list[Document]:
        query = select(*_DOCUMENT_COLUMNS).where(
            documents.c.person_id == person_id, documents.c.organisation_id == organisation_id
        )
        if kinds is not None:
            query = query.where(documents.c.kind.in_([kind.value for kind in kinds]))
        if after is not None:
            query = query.where(tuple_(documents.c.created_at, documents.c.id) < tuple_(after.at, after.id))
        rows = list(
            await self._session.execute(
                query.order_by(documents.c.created_at.desc(), documents.c.id.desc()).limit(limit)
            )
        )
        return await self._with_approvals(rows)

    async def add_approval(self, approval: Approval) -> bool:
        result = await self._session.execute(
            pg_insert(document_approvals)
            .values(**asdict(approval))
            .on_conflict_do_nothing()
            .returning(document_approvals.c.document_id)
        )
        return result.first() is not None

    async def count_awaiting(self, person_id: str, organisation_id: str, account_id: str) -> int:
        approved = select(document_approvals.c.document_id).where(
            document_approvals.c.document_id == documents.c.id, document_approvals.c.approved_by == account_id
        )
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(documents)
                .where(
                    documents.c.person_id == person_id,
                    documents.c.organisation_id == organisation_id,
                    documents.c.requires_approval,
                    ~approved.exists(),
                )
            )
            or 0
        )

    async def count_new(self, person_id: str, organisation_id: str, kinds: set[DocumentKind], since: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(documents)
                .where(
                    documents.c.person_id == person_id,
                    documents.c.organisation_id == organisation_id,
                    documents.c.kind.in_([kind.value for kind in kinds]),
                    documents.c.source == DocumentSource.PRACTICE,
                    documents.c.created_at > since,
                )
            )
            or 0
        )

    async def all_of(self, person_id: str, organisation_id: str) -> list[Document]:
        rows = list(
            await self._session.execute(
                select(*_DOCUMENT_COLUMNS)
                .where(documents.c.person_id == person_id, documents.c.organisation_id == organisation_id)
                .order_by(documents.c.created_at)
            )
        )
        return await self._with_approvals(rows)


# ----------------------------------------------------------------------------- schedules
def _slot(row: Row[Any]) -> Slot:
    return Slot(
        id=row.id,
        organisation_id=row.organisation_id,
        practitioner_id=row.practitioner_id,
        practitioner_name=row.practitioner_name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        location=row.location,
        status=SlotStatus(row.status),
    )


def _appointment(row: Any) -> Appointment:
    return Appointment(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        with_name=row.with_name,
        location=row.location,
        created_at=row.created_at,
        created_by=row.created_by,
        practitioner_id=row.practitioner_id,
        slot_id=row.slot_id,
        reason=row.reason,
        cancelled_at=row.cancelled_at,
        cancelled_by=row.cancelled_by,
    )


class SqlSlots:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, slot: Slot) -> bool:
        result = await self._session.execute(
            pg_insert(slots)
            .values(**_values(slot))
            .on_conflict_do_nothing(constraint="uq_slots_practitioner_start")
            .returning(slots.c.id)
        )
        return result.first() is not None

    async def add_all(self, new: list[Slot]) -> int:
        added = 0
        # In batches: a statement carries at most 32,767 parameters.
        for start in range(0, len(new), 1000):
            result = await self._session.execute(
                pg_insert(slots)
                .values([_values(slot) for slot in new[start : start + 1000]])
                .on_conflict_do_nothing(constraint="uq_slots_practitioner_start")
                .returning(slots.c.id)
            )
            added += len(result.all())
        return added

    async def get(self, slot_id: str, organisation_id: str, *, lock: bool = False) -> Slot | None:
        query = select(slots).where(slots.c.id == slot_id, slots.c.organisation_id == organisation_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _slot(row) if row else None

    async def save(self, slot: Slot) -> None:
        await self._session.execute(update(slots).where(slots.c.id == slot.id).values(status=slot.status.value))

    async def delete(self, slot_id: str) -> None:
        await self._session.execute(delete(slots).where(slots.c.id == slot_id))

    async def free(
        self, organisation_id: str, start: datetime, end: datetime, after: datetime, practitioner_id: str | None
    ) -> list[Slot]:
        query = select(slots).where(
            slots.c.organisation_id == organisation_id,
            slots.c.starts_at >= start,
            slots.c.starts_at < end,
            slots.c.starts_at > after,
            slots.c.status == SlotStatus.FREE,
        )
        if practitioner_id:
            query = query.where(slots.c.practitioner_id == practitioner_id)
        rows = await self._session.execute(query.order_by(slots.c.starts_at, slots.c.practitioner_name, slots.c.id))
        return [_slot(row) for row in rows]

    async def agenda(
        self, organisation_id: str, start: datetime, end: datetime, practitioner_id: str | None
    ) -> list[tuple[Slot, Appointment | None]]:
        query = (
            select(slots, *[column.label(f"a_{column.name}") for column in appointments.c])
            .select_from(
                slots.outerjoin(
                    appointments, and_(appointments.c.slot_id == slots.c.id, appointments.c.cancelled_at.is_(None))
                )
            )
            .where(slots.c.organisation_id == organisation_id, slots.c.starts_at >= start, slots.c.starts_at < end)
        )
        if practitioner_id:
            query = query.where(slots.c.practitioner_id == practitioner_id)
        rows = await self._session.execute(query.order_by(slots.c.starts_at, slots.c.practitioner_name, slots.c.id))
        found: list[tuple[Slot, Appointment | None]] = []
        for row in rows:
            booking = None
            if row.a_id is not None:
                booking = _appointment(_Prefixed(row, "a_"))
            found.append((_slot(row), booking))
        return found


class _Prefixed:
    """A row's ``a_*`` columns read without the prefix (the appointment of an agenda row)."""

    def __init__(self, row: Row[Any], prefix: str) -> None:
        self._row = row
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


class SqlAppointments:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, appointment: Appointment) -> None:
        await self._session.execute(insert(appointments).values(**asdict(appointment)))

    async def get(self, appointment_id: str, organisation_id: str, *, lock: bool = False) -> Appointment | None:
        query = select(appointments).where(
            appointments.c.id == appointment_id, appointments.c.organisation_id == organisation_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _appointment(row) if row else None

    async def save(self, appointment: Appointment) -> None:
        await self._session.execute(
            update(appointments).where(appointments.c.id == appointment.id).values(**asdict(appointment))
        )

    async def upcoming(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        query = select(appointments).where(
            appointments.c.person_id == person_id,
            appointments.c.organisation_id == organisation_id,
            appointments.c.cancelled_at.is_(None),
            appointments.c.ends_at > now,
        )
        if after is not None:
            query = query.where(tuple_(appointments.c.starts_at, appointments.c.id) > tuple_(after.at, after.id))
        rows = await self._session.execute(query.order_by(appointments.c.starts_at, appointments.c.id).limit(limit))
        return [_appointment(row) for row in rows]

    async def past(
        self, person_id: str, organisation_id: str, now: datetime, after: Keyset | None, limit: int
    ) -> list[Appointment]:
        query = select(appointments).where(
            appointments.c.person_id == person_id,
            appointments.c.organisation_id == organisation_id,
            or_(appointments.c.cancelled_at.is_not(None), appointments.c.ends_at <= now),
        )
        if after is not None:
            query = query.where(tuple_(appointments.c.starts_at, appointments.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            query.order_by(appointments.c.starts_at.desc(), appointments.c.id.desc()).limit(limit)
        )
        return [_appointment(row) for row in rows]

    async def count_held(self, person_id: str, organisation_id: str, since: datetime, now: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(appointments)
                .where(
                    appointments.c.person_id == person_id,
                    appointments.c.organisation_id == organisation_id,
                    appointments.c.cancelled_at.is_(None),
                    appointments.c.ends_at > since,
                    appointments.c.ends_at <= now,
                )
            )
            or 0
        )

    async def all_of(self, person_id: str, organisation_id: str) -> list[Appointment]:
        rows = await self._session.execute(
            select(appointments)
            .where(appointments.c.person_id == person_id, appointments.c.organisation_id == organisation_id)
            .order_by(appointments.c.starts_at)
        )
        return [_appointment(row) for row in rows]


# ----------------------------------------------------------------------------- medication
def _medication(row: Row[Any]) -> Medication:
    return Medication(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        name=row.name,
        dosage=row.dosage,
        chronic=row.chronic,
        started_on=row.started_on,
        prescribed_by=row.prescribed_by,
        created_at=row.created_at,
        stopped_on=row.stopped_on,
    )


class SqlMedications:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, medication: Medication) -> None:
        await self._session.execute(insert(medications).values(**asdict(medication)))

    async def get(self, medication_id: str, organisation_id: str, *, lock: bool = False) -> Medication | None:
        query = select(medications).where(
            medications.c.id == medication_id, medications.c.organisation_id == organisation_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _medication(row) if row else None

    async def save(self, medication: Medication) -> None:
        await self._session.execute(
            update(medications).where(medications.c.id == medication.id).values(**asdict(medication))
        )

    async def of_person(self, person_id: str, organisation_id: str) -> list[Medication]:
        rows = await self._session.execute(
            select(medications)
            .where(medications.c.person_id == person_id, medications.c.organisation_id == organisation_id)
            .order_by(medications.c.name, medications.c.id)
        )
        return [_medication(row) for row in rows]


def _prescription(row: Row[Any]) -> PrescriptionRequest:
    return PrescriptionRequest(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        items=[PrescriptionItem(i["medication_id"], i["name"], i["dosage"]) for i in row.items],
        requested_at=row.requested_at,
        requested_by=row.requested_by,
        ready_on=row.ready_on,
        note=row.note,
        status=PrescriptionStatus(row.status),
        handled_at=row.handled_at,
        handled_by=row.handled_by,
        answer=row.answer,
    )


class SqlPrescriptions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: PrescriptionRequest) -> None:
        await self._session.execute(insert(prescription_requests).values(**_values(request)))

    async def get(self, request_id: str, organisation_id: str, *, lock: bool = False) -> PrescriptionRequest | None:
        query = select(prescription_requests).where(
            prescription_requests.c.id == request_id, prescription_requests.c.organisation_id == organisation_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _prescription(row) if row else None

    async def save(self, request: PrescriptionRequest) -> None:
        await self._session.execute(
            update(prescription_requests).where(prescription_requests.c.id == request.id).values(**_values(request))
        )

    async def of_person(
        self, person_id: str, organisation_id: str, after: Keyset | None, limit: int
    ) -> list[PrescriptionRequest]:
        query = select(prescription_requests).where(
            prescription_requests.c.person_id == person_id,
            prescription_requests.c.organisation_id == organisation_id,
        )
        if after is not None:
            query = query.where(
                tuple_(prescription_requests.c.requested_at, prescription_requests.c.id) < tuple_(after.at, after.id)
            )
        rows = await self._session.execute(
            query.order_by(prescription_requests.c.requested_at.desc(), prescription_requests.c.id.desc()).limit(limit)
        )
        return [_prescription(row) for row in rows]

    async def of_organisation(
        self, organisation_id: str, status: PrescriptionStatus | None, after: tuple[date, str] | None, limit: int
    ) -> list[PrescriptionRequest]:
        query = select(prescription_requests).where(prescription_requests.c.organisation_id == organisation_id)
        if status is not None:
            query = query.where(prescription_requests.c.status == status)
        if after is not None:
            query = query.where(tuple_(prescription_requests.c.ready_on, prescription_requests.c.id) > tuple_(*after))
        rows = await self._session.execute(
            query.order_by(prescription_requests.c.ready_on, prescription_requests.c.id).limit(limit)
        )
        return [_prescription(row) for row in rows]


# ----------------------------------------------------------------------------- results
def _observation_json(observation: Observation) -> dict[str, Any]:
    return {
        "code": observation.code,
        "name": observation.name,
        "value": observation.value,
        "unit": observation.unit,
        "reference_low": str(observation.reference_low) if observation.reference_low is not None else None,
        "reference_high": str(observation.reference_high) if observation.reference_high is not None else None,
        "reference_text": observation.reference_text,
    }


def _observation(data: dict[str, Any]) -> Observation:
    low, high = data.get("reference_low"), data.get("reference_high")
    return Observation(
        code=data["code"],
        name=data["name"],
        value=data["value"],
        unit=data["unit"],
        reference_low=Decimal(low) if low is not None else None,
        reference_high=Decimal(high) if high is not None else None,
        reference_text=data.get("reference_text", ""),
    )


def _result(row: Row[Any]) -> LabResult:
    return LabResult(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        title=row.title,
        taken_at=row.taken_at,
        published_at=row.published_at,
        published_by=row.published_by,
        published_by_name=row.published_by_name,
        observations=[_observation(item) for item in row.observations],
    )


class SqlResults:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, result: LabResult) -> None:
        await self._session.execute(
            insert(lab_results).values(
                id=result.id,
                person_id=result.person_id,
                organisation_id=result.organisation_id,
                title=result.title,
                taken_at=result.taken_at,
                published_at=result.published_at,
                published_by=result.published_by,
                published_by_name=result.published_by_name,
                observations=[_observation_json(o) for o in result.observations],
            )
        )

    async def get(self, result_id: str) -> LabResult | None:
        row = (await self._session.execute(select(lab_results).where(lab_results.c.id == result_id))).first()
        return _result(row) if row else None

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[LabResult]:
        query = select(lab_results).where(
            lab_results.c.person_id == person_id, lab_results.c.organisation_id == organisation_id
        )
        if after is not None:
            query = query.where(tuple_(lab_results.c.published_at, lab_results.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            query.order_by(lab_results.c.published_at.desc(), lab_results.c.id.desc()).limit(limit)
        )
        return [_result(row) for row in rows]

    async def count_new(self, person_id: str, organisation_id: str, since: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(lab_results)
                .where(
                    lab_results.c.person_id == person_id,
                    lab_results.c.organisation_id == organisation_id,
                    lab_results.c.published_at > since,
                )
            )
            or 0
        )


# ----------------------------------------------------------------------------- diary
def _entry(row: Row[Any]) -> DiaryEntry:
    return DiaryEntry(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        author_id=row.author_id,
        body=row.body,
        shared=row.shared,
        written_at=row.written_at,
        updated_at=row.updated_at,
    )


class SqlDiary:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: DiaryEntry) -> None:
        await self._session.execute(insert(diary_entries).values(**asdict(entry)))

    async def get(self, entry_id: str, *, lock: bool = False) -> DiaryEntry | None:
        query = select(diary_entries).where(diary_entries.c.id == entry_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _entry(row) if row else None

    async def save(self, entry: DiaryEntry) -> None:
        await self._session.execute(update(diary_entries).where(diary_entries.c.id == entry.id).values(**asdict(entry)))

    async def _page(self, query: Any, after: Keyset | None, limit: int) -> list[DiaryEntry]:
        if after is not None:
            query = query.where(tuple_(diary_entries.c.written_at, diary_entries.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            query.order_by(diary_entries.c.written_at.desc(), diary_entries.c.id.desc()).limit(limit)
        )
        return [_entry(row) for row in rows]

    async def of_author(
        self, person_id: str, organisation_id: str, author_id: str, after: Keyset | None, limit: int
    ) -> list[DiaryEntry]:
        query = select(diary_entries).where(
            diary_entries.c.person_id == person_id,
            diary_entries.c.organisation_id == organisation_id,
            diary_entries.c.author_id == author_id,
        )
        return await self._page(query, after, limit)

    async def shared(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[DiaryEntry]:
        query = select(diary_entries).where(
            diary_entries.c.person_id == person_id,
            diary_entries.c.organisation_id == organisation_id,
            diary_entries.c.shared,
        )
        return await self._page(query, after, limit)

    async def count_new(self, person_id: str, organisation_id: str, author_id: str, since: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(diary_entries)
                .where(
                    diary_entries.c.person_id == person_id,
                    diary_entries.c.organisation_id == organisation_id,
                    diary_entries.c.author_id == author_id,
                    diary_entries.c.written_at > since,
                )
            )
            or 0
        )


# ----------------------------------------------------------------------------- questionnaires
def _questionnaire(row: Row[Any]) -> Questionnaire:
    return Questionnaire(
        id=row.id,
        person_id=row.person_id,
        organisation_id=row.organisation_id,
        title=row.title,
        questions=[
            Question(**{**q, "kind": QuestionKind(q["kind"]), "options": tuple(q["options"])}) for q in row.questions
        ],
        sent_at=row.sent_at,
        sent_by=row.sent_by,
        sent_by_name=row.sent_by_name,
        status=QuestionnaireStatus(row.status),
        answers=dict(row.answers),
        saved_at=row.saved_at,
        saved_by=row.saved_by,
        submitted_at=row.submitted_at,
    )


class SqlQuestionnaires:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, questionnaire: Questionnaire) -> None:
        await self._session.execute(insert(questionnaires).values(**_values(questionnaire)))

    async def get(self, questionnaire_id: str, *, lock: bool = False) -> Questionnaire | None:
        query = select(questionnaires).where(questionnaires.c.id == questionnaire_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _questionnaire(row) if row else None

    async def save(self, questionnaire: Questionnaire) -> None:
        await self._session.execute(
            update(questionnaires).where(questionnaires.c.id == questionnaire.id).values(**_values(questionnaire))
        )

    async def of_person(self, person_id: str, organisation_id: str) -> list[Questionnaire]:
        rows = await self._session.execute(
            select(questionnaires)
            .where(questionnaires.c.person_id == person_id, questionnaires.c.organisation_id == organisation_id)
            .order_by(questionnaires.c.sent_at.desc())
            .limit(LIST_CAP)
        )
        return [_questionnaire(row) for row in rows]

    async def of_organisation(
        self,
        organisation_id: str,
        person_id: str | None,
        status: QuestionnaireStatus | None,
        after: Keyset | None,
        limit: int,
    ) -> list[tuple[Questionnaire, str]]:
        # The client's name comes from the practice's own record, in the same query: a
        # questionnaire of someone no longer on the record is listed without a name.
        query = (
            select(
                questionnaires,
                clients.c.first_name.label("client_first_name"),
                clients.c.last_name.label("client_last_name"),
            )
            .select_from(
                questionnaires.outerjoin(
                    clients,
                    and_(
                        clients.c.person_id == questionnaires.c.person_id,
                        clients.c.organisation_id == questionnaires.c.organisation_id,
                    ),
                )
            )
            .where(questionnaires.c.organisation_id == organisation_id)
        )
        if person_id is not None:
            query = query.where(questionnaires.c.person_id == person_id)
        if status is not None:
            query = query.where(questionnaires.c.status == status)
        if after is not None:
            query = query.where(tuple_(questionnaires.c.sent_at, questionnaires.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            query.order_by(questionnaires.c.sent_at.desc(), questionnaires.c.id.desc()).limit(limit)
        )
        return [
            (_questionnaire(row), f"{row.client_first_name or ''} {row.client_last_name or ''}".strip()) for row in rows
        ]


# ----------------------------------------------------------------------------- learnt from events
class SqlDelegates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_granted(self, link: DelegateLink) -> None:
        # An "ended" that arrived first (another consumer, another order) is never undone.
        await self._session.execute(
            pg_insert(delegate_links)
            .values(**asdict(link))
            .on_conflict_do_update(
                index_elements=[delegate_links.c.delegation_id],
                set_={
                    "delegate_name": link.delegate_name,
                    "delegate_email": link.delegate_email,
                    "delegate_language": link.delegate_language,
                },
            )
        )

    async def record_ended(self, link: DelegateLink) -> None:
        await self._session.execute(
            pg_insert(delegate_links)
            .values(**{**asdict(link), "active": False})
            .on_conflict_do_update(
                index_elements=[delegate_links.c.delegation_id],
                set_={"active": False, "changed_at": link.changed_at},
            )
        )

    async def active_for(self, person_id: str, organisation_id: str) -> list[DelegateLink]:
        rows = await self._session.execute(
            select(delegate_links)
            .where(
                delegate_links.c.person_id == person_id,
                delegate_links.c.organisation_id == organisation_id,
                delegate_links.c.active,
            )
            .order_by(delegate_links.c.changed_at)
        )
        return [
            DelegateLink(
                r.delegation_id,
                r.organisation_id,
                r.person_id,
                r.delegate_id,
                r.delegate_name,
                r.delegate_email,
                r.delegate_language,
                r.active,
                r.changed_at,
            )
            for r in rows
        ]


class SqlMessageActivity:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, activity: MessageActivity) -> None:
        await self._session.execute(pg_insert(message_activity).values(**asdict(activity)).on_conflict_do_nothing())

    async def count_received(self, person_id: str, organisation_id: str, since: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(message_activity)
                .where(
                    message_activity.c.person_id == person_id,
                    message_activity.c.organisation_id == organisation_id,
                    message_activity.c.direction == "received",
                    message_activity.c.sent_at > since,
                )
            )
            or 0
        )

    async def of_person(self, person_id: str, organisation_id: str, limit: int) -> list[MessageActivity]:
        rows = await self._session.execute(
            select(message_activity)
            .where(message_activity.c.person_id == person_id, message_activity.c.organisation_id == organisation_id)
            .order_by(message_activity.c.sent_at.desc())
            .limit(limit)
        )
        return [
            MessageActivity(
                r.message_id,
                r.person_id,
                r.thread_id,
                r.thread_kind,
                r.organisation_id,
                r.direction,
                r.sender_name,
                r.sent_at,
                r.acted_by,
            )
            for r in rows
        ]


class SqlVisits:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_update(self, person_id: str, actor_id: str) -> Visit | None:
        row = (
            await self._session.execute(
                select(portal_visits)
                .where(portal_visits.c.person_id == person_id, portal_visits.c.actor_id == actor_id)
                .with_for_update()
            )
        ).first()
        return Visit(row.session_id, row.since, row.last_seen_at) if row else None

    async def put(self, person_id: str, actor_id: str, visit: Visit) -> None:
        values = {"session_id": visit.session_id, "since": visit.since, "last_seen_at": visit.last_seen_at}
        await self._session.execute(
            pg_insert(portal_visits)
            .values(person_id=person_id, actor_id=actor_id, **values)
            .on_conflict_do_update(index_elements=[portal_visits.c.person_id, portal_visits.c.actor_id], set_=values)
        )


class SqlActions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, action: Action) -> None:
        await self._session.execute(insert(portal_actions).values(**asdict(action)))

    async def page(self, person_id: str, organisation_id: str, after: Keyset | None, limit: int) -> list[Action]:
        query = select(portal_actions).where(
            portal_actions.c.person_id == person_id, portal_actions.c.organisation_id == organisation_id
        )
        if after is not None:
            query = query.where(tuple_(portal_actions.c.at, portal_actions.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            query.order_by(portal_actions.c.at.desc(), portal_actions.c.id.desc()).limit(limit)
        )
        return [Action(r.id, r.person_id, r.organisation_id, r.actor_id, r.action, r.object_id, r.at) for r in rows]


# ----------------------------------------------------------------------------- searching the dossier
def like_pattern(text: str) -> str:
    """``text`` as an ILIKE pattern that finds it anywhere, taken literally: a typed ``%`` or
    ``_`` (or the escape character itself) matches only itself."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlDossierSearch:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
        pattern = like_pattern(text)
        found = union_all(
            select(
                case(
                    (documents.c.kind == DocumentKind.REPORT.value, literal(HitKind.REPORT.value)),
                    else_=literal(HitKind.DOCUMENT.value),
                ).label("kind"),
                documents.c.id,
                documents.c.title,
                documents.c.created_at.label("at"),
            ).where(
                documents.c.person_id == person_id,
                documents.c.organisation_id == organisation_id,
                documents.c.title.ilike(pattern, escape="\\"),
            ),
            select(
                literal(HitKind.RESULT.value).label("kind"),
                lab_results.c.id,
                lab_results.c.title,
                lab_results.c.published_at.label("at"),
            ).where(
                lab_results.c.person_id == person_id,
                lab_results.c.organisation_id == organisation_id,
                lab_results.c.title.ilike(pattern, escape="\\"),
            ),
            select(
                literal(HitKind.MEDICATION.value).label("kind"),
                medications.c.id,
                medications.c.name.label("title"),
                medications.c.created_at.label("at"),
            ).where(
                medications.c.person_id == person_id,
                medications.c.organisation_id == organisation_id,
                or_(medications.c.stopped_on.is_(None), medications.c.stopped_on > today),
                medications.c.name.ilike(pattern, escape="\\"),
            ),
            select(
                literal(HitKind.DIARY.value).label("kind"),
                diary_entries.c.id,
                func.left(diary_entries.c.body, 200).label("title"),
                diary_entries.c.written_at.label("at"),
            ).where(
                diary_entries.c.person_id == person_id,
                diary_entries.c.organisation_id == organisation_id,
                diary_entries.c.author_id == author_id,
                diary_entries.c.body.ilike(pattern, escape="\\"),
            ),
        ).subquery()
        query = select(found)
        if after is not None:
            query = query.where(tuple_(found.c.at, found.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(query.order_by(found.c.at.desc(), found.c.id.desc()).limit(limit))
        return [DossierHit(HitKind(row.kind), row.id, row.title, row.at) for row in rows]
