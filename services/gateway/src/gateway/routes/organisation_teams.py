"""/api/v1/organisation/teams: named groups of an organisation's staff (a team of case
handlers, a practice's assistants) that shared inboxes and message routing address. Every
staff member sees them; administrators make, rename and delete them and choose their members
(active staff of the organisation). Another organisation's teams are unknown (404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import IDENTIFIER, PathId, errors, line
from gateway.timestamps import to_datetime
from zorgpost.identity.v1 import organisations_pb2

router = APIRouter(tags=["organisation"])

#: An account id of a staff member of the organisation.
AccountId = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENTIFIER)]


class TeamIn(BaseModel):
    name: str = line(max_length=100)
    member_account_ids: list[AccountId] = Field(default_factory=list, max_length=500)


class TeamNameIn(BaseModel):
    name: str = line(max_length=100)


class TeamMembersIn(BaseModel):
    member_account_ids: list[AccountId] = Field(max_length=500)


class TeamOut(BaseModel):
    id: str
    name: str
    member_account_ids: list[str]
    created_at: datetime


def _team(message: organisations_pb2.Team) -> TeamOut:
    return TeamOut(
        id=message.id,
        name=message.name,
        member_account_ids=list(message.member_account_ids),
        created_at=to_datetime(message.created_at),
    )


@router.get("/organisation/teams", response_model=list[TeamOut], responses=errors(403))
async def list_teams(caller: CurrentCaller, clients: Clients) -> list[TeamOut]:
    """The organisation's teams, by name (any staff member)."""
    response = await clients.call(clients.organisations.ListTeams, organisations_pb2.ListTeamsRequest(), caller)
    return [_team(message) for message in response.teams]


@router.post("/organisation/teams", status_code=201, response_model=TeamOut, responses=errors(403, 409))
async def create_team(body: TeamIn, caller: CurrentCaller, clients: Clients) -> TeamOut:
    """Administrators: a new team. 409 ``team_exists``; 422 names a member who is not active
    staff of the organisation."""
    message = await clients.call(
        clients.organisations.CreateTeam,
        organisations_pb2.CreateTeamRequest(name=body.name, member_account_ids=body.member_account_ids),
        caller,
    )
    return _team(message)


@router.get("/organisation/teams/{team_id}", response_model=TeamOut, responses=errors(403, 404))
async def get_team(team_id: PathId, caller: CurrentCaller, clients: Clients) -> TeamOut:
    return _team(
        await clients.call(clients.organisations.GetTeam, organisations_pb2.TeamIdRequest(team_id=team_id), caller)
    )


@router.patch("/organisation/teams/{team_id}", response_model=TeamOut, responses=errors(403, 404, 409))
async def rename_team(team_id: PathId, body: TeamNameIn, caller: CurrentCaller, clients: Clients) -> TeamOut:
    """Administrators: a new name. 409 ``team_exists``."""
    message = await clients.call(
        clients.organisations.RenameTeam, organisations_pb2.RenameTeamRequest(team_id=team_id, name=body.name), caller
    )
    return _team(message)


@router.put("/organisation/teams/{team_id}/members", response_model=TeamOut, responses=errors(403, 404))
async def set_team_members(team_id: PathId, body: TeamMembersIn, caller: CurrentCaller, clients: Clients) -> TeamOut:
    """Administrators: the members become exactly these staff members."""
    message = await clients.call(
        clients.organisations.SetTeamMembers,
        organisations_pb2.SetTeamMembersRequest(team_id=team_id, member_account_ids=body.member_account_ids),
        caller,
    )
    return _team(message)


@router.delete("/organisation/teams/{team_id}", status_code=204, response_class=Response, responses=errors(403, 404))
async def delete_team(team_id: PathId, caller: CurrentCaller, clients: Clients) -> Response:
    """Administrators: the team is gone (its members stay staff)."""
    await clients.call(clients.organisations.DeleteTeam, organisations_pb2.TeamIdRequest(team_id=team_id), caller)
    return Response(status_code=204)
