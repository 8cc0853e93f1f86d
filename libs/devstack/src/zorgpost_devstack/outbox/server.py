"""Runs the SMTP server and the HTTP app of the outbox together on one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn

from .http import create_app
from .smtp import SmtpServer
from .store import OutboxStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_SMTP_PORT = 1025
DEFAULT_HTTP_PORT = 8025
DEFAULT_DATA_DIR = Path(".data/outbox")


class _EmbeddedUvicorn(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The owner of the loop decides about SIGINT/SIGTERM. Uvicorn's own handling
        # would replace the CLI's handlers and re-raise the signal after shutdown.
        yield


class DevOutbox:
    """The development outbox: SMTP in, JSON/HTML out, stored in `data_dir`.

    Use `async with DevOutbox(...) as outbox:` or `await start()` / `await stop()`.
    Port 0 picks a free port; after `start()`, `smtp_port` and `http_port` hold the
    ports actually listened on.
    """

    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        *,
        smtp_host: str = DEFAULT_HOST,
        smtp_port: int = DEFAULT_SMTP_PORT,
        http_host: str = DEFAULT_HOST,
        http_port: int = DEFAULT_HTTP_PORT,
    ) -> None:
        self.data_dir = data_dir
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.http_host = http_host
        self.http_port = http_port
        self._store: OutboxStore | None = None
        self._smtp: SmtpServer | None = None
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None

    @property
    def http_url(self) -> str:
        """Base URL of the HTTP API, e.g. "http://127.0.0.1:8025"."""
        return f"http://{self.http_host}:{self.http_port}"

    @property
    def store(self) -> OutboxStore:
        """The open store; only valid between `start()` and `stop()`."""
        if self._store is None:
            raise RuntimeError("the outbox is not running")
        return self._store

    async def start(self) -> None:
        """Open the store and listen on both ports; returns once both accept connections."""
        self._store = OutboxStore(self.data_dir)
        # Bind the HTTP socket ourselves so port 0 resolves before uvicorn starts.
        sock = socket.socket(socket.AF_INET6 if ":" in self.http_host else socket.AF_INET)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.http_host, self.http_port))
            self._smtp = SmtpServer(self._store)
            self.smtp_port = await self._smtp.start(self.smtp_host, self.smtp_port)
        except OSError:  # typically a port already in use: release what we hold
            sock.close()
            await self.stop()
            raise
        self.http_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            create_app(self._store),
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=3,
        )
        self._http = _EmbeddedUvicorn(config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]))
        while not self._http.started:
            if self._http_task.done():
                await self.stop()  # re-raises uvicorn's startup error after cleaning up
                raise RuntimeError("the HTTP server stopped during startup")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop both servers and close the store; safe to call more than once."""
        http, http_task = self._http, self._http_task
        self._http = self._http_task = None
        try:
            if http is not None and http_task is not None:
                http.should_exit = True
                await http_task
        finally:
            if self._smtp is not None:
                await self._smtp.stop()
                self._smtp = None
            if self._store is not None:
                self._store.close()
                self._store = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
