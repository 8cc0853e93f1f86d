"""Calling other services: channels, call metadata (token, request id, deadline) and reading
the rich error details a :class:`zorgpost_kit.grpc_server.DomainErrorInterceptor` sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2

from zorgpost_kit.grpc_server import STATUS_DETAILS_KEY
from zorgpost_kit.logging import REQUEST_ID_METADATA_KEY, current_request_id

AUTHORIZATION_METADATA_KEY = "authorization"


class DefaultDeadline(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Gives every call without a timeout the default one: no call waits forever."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Any],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        if client_call_details.timeout is None:
            client_call_details = client_call_details._replace(timeout=self._seconds)
        return await continuation(client_call_details, request)


def create_channel(address: str, *, default_timeout: float = 10.0) -> grpc.aio.Channel:
    """A channel for the private service network (TLS terminates at the edge).

    Calls are spread over every address the name resolves to (``--scale`` in Compose) and
    get ``default_timeout`` when the caller set no deadline.
    """
    return grpc.aio.insecure_channel(
        address,
        options=[
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.enable_retries", 1),
            ("grpc.lb_policy_name", "round_robin"),
            ("grpc.max_receive_message_length", 32 * 1024 * 1024),
        ],
        interceptors=[DefaultDeadline(default_timeout)],
    )


def call_metadata(access_token: str | None = None, *, request_id: str | None = None) -> tuple[tuple[str, str], ...]:
    """Metadata for an outgoing call: the caller's token and the current request id."""
    metadata: list[tuple[str, str]] = []
    if access_token:
        metadata.append((AUTHORIZATION_METADATA_KEY, f"Bearer {access_token}"))
    rid = request_id or current_request_id()
    if rid:
        metadata.append((REQUEST_ID_METADATA_KEY, rid))
    return tuple(metadata)


@dataclass(frozen=True)
class RpcFailure:
    """What a failed call said, in a shape the gateway can turn into problem+json."""

    code: grpc.StatusCode
    message: str
    reason: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    retry_after_seconds: int | None = None


def read_failure(error: grpc.aio.AioRpcError) -> RpcFailure:
    """Decodes the google.rpc.Status details (ErrorInfo, BadRequest, RetryInfo) of a failure."""
    reason: str | None = None
    fields: dict[str, str] = {}
    retry_after: int | None = None
    for key, value in error.trailing_metadata() or ():
        if key != STATUS_DETAILS_KEY or not isinstance(value, bytes):
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                fields.update({v.field: v.description for v in bad_request.field_violations})
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                retry_after = int(retry.retry_delay.seconds)
    return RpcFailure(
        code=error.code(),
        message=error.details() or "",
        reason=reason,
        fields=fields,
        retry_after_seconds=retry_after,
    )
