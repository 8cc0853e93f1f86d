"""The blob stores behind attachments, against real storage: a folder, and an S3-compatible
server (moto's S3 server from PyPI, spoken to over HTTP with AWS Signature V4 as any S3
provider would be); and the clamd INSTREAM client against a stand-in clamd speaking the same
protocol (no clamd binary is installed on this machine)."""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from messaging.adapters.blob_stores import FilesystemBlobStore, S3BlobStore
from messaging.adapters.clamd import ClamdScanner

DATA = b"%PDF-1.7\n" + bytes(range(256)) * 1000
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(endpoint, timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)
        log.close()


async def roundtrip(store: FilesystemBlobStore | S3BlobStore) -> None:
    key = uuid.uuid4().hex
    await store.put(key, io.BytesIO(DATA), len(DATA))
    assert b"".join([chunk async for chunk in store.read(key)]) == DATA
    await store.delete(key)
    with pytest.raises(Exception):  # noqa: B017 - each store raises its own "not there"
        _ = [chunk async for chunk in store.read(key)]
    for bad in ("../../etc/passwd", "a/b", "ABC"):
        with pytest.raises(ValueError):
            await store.put(bad, io.BytesIO(b"x"), 1)


async def test_filesystem_store_keeps_bytes_under_generated_names(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "attachments")
    await roundtrip(store)
    key = uuid.uuid4().hex
    await store.put(key, io.BytesIO(DATA), len(DATA))
    assert [p.name for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == [key]


async def test_s3_store_against_an_s3_compatible_server(s3_endpoint: str) -> None:
    store = S3BlobStore(
        endpoint_url=s3_endpoint, bucket=f"zorgpost-{uuid.uuid4().hex[:8]}", access_key="test", secret_key="test"
    )
    try:
        await store.ensure_bucket()
        await store.ensure_bucket()  # idempotent
        await roundtrip(store)
    finally:
        await store.close()


async def test_s3_store_with_wrong_credentials_fails_loudly(s3_endpoint: str) -> None:
    store = S3BlobStore(endpoint_url=s3_endpoint, bucket="missing-bucket-x", access_key="test", secret_key="test")
    try:
        with pytest.raises(httpx.HTTPStatusError):
            await store.put(uuid.uuid4().hex, io.BytesIO(b"x"), 1)
    finally:
        await store.close()


class StandInClamd:
    """Speaks clamd's zINSTREAM: length-prefixed chunks, a zero length to end; finds EICAR."""

    def __init__(self) -> None:
        self.scanned: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readexactly(10) == b"zINSTREAM\0"
        data = b""
        while size := int.from_bytes(await reader.readexactly(4), "big"):
            data += await reader.readexactly(size)
        self.scanned.append(data)
        writer.write(b"stream: Eicar-Signature FOUND\0" if EICAR in data else b"stream: OK\0")
        await writer.drain()
        writer.close()


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 100_000):
        yield data[start : start + 100_000]


async def test_clamd_instream_verdicts() -> None:
    clamd = StandInClamd()
    server = await asyncio.start_server(clamd.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        scanner = ClamdScanner("127.0.0.1", port)
        assert (await scanner.scan(chunks(DATA))).clean
        verdict = await scanner.scan(chunks(b"prefix " + EICAR))
        assert not verdict.clean and verdict.finding == "Eicar-Signature"
        assert clamd.scanned[0] == DATA
    finally:
        server.close()
        await server.wait_closed()
