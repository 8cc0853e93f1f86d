"""Every request body is counted as it streams in: past the cap the route that reads it is
answered 413 (problem+json), with or without Content-Length; uploads have their own cap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI, Request

from gateway.body_limit import BodyLimitMiddleware
from gateway.problems import install_problem_handlers


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)

    @application.middleware("http")
    async def passing(request: Request, call_next: Any) -> Any:
        # As the gateway's own: such a middleware reads the body in a task of its own.
        return await call_next(request)

    application.add_middleware(BodyLimitMiddleware, max_bytes=1000, max_upload_bytes=5000)

    @application.post("/api/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @application.post("/api/v1/threads/{thread_id}/messages")
    async def upload(thread_id: str, request: Request) -> dict[str, int]:
        if request.headers["content-type"].startswith("multipart/"):
            form = await request.form()
            return {"size": sum([len(await f.read()) for f in form.getlist("files") if not isinstance(f, str)])}
        return {"size": len(await request.body())}

    return application


async def chunks(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 100):
        yield b"x" * 100


async def post(path: str, content: bytes | AsyncIterator[bytes], content_type: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        return await client.post(path, content=content, headers={"content-type": content_type})


async def test_a_chunked_body_past_the_cap_is_413() -> None:
    refused = await post("/api/v1/echo", chunks(2000), "application/json")
    assert (refused.status_code, refused.json()["code"]) == (413, "request_too_large")
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await post("/api/v1/echo", chunks(900), "application/json")).json() == {"size": 900}


async def test_a_declared_length_past_the_cap_is_413_before_reading() -> None:
    refused = await post("/api/v1/echo", b"x" * 2000, "application/json")
    assert (refused.status_code, refused.json()["code"]) == (413, "request_too_large")


def form(size: int) -> AsyncIterator[bytes]:
    head = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'

    async def parts() -> AsyncIterator[bytes]:
        yield head
        async for chunk in chunks(size):
            yield chunk
        yield b"\r\n--x--\r\n"

    return parts()


async def test_uploads_have_their_own_cap_and_only_as_multipart_to_the_message_route() -> None:
    multipart = "multipart/form-data; boundary=x"
    assert (await post("/api/v1/threads/t/messages", form(4000), multipart)).json() == {"size": 4000}
    refused = await post("/api/v1/threads/t/messages", form(6000), multipart)
    assert (refused.status_code, refused.json()["code"]) == (413, "request_too_large")
    assert (await post("/api/v1/threads/t/messages", chunks(2000), "application/json")).status_code == 413
    assert (await post("/api/v1/echo", chunks(2000), multipart)).status_code == 413
