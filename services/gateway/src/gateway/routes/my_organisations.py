"""/api/v1/me/organisations: every organisation the caller belongs to — the one a staff
member works for, or each organisation that serves a person (a patient of a practice, a
client of a youth care practice); ``home`` marks the one their token names, whose security
policy their sign-in follows."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import errors
from gateway.routes.auth import OrganisationOut, organisation_out
from zorgpost.identity.v1 import organisations_pb2

router = APIRouter(tags=["me"])


class MyOrganisationOut(BaseModel):
    organisation: OrganisationOut
    relation: Literal["staff", "client"]
    home: bool


@router.get("/me/organisations", response_model=list[MyOrganisationOut], responses=errors(403))
async def my_organisations(caller: CurrentCaller, clients: Clients) -> list[MyOrganisationOut]:
    response = await clients.call(
        clients.organisations.ListMyOrganisations, organisations_pb2.ListMyOrganisationsRequest(), caller
    )
    return [
        MyOrganisationOut(
            organisation=organisation_out(item.organisation),
            relation=item.relation,
            home=item.home,
        )
        for item in response.organisations
    ]
