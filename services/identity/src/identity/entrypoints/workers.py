"""Identity's background work: the delegations that end by themselves on the 16th birthday."""

from __future__ import annotations

from typing import Protocol

from zorgpost_kit.background import BackgroundLoop


class EndsDelegationsAtSixteen(Protocol):
    async def do_end_at_sixteen(self) -> int: ...


def delegation_expiry_loop(
    delegations: EndsDelegationsAtSixteen, *, interval_seconds: float = 3600.0
) -> BackgroundLoop:
    """Runs :meth:`~identity.service.delegations.Delegations.do_end_at_sixteen` at start and
    then every ``interval_seconds`` (hourly by default). A failed run is retried with the
    loop's backoff: nothing is lost, the job looks at every open delegation each time."""

    async def step() -> bool:
        await delegations.do_end_at_sixteen()
        return False

    return BackgroundLoop("delegation_expiry", step, idle_seconds=interval_seconds)
