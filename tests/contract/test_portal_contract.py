"""The portal's contract over gRPC and events, with a real portal process on PostgreSQL and
NATS: the dashboard is about the person the token names and counts from the previous login;
a person's portal is the person's and the back office the practice's practitioners' (the
kit's capabilities); what the portal learns from identity's delegation events holds
whatever order they come in; ending a trajectory stores ``portal.trajectory.ended`` with the
change (and says whether another one is still open)."""

from __future__ import annotations

import uuid

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
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2
from nats.js import JetStreamContext
from support import StaffMember, create_staff_member, fetch, wait_until

from identity.domain.accounts import Role
from zorgpost.events.v1 import identity_events_pb2, portal_events_pb2
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "portal")]

PORTAL = "zorgpost.portal.v1.PortalService"
PRACTICE = "zorgpost.portal.v1.PracticeService"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def portal(channel: grpc.aio.Channel) -> portal_pb2_grpc.PortalServiceStub:
    return portal_pb2_grpc.PortalServiceStub(channel)


@pytest.fixture
def practice(channel: grpc.aio.Channel) -> portal_pb2_grpc.PracticeServiceStub:
    return portal_pb2_grpc.PracticeServiceStub(channel)


async def _dashboard(portal: portal_pb2_grpc.PortalServiceStub, token: str | None) -> portal_pb2.Dashboard:
    dashboard: portal_pb2.Dashboard = await portal.GetDashboard(
        portal_pb2.GetDashboardRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return dashboard


# ----------------------------------------------------------------------------- the dashboard
async def test_the_dashboard_counts_from_the_previous_login_not_the_previous_page(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    person = await create_person(stack)
    token = await access_token(stack, person)

    first = await _dashboard(portal, token)
    assert first.person_id == person.account_id
    assert not first.HasField("since") and not first.on_behalf
    assert list(first.upcoming_appointments) == [] and first.active_trajectories == 0
    # Another page in the same session: still the first login.
    assert not (await _dashboard(portal, token)).HasField("since")

    next_login = await access_token(stack, person)
    second = await _dashboard(portal, next_login)
    assert second.HasField("since")
    since = second.since.ToDatetime()
    assert (await _dashboard(portal, next_login)).since.ToDatetime() == since


async def test_visits_are_remembered_per_person(portal: portal_pb2_grpc.PortalServiceStub, stack: Stack) -> None:
    first_person = await create_person(stack)
    await _dashboard(portal, await access_token(stack, first_person))
    await _dashboard(portal, await access_token(stack, first_person))

    other = await create_person(stack)
    dashboard = await _dashboard(portal, await access_token(stack, other))
    assert dashboard.person_id == other.account_id
    assert not dashboard.HasField("since")


async def test_practitioners_get_their_own_dashboard_and_other_staff_roles_none(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    practitioner = await create_staff_member(stack, roles=frozenset({Role.PRACTITIONER}))
    dashboard = await _dashboard(portal, await access_token(stack, practitioner))
    assert dashboard.person_id == practitioner.account_id
    assert list(dashboard.upcoming_appointments) == []
    assert not dashboard.HasField("since")

    for roles in ({Role.STAFF}, {Role.ADMIN}, {Role.HELPDESK}):
        staff = await create_staff_member(stack, roles=frozenset(roles))
        refused = await refusal(_dashboard(portal, await access_token(stack, staff)))
        assert refused.code == grpc.StatusCode.PERMISSION_DENIED
        assert refused.reason == "not_permitted"


async def test_a_persons_portal_is_for_persons_not_for_staff(
    portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    person_token = await access_token(stack, await create_person(stack))
    mine = await portal.ListMyChangeRequests(
        portal_pb2.GetAboutMeRequest(), metadata=call_metadata(person_token), timeout=RPC_TIMEOUT
    )
    assert list(mine.items) == []
    for roles in ({Role.PRACTITIONER}, {Role.STAFF}):
        staff_token = await access_token(stack, await create_staff_member(stack, roles=frozenset(roles)))
        refused = await refusal(
            portal.ListMyChangeRequests(
                portal_pb2.GetAboutMeRequest(), metadata=call_metadata(staff_token), timeout=RPC_TIMEOUT
            )
        )
        assert (refused.code, refused.reason) == (grpc.StatusCode.PERMISSION_DENIED, "not_permitted")


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


# ----------------------------------------------------------------------------- the back office
async def _practitioner(stack: Stack) -> StaffMember:
    """A practitioner of a practice of their own (the back office is theirs)."""
    return await create_staff_member(stack, roles=frozenset({Role.PRACTITIONER}))


async def test_only_the_practices_practitioners_use_its_back_office(
    practice: portal_pb2_grpc.PracticeServiceStub, portal: portal_pb2_grpc.PortalServiceStub, stack: Stack
) -> None:
    person_token = await access_token(stack, await create_person(stack))
    failure = await refusal(
        practice.ListClients(portal_pb2.PageRequest(), metadata=call_metadata(person_token), timeout=RPC_TIMEOUT)
    )
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "not_permitted")
    # Staff of the practice without the practitioner role: not in the back office either.
    for roles in ({Role.STAFF}, {Role.ADMIN}, {Role.HELPDESK, Role.CASE_HANDLER}):
        colleague = await create_staff_member(stack, roles=frozenset(roles))
        refused = await refusal(
            practice.ListClients(
                portal_pb2.PageRequest(),
                metadata=call_metadata(await access_token(stack, colleague)),
                timeout=RPC_TIMEOUT,
            )
        )
        assert (refused.code, refused.reason) == (grpc.StatusCode.PERMISSION_DENIED, "not_permitted")

    staff = await _practitioner(stack)
    other = await _practitioner(stack)
    clients = await practice.ListClients(
        portal_pb2.PageRequest(), metadata=call_metadata(await access_token(stack, other)), timeout=RPC_TIMEOUT
    )
    assert list(clients.items) == []
    person_id = str(uuid.uuid4())
    metadata = call_metadata(await access_token(stack, staff))
    saved = await practice.RegisterClient(
        portal_pb2.RegisterClientRequest(
            person_id=person_id, first_name="Anna", last_name="Jansen", birth_date="1990-05-01"
        ),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    assert (saved.display_name, saved.organisation_id) == ("Anna Jansen", staff.organisation_id)
    bad = await refusal(
        practice.RegisterClient(
            portal_pb2.RegisterClientRequest(person_id="x", first_name="", last_name="Jansen", birth_date="2999-01-01"),
            metadata=metadata,
            timeout=RPC_TIMEOUT,
        )
    )
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(bad.fields) == {"person_id", "birth_date", "first_name"}
    # Another practice does not find the client.
    missing = await refusal(
        practice.GetClient(
            portal_pb2.ClientRef(person_id=person_id),
            metadata=call_metadata(await access_token(stack, other)),
            timeout=RPC_TIMEOUT,
        )
    )
    assert (missing.code, missing.reason) == (grpc.StatusCode.NOT_FOUND, "client_not_found")
    # Every version of the record stays.
    await practice.RegisterClient(
        portal_pb2.RegisterClientRequest(person_id=person_id, first_name="Anna", last_name="de Vries"),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    versions = await fetch(
        stack.database_urls["portal"], "SELECT record FROM client_record_versions WHERE person_id = $1", person_id
    )
    assert len(versions) == 2


# ----------------------------------------------------------------------------- events
async def _publish(js: JetStreamContext, subject: str, event: Message) -> None:
    await js.publish(subject, event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())})


async def test_delegations_learnt_from_identity_decide_the_parties_whatever_order_the_events_come_in(
    practice: portal_pb2_grpc.PracticeServiceStub, stack: Stack, js: JetStreamContext
) -> None:
    staff = await _practitioner(stack)
    metadata = call_metadata(await access_token(stack, staff))
    child, parent, old_parent = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    await practice.RegisterClient(
        portal_pb2.RegisterClientRequest(person_id=child, first_name="Sam", last_name="Test", birth_date="2017-01-01"),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    started = await practice.StartTrajectory(
        portal_pb2.StartTrajectoryRequest(
            person_id=child, title="Onderzoek", agreement_file_name="o.pdf", agreement_data=PDF
        ),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    assert (started.status, list(started.parties)) == ("awaiting_agreement", [])

    def delegation(delegation_id: str, delegate: str) -> dict[str, object]:
        return {
            "delegation_id": delegation_id,
            "organisation_id": staff.organisation_id,
            "person": identity_events_pb2.Recipient(account_id=child, display_name="Sam Test"),
            "delegate": identity_events_pb2.Recipient(account_id=delegate, display_name="Ouder", email="o@x.example"),
        }

    current, ended = str(uuid.uuid4()), str(uuid.uuid4())
    # The end of one delegation arrives before its start: it stays ended.
    await _publish(
        js, "identity.delegation.ended", identity_events_pb2.DelegationEnded(**delegation(ended, old_parent))
    )
    await _publish(
        js, "identity.delegation.granted", identity_events_pb2.DelegationGranted(**delegation(ended, old_parent))
    )
    for _ in range(2):  # a second delivery changes nothing
        await _publish(
            js, "identity.delegation.granted", identity_events_pb2.DelegationGranted(**delegation(current, parent))
        )

    async def parties() -> list[str]:
        found = await practice.ListTrajectories(
            portal_pb2.ListClientTrajectoriesRequest(person_id=child), metadata=metadata, timeout=RPC_TIMEOUT
        )
        return [party.account_id for party in found.items[0].parties]

    async def learnt() -> bool:
        pending = await fetch(
            stack.database_urls["portal"],
            "SELECT count(*) AS n FROM inbox_events WHERE consumer LIKE 'portal-delegation-%'",
        )
        return int(pending[0]["n"]) >= 4

    await wait_until(learnt, within=20.0, what="the four delegation events handled")
    assert await parties() == [parent]


async def test_ending_a_trajectory_stores_its_event_with_the_change(
    practice: portal_pb2_grpc.PracticeServiceStub, stack: Stack
) -> None:
    staff = await _practitioner(stack)
    metadata = call_metadata(await access_token(stack, staff))
    person = str(uuid.uuid4())
    await practice.RegisterClient(
        portal_pb2.RegisterClientRequest(person_id=person, first_name="Jip", last_name="Test", birth_date="2013-01-01"),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    ids = []
    for title in ("Eerste", "Tweede"):
        started = await practice.StartTrajectory(
            portal_pb2.StartTrajectoryRequest(
                person_id=person, title=title, agreement_file_name="o.pdf", agreement_data=PDF
            ),
            metadata=metadata,
            timeout=RPC_TIMEOUT,
        )
        ids.append(started.id)
    for trajectory_id in ids:
        ended = await practice.EndTrajectory(
            portal_pb2.EndTrajectoryRequest(trajectory_id=trajectory_id, reason="klaar"),
            metadata=metadata,
            timeout=RPC_TIMEOUT,
        )
        assert ended.status == "ended"
    rows = await fetch(
        stack.database_urls["portal"],
        "SELECT payload FROM outbox_events WHERE subject = 'portal.trajectory.ended' ORDER BY created_at",
    )
    events = [portal_events_pb2.TrajectoryEnded.FromString(row["payload"]) for row in rows]
    mine = [e for e in events if e.person_account_id == person]
    assert [(e.trajectory_id, e.other_trajectory_active) for e in mine] == [(ids[0], True), (ids[1], False)]


@pytest.mark.parametrize("service", ["", PORTAL, PRACTICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_both_services(channel: grpc.aio.Channel) -> None:
    assert {PORTAL, PRACTICE} <= await reflected_services(channel)
