"""Contacts' repositories on PostgreSQL (the ports of ``contacts.service.ports``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from contacts.adapters.orm import organisation_profiles
from contacts.domain.model import OrganisationProfile


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
