"""A cap on every request body, counted while it streams in: a client that sends more (with
or without ``Content-Length``, chunked included) is answered 413 as soon as the count passes
the cap, before anything is buffered beyond it. Uploads (multipart to the routes that take
files) get their own, larger cap; every other body the default one."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.problems import ProblemException, problem

#: The routes that take files (multipart POST): a message's files, the e-counter's new message
#: and reply, an e-consult's photos, the portal's documents (the person's uploads, the
#: practice's publications and agreements).
UPLOAD_ROUTE = re.compile(
    r"/api/v1/(?:threads/[^/]+/messages|ecounter/messages(?:/[^/]+/replies)?"
    r"|portal/(?:econsults|documents|practice/trajectories|practice/clients/[^/]+/documents))/?"
)


def request_too_large(limit: int) -> ProblemException:
    return ProblemException(
        413, code="request_too_large", detail=f"The request is larger than allowed ({limit} bytes)."
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
        self._app = app
        self._max_bytes = max_bytes
        self._max_upload_bytes = max_upload_bytes

    def limit_for(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or ())
        content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if (
            scope.get("method") == "POST"
            and content_type == b"multipart/form-data"
            and UPLOAD_ROUTE.fullmatch(scope.get("path", ""))
        ):
            return self._max_upload_bytes
        return self._max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            refusal = request_too_large(limit)
            await problem(413, code=refusal.code, detail=str(refusal.detail))(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            # Past the cap the app is told the client went away (an exception here would
            # surface in whatever task of a middleware happened to read), and its own answer
            # to that is replaced by the 413 below.
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            refusal = request_too_large(limit)
            await problem(413, code=refusal.code, detail=str(refusal.detail))(scope, receive, send)
