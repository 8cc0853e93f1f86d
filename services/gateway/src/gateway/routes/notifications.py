"""/api/v1/me/notification-preferences and /api/v1/deliveries: how a person is told, and
whether a notice reached its recipient ("was my notice delivered?")."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, JsonValue, StrictBool

from gateway.clients import ServiceClients
from gateway.deps import Caller, Clients, CurrentCaller
from gateway.openapi import WholeNumber, bounded, errors
from gateway.timestamps import to_datetime
from zorgpost.notifications.v1 import notifications_pb2

router = APIRouter(tags=["notifications"])


class ChannelsIn(BaseModel):
    email: StrictBool
    sms: StrictBool


class CategoryOut(ChannelsIn):
    #: Security and account notices cannot be switched off: e-mail stays on.
    mandatory: bool


#: The categories a person chooses channels for (notifications' catalogue).
CATEGORIES = ("security", "account", "messages", "delegations", "appointments", "results")


#: Security and account notices always go by e-mail: for them ``email`` can only be true.
MANDATORY_CATEGORIES = ("security", "account")
_MANDATORY_CHANNELS: dict[str, JsonValue] = {
    name: {
        "type": "object",
        "properties": {"email": {"const": True}, "sms": {"type": "boolean"}},
        "required": ["email", "sms"],
    }
    for name in MANDATORY_CATEGORIES
}


class PreferencesIn(BaseModel):
    language: str | None = Field(
        default=None,
        max_length=8,
        description='"nl" or "en"; null: the language of each notice',
        json_schema_extra={"enum": ["nl", "en", None]},
    )
    digest_window_minutes: WholeNumber = bounded(
        0, 24 * 60, default=0, description="notices of new messages within this window become one mail; 0: each its own"
    )
    categories: dict[str, ChannelsIn] = Field(
        default_factory=dict,
        description="per category the channels; categories not named keep their choice. Security and "
        "account notices always go by e-mail (email: false is refused there).",
        json_schema_extra={"propertyNames": {"enum": list(CATEGORIES)}, "properties": _MANDATORY_CHANNELS},
    )


class PreferencesOut(BaseModel):
    language: str | None
    digest_window_minutes: int
    categories: dict[str, CategoryOut]
    updated_at: datetime | None


class DeliveryOut(BaseModel):
    id: str
    template: str
    channel: str
    recipient: str
    status: str
    failure_reason: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class DeliveryStatusOut(DeliveryOut):
    source_id: str
    category: str
    #: When a queued delivery is tried next.
    next_attempt_at: datetime | None


def _preferences(message: notifications_pb2.NotificationPreferences) -> PreferencesOut:
    return PreferencesOut(
        language=message.language or None,
        digest_window_minutes=message.digest_window_minutes,
        categories={
            name: CategoryOut(email=c.channels.email, sms=c.channels.sms, mandatory=c.mandatory)
            for name, c in message.categories.items()
        },
        updated_at=to_datetime(message.updated_at) if message.HasField("updated_at") else None,
    )


@router.get("/me/notification-preferences", response_model=PreferencesOut, responses=errors())
async def get_notification_preferences(caller: CurrentCaller, clients: Clients) -> PreferencesOut:
    """Which notices the caller receives, by which channel and in which language."""
    return _preferences(
        await clients.call(clients.notifications.GetPreferences, notifications_pb2.GetPreferencesRequest(), caller)
    )


@router.put("/me/notification-preferences", response_model=PreferencesOut, responses=errors())
async def update_notification_preferences(
    body: PreferencesIn, caller: CurrentCaller, clients: Clients
) -> PreferencesOut:
    """Changes the caller's own preferences. Refused with 422 naming every bad field (e.g.
    ``categories.security.email`` when a mandatory category loses e-mail); nothing is saved then."""
    return _preferences(
        await clients.call(
            clients.notifications.UpdatePreferences,
            notifications_pb2.UpdatePreferencesRequest(
                language=body.language or "",
                digest_window_minutes=body.digest_window_minutes,
                categories={
                    name: notifications_pb2.ChannelChoice(email=choice.email, sms=choice.sms)
                    for name, choice in body.categories.items()
                },
            ),
            caller,
        )
    )


@router.get("/deliveries", response_model=list[DeliveryStatusOut], responses=errors())
async def list_deliveries(
    caller: CurrentCaller,
    clients: Clients,
    source_id: str = Query(min_length=1, max_length=64, description="the object the notices were about"),
) -> list[DeliveryStatusOut]:
    """Per recipient and channel, whether the notices about ``source_id`` (a secure e-mail,
    invitation, delegation or account id) went out: queued, sent, or failed with the reason.
    Staff of the organisation that caused them only; newest first."""
    return await fetch_deliveries(caller, clients, source_id)


async def fetch_deliveries(caller: Caller, clients: ServiceClients, source_id: str) -> list[DeliveryStatusOut]:
    """The deliveries of ``source_id`` as the caller may see them (one conversion for every
    route that shows delivery status)."""
    response = await clients.call(
        clients.notifications.ListDeliveries, notifications_pb2.ListDeliveriesRequest(source_id=source_id), caller
    )
    return [
        DeliveryStatusOut(
            id=d.id,
            source_id=d.source_id,
            template=d.template,
            category=d.category,
            channel=d.channel,
            recipient=d.recipient,
            status=d.status,
            failure_reason=d.failure_reason,
            attempts=d.attempts,
            created_at=to_datetime(d.created_at),
            sent_at=to_datetime(d.sent_at) if d.HasField("sent_at") else None,
            next_attempt_at=to_datetime(d.next_attempt_at) if d.HasField("next_attempt_at") else None,
        )
        for d in response.deliveries
    ]
