"""The kit's background loop: steps until stopped, is woken at once, keeps going after a
failure with a growing delay, and runs its final step on the way out. Waits on conditions
(the loop's own counters), never on fixed sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from zorgpost_kit.background import BackgroundLoop


async def until(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0)


class Steps:
    """A step that records its calls, fails when told to and reports "more" when told to."""

    def __init__(self, *, failures: int = 0, busy_rounds: int = 0) -> None:
        self.calls = 0
        self.final_calls = 0
        self._failures = failures
        self._busy_rounds = busy_rounds

    async def step(self) -> bool:
        self.calls += 1
        if self.calls <= self._failures:
            raise ConnectionError("database restarting")
        return self.calls <= self._failures + self._busy_rounds

    async def final(self) -> bool:
        self.final_calls += 1
        return False


async def test_a_wake_runs_the_next_step_without_waiting_for_the_idle_interval() -> None:
    steps = Steps()
    loop = BackgroundLoop("test", steps.step, idle_seconds=3600)
    task = asyncio.create_task(loop.run())
    await until(lambda: loop.rounds == 1)
    loop.wake()
    await until(lambda: loop.rounds == 2)
    loop.stop()
    await asyncio.wait_for(task, timeout=5)
    assert steps.calls == 2


async def test_a_busy_step_is_followed_at_once_by_the_next() -> None:
    steps = Steps(busy_rounds=3)
    loop = BackgroundLoop("test", steps.step, idle_seconds=3600)
    task = asyncio.create_task(loop.run())
    # Three "more to do" rounds and the idle one, all without a wake.
    await until(lambda: loop.rounds == 4)
    loop.stop()
    await asyncio.wait_for(task, timeout=5)


async def test_failures_are_retried_with_a_doubling_delay_and_then_the_loop_goes_on() -> None:
    steps = Steps(failures=3)
    loop = BackgroundLoop("test", steps.step, idle_seconds=3600, first_backoff_seconds=0.001)
    task = asyncio.create_task(loop.run())
    await until(lambda: steps.calls == 4)
    assert loop.failures == 0
    loop.stop()
    await asyncio.wait_for(task, timeout=5)


@pytest.mark.parametrize(("failures", "expected"), [(1, 0.25), (2, 0.5), (3, 1.0), (10, 10.0)])
def test_the_backoff_doubles_per_consecutive_failure_up_to_its_cap(failures: int, expected: float) -> None:
    loop = BackgroundLoop("test", Steps().step, first_backoff_seconds=0.25, max_backoff_seconds=10.0)
    loop.failures = failures
    assert loop._delay() == expected


async def test_stop_ends_an_idle_wait_at_once_and_runs_the_final_step() -> None:
    steps = Steps()
    loop = BackgroundLoop("test", steps.step, idle_seconds=3600, final_step=steps.final)
    task = asyncio.create_task(loop.run())
    await until(lambda: loop.rounds == 1)
    loop.stop()
    await asyncio.wait_for(task, timeout=5)
    assert (steps.calls, steps.final_calls) == (1, 1)
