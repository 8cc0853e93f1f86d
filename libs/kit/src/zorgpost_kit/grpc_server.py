"""The gRPC server every service uses: health, reflection, request ids, error translation.

:func:`create_server` follows grpc's own examples: it binds (port 0 in tests picks a free
port) and returns the server and the bound port. The one place where domain errors become
gRPC statuses is :class:`DomainErrorInterceptor`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from zorgpost_kit.db import database_unavailable
from zorgpost_kit.errors import Category, DomainError
from zorgpost_kit.logging import REQUEST_ID_METADATA_KEY, bind_request_id, get_logger

log = get_logger(__name__)

#: The longest a client-streaming call (an upload) may take, whatever deadline its caller set.
MAX_UPLOAD_DEADLINE_SECONDS = 600.0
#: The error domain named in google.rpc.ErrorInfo.
ERROR_DOMAIN = "zorgpost"
#: Metadata key holding the serialized google.rpc.Status with details.
STATUS_DETAILS_KEY = "grpc-status-details-bin"

CATEGORY_TO_GRPC: dict[Category, grpc.StatusCode] = {
    Category.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    Category.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    Category.PERMISSION_DENIED: grpc.StatusCode.PERMISSION_DENIED,
    Category.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    Category.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    Category.FAILED_PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    Category.RESOURCE_EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Category.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}

Handler = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


def status_for(error: DomainError) -> status_pb2.Status:
    """The rich google.rpc.Status of a domain error: ErrorInfo, BadRequest, RetryInfo."""
    grpc_code = CATEGORY_TO_GRPC[error.category]
    details: list[any_pb2.Any] = []
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.code, domain=ERROR_DOMAIN))
    details.append(info)
    if error.fields:
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=name, description=problem)
                for name, problem in error.fields.items()
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad_request)
        details.append(packed)
    if error.retry_after_seconds is not None:
        retry = any_pb2.Any()
        retry.Pack(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=error.retry_after_seconds)))
        details.append(retry)
    return status_pb2.Status(code=grpc_code.value[0], message=error.message, details=details)


async def _refuse(context: grpc.aio.ServicerContext, method: str, error: DomainError) -> None:
    """Aborts the call with the rich status of ``error`` (raises grpc's AbortError)."""
    status = status_for(error)
    log.info("rpc_refused", method=method, code=error.code, fields=sorted(error.fields))
    await context.abort(
        CATEGORY_TO_GRPC[error.category],
        error.message,
        trailing_metadata=((STATUS_DETAILS_KEY, status.SerializeToString()),),
    )


class DomainErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Binds the caller's request id, bounds the call by its deadline, and turns
    :class:`DomainError` into a rich status.

    A call without a deadline gets ``default_deadline_seconds``: no handler runs unbounded.
    A database that cannot be reached answers UNAVAILABLE with RetryInfo
    (:func:`zorgpost_kit.db.database_unavailable`). Any other exception answers INTERNAL
    without details: an unexpected error is a bug, and its text is never sent to a client.
    """

    def __init__(
        self,
        *,
        default_deadline_seconds: float = 30.0,
        max_upload_deadline_seconds: float = MAX_UPLOAD_DEADLINE_SECONDS,
    ) -> None:
        self._default_deadline = default_deadline_seconds
        self._max_upload_deadline = max_upload_deadline_seconds

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._bounded(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            # A client stream (an upload) takes as long as the bytes take to come: the
            # caller's own deadline bounds it (the gateway sets one per upload), up to a
            # maximum; without one, the default like any call.
            return grpc.stream_unary_rpc_method_handler(
                self._bounded(method, handler.stream_unary, longest=self._max_upload_deadline),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._streaming(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _bounded(self, method: str, inner: Handler, *, longest: float | None = None) -> Handler:
        """``inner`` within the caller's deadline, at most ``longest`` (default: the default
        deadline); the default deadline when the caller set none."""
        cap = self._default_deadline if longest is None else longest

        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            metadata = dict(context.invocation_metadata() or ())
            remaining = context.time_remaining()
            budget = self._default_deadline if remaining is None else min(remaining, cap)
            with bind_request_id(metadata.get(REQUEST_ID_METADATA_KEY)):
                try:
                    return await asyncio.wait_for(inner(request, context), timeout=max(budget, 0.0))
                except TimeoutError:
                    log.warning("rpc_deadline_exceeded", method=method)
                    await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")
                except DomainError as error:
                    await _refuse(context, method, error)
                except grpc.aio.AbortError:
                    raise
                except Exception as error:
                    unavailable = database_unavailable(error)
                    if unavailable is not None:
                        # The database is down or restarting: an outage, not a bug. The
                        # caller tries again after the RetryInfo delay (a connection lost
                        # during COMMIT leaves unknown whether it was saved, like any
                        # answer lost on the way).
                        log.warning("rpc_database_unavailable", method=method, error=type(error).__name__)
                        await _refuse(context, method, unavailable)
                    # A bug. Its text may hold anything (a connection string, a person's
                    # data): it goes to our log, and the caller learns only that it failed.
                    log.exception("rpc_failed", method=method)
                    await context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return call

    def _streaming(self, method: str, inner: Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]) -> Any:
        """A server stream (a download, a live feed) runs as long as the caller wants: the
        caller's own deadline bounds it, not the default one."""

        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            metadata = dict(context.invocation_metadata() or ())
            with bind_request_id(metadata.get(REQUEST_ID_METADATA_KEY)):
                try:
                    async for response in inner(request, context):
                        yield response
                except DomainError as error:
                    await _refuse(context, method, error)
                except (grpc.aio.AbortError, asyncio.CancelledError):
                    raise
                except Exception as error:
                    unavailable = database_unavailable(error)
                    if unavailable is not None:
                        log.warning("rpc_database_unavailable", method=method, error=type(error).__name__)
                        await _refuse(context, method, unavailable)
                    log.exception("rpc_failed", method=method)
                    await context.abort(grpc.StatusCode.INTERNAL, "internal error")

        return call


def create_server(
    address: str,
    *,
    service_names: Sequence[str] = (),
    health_servicer: health.aio.HealthServicer | None = None,
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    default_deadline_seconds: float = 30.0,
    max_upload_deadline_seconds: float = MAX_UPLOAD_DEADLINE_SECONDS,
) -> tuple[grpc.aio.Server, int]:
    """Builds a server bound to ``address`` ("host:0" picks a free port).

    Adds the stock health service (pass ``health_servicer`` to control it; every name in
    ``service_names`` and the server as a whole "" start SERVING once the caller sets them)
    and server reflection for ``service_names``. Register the service's servicers before
    ``await server.start()``.
    """
    server = grpc.aio.server(
        interceptors=[
            DomainErrorInterceptor(
                default_deadline_seconds=default_deadline_seconds,
                max_upload_deadline_seconds=max_upload_deadline_seconds,
            ),
            *interceptors,
        ],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 32 * 1024 * 1024)],
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer or health.aio.HealthServicer(), server)
    reflection.enable_server_reflection(
        [*service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
        server,
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"could not bind gRPC server to {address}")
    return server, port
