"""What the web front end's use cases need from the outside world."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Protocol


@dataclass(frozen=True)
class BrowserContext:
    """Who is at the other end of the browser: passed on to the gateway so identity records
    the person's own device and address, not the web server's."""

    ip_address: str = ""
    user_agent: str = ""
    language: str = "nl"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class GatewayError(Exception):
    """The gateway refused a request: its problem+json, kept whole."""

    def __init__(self, status: int, code: str, detail: str, errors: list[FieldProblem] | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors: list[FieldProblem] = list(errors or [])


class GatewayUnavailable(Exception):
    """The gateway did not answer, or answered that a service behind it is down."""


@dataclass
class LockedSession:
    """A stored session held for update: ``state`` is what was stored; set ``replacement``
    to store something else when the lock is released."""

    state: dict[str, Any] | None
    replacement: dict[str, Any] | None = field(default=None)


class Gateway(Protocol):
    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
    ) -> Any:
        """The decoded JSON answer (None for 204); raises GatewayError or GatewayUnavailable."""
        ...

    async def ready(self) -> bool: ...


@dataclass(frozen=True)
class FilePart:
    """A file a person chose in a form, passed on to the gateway as it is."""

    file_name: str
    content_type: str
    content: IO[bytes]


class Stream(Protocol):
    """An answer of the gateway that is read as it comes (a file, server-sent events)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    def chunks(self) -> AsyncIterator[bytes]:
        """The body piece by piece; the stream is closed when the iteration ends."""
        ...

    async def close(self) -> None: ...


class GatewayTransfers(Protocol):
    """The gateway's answers that are not one JSON document: uploads with files, downloads
    and the live event stream."""

    async def send_files(
        self,
        path: str,
        *,
        token: str,
        fields: Mapping[str, str | list[str]],
        files: Sequence[FilePart],
        browser: BrowserContext | None = None,
        file_field: str = "files",
    ) -> Any:
        """A multipart POST (the files under ``file_field``); the decoded JSON answer. Raises
        GatewayError or GatewayUnavailable."""
        ...

    async def open_stream(
        self,
        path: str,
        *,
        token: str,
        headers: Mapping[str, str] | None = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
        idle_timeout: float | None = None,
    ) -> Stream:
        """A GET whose body is read as it comes, once its status said yes. Raises
        GatewayError or GatewayUnavailable before anything is streamed."""
        ...


class SessionStore(Protocol):
    async def load(self, session_id: str, now: datetime) -> dict[str, Any] | None:
        """The session's state, or None when there is none or it has expired."""
        ...

    async def save(self, session_id: str, state: dict[str, Any], expires_at: datetime) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    def locked(self, session_id: str, expires_at: datetime) -> AbstractAsyncContextManager[LockedSession]:
        """Holds the stored session against concurrent updates (another request, another
        replica) until the block ends, then stores ``replacement`` if set."""
        ...

    async def delete_expired(self, now: datetime) -> int: ...
