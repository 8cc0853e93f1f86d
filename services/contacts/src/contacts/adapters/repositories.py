"""Contacts' repositories on PostgreSQL (the ports of ``contacts.service.ports``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contacts.adapters.orm import contact_persons, organisation_profiles, themes
from contacts.domain.contact_persons import ContactDetails, ContactPerson
from contacts.domain.model import OrganisationProfile
from contacts.domain.themes import Theme
from contacts.service.contact_persons import EMAIL_TAKEN
from zorgpost_kit.errors import InvalidArgument


class SqlOrganisationProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, organisation_id: str) -> OrganisationProfile | None:
        row = (
            await self._session.execute(
                select(organisation_profiles).where(organisation_profiles.c.organisation_id == organisation_id)
            )
        ).first()
        if row is None:
            return None
        return OrganisationProfile(
            organisation_id=row.organisation_id,
            email=row.email,
            phone=row.phone,
            website=row.website,
            visiting_address=row.visiting_address,
            postal_address=row.postal_address,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    async def save(self, profile: OrganisationProfile) -> None:
        values = {
            "email": profile.email,
            "phone": profile.phone,
            "website": profile.website,
            "visiting_address": profile.visiting_address,
            "postal_address": profile.postal_address,
            "updated_at": profile.updated_at,
            "updated_by": profile.updated_by,
        }
        await self._session.execute(
            pg_insert(organisation_profiles)
            .values(organisation_id=profile.organisation_id, **values)
            .on_conflict_do_update(index_elements=[organisation_profiles.c.organisation_id], set_=values)
        )


class SqlThemeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @staticmethod
    def _theme(row: Any) -> Theme:
        return Theme(
            id=row.id,
            name=row.name,
            name_en=row.name_en,
            department_organisation_id=row.department_organisation_id,
            department_name=row.department_name,
            team_name=row.team_name,
        )

    async def all(self) -> list[Theme]:
        rows = await self._session.execute(select(themes).order_by(themes.c.department_name, themes.c.name))
        return [self._theme(row) for row in rows]

    async def get(self, theme_id: str) -> Theme | None:
        row = (await self._session.execute(select(themes).where(themes.c.id == theme_id))).first()
        return self._theme(row) if row is not None else None

    async def save(self, theme: Theme) -> None:
        values = {
            "name": theme.name,
            "name_en": theme.name_en,
            "department_organisation_id": theme.department_organisation_id,
            "department_name": theme.department_name,
            "team_name": theme.team_name,
        }
        await self._session.execute(
            pg_insert(themes)
            .values(id=theme.id, **values)
            .on_conflict_do_update(index_elements=[themes.c.id], set_=values)
        )


def _person(row: Any) -> ContactPerson:
    return ContactPerson(
        id=row.id,
        organisation_id=row.organisation_id,
        details=ContactDetails(row.first_name, row.last_name, row.email, row.phone, tuple(row.theme_ids)),
        created_at=row.created_at,
        updated_at=row.updated_at,
        confirmed_at=row.confirmed_at,
        confirmation_hash=row.confirmation_hash,
        confirmation_expires_at=row.confirmation_expires_at,
    )


def _person_values(person: ContactPerson) -> dict[str, Any]:
    return {
        "first_name": person.details.first_name,
        "last_name": person.details.last_name,
        "email": person.details.email,
        "phone": person.details.phone,
        "theme_ids": list(person.details.theme_ids),
        "updated_at": person.updated_at,
        "confirmed_at": person.confirmed_at,
        "confirmation_hash": person.confirmation_hash,
        "confirmation_expires_at": person.confirmation_expires_at,
    }


class SqlContactPersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_organisation(self, organisation_id: str) -> list[ContactPerson]:
        rows = await self._session.execute(
            select(contact_persons)
            .where(contact_persons.c.organisation_id == organisation_id)
            .order_by(contact_persons.c.last_name, contact_persons.c.first_name, contact_persons.c.id)
        )
        return [_person(row) for row in rows]

    async def get(self, organisation_id: str, contact_person_id: str, *, lock: bool = False) -> ContactPerson | None:
        query = select(contact_persons).where(
            contact_persons.c.organisation_id == organisation_id, contact_persons.c.id == contact_person_id
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _person(row) if row is not None else None

    async def by_confirmation(self, token_hash: str, *, lock: bool = False) -> ContactPerson | None:
        query = select(contact_persons).where(contact_persons.c.confirmation_hash == token_hash)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _person(row) if row is not None else None

    async def _write(self, statement: Any) -> None:
        # Two staff members adding the same address at once: the unique index decides.
        try:
            async with self._session.begin_nested():
                await self._session.execute(statement)
        except IntegrityError:
            raise InvalidArgument(fields={"email": EMAIL_TAKEN}) from None

    async def add(self, person: ContactPerson) -> None:
        await self._write(
            pg_insert(contact_persons).values(
                id=person.id,
                organisation_id=person.organisation_id,
                created_at=person.created_at,
                **_person_values(person),
            )
        )

    async def save(self, person: ContactPerson) -> None:
        await self._write(
            update(contact_persons).where(contact_persons.c.id == person.id).values(**_person_values(person))
        )

    async def remove(self, person: ContactPerson) -> None:
        await self._session.execute(delete(contact_persons).where(contact_persons.c.id == person.id))
