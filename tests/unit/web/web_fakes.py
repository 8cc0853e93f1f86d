"""The web front end's fakes: its session store, and a gateway that answers as told and
remembers every call (JSON calls, uploads and streams alike)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from web.service.ports import BrowserContext, FilePart, GatewayError, LockedSession


class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def load(self, session_id: str, now: datetime) -> dict[str, Any] | None:
        return self.rows.get(session_id)

    async def save(self, session_id: str, state: dict[str, Any], expires_at: datetime) -> None:
        self.rows[session_id] = state

    async def delete(self, session_id: str) -> None:
        self.rows.pop(session_id, None)

    @asynccontextmanager
    async def locked(self, session_id: str, expires_at: datetime) -> AsyncIterator[LockedSession]:
        held = LockedSession(self.rows.get(session_id))
        yield held
        if held.replacement is not None:
            self.rows[session_id] = held.replacement

    async def delete_expired(self, now: datetime) -> int:
        return 0


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str | None
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] | None = None


Answer = Callable[[Call], Any]


class FakeStream:
    def __init__(self, chunks: Sequence[bytes], headers: Mapping[str, str] | None = None) -> None:
        self._chunks = list(chunks)
        self._headers = dict(headers or {})
        self.closed = False

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            for chunk in self._chunks:
                yield chunk
        finally:
            self.closed = True

    async def close(self) -> None:
        self.closed = True


class ScriptedGateway:
    """Answers ``(method, path)`` with what ``answers`` holds for it (a value, a GatewayError
    to raise, or a function of the call); unknown calls are 404."""

    def __init__(self, answers: dict[tuple[str, str], Any] | None = None) -> None:
        self.answers: dict[tuple[str, str], Any] = dict(answers or {})
        self.calls: list[Call] = []

    def _answer(self, call: Call) -> Any:
        self.calls.append(call)
        answer = self.answers.get((call.method, call.path))
        if answer is None:
            raise GatewayError(404, "not_found", "")
        if callable(answer):
            answer = answer(call)
        if isinstance(answer, GatewayError):
            raise answer
        return answer

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
        return self._answer(Call(method, path, token, json, params=params))

    async def ready(self) -> bool:
        return True

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
        # The content is read as the real adapter would, so a resend shows what it sent.
        content = b"".join(f.content.read() for f in files)
        return self._answer(
            Call(
                "POST",
                path,
                token,
                {"fields": dict(fields), file_field: [f.file_name for f in files], "content": content},
            )
        )

    async def open_stream(
        self,
        path: str,
        *,
        token: str,
        headers: Mapping[str, str] | None = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
        idle_timeout: float | None = None,
    ) -> FakeStream:
        answer = self._answer(Call("GET", path, token, None, dict(headers or {})))
        assert isinstance(answer, FakeStream)
        return answer


def csrf_token(html: str) -> str:
    """The CSRF token a page's forms carry (the cookie came with the same page)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
