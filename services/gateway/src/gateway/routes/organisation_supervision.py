"""/api/v1/organisation/supervised and /supervisors: a government department and the
organisations it supervises, with the themes (codes such as ``jeugdzorg``) in which they
exchange messages. The operator makes a link (``zorgpost-identity organisations supervise``);
the department's administrators change its themes or end it; both sides' staff read it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import PathId, errors
from gateway.routes.auth import OrganisationOut, organisation_out
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import organisations_pb2

router = APIRouter(tags=["organisation"])

#: A theme code: lower-case letters, digits and -, up to 64 (the contacts service's theme ids).
ThemeCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class ThemesIn(BaseModel):
    #: Theme codes: lower-case letters, digits and -, up to 64 (the contacts service's theme ids).
    themes: list[ThemeCode] = Field(min_length=1, max_length=50)


class SupervisionOut(BaseModel):
    #: The organisation on the other side of the link.
    organisation: OrganisationOut
    themes: list[str]
    since: datetime


def _link(message: organisations_pb2.SupervisionLink) -> SupervisionOut:
    return SupervisionOut(
        organisation=organisation_out(message.organisation),
        themes=list(message.themes),
        since=to_datetime(message.since),
    )


@router.get("/organisation/supervised", response_model=list[SupervisionOut], responses=errors(403))
async def list_supervised(caller: CurrentCaller, clients: Clients) -> list[SupervisionOut]:
    """The organisations the caller's department supervises (empty for other kinds)."""
    response = await clients.call(
        clients.organisations.ListSupervisedOrganisations, organisations_pb2.ListSupervisionRequest(), caller
    )
    return [_link(link) for link in response.links]


@router.get("/organisation/supervisors", response_model=list[SupervisionOut], responses=errors(403))
async def list_supervisors(caller: CurrentCaller, clients: Clients) -> list[SupervisionOut]:
    """The departments that supervise the caller's organisation."""
    response = await clients.call(
        clients.organisations.ListSupervisors, organisations_pb2.ListSupervisionRequest(), caller
    )
    return [_link(link) for link in response.links]


@router.put(
    "/organisation/supervised/{organisation_id}",
    response_model=SupervisionOut,
    responses=errors(403, 404),
)
async def set_supervision_themes(
    organisation_id: PathId, body: ThemesIn, caller: CurrentCaller, clients: Clients
) -> SupervisionOut:
    """The department's administrators: the themes of one of its links."""
    message = await clients.call(
        clients.organisations.SetSupervisionThemes,
        organisations_pb2.SetSupervisionThemesRequest(organisation_id=organisation_id, themes=body.themes),
        caller,
    )
    return _link(message)


@router.delete(
    "/organisation/supervised/{organisation_id}",
    status_code=204,
    response_class=Response,
    responses=errors(403, 404),
)
async def end_supervision(organisation_id: PathId, caller: CurrentCaller, clients: Clients) -> Response:
    """The department's administrators: the link ends."""
    await clients.call(
        clients.organisations.EndSupervision,
        organisations_pb2.EndSupervisionRequest(organisation_id=organisation_id),
        caller,
    )
    return Response(status_code=204)
