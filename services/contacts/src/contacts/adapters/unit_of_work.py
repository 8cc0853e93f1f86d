"""Contacts' unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contacts.adapters.repositories import OrganisationProfileRepository
from zorgpost_kit.db import UnitOfWork


class ContactsUnitOfWork(UnitOfWork):
    profiles: OrganisationProfileRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.profiles = OrganisationProfileRepository(session)
