"""The scheduled job that ends parental delegations on the 16th birthday: it runs at start,
then every interval, survives a failed run, and stops when asked."""

from __future__ import annotations

import asyncio

from identity.service.delegations import DelegationExpiryWorker


class CountingDelegations:
    def __init__(self, *, fail_first: bool) -> None:
        self.runs = 0
        self._fail_first = fail_first

    async def do_end_at_sixteen(self) -> int:
        self.runs += 1
        if self._fail_first and self.runs == 1:
            raise ConnectionError("database restarting")
        return 0


async def test_the_job_runs_at_start_and_again_after_each_interval_even_after_a_failure() -> None:
    delegations = CountingDelegations(fail_first=True)
    worker = DelegationExpiryWorker(delegations, interval_seconds=0.05)  # type: ignore[arg-type]
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.18)
    worker.stop()
    await asyncio.wait_for(task, timeout=1.0)
    assert delegations.runs >= 3


async def test_stopping_ends_the_wait_at_once() -> None:
    delegations = CountingDelegations(fail_first=False)
    worker = DelegationExpiryWorker(delegations, interval_seconds=3600)  # type: ignore[arg-type]
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.05)
    assert delegations.runs == 1
    worker.stop()
    await asyncio.wait_for(task, timeout=1.0)
