"""Domain events and how they become NATS messages.

Domain code raises plain frozen dataclasses (subclasses of :class:`DomainEvent`); each service
registers, in one :class:`EventCodec`, the subject and the protobuf message every event type
becomes. Protobuf stays at the edge: the domain never imports it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf.message import Message

#: NATS header names. ``Nats-Msg-Id`` makes JetStream drop a re-published duplicate.
MSG_ID_HEADER = "Nats-Msg-Id"
EVENT_TYPE_HEADER = "Zorgpost-Event-Type"
OCCURRED_AT_HEADER = "Zorgpost-Occurred-At"


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened. Subclasses add their facts as fields."""

    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class OutboundEvent:
    """A domain event encoded for the wire, as stored in the outbox."""

    event_id: str
    subject: str
    event_type: str
    payload: bytes
    occurred_at: datetime


E = TypeVar("E", bound=DomainEvent)


class UnknownEventError(LookupError):
    """An event type was raised that the service's codec does not know: a programming error."""


class EventCodec:
    """Maps each domain event type of one service to its subject and protobuf encoding."""

    def __init__(self) -> None:
        self._encoders: dict[type[DomainEvent], tuple[str, Callable[[Any], Message]]] = {}

    def register(self, event_type: type[E], subject: str, to_proto: Callable[[E], Message]) -> None:
        self._encoders[event_type] = (subject, to_proto)

    def encode(self, event: DomainEvent) -> OutboundEvent:
        try:
            subject, to_proto = self._encoders[type(event)]
        except KeyError:
            raise UnknownEventError(f"no subject registered for {type(event).__name__}") from None
        message = to_proto(event)
        return OutboundEvent(
            event_id=event.event_id,
            subject=subject,
            event_type=message.DESCRIPTOR.full_name,
            payload=message.SerializeToString(),
            occurred_at=event.occurred_at,
        )

    @property
    def subjects(self) -> list[str]:
        return [subject for subject, _ in self._encoders.values()]
