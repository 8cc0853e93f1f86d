"""The portal's contract over gRPC: GetDashboard is about the person the token names, and
remembers the previous visit so the page can show what is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from contract_helpers import (
    RPC_TIMEOUT,
    access_token,
    create_person,
    health_status,
    reflected_services,
    refusal,
    resign_with_foreign_key,
)
from grpc_health.v1 import health_pb2
from support import create_staff_member

from identity.domain.accounts import Role
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "portal")]

SERVICE = "zorgpost.portal.v1.PortalService"


@pytest.fixture
def portal(channel: grpc.aio.Channel) -> portal_pb2_grpc.PortalServiceStub:
    return portal_pb2_grpc.PortalServiceStub(channel)


async def _dashboard(portal: portal_pb2_grpc.PortalServiceStub, token: str | None) -> portal_pb2.Dashboard:
    dashboard: portal_pb2.Dashboard = await portal.GetDashboard(
        portal_pb2.GetDashboardRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return dashboard


async def test_the_dashboard_is_the_callers_and_remembers_the_previous_visit(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    person = await create_person(stack)
    token = await access_token(stack, person)

    before_first = datetime.now(UTC)
    first = await _dashboard(portal, token)
    after_first = datetime.now(UTC)
    assert first.person_id == person.account_id
    assert list(first.upcoming_appointments) == []
    assert first.active_trajectories == 0
    assert not first.HasField("last_visit_at")

    second = await _dashboard(portal, token)
    assert second.person_id == person.account_id
    assert second.HasField("last_visit_at")
    # The previous visit is the first call, not this one.
    previous = second.last_visit_at.ToDatetime(tzinfo=UTC)
    assert before_first - timedelta(seconds=1) <= previous <= after_first + timedelta(seconds=1)

    third = await _dashboard(portal, token)
    assert third.last_visit_at.ToDatetime(tzinfo=UTC) > previous


async def test_visits_are_remembered_per_person(portal: portal_pb2_grpc.PortalServiceStub, stack: Stack) -> None:
    first_person = await access_token(stack, await create_person(stack))
    await _dashboard(portal, first_person)
    await _dashboard(portal, first_person)

    other = await create_person(stack)
    dashboard = await _dashboard(portal, await access_token(stack, other))
    assert dashboard.person_id == other.account_id
    assert not dashboard.HasField("last_visit_at")


async def test_practitioners_get_their_own_dashboard_and_other_staff_roles_none(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    practitioner = await create_staff_member(stack, roles=frozenset({Role.PRACTITIONER}))
    dashboard = await _dashboard(portal, await access_token(stack, practitioner))
    assert dashboard.person_id == practitioner.account_id
    assert list(dashboard.upcoming_appointments) == []
    assert not dashboard.HasField("last_visit_at")

    for roles in ({Role.STAFF}, {Role.ADMIN}, {Role.HELPDESK}):
        staff = await create_staff_member(stack, roles=frozenset(roles))
        refused = await refusal(_dashboard(portal, await access_token(stack, staff)))
        assert refused.code == grpc.StatusCode.PERMISSION_DENIED
        assert refused.reason == "not_permitted"


@pytest.mark.parametrize("token_kind", ["none", "garbage", "foreign-key"])
async def test_without_a_valid_token_there_is_no_dashboard(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack, token_kind: str
) -> None:
    person = await create_person(stack)
    genuine = await access_token(stack, person)
    presented = {"none": None, "garbage": "not-a-jwt", "foreign-key": resign_with_foreign_key(genuine)}[token_kind]
    failure = await refusal(
        portal.GetDashboard(portal_pb2.GetDashboardRequest(), metadata=call_metadata(presented), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_token"
    # A refused call is no visit.
    assert not (await _dashboard(portal, genuine)).HasField("last_visit_at")


@pytest.mark.parametrize("service", ["", SERVICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service(channel: grpc.aio.Channel) -> None:
    assert SERVICE in await reflected_services(channel)
