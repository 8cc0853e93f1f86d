"""/api/v1/organisation/profile: the caller's organisation's contact data (seed 3)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import EMAIL_DESCRIPTION, MULTI_LINE, errors, optional
from gateway.timestamps import to_datetime
from zorgpost.contacts.v1 import contacts_pb2

router = APIRouter(tags=["organisation"])


class ProfileIn(BaseModel):
    """Every field may be left empty."""

    email: str = optional({"format": "email"}, max_length=320, description=EMAIL_DESCRIPTION)
    phone: str = optional({"format": "phone"}, max_length=40, description="A phone number (Dutch without +31).")
    website: str = optional({"format": "uri", "pattern": "^https?://[^\\s/]+"}, max_length=500)
    visiting_address: str = optional({"pattern": MULTI_LINE}, max_length=300)
    postal_address: str = optional({"pattern": MULTI_LINE}, max_length=300)


class ProfileOut(BaseModel):
    email: str
    phone: str
    website: str
    visiting_address: str
    postal_address: str

    organisation_id: str
    updated_at: datetime | None


def _profile(message: contacts_pb2.OrganisationProfile) -> ProfileOut:
    return ProfileOut(
        organisation_id=message.organisation_id,
        email=message.email,
        phone=message.phone,
        website=message.website,
        visiting_address=message.visiting_address,
        postal_address=message.postal_address,
        updated_at=to_datetime(message.updated_at) if message.HasField("updated_at") else None,
    )


@router.get("/organisation/profile", response_model=ProfileOut, responses=errors(404))
async def get_profile(caller: CurrentCaller, clients: Clients) -> ProfileOut:
    return _profile(
        await clients.call(
            clients.contacts.GetOrganisationProfile, contacts_pb2.GetOrganisationProfileRequest(), caller
        )
    )


@router.put("/organisation/profile", response_model=ProfileOut, responses=errors(404))
async def update_profile(body: ProfileIn, caller: CurrentCaller, clients: Clients) -> ProfileOut:
    """Replaces the profile. Every invalid field is named; nothing is saved then."""
    return _profile(
        await clients.call(
            clients.contacts.UpdateOrganisationProfile,
            contacts_pb2.UpdateOrganisationProfileRequest(**body.model_dump()),
            caller,
        )
    )
