"""The virus-scan hook: clamd's INSTREAM command over TCP (``zINSTREAM``, chunks prefixed
with their 4-byte big-endian length, a zero-length chunk to end)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from messaging.service.ports import ScanVerdict

MAX_CHUNK = 64 * 1024


class ClamdUnavailableError(RuntimeError):
    """clamd did not answer as expected; the file stays quarantined and is tried again."""


class ClamdScanner:
    def __init__(self, host: str, port: int, *, timeout: float = 60.0) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout

    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        return await asyncio.wait_for(self._scan(chunks), timeout=self._timeout)

    async def _scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            writer.write(b"zINSTREAM\0")
            async for chunk in chunks:
                for start in range(0, len(chunk), MAX_CHUNK):
                    part = chunk[start : start + MAX_CHUNK]
                    writer.write(len(part).to_bytes(4, "big") + part)
                await writer.drain()
            writer.write((0).to_bytes(4, "big"))
            await writer.drain()
            answer = (await reader.read(4096)).rstrip(b"\0\n").decode("utf-8", "replace")
        finally:
            writer.close()
        # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        if answer.endswith(" OK"):
            return ScanVerdict(clean=True)
        if answer.endswith(" FOUND"):
            return ScanVerdict(clean=False, finding=answer.removeprefix("stream: ").removesuffix(" FOUND"))
        raise ClamdUnavailableError(answer[:200])
