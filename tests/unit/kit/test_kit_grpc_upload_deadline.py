"""A client-streaming call (an upload) runs as long as its caller's deadline allows, up to
a maximum; a unary call stays bounded by the default deadline. Over a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest

from zorgpost_kit.grpc_server import create_server

DEFAULT_DEADLINE = 0.5
#: Slower than the default deadline, well within the caller's.
CHUNKS, PAUSE = 6, 0.2


async def _count(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> bytes:
    return str(sum([len(chunk) async for chunk in requests])).encode()


async def _slow_echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    await asyncio.sleep(CHUNKS * PAUSE)
    return request


async def _slow_upload() -> AsyncIterator[bytes]:
    for _ in range(CHUNKS):
        await asyncio.sleep(PAUSE)
        yield b"x" * 1000


async def _serve(max_upload: float) -> tuple[grpc.aio.Server, int]:
    server, port = create_server(
        "127.0.0.1:0", default_deadline_seconds=DEFAULT_DEADLINE, max_upload_deadline_seconds=max_upload
    )
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "test.Transfer",
                {
                    "Upload": grpc.stream_unary_rpc_method_handler(_count),
                    "Echo": grpc.unary_unary_rpc_method_handler(_slow_echo),
                },
            ),
        )
    )
    await server.start()
    return server, port


async def test_an_upload_may_take_the_callers_deadline_and_a_unary_call_the_default() -> None:
    server, port = await _serve(max_upload=600.0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            upload = channel.stream_unary("/test.Transfer/Upload")
            assert await upload(_slow_upload(), timeout=30.0) == b"6000"
            with pytest.raises(grpc.aio.AioRpcError) as slow:
                await channel.unary_unary("/test.Transfer/Echo")(b"hallo", timeout=30.0)
            assert slow.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        await server.stop(None)


async def test_an_upload_is_still_bounded_by_the_maximum() -> None:
    server, port = await _serve(max_upload=DEFAULT_DEADLINE)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as slow:
                await channel.stream_unary("/test.Transfer/Upload")(_slow_upload(), timeout=30.0)
            assert slow.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        await server.stop(None)
