"""Messaging's composition root."""

from __future__ import annotations

from functools import partial

from messaging.adapters.events import event_codec
from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.entrypoints.grpc_api import SERVICE_NAME, MessagingServicer
from zorgpost.messaging.v1 import messaging_pb2_grpc
from zorgpost_kit.runtime import Infrastructure, ServiceParts


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    codec = event_codec()

    def uow() -> MessagingUnitOfWork:
        return MessagingUnitOfWork(infra.session_factory, codec, on_commit=infra.relay.wake)

    servicer = MessagingServicer(uow, infra.remote_token_verifier())
    return ServiceParts(
        servicers=[(SERVICE_NAME, partial(messaging_pb2_grpc.add_MessagingServiceServicer_to_server, servicer))],
        uow_factory=uow,
    )
