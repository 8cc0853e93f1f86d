"""Access that ends counts everywhere within seconds, not when the access token expires: a
deactivated staff member's existing token is refused by every service (each verifies tokens
itself, with the revocations identity announces); so is a logged-out session's token, while
the same person's other sessions go on; a practitioner whose role is taken away is out of
the portal's back office at once; a live stream (server-sent events) a deactivated staff
member holds open ends, and carries nothing of the shared inbox after that."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import httpx
import pytest
from support import (
    PASSWORD,
    Administrator,
    invite_staff_member,
    notice_detail,
    onboard_organisation,
    settled_messages,
    wait_until,
)

from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = pytest.mark.asyncio(loop_scope="module")

Call = Callable[[str], Awaitable[Any]]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def service_calls(stack: Stack, channels: dict[str, grpc.aio.Channel]) -> dict[str, Call]:
    """One ordinary call per service, made with a given access token, straight over gRPC
    (not through the gateway: each service must refuse on its own)."""

    def with_token(token: str) -> Any:
        return call_metadata(token)

    identity = identity_pb2_grpc.IdentityServiceStub(channels["identity"])
    messaging = messaging_pb2_grpc.MessagingServiceStub(channels["messaging"])
    contacts = contacts_pb2_grpc.ContactsServiceStub(channels["contacts"])
    notifications = notifications_pb2_grpc.NotificationsServiceStub(channels["notifications"])
    portal = portal_pb2_grpc.PortalServiceStub(channels["portal"])
    practice = portal_pb2_grpc.PracticeServiceStub(channels["portal"])
    return {
        "identity": lambda token: identity.ListSecondFactors(
            identity_pb2.ListSecondFactorsRequest(), metadata=with_token(token), timeout=10
        ),
        "messaging": lambda token: messaging.ListThreads(
            messaging_pb2.ListThreadsRequest(), metadata=with_token(token), timeout=10
        ),
        "contacts": lambda token: contacts.GetOrganisationProfile(
            contacts_pb2.GetOrganisationProfileRequest(), metadata=with_token(token), timeout=10
        ),
        "notifications": lambda token: notifications.GetPreferences(
            notifications_pb2.GetPreferencesRequest(), metadata=with_token(token), timeout=10
        ),
        "portal": lambda token: portal.GetDashboard(
            portal_pb2.GetDashboardRequest(), metadata=with_token(token), timeout=10
        ),
        "portal's back office": lambda token: practice.ListClients(
            portal_pb2.PageRequest(), metadata=with_token(token), timeout=10
        ),
    }


async def refusal_code(call: Awaitable[Any]) -> grpc.StatusCode | None:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return None


async def login(api: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await api.post("/api/v1/auth/login", json={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def test_a_deactivated_staff_members_token_is_refused_by_every_service_within_seconds(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    admin: Administrator = await onboard_organisation(stack, kind="youth_care_practice")
    # Staff and practitioner: every service has a call this member may make (the portal's
    # dashboard is the practitioners').
    member = await invite_staff_member(stack, admin, roles=["staff", "practitioner"])
    tokens = await login(api, member.email)
    token = tokens["access_token"]
    services = ["identity", "messaging", "contacts", "notifications", "portal"]
    channels = {name: grpc.aio.insecure_channel(stack.grpc_address(name)) for name in services}
    try:
        calls = service_calls(stack, channels)
        for name, call in calls.items():
            assert await refusal_code(call(token)) is None, f"{name} refused the token before anything happened"

        deactivated = await api.post(
            f"/api/v1/organisation/staff/{member.account_id}/deactivate", headers=bearer(admin.access_token)
        )
        assert deactivated.status_code == 200, deactivated.text
        assert deactivated.json()["status"] == "deactivated"

        for name, call in calls.items():

            async def refused(call: Call = call) -> bool:
                return await refusal_code(call(token)) is grpc.StatusCode.UNAUTHENTICATED

            await wait_until(refused, within=10.0, what=f"{name} refuses the deactivated member's token")
    finally:
        for channel in channels.values():
            await channel.close()

    # Through the gateway too; the refresh token and the password are dead as well.
    assert (await api.get("/api/v1/threads", headers=bearer(token))).status_code == 401
    assert (await api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401
    again = await api.post("/api/v1/auth/login", json={"username": member.email, "password": PASSWORD})
    assert again.status_code == 401
    # The member is told, by the administrator's name, without anything else.
    notice, _invitation = await settled_messages(stack, member.email, count=2)
    detail = await notice_detail(stack, notice)
    assert detail["subject"] == f"Uw toegang tot Zorgpost voor {admin.organisation_name} is beëindigd"
    # The list shows the member as deactivated; deactivating again changes nothing.
    staff = (await api.get("/api/v1/organisation/staff", headers=bearer(admin.access_token))).json()
    assert {m["email"]: m["status"] for m in staff}[member.email] == "deactivated"
    repeat = await api.post(
        f"/api/v1/organisation/staff/{member.account_id}/deactivate", headers=bearer(admin.access_token)
    )
    assert repeat.status_code == 200


async def test_a_logged_out_sessions_token_is_refused_and_other_sessions_go_on(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    admin = await onboard_organisation(stack)
    member = await invite_staff_member(stack, admin)
    first = await login(api, member.email)
    second = await login(api, member.email)

    assert (await api.post("/api/v1/auth/logout", headers=bearer(first["access_token"]))).status_code == 204

    async with grpc.aio.insecure_channel(stack.grpc_address("messaging")) as channel:
        messaging = messaging_pb2_grpc.MessagingServiceStub(channel)

        async def first_refused() -> bool:
            call = messaging.ListThreads(
                messaging_pb2.ListThreadsRequest(), metadata=call_metadata(first["access_token"]), timeout=10
            )
            return await refusal_code(call) is grpc.StatusCode.UNAUTHENTICATED

        await wait_until(first_refused, within=10.0, what="messaging refuses the logged-out session's token")
        still = messaging.ListThreads(
            messaging_pb2.ListThreadsRequest(), metadata=call_metadata(second["access_token"]), timeout=10
        )
        assert await refusal_code(still) is None


async def test_a_practitioner_whose_role_is_taken_away_is_out_of_the_back_office_at_once(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    admin = await onboard_organisation(stack, kind="gp_practice")
    member = await invite_staff_member(stack, admin, roles=["staff", "practitioner"])
    tokens = await login(api, member.email)
    old_token = tokens["access_token"]
    assert (await api.get("/api/v1/portal/practice/clients", headers=bearer(old_token))).status_code == 200

    changed = await api.patch(
        f"/api/v1/organisation/staff/{member.account_id}", json={"roles": ["staff"]}, headers=bearer(admin.access_token)
    )
    assert changed.status_code == 200, changed.text

    # The portal itself refuses the token from before the change (not only the gateway).
    async with grpc.aio.insecure_channel(stack.grpc_address("portal")) as channel:
        practice = portal_pb2_grpc.PracticeServiceStub(channel)

        async def old_token_refused() -> bool:
            call = practice.ListClients(portal_pb2.PageRequest(), metadata=call_metadata(old_token), timeout=10)
            return await refusal_code(call) is grpc.StatusCode.UNAUTHENTICATED

        await wait_until(old_token_refused, within=10.0, what="the portal refuses the token from before the change")

    # With the new roles: still staff, no longer in the back office.
    refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    new_token = refreshed.json()["access_token"]
    refused = await api.get("/api/v1/portal/practice/clients", headers=bearer(new_token))
    assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted")
    assert (await api.get("/api/v1/secure-mail-inbox", headers=bearer(new_token))).status_code == 200


async def test_a_refresh_racing_a_role_change_never_keeps_the_old_roles(stack: Stack, api: httpx.AsyncClient) -> None:
    """Refresh and role change both lock the member's account row, and the change takes
    its revocation time under that lock: whichever wins, the token a racing refresh mints
    either carries the new roles or is revoked, and neither side fails on a deadlock."""
    admin = await onboard_organisation(stack, kind="gp_practice")
    member = await invite_staff_member(stack, admin, roles=["staff", "practitioner"])
    refresh_token = (await login(api, member.email))["refresh_token"]
    for round_ in range(4):
        roles = ["staff"] if round_ % 2 == 0 else ["staff", "practitioner"]
        refreshed, changed = await asyncio.gather(
            api.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token}),
            api.patch(
                f"/api/v1/organisation/staff/{member.account_id}",
                json={"roles": roles},
                headers=bearer(admin.access_token),
            ),
        )
        assert changed.status_code == 200, changed.text
        assert refreshed.status_code == 200, refreshed.text
        refresh_token = refreshed.json()["refresh_token"]
        raced = refreshed.json()["access_token"]
        if "practitioner" in roles:
            continue

        async def back_office_refused(token: str = raced) -> bool:
            answer = await api.get("/api/v1/portal/practice/clients", headers=bearer(token))
            return answer.status_code in (401, 403)

        await wait_until(back_office_refused, within=10.0, what="the raced token loses the back office")


async def message_bodies(lines: AsyncIterator[str], until: Callable[[list[str]], bool]) -> list[str]:
    """The bodies of the "message.sent" events of a server-sent event stream, read until
    ``until(bodies)`` or the stream's end."""
    bodies: list[str] = []
    async for line in lines:
        if line.startswith("data: "):
            message = json.loads(line[6:]).get("message")
            if message:
                bodies.append(message["body"])
                if until(bodies):
                    break
    return bodies


async def test_a_deactivated_staff_members_live_stream_ends_and_carries_nothing_more(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    admin = await onboard_organisation(stack)
    sender = await invite_staff_member(stack, admin)
    member = await invite_staff_member(stack, admin)
    member_token = (await login(api, member.email))["access_token"]
    sender_token = (await login(api, sender.email))["access_token"]

    async with api.stream("GET", "/api/v1/events", headers=bearer(member_token)) as stream:
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        # The stream works: a colleague's secure mail reaches the member through the shared inbox.
        sent = await api.post(
            "/api/v1/secure-mails",
            json={
                "recipient_email": "burger@example.org",
                "recipient_mobile": "0612345678",
                "subject": "Uw aanvraag",
                "body": "Voor de revocatie",
            },
            headers=bearer(sender_token),
        )
        assert sent.status_code == 201, sent.text
        before = await asyncio.wait_for(message_bodies(lines, lambda bodies: "Voor de revocatie" in bodies), 20)
        assert "Voor de revocatie" in before

        deactivated = await api.post(
            f"/api/v1/organisation/staff/{member.account_id}/deactivate", headers=bearer(admin.access_token)
        )
        assert deactivated.status_code == 200, deactivated.text
        async with grpc.aio.insecure_channel(stack.grpc_address("messaging")) as channel:
            messaging = messaging_pb2_grpc.MessagingServiceStub(channel)

            async def messaging_knows() -> bool:
                call = messaging.ListThreads(
                    messaging_pb2.ListThreadsRequest(), metadata=call_metadata(member_token), timeout=10
                )
                return await refusal_code(call) is grpc.StatusCode.UNAUTHENTICATED

            await wait_until(messaging_knows, within=10.0, what="messaging refuses the deactivated member's token")
        # Care content posted now in the organisation's inbox never reaches the old stream,
        # which ends by itself (it is not held open until the token expires).
        posted = await api.post(
            f"/api/v1/threads/{sent.json()['thread_id']}/messages",
            json={"body": "Na de revocatie"},
            headers=bearer(sender_token),
        )
        assert posted.status_code == 201, posted.text
        after = await asyncio.wait_for(message_bodies(lines, lambda _: False), 15)
    assert "Na de revocatie" not in after
    # A new stream with the old token is refused outright.
    assert (await api.get("/api/v1/events", headers=bearer(member_token))).status_code == 401
