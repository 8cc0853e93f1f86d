"""The e-counter's repository on PostgreSQL (``EcounterRepository`` of the service ports)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, delete, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.adapters.orm import (
    ecounter_cases,
    ecounter_entries,
    ecounter_reference_numbers,
    ecounter_thread_contacts,
)
from messaging.domain.ecounter import Box, EcounterCase, EcounterEntry, EntryStatus, MessageContact
from messaging.service.ports import EcounterFilter, ListCursor

OWN = "own"
EXCLUDED = "excluded"


def _like(value: str) -> str:
    """A substring pattern with the user's ``%`` and ``_`` taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _entry(row: Any) -> EcounterEntry:
    return EcounterEntry(
        id=row.id,
        organisation_id=row.organisation_id,
        box=Box(row.box),
        thread_id=row.thread_id,
        message_id=row.message_id,
        theme_id=row.theme_id,
        theme_name=row.theme_name,
        reference=row.reference,
        title=row.title,
        sender_name=row.sender_name,
        sender_organisation_name=row.sender_organisation_name,
        counterpart_name=row.counterpart_name,
        status=EntryStatus(row.status),
        sent_at=row.sent_at,
    )


class SqlEcounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_reference_number(self, year: int) -> int:
        # The row lock of the upsert makes concurrent senders take numbers in turn.
        statement = (
            pg_insert(ecounter_reference_numbers)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[ecounter_reference_numbers.c.year],
                set_={"last_number": ecounter_reference_numbers.c.last_number + 1},
            )
            .returning(ecounter_reference_numbers.c.last_number)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add_case(self, case: EcounterCase) -> None:
        await self._session.execute(
            pg_insert(ecounter_cases).values(
                thread_id=case.thread_id,
                reference=case.reference,
                theme_id=case.theme_id,
                theme_name=case.theme_name,
                organisation_id=case.organisation_id,
                organisation_name=case.organisation_name,
                department_id=case.department_id,
                department_name=case.department_name,
                team_name=case.team_name,
                created_at=case.created_at,
            )
        )

    async def case(self, thread_id: str) -> EcounterCase | None:
        row = (
            await self._session.execute(select(ecounter_cases).where(ecounter_cases.c.thread_id == thread_id))
        ).first()
        if row is None:
            return None
        return EcounterCase(
            thread_id=row.thread_id,
            reference=row.reference,
            theme_id=row.theme_id,
            theme_name=row.theme_name,
            organisation_id=row.organisation_id,
            organisation_name=row.organisation_name,
            department_id=row.department_id,
            department_name=row.department_name,
            team_name=row.team_name,
            created_at=row.created_at,
        )

    async def add_entries(self, entries: list[EcounterEntry]) -> None:
        await self._session.execute(
            pg_insert(ecounter_entries),
            [
                {
                    "id": e.id,
                    "organisation_id": e.organisation_id,
                    "box": e.box.value,
                    "thread_id": e.thread_id,
                    "message_id": e.message_id,
                    "theme_id": e.theme_id,
                    "theme_name": e.theme_name,
                    "reference": e.reference,
                    "title": e.title,
                    "sender_name": e.sender_name,
                    "sender_organisation_name": e.sender_organisation_name,
                    "counterpart_name": e.counterpart_name,
                    "status": e.status.value,
                    "sent_at": e.sent_at,
                }
                for e in entries
            ],
        )

    async def entries(
        self, organisation_id: str, narrowed: EcounterFilter, after: ListCursor | None, limit: int
    ) -> list[EcounterEntry]:
        """Named query ``ecounter_entries_page``: served by ``ix_ecounter_entries_box`` (a box)
        or ``ix_ecounter_entries_theme`` (a theme's In/Out), newest first from the keyset."""
        t = ecounter_entries
        conditions = [t.c.organisation_id == organisation_id]
        if narrowed.box is not None:
            conditions.append(t.c.box == narrowed.box.value)
        if narrowed.theme_id:
            conditions.append(t.c.theme_id == narrowed.theme_id)
        if narrowed.reference:
            conditions.append(t.c.reference == narrowed.reference)
        if narrowed.title:
            conditions.append(t.c.title.ilike(_like(narrowed.title)))
        if narrowed.sender:
            pattern = _like(narrowed.sender)
            conditions.append(or_(t.c.sender_name.ilike(pattern), t.c.sender_organisation_name.ilike(pattern)))
        if narrowed.status is not None:
            conditions.append(t.c.status == narrowed.status.value)
        if narrowed.sent_from is not None:
            conditions.append(t.c.sent_at >= narrowed.sent_from)
        if narrowed.sent_before is not None:
            conditions.append(t.c.sent_at < narrowed.sent_before)
        if after is not None:
            conditions.append(tuple_(t.c.sent_at, t.c.id) < tuple_(after.at, after.id))
        rows = await self._session.execute(
            select(t).where(and_(*conditions)).order_by(t.c.sent_at.desc(), t.c.id.desc()).limit(limit)
        )
        return [_entry(row) for row in rows]

    async def history(self, organisation_id: str, thread_id: str) -> list[EcounterEntry]:
        t = ecounter_entries
        rows = await self._session.execute(
            select(t)
            .where(t.c.thread_id == thread_id, t.c.organisation_id == organisation_id)
            .order_by(t.c.sent_at, t.c.id)
        )
        return [_entry(row) for row in rows]

    async def set_status(
        self, organisation_id: str, thread_id: str, from_statuses: tuple[EntryStatus, ...], to: EntryStatus
    ) -> None:
        t = ecounter_entries
        await self._session.execute(
            update(t)
            .where(
                t.c.thread_id == thread_id,
                t.c.organisation_id == organisation_id,
                t.c.box == Box.RECEIVED.value,
                t.c.status.in_([s.value for s in from_statuses]),
            )
            .values(status=to.value)
        )

    async def own_contacts(self, thread_id: str) -> list[MessageContact]:
        c = ecounter_thread_contacts
        rows = await self._session.execute(
            select(c).where(c.c.thread_id == thread_id, c.c.kind == OWN).order_by(c.c.last_name, c.c.first_name)
        )
        return [MessageContact(r.id, r.thread_id, r.first_name, r.last_name, r.email, r.phone) for r in rows]

    async def excluded_contacts(self, thread_id: str) -> set[str]:
        c = ecounter_thread_contacts
        rows = await self._session.execute(
            select(c.c.contact_person_id).where(c.c.thread_id == thread_id, c.c.kind == EXCLUDED)
        )
        return {str(value) for value in rows.scalars()}

    async def add_own_contact(self, contact: MessageContact) -> None:
        await self._session.execute(
            pg_insert(ecounter_thread_contacts).values(
                id=contact.id,
                thread_id=contact.thread_id,
                kind=OWN,
                first_name=contact.first_name,
                last_name=contact.last_name,
                email=contact.email,
                phone=contact.phone,
            )
        )

    async def remove_own_contacts(self, thread_id: str, contact_ids: set[str]) -> None:
        if not contact_ids:
            return
        c = ecounter_thread_contacts
        await self._session.execute(
            delete(c).where(c.c.thread_id == thread_id, c.c.kind == OWN, c.c.id.in_(sorted(contact_ids)))
        )

    async def exclude_contacts(self, thread_id: str, contact_person_ids: set[str]) -> None:
        already = await self.excluded_contacts(thread_id)
        rows = [
            {"id": str(uuid.uuid4()), "thread_id": thread_id, "kind": EXCLUDED, "contact_person_id": person_id}
            for person_id in sorted(contact_person_ids - already)
        ]
        if rows:
            await self._session.execute(pg_insert(ecounter_thread_contacts), rows)
