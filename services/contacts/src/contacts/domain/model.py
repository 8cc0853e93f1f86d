"""Contacts' domain: how citizens and partners reach an organisation (seed 3, "Organisatiegegevens")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrganisationProfile:
    organisation_id: str
    email: str = ""
    phone: str = ""
    website: str = ""
    visiting_address: str = ""
    postal_address: str = ""
    updated_at: datetime | None = None
    updated_by: str | None = None

    @classmethod
    def empty(cls, organisation_id: str) -> OrganisationProfile:
        """What an organisation that never filled in its data has."""
        return cls(organisation_id=organisation_id)
