"""The portal's domain: a person's care trajectories and appointments (seeds 4 and 5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TrajectoryStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class Appointment:
    id: str
    person_id: str
    starts_at: datetime
    ends_at: datetime
    with_name: str
    location: str


@dataclass(frozen=True)
class Dashboard:
    """The portal's first page: what is coming, and when the person last looked."""

    person_id: str
    upcoming_appointments: list[Appointment] = field(default_factory=list)
    active_trajectories: int = 0
    last_visit_at: datetime | None = None
