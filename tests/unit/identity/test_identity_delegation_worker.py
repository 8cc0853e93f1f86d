"""The scheduled job that ends parental delegations on the 16th birthday: it runs at start,
then after each interval, and survives a failed run (the kit's background loop)."""

from __future__ import annotations

import asyncio

from identity.service.delegations import delegation_expiry_loop


class CountingDelegations:
    def __init__(self, *, fail_first: bool) -> None:
        self.runs = 0
        self._fail_first = fail_first

    async def do_end_at_sixteen(self) -> int:
        self.runs += 1
        if self._fail_first and self.runs == 1:
            raise ConnectionError("database restarting")
        return 0


async def test_the_job_runs_at_start_and_again_after_a_failure() -> None:
    delegations = CountingDelegations(fail_first=True)
    loop = delegation_expiry_loop(delegations, interval_seconds=3600)  # type: ignore[arg-type]
    task = asyncio.create_task(loop.run())
    async with asyncio.timeout(10):
        while delegations.runs < 2:  # the retry after the failure comes after a short backoff
            await asyncio.sleep(0.01)
    loop.stop()
    await asyncio.wait_for(task, timeout=5)


async def test_the_job_runs_once_per_interval_and_stopping_ends_the_wait_at_once() -> None:
    delegations = CountingDelegations(fail_first=False)
    loop = delegation_expiry_loop(delegations, interval_seconds=3600)  # type: ignore[arg-type]
    task = asyncio.create_task(loop.run())
    async with asyncio.timeout(10):
        while loop.rounds < 1:
            await asyncio.sleep(0)
    loop.stop()
    await asyncio.wait_for(task, timeout=5)
    assert delegations.runs == 1
