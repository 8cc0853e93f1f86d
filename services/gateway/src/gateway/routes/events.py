"""/api/v1/events: live updates for open clients as server-sent events (new messages,
likes, read receipts, people joining, …), so a front end never polls. Messaging decides
what the caller may see; the gateway only relays its activity feed.

Each event carries its feed position as ``id``; a client that reconnects sends it back as
``Last-Event-ID`` (or ``?after=``) and gets everything after it, nothing twice. The stream
ends when the access token expires: reconnect with a fresh one and the last id.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import grpc
from fastapi import APIRouter, Header, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import errors
from gateway.problems import ProblemException
from gateway.routes.thread_models import MessageOut, message_out
from gateway.timestamps import to_datetime
from zorgpost.messaging.v1 import messaging_pb2
from zorgpost_kit.grpc_client import call_metadata
from zorgpost_kit.logging import get_logger

router = APIRouter(tags=["live updates"])
log = get_logger(__name__)

#: Messaging's initial metadata on an admitted stream (see its WatchActivity).
STREAM_OPEN_METADATA_KEY = "x-zorgpost-stream"

#: A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0


class ActorOut(BaseModel):
    participant_id: str | None
    name: str


class ActivityOut(BaseModel):
    """The ``data`` of one event (its ``event`` field is ``kind``, its ``id`` ``position``)."""

    position: int
    #: "message.sent", "message.liked", "message.unliked", "thread.read", "thread.created",
    #: "participant.joined", "thread.assigned", "thread.withdrawn", "attachment.scanned";
    #: "resync": positions before this one are no longer kept, reload what is shown.
    kind: str
    thread_id: str
    message_id: str | None
    actor: ActorOut
    occurred_at: datetime
    #: For likes: the new count; for "thread.read": the sequence number read up to.
    value: int
    #: For "message.sent": the message.
    message: MessageOut | None


def activity_out(activity: messaging_pb2.Activity) -> ActivityOut:
    return ActivityOut(
        position=activity.position,
        kind=activity.kind,
        thread_id=activity.thread_id,
        message_id=activity.message_id or None,
        actor=ActorOut(participant_id=activity.actor_participant_id or None, name=activity.actor_name),
        occurred_at=to_datetime(activity.occurred_at),
        value=activity.value,
        message=message_out(activity.message) if activity.HasField("message") else None,
    )


#: Feed positions are PostgreSQL bigints.
MAX_POSITION = 2**63 - 1


def _position(last_event_id: str | None, after: int | None) -> int:
    """Where to resume: ``Last-Event-ID`` (ASCII digits, as this stream sent them) before
    ``?after=``; anything else is a field error, never a 500."""
    if last_event_id is not None:
        value = last_event_id.strip()
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_POSITION:
            raise RequestValidationError(
                [{"loc": ("header", "Last-Event-ID"), "msg": "is not a position this stream sent", "type": "value"}]
            )
        return int(value)
    return after or 0


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "text/event-stream: each event has an `id` (its position), an `event` (its kind) "
            "and `data`, an ActivityOut as JSON.",
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "object",
                        "required": ["id", "event", "data"],
                        "properties": {
                            "id": {"type": "string", "pattern": "^[0-9]+$"},
                            "event": {"type": "string"},
                            "data": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": {"$ref": "#/components/schemas/ActivityOut"},
                            },
                        },
                    }
                }
            },
            "model": ActivityOut,
        },
        **errors(429),
    },
)
async def events(
    caller: CurrentCaller,
    clients: Clients,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=19,
            pattern=r"^[0-9]+$",
            description="the id of the last event seen (up to 2^63-1); wins over ?after=",
        ),
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="resume after this position")] = None,
) -> StreamingResponse:
    """Server-sent events of the caller's conversations (and, for staff, their
    organisation's shared inbox): first what happened after the resume position, then live.
    429 ``too_many_streams`` when the account (or session) already has as many streams open
    as allowed; the stream ends when the access token expires."""
    position = _position(last_event_id, after)
    call = clients.messaging.WatchActivity(
        messaging_pb2.WatchActivityRequest(after_position=position),
        metadata=call_metadata(caller.access_token),
    )
    # Messaging admits the stream (or refuses it, e.g. too many open) before it sends its
    # first metadata: answer its refusal as a problem, not as a 200 that ends at once.
    metadata = await call.initial_metadata()
    if not any(key == STREAM_OPEN_METADATA_KEY for key, _ in metadata or ()):
        first = await call.read()  # raises the call's error, which the problem handlers answer
        call.cancel()
        if first is not grpc.aio.EOF:
            raise ProblemException(503, code="service_unavailable", detail="Probeer het opnieuw.")
    queue: asyncio.Queue[messaging_pb2.Activity | None] = asyncio.Queue(maxsize=100)

    async def pump() -> None:
        # Reads the gRPC stream on its own, so waiting for the next item can time out into a
        # keep-alive without cancelling the call.
        try:
            async for activity in call:
                await queue.put(activity)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                log.warning("activity_stream_ended", grpc_code=error.code().name)
        finally:
            await queue.put(None)

    async def stream() -> AsyncIterator[str]:
        reader = asyncio.create_task(pump())
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    activity = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if activity is None:
                    return
                data = json.dumps(activity_out(activity).model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {activity.position}\nevent: {activity.kind}\ndata: {data}\n\n"
        finally:
            call.cancel()
            reader.cancel()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"},
    )
