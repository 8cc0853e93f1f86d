"""The scheduled job that ends parental delegations on the 16th birthday: it runs at start,
then after each interval, survives a failed run (the kit's background loop), and stops when
asked. Every wait is on a condition, never on the clock."""

from __future__ import annotations

import asyncio

from identity.entrypoints.workers import delegation_expiry_loop

#: Generous: only reached when the behaviour is broken, never waited for otherwise.
GIVE_UP_AFTER = 10.0


class CountingDelegations:
    """Counts runs and lets a test wait until a number of runs happened."""

    def __init__(self, *, fail_first: bool) -> None:
        self.runs = 0
        self._fail_first = fail_first
        self._ran = asyncio.Condition()

    async def do_end_at_sixteen(self) -> int:
        async with self._ran:
            self.runs += 1
            self._ran.notify_all()
        if self._fail_first and self.runs == 1:
            raise ConnectionError("database restarting")
        return 0

    async def wait_for_runs(self, count: int) -> None:
        async with self._ran:
            await asyncio.wait_for(self._ran.wait_for(lambda: self.runs >= count), GIVE_UP_AFTER)


async def test_the_job_runs_at_start_and_again_after_a_failure() -> None:
    delegations = CountingDelegations(fail_first=True)
    loop = delegation_expiry_loop(delegations, interval_seconds=3600)
    task = asyncio.create_task(loop.run())

    # The retry after the failure comes after the loop's short backoff, not the hour.
    await delegations.wait_for_runs(2)

    loop.stop()
    await asyncio.wait_for(task, GIVE_UP_AFTER)


async def test_the_job_runs_again_after_each_interval() -> None:
    delegations = CountingDelegations(fail_first=False)
    loop = delegation_expiry_loop(delegations, interval_seconds=0.01)
    task = asyncio.create_task(loop.run())

    await delegations.wait_for_runs(3)

    loop.stop()
    await asyncio.wait_for(task, GIVE_UP_AFTER)


async def test_stopping_ends_the_wait_at_once() -> None:
    delegations = CountingDelegations(fail_first=False)
    loop = delegation_expiry_loop(delegations, interval_seconds=3600)
    task = asyncio.create_task(loop.run())
    await delegations.wait_for_runs(1)

    loop.stop()

    # Without the stop the next run would be an hour away: ending now means the wait ended.
    await asyncio.wait_for(task, GIVE_UP_AFTER)
    assert delegations.runs == 1
