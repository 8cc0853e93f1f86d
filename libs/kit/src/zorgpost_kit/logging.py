"""Structured logs (structlog) with a request id that follows a request across services.

The request id travels in gRPC metadata (``x-request-id``) and NATS headers
(``X-Request-Id``); :func:`bind_request_id` puts it in a context variable so every log line
of that request carries it.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

REQUEST_ID_METADATA_KEY = "x-request-id"
REQUEST_ID_HEADER = "X-Request-Id"

_request_id: ContextVar[str | None] = ContextVar("zorgpost_request_id", default=None)


#: Library loggers that would write request URLs (and so the secrets in them) at INFO.
QUIET_LIBRARY_LOGGERS = ("httpx", "httpcore")


def configure_logging(service: str, *, level: str = "INFO", json: bool = False) -> None:
    """Configures structlog and the standard library's root logger once per process."""
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        structlog.processors.add_log_level,
        timestamper,
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries (grpc, nats, sqlalchemy, uvicorn) log through the standard library.
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format=f"%(asctime)s {service} %(name)s %(levelname)s %(message)s"
    )
    # httpx logs every request's full URL at INFO, and a URL may carry a mailed link's token
    # (/api/v1/secure-mail-access/{token}/code): only its warnings are wanted.
    for chatty in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))


def _add_request_id(_logger: object, _method: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    request_id = _request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[str]:
    """Runs the block with ``request_id`` (or a new one) as the current request id."""
    value = request_id or new_request_id()
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
