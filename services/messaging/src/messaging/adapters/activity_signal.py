"""Wakes feed watchers in this process when any messaging process committed activity:
PostgreSQL LISTEN on the channel the activity repository NOTIFYs, so it works with several
replicas. A lost connection is re-established by the background loop; watchers also poll,
so a notification missed meanwhile delays an update by at most the poll interval."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from messaging.adapters.repositories import ACTIVITY_CHANNEL
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


class PostgresActivitySignal:
    def __init__(self, database_url: str) -> None:
        self._dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._generation = 0
        self._changed = asyncio.Condition()
        self._connection: Any = None

    @property
    def generation(self) -> int:
        return self._generation

    async def wait(self, seen_generation: int, timeout: float) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._generation > seen_generation), timeout=timeout
                )
            except TimeoutError:
                pass

    async def _bump(self) -> None:
        async with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def _on_notify(self, *_: object) -> None:
        asyncio.get_running_loop().create_task(self._bump())

    async def _keep_listening(self) -> bool:
        """One step of the background loop: (re)connect when needed, then idle."""
        connection = self._connection
        if connection is not None and not connection.is_closed():
            return False
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(ACTIVITY_CHANNEL, self._on_notify)
        self._connection = connection
        log.info("activity_listening")
        # Whatever was committed while nobody listened: watchers look again.
        await self._bump()
        return False

    def background_loop(self) -> BackgroundLoop:
        return BackgroundLoop("activity_signal", self._keep_listening, idle_seconds=2.0, final_step=self.close)

    async def close(self) -> bool:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None
        return False
