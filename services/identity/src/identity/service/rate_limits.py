"""Counting a request that makes Zorgpost send something against its limits
(:mod:`identity.domain.rate_limits`), inside the caller's unit of work: the count commits
with what is sent, or not at all."""

from __future__ import annotations

from datetime import datetime

from identity.domain.errors import TooManyRequests
from identity.domain.rate_limits import RateLimit
from identity.service.ports import UnitOfWork


async def do_count(uow: UnitOfWork, limit: RateLimit, value: str, now: datetime) -> None:
    """Counts one more for ``value`` (an address, a number, an account id), or raises
    :class:`~identity.domain.errors.TooManyRequests` with the wait when the limit is reached."""
    counter = await uow.rate_counters.lock(limit.name, limit.key(value), now)
    counter.do_count(limit, now)
    await uow.rate_counters.save(counter)


async def is_within(uow: UnitOfWork, limit: RateLimit, value: str, now: datetime) -> bool:
    """Counts one more like :func:`do_count`, but answers False instead of raising (for a
    request whose answer must not change, such as a password reset's)."""
    try:
        await do_count(uow, limit, value, now)
    except TooManyRequests:
        return False
    return True
