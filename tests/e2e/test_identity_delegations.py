"""Seeds 4 and 5 through the gateway: a practice gives a parent access for a child under 12
(no account of its own) and, with the youth's consent, for a child of 13; the parent
switches to the child's portal with an act-as token that stops working on the next request
after the delegation is revoked; the portal to open after login can be chosen; and the end
of care ends the access."""

from __future__ import annotations

import uuid

import grpc
import httpx
import jwt
import nats
import pytest
from journeys_e2e import bearer, practice, tokens
from journeys_support import create_client, token_after, years_ago
from support import Member, StaffMember, wait_for_messages

from identity.domain.policy import PasswordPreset
from zorgpost.events.v1 import portal_events_pb2
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _family(stack: Stack) -> tuple[StaffMember, Member, Member]:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    parent = await create_client(stack, staff.organisation_id, years_ago(41))
    youth = await create_client(stack, staff.organisation_id, years_ago(13))
    return staff, parent, youth


async def test_a_parent_acts_for_a_child_under_twelve_until_revoked(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent, _ = await _family(stack)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    granted = await api.post(
        "/api/v1/delegations",
        json={
            "delegate_account_id": parent.account_id,
            "child": {"first_name": "Sam", "last_name": "Ouder", "birth_date": years_ago(10).isoformat()},
        },
        headers=bearer(staff_token),
    )
    assert granted.status_code == 201, granted.text
    delegation = granted.json()
    assert (delegation["status"], delegation["kind"], delegation["person"]["has_login"]) == (
        "active",
        "parental",
        False,
    )
    child_id = delegation["person"]["account_id"]
    notice = (await wait_for_messages(stack, parent.email))[0]
    assert staff.organisation_name in notice["subject"] + notice["text"]

    parent_token = (await tokens(api, parent.email, parent.password))["access_token"]
    mine = (await api.get("/api/v1/me/delegations", headers=bearer(parent_token))).json()
    assert [d["person"]["display_name"] for d in mine["by_me"]] == ["Sam Ouder"]
    preferred = await api.put("/api/v1/me/preferred-portal", json={"person_id": child_id}, headers=bearer(parent_token))
    assert preferred.json()["preferred_person_id"] == child_id

    switched = await api.post("/api/v1/me/act-as", json={"person_id": child_id}, headers=bearer(parent_token))
    assert switched.status_code == 200, switched.text
    acting = switched.json()["access_token"]
    claims = jwt.decode(acting, options={"verify_signature": False})
    assert (claims["sub"], claims["act"]["sub"]) == (child_id, parent.account_id)
    me = await api.get("/api/v1/me", headers=bearer(acting))
    assert (me.status_code, me.json()["display_name"]) == (200, "Sam Ouder")
    # Other services see the child as the subject of the token.
    dashboard = await api.get("/api/v1/portal/dashboard", headers=bearer(acting))
    assert (dashboard.status_code, dashboard.json()["person_id"]) == (200, child_id)
    # Acting for someone is not being them: their profile and delegations stay theirs.
    assert (await api.get("/api/v1/me/profile", headers=bearer(acting))).status_code == 403

    revoked = await api.post(f"/api/v1/delegations/{delegation['id']}/revoke", headers=bearer(staff_token))
    assert revoked.json()["end_reason"] == "revoked"
    after = await api.get("/api/v1/me", headers=bearer(acting))
    assert after.json()["code"] == "delegation_not_active"
    # The revocation counts on the next request everywhere, not only at identity: at the
    # gateway, and at a service called directly with the still unexpired token.
    refused = await api.get("/api/v1/portal/dashboard", headers=bearer(acting))
    assert (refused.status_code, refused.json()["code"]) == (403, "delegation_not_active")
    async with grpc.aio.insecure_channel(stack.grpc_address("portal")) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as direct:
            await portal_pb2_grpc.PortalServiceStub(channel).GetDashboard(
                portal_pb2.GetDashboardRequest(), metadata=call_metadata(acting), timeout=10
            )
    assert direct.value.code() == grpc.StatusCode.PERMISSION_DENIED
    again = await api.post("/api/v1/me/act-as", json={"person_id": child_id}, headers=bearer(parent_token))
    assert again.status_code == 404
    mine = (await api.get("/api/v1/me/delegations", headers=bearer(parent_token))).json()
    assert mine["preferred_person_id"] == parent.account_id
    ended = (await wait_for_messages(stack, parent.email, count=2))[0]
    assert "Sam Ouder" in ended["subject"] + ended["text"]


async def test_a_youth_of_thirteen_consents_from_their_own_account(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent, youth = await _family(stack)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    asked = await api.post(
        "/api/v1/delegations",
        json={"delegate_account_id": parent.account_id, "person_account_id": youth.account_id},
        headers=bearer(staff_token),
    )
    assert asked.json()["status"] == "awaiting_consent"
    request_mail = (await wait_for_messages(stack, youth.email))[0]
    delegation_id = token_after("/delegations/", request_mail["text"])
    assert delegation_id == asked.json()["id"]

    parent_token = (await tokens(api, parent.email, parent.password))["access_token"]
    early = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert early.status_code == 404
    youth_token = (await tokens(api, youth.email, youth.password))["access_token"]
    waiting = (await api.get("/api/v1/me/delegations", headers=bearer(youth_token))).json()["for_me"]
    assert [(d["id"], d["status"]) for d in waiting] == [(delegation_id, "awaiting_consent")]
    consent = await api.post(
        f"/api/v1/delegations/{delegation_id}/consent", json={"accept": True}, headers=bearer(youth_token)
    )
    assert consent.json()["status"] == "active"
    switched = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert switched.status_code == 200

    # The youth can withdraw it themselves.
    withdrawn = await api.post(f"/api/v1/delegations/{delegation_id}/revoke", headers=bearer(youth_token))
    assert withdrawn.json()["status"] == "ended"
    after = await api.get("/api/v1/me", headers=bearer(switched.json()["access_token"]))
    assert (after.status_code, after.json()["code"]) == (403, "delegation_not_active")


async def test_portal_access_ends_when_the_last_care_trajectory_ends(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent, youth = await _family(stack)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    granted = await api.post(
        "/api/v1/delegations",
        json={"delegate_account_id": parent.account_id, "person_account_id": youth.account_id},
        headers=bearer(staff_token),
    )
    youth_tokens = await tokens(api, youth.email, youth.password)
    await api.post(
        f"/api/v1/delegations/{granted.json()['id']}/consent",
        json={"accept": True},
        headers=bearer(youth_tokens["access_token"]),
    )

    # The portal service's fact, as it publishes it when a trajectory ends.
    connection = await nats.connect(stack.nats_url)
    try:
        event = portal_events_pb2.TrajectoryEnded(
            trajectory_id=str(uuid.uuid4()), person_account_id=youth.account_id, organisation_id=staff.organisation_id
        )
        await connection.jetstream().publish(
            "portal.trajectory.ended", event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )
    finally:
        await connection.close()

    ended = (await wait_for_messages(stack, parent.email, count=2, timeout=15.0))[0]
    assert youth.email not in ended["text"]
    assert (await api.get("/api/v1/me", headers=bearer(youth_tokens["access_token"]))).status_code == 401
    refused = await api.post("/api/v1/auth/login", json={"username": youth.email, "password": youth.password})
    assert refused.status_code == 401
    refresh = await api.post("/api/v1/auth/refresh", json={"refresh_token": youth_tokens["refresh_token"]})
    assert refresh.status_code == 401
    parent_token = (await tokens(api, parent.email, parent.password))["access_token"]
    by_me = (await api.get("/api/v1/me/delegations", headers=bearer(parent_token))).json()["by_me"]
    assert [(d["status"], d["end_reason"]) for d in by_me] == [("ended", "access_ended")]
