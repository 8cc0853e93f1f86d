"""Fixtures of the end-to-end tests: a whole stack per test module (a module may define its
own ``stack`` to start it differently) and an HTTP client on its gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from zorgpost_devstack.stack import Stack


@pytest.fixture(scope="module")
def stack(make_module_stack) -> Stack:  # type: ignore[no-untyped-def]
    return make_module_stack().up()


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as client:
        yield client
