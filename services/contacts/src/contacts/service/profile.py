"""Use cases of the organisation profile (seed 3: "Organisatiegegevens")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.domain.model import OrganisationProfile
from contacts.service.ports import UnitOfWorkFactory
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_email, check_phone, check_text, check_url

MAX_ADDRESS_LENGTH = 300


@dataclass(frozen=True)
class ProfileDraft:
    email: str
    phone: str
    website: str
    visiting_address: str
    postal_address: str


async def get_profile(uow_factory: UnitOfWorkFactory, principal: Principal) -> OrganisationProfile:
    """The caller's organisation profile (any staff member); empty when never filled in."""
    principal.require(Capability.VIEW_ORGANISATION)
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        stored = await uow.profiles.get(principal.organisation_id)
    return stored or OrganisationProfile.empty(principal.organisation_id)


def check_profile(principal: Principal, draft: ProfileDraft, *, now: datetime | None = None) -> OrganisationProfile:
    """Administrators only. Validates every field at once; as the seed says, nothing is
    saved on an error."""
    principal.require(Capability.MANAGE_ORGANISATION_SETTINGS)
    assert principal.organisation_id is not None
    errors = FieldErrors()
    profile = OrganisationProfile(
        organisation_id=principal.organisation_id,
        email=check_email(draft.email, "email", errors, required=False),
        phone=check_phone(draft.phone, "phone", errors),
        website=check_url(draft.website, "website", errors),
        visiting_address=check_text(
            draft.visiting_address, "visiting_address", errors, max_length=MAX_ADDRESS_LENGTH, required=False
        ),
        postal_address=check_text(
            draft.postal_address, "postal_address", errors, max_length=MAX_ADDRESS_LENGTH, required=False
        ),
        updated_at=now or datetime.now(UTC),
        updated_by=principal.actor_id,
    )
    errors.raise_if_any()
    return profile


async def do_update_profile(uow_factory: UnitOfWorkFactory, profile: OrganisationProfile) -> None:
    """Stores a profile :func:`check_profile` accepted, replacing the previous one."""
    async with uow_factory() as uow:
        await uow.profiles.save(profile)
        await uow.commit()
