"""The scheduled job that ends parental delegations on the 16th birthday: it runs at start,
then every interval, survives a failed run, and stops when asked."""

from __future__ import annotations

import asyncio

from identity.entrypoints.workers import DelegationExpiryWorker

#: Generous: only reached when the behaviour is broken, never waited for otherwise.
GIVE_UP_AFTER = 10.0


class CountingDelegations:
    """Counts runs and lets a test wait until a number of runs happened (no fixed sleeps)."""

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


async def test_the_job_runs_at_start_and_again_after_each_interval_even_after_a_failure() -> None:
    delegations = CountingDelegations(fail_first=True)
    worker = DelegationExpiryWorker(delegations, interval_seconds=0.01)
    task = asyncio.create_task(worker.run())

    await delegations.wait_for_runs(3)  # the failed first run did not stop the job

    worker.stop()
    await asyncio.wait_for(task, GIVE_UP_AFTER)


async def test_stopping_ends_the_wait_at_once() -> None:
    delegations = CountingDelegations(fail_first=False)
    worker = DelegationExpiryWorker(delegations, interval_seconds=3600)
    task = asyncio.create_task(worker.run())
    await delegations.wait_for_runs(1)

    worker.stop()

    # Without the stop the next run would be an hour away: ending now means the wait ended.
    await asyncio.wait_for(task, GIVE_UP_AFTER)
    assert delegations.runs == 1
