"""Fixtures of the contract tests: real service processes over gRPC, on real PostgreSQL and
NATS, started once per module.

A module names the processes it needs with a marker, and the ``stack`` fixture starts
exactly those::

    pytestmark = [
        pytest.mark.asyncio(loop_scope="module"),
        pytest.mark.services("identity", "messaging", outbox=True, extra_env={...}),
    ]

No names start the whole system (gateway and web included). The module's tests run on
the module's event loop (``loop_scope="module"``, as above): ``channel`` and ``js`` are
opened there, and a test on another loop could not use them. ``channel`` opens a gRPC
channel to the service under test: ``channel="…"`` in the marker, else the last one named.
``staff``, ``staff_token`` and ``person`` are accounts made once per module (``staff_roles=``
in the marker gives the staff member other roles than ``staff``); ``js`` is a
JetStream context on the stack's own NATS with every producer's stream in place (a test
that publishes an event itself needs its stream to exist).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import nats
import pytest
import pytest_asyncio
from contract_helpers import Person, access_token, create_person, start_services
from nats.js import JetStreamContext
from support import StaffMember, create_staff_member

from zorgpost_devstack.stack import Stack
from zorgpost_kit.jetstream import ensure_stream

#: The services whose events other services consume.
PRODUCERS = ("identity", "messaging", "contacts", "portal")


def _services_marker(request: pytest.FixtureRequest) -> pytest.Mark:
    marker = request.node.get_closest_marker("services")
    if marker is None:
        raise pytest.UsageError(f"{request.node.nodeid}: say which processes it needs with pytest.mark.services(...)")
    return marker


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, make_module_stack) -> Stack:  # type: ignore[no-untyped-def]
    marker = _services_marker(request)
    started: Stack = make_module_stack(extra_env=marker.kwargs.get("extra_env"))
    if not marker.args:
        return started.up()
    start_services(started, marker.args, outbox=bool(marker.kwargs.get("outbox", False)))
    for service in marker.kwargs.get("demo_data", ()):
        started.run_command(service, "seed-demo")
    return started


@pytest_asyncio.fixture(loop_scope="module")
async def channel(request: pytest.FixtureRequest, stack: Stack) -> AsyncIterator[grpc.aio.Channel]:
    marker = _services_marker(request)
    service = marker.kwargs.get("channel") or (marker.args[-1] if marker.args else None)
    if service is None:
        raise pytest.UsageError(
            f"{request.node.nodeid}: name the service to talk to: pytest.mark.services(..., channel=...)"
        )
    async with grpc.aio.insecure_channel(stack.grpc_address(service)) as open_channel:
        yield open_channel


@pytest_asyncio.fixture(loop_scope="module")
async def js(stack: Stack) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(stack.nats_url)
    try:
        context = client.jetstream()
        for producer in PRODUCERS:
            await ensure_stream(context, producer)
        yield context
    finally:
        await client.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff(request: pytest.FixtureRequest, stack: Stack) -> StaffMember:
    marker = request.node.get_closest_marker("services")
    roles = marker.kwargs.get("staff_roles") if marker is not None else None
    return await create_staff_member(stack, roles=frozenset(roles)) if roles else await create_staff_member(stack)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff_token(stack: Stack, staff: StaffMember) -> str:
    return await access_token(stack, staff)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def person(stack: Stack) -> Person:
    return await create_person(stack)
