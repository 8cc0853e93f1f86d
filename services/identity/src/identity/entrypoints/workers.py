"""Identity's background work: the delegations that end by themselves on the 16th birthday."""

from __future__ import annotations

import asyncio
from typing import Protocol

from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


class EndsDelegationsAtSixteen(Protocol):
    async def do_end_at_sixteen(self) -> int: ...


class DelegationExpiryWorker:
    """Runs :meth:`~identity.service.delegations.Delegations.do_end_at_sixteen` at start and
    then every ``interval`` seconds (hourly by default). A failed run is logged and retried
    at the next tick: nothing is lost, the job looks at every open delegation each time."""

    def __init__(self, delegations: EndsDelegationsAtSixteen, *, interval_seconds: float = 3600.0) -> None:
        self._delegations = delegations
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._delegations.do_end_at_sixteen()
            except Exception:
                log.exception("delegation_expiry_failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                continue

    def stop(self) -> None:
        self._stopping.set()
