"""/api/v1/portal: the client and patient portal."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import errors
from gateway.timestamps import to_datetime
from zorgpost.portal.v1 import portal_pb2

router = APIRouter(tags=["portal"])


class AppointmentOut(BaseModel):
    id: str
    starts_at: datetime
    ends_at: datetime
    with_name: str
    location: str


class DashboardOut(BaseModel):
    person_id: str
    upcoming_appointments: list[AppointmentOut]
    active_trajectories: int
    last_visit_at: datetime | None


@router.get("/portal/dashboard", response_model=DashboardOut, responses=errors())
async def dashboard(caller: CurrentCaller, clients: Clients) -> DashboardOut:
    message = await clients.call(clients.portal.GetDashboard, portal_pb2.GetDashboardRequest(), caller)
    return DashboardOut(
        person_id=message.person_id,
        upcoming_appointments=[
            AppointmentOut(
                id=a.id,
                starts_at=to_datetime(a.starts_at),
                ends_at=to_datetime(a.ends_at),
                with_name=a.with_name,
                location=a.location,
            )
            for a in message.upcoming_appointments
        ],
        active_trajectories=message.active_trajectories,
        last_visit_at=to_datetime(message.last_visit_at) if message.HasField("last_visit_at") else None,
    )
