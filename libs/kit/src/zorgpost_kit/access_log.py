"""The access log of an HTTP process (the gateway, the web front end): one line per request,
never with a secret from the URL.

Links mailed to people carry their secret in the path (``/invitations/{token}``,
``/activations/{token}``, ``/secure-mail/{token}``): uvicorn's own access log would write it
down, so it is switched off (``access_log=False`` where uvicorn starts) and this middleware
logs instead. In a request that matched a route, the path segments of the route's
:data:`SECRET_PATH_PARAMETERS` are replaced; in one that matched nothing (a 404), every
token-like segment. Query strings are never logged.

A new route with a secret in its path names that parameter ``token`` (or adds its name to
:data:`SECRET_PATH_PARAMETERS`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from zorgpost_kit.logging import get_logger

# The ASGI shapes, spelled out so the kit needs no web framework.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Path parameters whose values are secrets (a link's token).
SECRET_PATH_PARAMETERS = frozenset({"token"})
REDACTED = "[redacted]"
#: A segment that may be a token: long and of the alphabet our tokens use. Ids (UUIDs) match
#: too; in an unmatched path that is a fair price.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-.~%]{16,}")


def loggable_path(scope: Scope) -> str:
    """The request's path with no secret in it (see the module docstring)."""
    segments = str(scope.get("path", "")).split("/")
    template = getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str):
        # The route's template is the end of the path (a router's prefix comes before it).
        tail = template.split("/")
        if len(tail) <= len(segments):
            start = len(segments) - len(tail)
            secret = {f"{{{name}}}" for name in SECRET_PATH_PARAMETERS}
            for index, part in enumerate(tail):
                if part in secret:
                    segments[start + index] = REDACTED
            return "/".join(segments)
    return "/".join(REDACTED if _TOKEN_LIKE.fullmatch(segment) else segment for segment in segments)


class AccessLogMiddleware:
    """Logs ``http_request`` with method, safe path, status, duration and client address,
    under the logger ``<process>.access``."""

    def __init__(self, app: ASGIApp, *, logger_name: str) -> None:
        self.app = app
        self._log = get_logger(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            client = scope.get("client")
            self._log.info(
                "http_request",
                method=scope.get("method"),
                path=loggable_path(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                client=client[0] if client else None,
            )
