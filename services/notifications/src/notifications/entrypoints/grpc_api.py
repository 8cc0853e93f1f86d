"""The NotificationsService gRPC servicer."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from notifications.domain.model import Delivery, DeliveryStatus, mask_recipient
from notifications.domain.preferences import ChannelChoice, Preferences
from notifications.service.deliveries import list_deliveries
from notifications.service.ports import UnitOfWorkFactory
from notifications.service.preferences import PreferencesChange, do_update_preferences, get_preferences
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
        category=delivery.category,
    )
    if delivery.sent_at is not None:
        message.sent_at.FromDatetime(delivery.sent_at)
    if delivery.status is DeliveryStatus.QUEUED:
        message.next_attempt_at.FromDatetime(delivery.next_attempt_at)
    return message


def _preferences(preferences: Preferences) -> notifications_pb2.NotificationPreferences:
    message = notifications_pb2.NotificationPreferences(
        language=preferences.language,
        digest_window_minutes=preferences.digest_window_minutes,
        categories={
            category.value: notifications_pb2.CategoryPreference(
                channels=notifications_pb2.ChannelChoice(email=choice.email, sms=choice.sms),
                mandatory=preferences.is_mandatory(category),
            )
            for category, choice in preferences.all_choices().items()
        },
    )
    if preferences.updated_at is not None:
        message.updated_at.FromDatetime(preferences.updated_at)
    return message


class NotificationsServicer(notifications_pb2_grpc.NotificationsServiceServicer):
    def __init__(self, uow_factory: UnitOfWorkFactory, verifier: TokenVerifier) -> None:
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

    async def GetPreferences(
        self, request: notifications_pb2.GetPreferencesRequest, context: grpc.aio.ServicerContext
    ) -> notifications_pb2.NotificationPreferences:
        principal = await self._verifier.verify_metadata(context)
        return _preferences(await get_preferences(self._uow, principal))

    async def UpdatePreferences(
        self, request: notifications_pb2.UpdatePreferencesRequest, context: grpc.aio.ServicerContext
    ) -> notifications_pb2.NotificationPreferences:
        principal = await self._verifier.verify_metadata(context)
        change = PreferencesChange(
            language=request.language,
            categories={
                name: ChannelChoice(email=choice.email, sms=choice.sms) for name, choice in request.categories.items()
            },
            digest_window_minutes=request.digest_window_minutes,
        )
        return _preferences(await do_update_preferences(self._uow, principal, change))
