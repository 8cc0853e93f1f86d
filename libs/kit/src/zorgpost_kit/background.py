"""The one way a service runs work in the background (the outbox relay, the notice delivery
worker, scheduled clean-ups): a loop that does a step, then sleeps until it is woken or its
idle interval passes, backs off after errors, and stops cleanly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

#: Does one round of work. True means "there may be more right away": the loop goes on
#: without waiting (a full batch was handled); False means "idle until woken".
Step = Callable[[], Awaitable[bool]]


class BackgroundLoop:
    """Runs ``step`` until :meth:`stop`.

    - :meth:`wake` cuts a wait short (e.g. after a commit that queued work), so work starts
      at once instead of at the next poll; a wake during a step is not lost.
    - A step that raises is logged by its error type only (a database error's text can hold
      the statement's parameters: codes, tokens, addresses) and retried after a delay that
      doubles per consecutive failure, up to ``max_backoff_seconds``: the loop outlives
      database and NATS outages.
    - :meth:`stop` ends the loop after the current step; ``final_step``, when given, runs
      once more on the way out (the relay publishes what was committed during shutdown).
    """

    def __init__(
        self,
        name: str,
        step: Step,
        *,
        idle_seconds: float = 1.0,
        first_backoff_seconds: float = 0.25,
        max_backoff_seconds: float = 10.0,
        final_step: Step | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._idle_seconds = idle_seconds
        self._first_backoff = first_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._final_step = final_step
        self._wake = asyncio.Event()
        self._stopping = False
        #: Consecutive failed steps (0 after a step that succeeded).
        self.failures = 0
        #: Steps done so far, failed ones included (lets a test wait for "idle" without sleeping).
        self.rounds = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            more = await self._run_step()
            if more and self.failures == 0:
                continue
            await self._sleep(self._delay())
        if self._final_step is not None:
            try:
                await self._final_step()
            except Exception as error:  # noqa: BLE001 - what is left waits for the next start
                log.warning("background_final_step_failed", loop=self.name, error=type(error).__name__)

    async def _run_step(self) -> bool:
        try:
            more = await self._step()
        except Exception as error:  # noqa: BLE001 - the loop must outlive outages; see the class docstring
            self.failures += 1
            log.warning("background_step_failed", loop=self.name, error=type(error).__name__, attempt=self.failures)
            return False
        else:
            self.failures = 0
            return more
        finally:
            self.rounds += 1

    def _delay(self) -> float:
        if self.failures == 0:
            return self._idle_seconds
        return min(self._first_backoff * 2.0 ** (self.failures - 1), self._max_backoff)

    async def _sleep(self, seconds: float) -> None:
        if self._stopping:
            return
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass
