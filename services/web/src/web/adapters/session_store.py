"""Browser sessions in PostgreSQL, shared by every web replica and kept across restarts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from web.adapters.crypto import StateCipher
from web.adapters.orm import browser_sessions
from web.service.ports import LockedSession


class SqlSessionStore:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], cipher: StateCipher) -> None:
        self._session_factory = session_factory
        self._cipher = cipher

    def _open(self, session_id: str, blob: bytes | None) -> dict[str, Any] | None:
        if blob is None:
            return None
        plaintext = self._cipher.open(blob, session_id)
        if plaintext is None:  # sealed with another secret: as good as no session
            return None
        state: dict[str, Any] = json.loads(plaintext)
        return state

    def _seal(self, session_id: str, state: dict[str, Any]) -> bytes:
        return self._cipher.seal(json.dumps(state, separators=(",", ":")).encode(), session_id)

    async def load(self, session_id: str, now: datetime) -> dict[str, Any] | None:
        async with self._session_factory() as db:
            row = (
                await db.execute(
                    select(browser_sessions.c.state).where(
                        browser_sessions.c.id == session_id, browser_sessions.c.expires_at > now
                    )
                )
            ).first()
        return self._open(session_id, row.state if row else None)

    async def save(self, session_id: str, state: dict[str, Any], expires_at: datetime) -> None:
        async with self._session_factory() as db, db.begin():
            await db.execute(self._upsert(session_id, state, expires_at))

    def _upsert(self, session_id: str, state: dict[str, Any], expires_at: datetime) -> Any:
        now = datetime.now(UTC)
        sealed = self._seal(session_id, state)
        statement = insert(browser_sessions).values(
            id=session_id, state=sealed, created_at=now, updated_at=now, expires_at=expires_at
        )
        return statement.on_conflict_do_update(
            index_elements=[browser_sessions.c.id],
            set_={"state": sealed, "updated_at": now, "expires_at": expires_at},
        )

    async def delete(self, session_id: str) -> None:
        async with self._session_factory() as db, db.begin():
            await db.execute(delete(browser_sessions).where(browser_sessions.c.id == session_id))

    @asynccontextmanager
    async def locked(self, session_id: str, expires_at: datetime) -> AsyncIterator[LockedSession]:
        async with self._session_factory() as db, db.begin():
            row = (
                await db.execute(
                    select(browser_sessions.c.state).where(browser_sessions.c.id == session_id).with_for_update()
                )
            ).first()
            held = LockedSession(self._open(session_id, row.state if row else None))
            yield held
            if held.replacement is not None:
                await db.execute(self._upsert(session_id, held.replacement, expires_at))

    async def delete_expired(self, now: datetime) -> int:
        async with self._session_factory() as db, db.begin():
            result = await db.execute(delete(browser_sessions).where(browser_sessions.c.expires_at <= now))
        return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0
