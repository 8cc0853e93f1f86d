"""Tells this process when any messaging process committed activity: PostgreSQL LISTEN on
the channel the activity repository NOTIFYs, so it works with several replicas. A lost
connection is re-established by the background loop; the activity hub also reads the feed
at its poll interval, so a notification missed meanwhile delays an update by at most that."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from messaging.adapters.repositories import ACTIVITY_CHANNEL
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


class PostgresActivitySignal:
    def __init__(self, database_url: str) -> None:
        self._dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._listeners: list[Callable[[], None]] = []
        self._connection: Any = None

    def add_listener(self, listener: Callable[[], None]) -> None:
        """``listener`` is called (in the event loop) after every notification."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _on_notify(self, *_: object) -> None:
        self._changed()

    async def _keep_listening(self) -> bool:
        """One step of the background loop: (re)connect when needed, then idle."""
        connection = self._connection
        if connection is not None and not connection.is_closed():
            return False
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(ACTIVITY_CHANNEL, self._on_notify)
        self._connection = connection
        log.info("activity_listening")
        # Whatever was committed while nobody listened: the readers look again.
        self._changed()
        return False

    def background_loop(self) -> BackgroundLoop:
        return BackgroundLoop("activity_signal", self._keep_listening, idle_seconds=2.0, final_step=self.close)

    async def close(self) -> bool:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None
        return False
