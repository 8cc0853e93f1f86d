"""The portal's composition root."""

from __future__ import annotations

from functools import partial

from portal.adapters.unit_of_work import SqlPortalUnitOfWork
from portal.entrypoints.grpc_api import SERVICE_NAME, PortalServicer
from zorgpost.portal.v1 import portal_pb2_grpc
from zorgpost_kit.events import EventCodec
from zorgpost_kit.runtime import Infrastructure, ServiceParts


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    # The portal raises no events yet; portal.trajectory.ended comes with trajectories.
    codec = EventCodec()

    def uow() -> SqlPortalUnitOfWork:
        return SqlPortalUnitOfWork(infra.session_factory, codec, on_commit=infra.relay.wake)

    servicer = PortalServicer(uow, infra.remote_token_verifier())
    return ServiceParts(
        servicers=[(SERVICE_NAME, partial(portal_pb2_grpc.add_PortalServiceServicer_to_server, servicer))],
        uow_factory=uow,
    )
