"""The NotificationsService gRPC servicer."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from notifications.adapters.unit_of_work import NotificationsUnitOfWork
from notifications.domain.model import Delivery, mask_recipient
from notifications.service.deliveries import list_deliveries
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.errors import FieldErrors

SERVICE_NAME = notifications_pb2.DESCRIPTOR.services_by_name["NotificationsService"].full_name


def _delivery(delivery: Delivery) -> notifications_pb2.Delivery:
    created = Timestamp()
    created.FromDatetime(delivery.created_at)
    message = notifications_pb2.Delivery(
        id=delivery.id,
        source_id=delivery.source_id,
        template=delivery.template,
        channel=delivery.channel,
        recipient=mask_recipient(delivery.recipient),
        status=delivery.status,
        failure_reason=delivery.failure_reason,
        attempts=delivery.attempts,
        created_at=created,
    )
    if delivery.sent_at is not None:
        message.sent_at.FromDatetime(delivery.sent_at)
    return message


class NotificationsServicer(notifications_pb2_grpc.NotificationsServiceServicer):
    def __init__(self, uow_factory: Callable[[], NotificationsUnitOfWork], verifier: TokenVerifier) -> None:
        self._uow = uow_factory
        self._verifier = verifier

    async def ListDeliveries(
        self, request: notifications_pb2.ListDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notifications_pb2.ListDeliveriesResponse:
        principal = await self._verifier.verify_metadata(context)
        if not request.source_id:
            errors = FieldErrors()
            errors.add("source_id", "is required")
            errors.raise_if_any()
        deliveries = await list_deliveries(self._uow, principal, request.source_id)
        return notifications_pb2.ListDeliveriesResponse(deliveries=[_delivery(d) for d in deliveries])
