"""The PortalService gRPC servicer."""

from __future__ import annotations

import grpc

from portal.service.dashboard import get_dashboard
from portal.service.ports import UnitOfWorkFactory
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_kit.auth import TokenVerifier

SERVICE_NAME = portal_pb2.DESCRIPTOR.services_by_name["PortalService"].full_name


class PortalServicer(portal_pb2_grpc.PortalServiceServicer):
    def __init__(self, uow_factory: UnitOfWorkFactory, verifier: TokenVerifier) -> None:
        self._uow = uow_factory
        self._verifier = verifier

    async def GetDashboard(
        self, request: portal_pb2.GetDashboardRequest, context: grpc.aio.ServicerContext
    ) -> portal_pb2.Dashboard:
        dashboard = await get_dashboard(self._uow, await self._verifier.verify_metadata(context))
        message = portal_pb2.Dashboard(person_id=dashboard.person_id, active_trajectories=dashboard.active_trajectories)
        for appointment in dashboard.upcoming_appointments:
            item = message.upcoming_appointments.add(
                id=appointment.id, with_name=appointment.with_name, location=appointment.location
            )
            item.starts_at.FromDatetime(appointment.starts_at)
            item.ends_at.FromDatetime(appointment.ends_at)
        if dashboard.last_visit_at is not None:
            message.last_visit_at.FromDatetime(dashboard.last_visit_at)
        return message
