"""Fixtures of the end-to-end tests: a whole stack per test module and an HTTP client on its
gateway. A module that needs other settings says so with a marker instead of its own
``stack``::

    pytestmark = pytest.mark.stack(extra_env={"gateway": {"AUTH_RATE_BURST": "5"}})

``demo_data=("identity", …)`` loads those services' demo data once the stack is up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from zorgpost_devstack.stack import Stack


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, make_module_stack) -> Stack:  # type: ignore[no-untyped-def]
    marker = request.node.get_closest_marker("stack")
    settings = marker.kwargs if marker is not None else {}
    started: Stack = make_module_stack(extra_env=settings.get("extra_env")).up()
    for service in settings.get("demo_data", ()):
        started.run_command(service, "seed-demo")
    return started


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as client:
        yield client
