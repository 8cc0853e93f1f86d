"""Contacts' unit of work on PostgreSQL (the port :class:`contacts.service.ports.ContactsUnitOfWork`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contacts.adapters.repositories import (
    SqlContactPersonRepository,
    SqlOrganisationProfileRepository,
    SqlThemeRepository,
)
from zorgpost_kit.db import UnitOfWork


class SqlContactsUnitOfWork(UnitOfWork):
    profiles: SqlOrganisationProfileRepository
    themes: SqlThemeRepository
    contact_persons: SqlContactPersonRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.profiles = SqlOrganisationProfileRepository(session)
        self.themes = SqlThemeRepository(session)
        self.contact_persons = SqlContactPersonRepository(session)
