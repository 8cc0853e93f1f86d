"""Seed 1 through the gateway, done as the invited person does it, reading the development
outbox like them: a staff member of "Gemeente Vlaardingen" starts a conversation and
invites an address; the mail's link leads to registration; after registering the person
is in the conversation and chats ("Hallo" / "Hoi"), likes, sees "Gezien door" and forwards
a message into a second conversation they were invited to while signed in. Each new
message tells the other side once, without its content."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from journeys_support import token_after
from support import (
    ONBOARDED_NAME,
    StaffMember,
    login,
    onboard_staff_member,
    settled_messages,
    wait_for_messages,
    wait_until,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "Veilig-Gesprek-2026!"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def staff(stack: Stack) -> StaffMember:
    return await onboard_staff_member(stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")


async def start_chat(api: httpx.AsyncClient, token: str, subject: str, body: str = "") -> str:
    created = await api.post("/api/v1/threads", json={"subject": subject, "body": body}, headers=bearer(token))
    assert created.status_code == 201, created.text
    thread_id: str = created.json()["id"]
    return thread_id


async def invite(api: httpx.AsyncClient, stack: Stack, token: str, email: str, thread_id: str, count: int) -> str:
    """Invites ``email`` into ``thread_id``; answers the link token of the (``count``-th) mail."""
    sent = await api.post("/api/v1/invitations", json={"email": email, "thread_id": thread_id}, headers=bearer(token))
    assert sent.status_code == 201, sent.text
    mail = (await wait_for_messages(stack, email, count=count))[0]
    return token_after("/invitations/", mail["text"])


async def in_conversation(api: httpx.AsyncClient, token: str, thread_id: str) -> dict[str, Any]:
    """The conversation as the person sees it, once messaging added them (an event away)."""
    found: dict[str, Any] = {}

    async def joined() -> bool:
        response = await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(token))
        if response.status_code == 200:
            found.update(response.json())
        return response.status_code == 200

    await wait_until(joined, within=20.0, what="the invitee in the conversation")
    return found


async def test_invited_person_registers_lands_in_the_chat_chats_likes_sees_seen_by_and_forwards(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    staff_token = await login(api, staff.email)
    chat = await start_chat(api, staff_token, "IT Vlaardingen", "Hallo")
    email = f"persoon.x-{uuid.uuid4().hex[:6]}@example.org"

    # The invitation mail, and registering with its link.
    link = await invite(api, stack, staff_token, email, chat, count=1)
    view = (await api.get(f"/api/v1/invitations/{link}")).json()
    assert (view["email"], view["organisation_name"]) == (email, staff.organisation_name)
    form = {
        "first_name": "Persoon",
        "last_name": "X",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": view["terms_version"],
        "privacy_version": view["privacy_version"],
    }
    assert (await api.post(f"/api/v1/invitations/{link}/account", json={**form, "dry_run": True})).status_code == 200
    registered = await api.post(f"/api/v1/invitations/{link}/account", json=form)
    assert registered.status_code == 201, registered.text
    assert registered.json()["thread_id"] == chat
    person_token = registered.json()["login"]["access_token"]

    # After registering the person is in the conversation, the staff member's "Hallo" unread.
    conversation = await in_conversation(api, person_token, chat)
    assert [m["body"] for m in conversation["messages"]] == ["Hallo"]
    assert conversation["other_party_name"] == ONBOARDED_NAME
    hallo = conversation["messages"][0]
    listed = (await api.get("/api/v1/threads", headers=bearer(person_token))).json()["items"]
    assert [item["id"] for item in listed] == [chat]

    # "Hoi" back: the staff member is told once, without the text.
    hoi = await api.post(f"/api/v1/threads/{chat}/messages", json={"body": "Hoi"}, headers=bearer(person_token))
    assert hoi.status_code == 201, hoi.text
    # (After the mails of their own onboarding.)
    notices = await settled_messages(stack, staff.email, count=staff.mails + 1)
    assert len(notices) == staff.mails + 1
    notice = notices[0]
    assert notice["subject"] == "Zorgpost – Nieuw bericht van Persoon X"
    assert f"/threads/{chat}" in notice["text"] and "Hoi" not in notice["text"]

    # Like, and "Gezien door".
    liked = await api.post(f"/api/v1/messages/{hallo['id']}/like", headers=bearer(person_token))
    assert liked.json() == {"message_id": hallo["id"], "like_count": 1, "liked_by_me": True}
    seen = (await api.get(f"/api/v1/messages/{hallo['id']}/seen-by", headers=bearer(staff_token))).json()
    assert [reader["display_name"] for reader in seen["readers"]] == ["Persoon X"]
    staff_view = (await api.get(f"/api/v1/threads/{chat}", headers=bearer(staff_token))).json()
    assert [(m["body"], m["like_count"]) for m in staff_view["messages"]] == [("Hallo", 1), ("Hoi", 0)]

    # A second conversation, accepted while signed in ("ik heb al een account").
    second = await start_chat(api, staff_token, "Doorgestuurd")
    second_link = await invite(api, stack, staff_token, email, second, count=2)
    accepted = await api.post(f"/api/v1/invitations/{second_link}/accept", headers=bearer(person_token))
    assert (accepted.status_code, accepted.json()["thread_id"]) == (200, second)
    await in_conversation(api, person_token, second)

    # Forward "Hallo" there; a conversation they are not in is unknown to them.
    forwarded = await api.post(
        f"/api/v1/messages/{hallo['id']}/forward", json={"to_thread_id": second}, headers=bearer(person_token)
    )
    assert forwarded.status_code == 201, forwarded.text
    assert forwarded.json()["forwarded_from"]["sender_name"] == ONBOARDED_NAME
    private = await start_chat(api, staff_token, "Intern")
    refused = await api.post(
        f"/api/v1/messages/{hallo['id']}/forward", json={"to_thread_id": private}, headers=bearer(person_token)
    )
    assert refused.status_code == 404

    # A later message from the staff member tells the person, once, where their account says
    # (two invitation mails and this notice; "Hallo" came before they joined).
    await api.post(f"/api/v1/threads/{chat}/messages", json={"body": "Tot morgen"}, headers=bearer(staff_token))
    [told] = [m for m in await settled_messages(stack, email, count=3) if "Nieuw bericht" in m["subject"]]
    assert told["subject"] == f"Zorgpost – Nieuw bericht van {ONBOARDED_NAME}"
    assert told["text"].startswith("Beste Persoon X,")
    assert f"/threads/{chat}" in told["text"] and "Tot morgen" not in told["text"]
    # The staff member was told of "Hoi" and of the forward into the second conversation, once each.
    assert len(await settled_messages(stack, staff.email, count=staff.mails + 2)) == staff.mails + 2


async def test_an_invitation_accepted_by_logging_in_joins_the_conversation(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    staff_token = await login(api, staff.email)
    first_chat = await start_chat(api, staff_token, "Eerste")
    email = f"ketenpartner-{uuid.uuid4().hex[:6]}@example.org"
    link = await invite(api, stack, staff_token, email, first_chat, count=1)
    form = {
        "first_name": "Keten",
        "last_name": "Partner",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": "2026-01",
        "privacy_version": "2026-01",
    }
    assert (await api.post(f"/api/v1/invitations/{link}/account", json=form)).status_code == 201

    other_chat = await start_chat(api, staff_token, "Tweede", "Welkom terug")
    second_link = await invite(api, stack, staff_token, email, other_chat, count=2)
    logged_in = await api.post(
        f"/api/v1/invitations/{second_link}/login", json={"username": email, "password": PASSWORD}
    )
    assert logged_in.status_code == 200, logged_in.text
    token = logged_in.json()["login"]["access_token"]

    conversation = await in_conversation(api, token, other_chat)
    assert [m["body"] for m in conversation["messages"]] == ["Welkom terug"]


async def test_staff_cannot_invite_into_a_conversation_they_are_not_in(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    other = await onboard_staff_member(stack)
    theirs = await start_chat(api, await login(api, other.email), "Niet van jou")
    staff_token = await login(api, staff.email)

    for thread_id in (theirs, str(uuid.uuid4())):
        refused = await api.post(
            "/api/v1/invitations", json={"email": "x@example.org", "thread_id": thread_id}, headers=bearer(staff_token)
        )
        assert (refused.status_code, refused.json()["code"]) == (404, "thread_not_found")
        assert [e["field"] for e in refused.json()["errors"]] == ["thread_id"]
