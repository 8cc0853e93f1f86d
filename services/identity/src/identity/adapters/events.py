"""Identity's events on the wire: the subject and protobuf of each domain event.

Subjects read ``identity.<aggregate>.<past-tense-verb>``; payloads are the messages of
``proto/zorgpost/events/v1/identity_events.proto``.
"""

from __future__ import annotations

from zorgpost_kit.events import EventCodec


def event_codec() -> EventCodec:
    codec = EventCodec()
    # Each domain event is registered here: codec.register(EventType, "identity.x.y", to_proto)
    return codec
