"""Identity's event consumers."""

from __future__ import annotations

from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.service.portal_access import do_end_portal_access
from zorgpost.events.v1 import portal_events_pb2
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.consumer import EventConsumer, EventEnvelope


class TrajectoryEndedConsumer(EventConsumer[portal_events_pb2.TrajectoryEnded, IdentityUnitOfWork]):
    """``portal.trajectory.ended`` → the person's portal access ends (login disabled,
    sessions revoked, delegations ended), unless another trajectory is still active."""

    producer = "portal"
    subject = "portal.trajectory.ended"
    durable = "identity-trajectory-ended"
    message_type = portal_events_pb2.TrajectoryEnded

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock

    async def consume(
        self, event: portal_events_pb2.TrajectoryEnded, envelope: EventEnvelope, uow: IdentityUnitOfWork
    ) -> None:
        if event.other_trajectory_active or not event.person_account_id:
            return
        await do_end_portal_access(uow, event.person_account_id, self._clock)
