"""Identity's client of messaging: whether a conversation takes invitations from the caller,
and what a secure mail's read link opens."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import to_datetime
from identity.domain.secure_mail_access import ReadLink
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_kit.errors import Unavailable
from zorgpost_kit.grpc_client import call_metadata

#: Answers that mean "there is nothing for this caller here".
_NOTHING = (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)
_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class MessagingConversations:
    """Implements :class:`identity.service.ports.Conversations` over messaging's gRPC API."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = messaging_pb2_grpc.MessagingServiceStub(channel)
        self._timeout = timeout

    async def thread_kind(self, thread_id: str, access_token: str) -> str | None:
        # With the inviter's own token: messaging answers only what they may see, and this
        # look opens nothing (the chat is not marked read for them).
        try:
            summary = await self._stub.GetThreadSummary(
                messaging_pb2.ThreadRef(thread_id=thread_id),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in _NOTHING:
                return None
            if error.code() in _DOWN:
                raise Unavailable() from None
            raise
        return str(summary.kind)

    async def resolve_read_link(self, token: str) -> ReadLink | None:
        # The link's token is the credential: no access token goes with it.
        try:
            link = await self._stub.ResolveReadLink(
                messaging_pb2.ResolveReadLinkRequest(token=token), metadata=call_metadata(), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in _NOTHING:
                return None
            if error.code() in _DOWN:
                raise Unavailable() from None
            raise
        return ReadLink(
            thread_id=link.thread_id,
            participant_id=link.participant_id,
            email=link.email,
            mobile=link.mobile,
            organisation_id=link.organisation_id,
            organisation_name=link.organisation_name,
            language=link.language or "nl",
            expires_at=to_datetime(link.expires_at) if link.HasField("expires_at") else None,
        )
