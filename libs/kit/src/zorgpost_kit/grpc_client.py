"""Calling other services: channels, call metadata (token, request id, deadline) and reading
the rich error details a :class:`zorgpost_kit.grpc_server.DomainErrorInterceptor` sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2, status_pb2

from zorgpost_kit.grpc_server import STATUS_DETAILS_KEY
from zorgpost_kit.logging import REQUEST_ID_METADATA_KEY, current_request_id

AUTHORIZATION_METADATA_KEY = "authorization"


def create_channel(address: str) -> grpc.aio.Channel:
    """An insecure channel for the private service network (TLS terminates at the edge)."""
    return grpc.aio.insecure_channel(
        address,
        options=[
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.enable_retries", 1),
            ("grpc.max_receive_message_length", 32 * 1024 * 1024),
        ],
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
