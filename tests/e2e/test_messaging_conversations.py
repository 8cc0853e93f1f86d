"""Conversations through the gateway, as front ends use them: a staff member's secure mail
lands in the organisation's inbox; an invited person (identity's event) chats, likes, sees
"seen by" and forwards; files go up as multipart and come down only for participants; live
updates arrive as server-sent events and a reconnect with Last-Event-ID loses nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest
from support import ONBOARDED_NAME, create_member, invite_staff_member, login, onboard_staff_member, wait_until

from zorgpost.events.v1 import identity_events_pb2
from zorgpost_devstack.stack import Stack

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(extra_env={"messaging": {"MAX_ATTACHMENT_BYTES": "50000"}}),
]

PDF = b"%PDF-1.4\n" + b"1 0 obj <<>> endobj\n" * 20 + b"%%EOF\n"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def publish_invitation_accepted(stack: Stack, thread_id: str, account_id: str, inviter: Any) -> None:
    """Identity's fact, published as identity will once it emits it."""
    client = await nats.connect(stack.nats_url)
    try:
        event = identity_events_pb2.InvitationAccepted(
            invitation_id=str(uuid.uuid4()),
            thread_id=thread_id,
            account_id=account_id,
            display_name="Persoon X",
            organisation_id=inviter.organisation_id,
            inviter_account_id=inviter.account_id,
        )
        await client.jetstream().publish(
            "identity.invitation.accepted", event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )
    finally:
        await client.close()


async def wait_for_thread(api: httpx.AsyncClient, token: str, thread_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def listed() -> bool:
        items = (await api.get("/api/v1/threads", headers=bearer(token))).json()["items"]
        found[:] = [item for item in items if item["id"] == thread_id]
        return bool(found)

    await wait_until(listed, within=15.0, what="the conversation in the list")
    return found[0]


async def test_staff_secure_mail_lands_in_the_organisation_inbox(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")
    assert staff.administrator is not None
    colleague = await invite_staff_member(stack, staff.administrator)
    token = await login(api, staff.email)
    sent = await api.post(
        "/api/v1/secure-mails",
        json={
            "recipient_email": "burger@example.org",
            "recipient_mobile": "0612345678",
            "subject": "Uw aanvraag",
            "body": "Vertrouwelijk",
        },
        headers=bearer(token),
    )
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["thread_id"]

    # Any colleague sees it under "sent" in the shared inbox and can open it.
    colleague_token = await login(api, colleague.email)
    inbox = (
        await api.get("/api/v1/secure-mail-inbox", params={"folder": "sent"}, headers=bearer(colleague_token))
    ).json()
    assert [item["id"] for item in inbox["items"]] == [thread_id]
    assert inbox["items"][0]["other_party_name"] == "burger@example.org"
    assert inbox["items"][0]["opened_by_recipient"] is False
    thread = (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(colleague_token))).json()
    assert thread["kind"] == "secure_mail"
    assert thread["subject"] == "Uw aanvraag"
    assert [(m["body"], m["sender"]["display_name"]) for m in thread["messages"]] == [("Vertrouwelijk", ONBOARDED_NAME)]

    # A person of the organisation writes in; it is received, unread, until someone reads it.
    person = await create_member(stack, staff.organisation_id)
    person_token = await login(api, person.email)
    written = await api.post(
        "/api/v1/secure-mails/to-organisation",
        json={"subject": "Kopie paspoort", "body": "Zie bijlage"},
        headers=bearer(person_token),
    )
    assert written.status_code == 201, written.text
    received = (await api.get("/api/v1/secure-mail-inbox", headers=bearer(token))).json()
    assert [(i["id"], i["unread_count"]) for i in received["items"]] == [(written.json()["id"], 1)]
    assert received["unread_threads"] == 1

    # Withdrawn before the recipient opened it: gone for them, still on record here.
    withdrawn = await api.post(f"/api/v1/secure-mails/{thread_id}/withdraw", headers=bearer(token))
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = await api.post(f"/api/v1/secure-mails/{thread_id}/withdraw", headers=bearer(token))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_invited_person_chats_likes_sees_seen_by_and_forwards(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")
    staff_token = await login(api, staff.email)
    created = await api.post(
        "/api/v1/threads", json={"subject": "IT Vlaardingen", "body": "Hallo"}, headers=bearer(staff_token)
    )
    assert created.status_code == 201, created.text
    thread_id = created.json()["id"]
    second = (await api.post("/api/v1/threads", json={"subject": "Tweede"}, headers=bearer(staff_token))).json()["id"]

    person = await create_member(stack, staff.organisation_id)
    person_token = await login(api, person.email)
    for thread in (thread_id, second):
        await publish_invitation_accepted(stack, thread, person.account_id, staff)
    listed = await wait_for_thread(api, person_token, thread_id)
    assert listed["other_party_name"] == ONBOARDED_NAME
    assert listed["unread_count"] == 1
    assert listed["last_message"]["snippet"] == "Hallo"
    await wait_for_thread(api, person_token, second)

    opened = (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(person_token))).json()
    hello = opened["messages"][0]
    reply = await api.post(f"/api/v1/threads/{thread_id}/messages", json={"body": "Hoi"}, headers=bearer(person_token))
    assert reply.status_code == 201, reply.text
    assert reply.json()["id"]

    liked = await api.post(f"/api/v1/messages/{hello['id']}/like", headers=bearer(person_token))
    assert liked.json() == {"message_id": hello["id"], "like_count": 1, "liked_by_me": True}
    seen = (await api.get(f"/api/v1/messages/{hello['id']}/seen-by", headers=bearer(staff_token))).json()
    assert [reader["display_name"] for reader in seen["readers"]] == ["Test Persoon"]

    forwarded = await api.post(
        f"/api/v1/messages/{hello['id']}/forward", json={"to_thread_id": second}, headers=bearer(person_token)
    )
    assert forwarded.status_code == 201, forwarded.text
    assert forwarded.json()["forwarded_from"]["sender_name"] == ONBOARDED_NAME
    private = (await api.post("/api/v1/threads", json={"subject": "Intern"}, headers=bearer(staff_token))).json()["id"]
    refused = await api.post(
        f"/api/v1/messages/{hello['id']}/forward", json={"to_thread_id": private}, headers=bearer(person_token)
    )
    assert refused.status_code == 404

    found = (await api.get("/api/v1/search", params={"q": "hoi"}, headers=bearer(staff_token))).json()
    assert [hit["message"]["id"] for hit in found["items"]] == [reply.json()["id"]]

    # An outsider gets 404 on the conversation.
    outsider = await onboard_staff_member(stack)
    outsider_token = await login(api, outsider.email)
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(outsider_token))).status_code == 404


async def test_files_go_up_as_multipart_and_come_down_only_for_participants(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await onboard_staff_member(stack)
    token = await login(api, staff.email)
    thread_id = (await api.post("/api/v1/threads", json={"subject": "Bijlagen"}, headers=bearer(token))).json()["id"]
    posted = await api.post(
        f"/api/v1/threads/{thread_id}/messages",
        data={"body": "Het verslag"},
        files=[("files", ("verslag über.pdf", PDF, "application/pdf"))],
        headers=bearer(token),
    )
    assert posted.status_code == 201, posted.text
    [attachment] = posted.json()["attachments"]
    assert attachment["size"] == len(PDF) and attachment["scan_status"] == "not_scanned"
    download = await api.get(attachment["download_url"], headers=bearer(token))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="verslag _ber.pdf"')
    assert "filename*=UTF-8''verslag%20%C3%BCber.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

    outsider = await onboard_staff_member(stack)
    outsider_token = await login(api, outsider.email)
    assert (await api.get(attachment["download_url"], headers=bearer(outsider_token))).status_code == 404

    cases = [
        ([("files", ("groot.pdf", PDF + b"0" * 60_000, "application/pdf"))], "x", 413, "files[0]"),
        ([("files", ("foto.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "application/pdf"))], "x", 415, "files[0]"),
        ([("files", ("../../etc/passwd", b"root:x:0:0", "text/plain"))], "x", 422, "files[0]"),
        ([], "", 422, "body"),
    ]
    for files, body, status, field in cases:
        refused = (
            await api.post(
                f"/api/v1/threads/{thread_id}/messages", data={"body": body}, files=files or None, headers=bearer(token)
            )
            if files
            else await api.post(f"/api/v1/threads/{thread_id}/messages", json={"body": body}, headers=bearer(token))
        )
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert field in [error["field"] for error in refused.json()["errors"]]
    unknown = await api.post(f"/api/v1/threads/{uuid.uuid4()}/messages", json={"body": "hallo"}, headers=bearer(token))
    assert unknown.status_code == 404
    thread = (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(token))).json()
    assert thread["message_count"] == 1


async def read_events(lines: AsyncIterator[str], count: int) -> list[dict[str, Any]]:
    """The next ``count`` events (id, event, data) of a server-sent event stream's lines."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async for line in lines:
        if line.startswith("id: "):
            current["id"] = line[4:]
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            events.append(current)
            current = {}
            if len(events) >= count:
                break
    return events


async def test_live_updates_arrive_as_server_sent_events_and_resume_after_reconnect(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await onboard_staff_member(stack)
    staff_token = await login(api, staff.email)
    thread_id = (await api.post("/api/v1/threads", json={"subject": "Live"}, headers=bearer(staff_token))).json()["id"]
    person = await create_member(stack, staff.organisation_id)
    person_token = await login(api, person.email)
    await publish_invitation_accepted(stack, thread_id, person.account_id, staff)
    await wait_for_thread(api, person_token, thread_id)

    async with api.stream("GET", "/api/v1/events", headers=bearer(person_token)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        [joined] = await asyncio.wait_for(read_events(lines, 1), timeout=20)
        assert joined["event"] == "participant.joined"
        sent = await api.post(
            f"/api/v1/threads/{thread_id}/messages", json={"body": "Nieuw"}, headers=bearer(staff_token)
        )
        [live] = await asyncio.wait_for(read_events(lines, 1), timeout=20)
    assert live["event"] == "message.sent"
    assert live["data"]["message"]["body"] == "Nieuw"
    assert live["data"]["message"]["id"] == sent.json()["id"]
    last_id = live["id"]

    # Disconnected meanwhile: a message and a like; the reconnect gets both, in order.
    await api.post(
        f"/api/v1/threads/{thread_id}/messages", json={"body": "Terwijl je weg was"}, headers=bearer(staff_token)
    )
    await api.post(f"/api/v1/messages/{sent.json()['id']}/like", headers=bearer(staff_token))
    headers = {**bearer(person_token), "Last-Event-ID": last_id}
    async with api.stream("GET", "/api/v1/events", headers=headers) as response:
        resumed = await asyncio.wait_for(read_events(response.aiter_lines(), 2), timeout=20)
    assert [(e["event"], e["data"].get("message") and e["data"]["message"]["body"]) for e in resumed] == [
        ("message.sent", "Terwijl je weg was"),
        ("message.liked", None),
    ]
    assert int(resumed[0]["id"]) > int(last_id)


async def test_openapi_documents_the_thread_contract(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/threads",
        "/api/v1/threads/{thread_id}",
        "/api/v1/threads/{thread_id}/messages",
        "/api/v1/threads/{thread_id}/attachments/{attachment_id}",
        "/api/v1/events",
        "/api/v1/secure-mail-inbox",
        "/api/v1/search",
    ):
        assert path in paths
    post = paths["/api/v1/threads/{thread_id}/messages"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(post["requestBody"]["content"])
    assert {"401", "404", "413", "415", "422"} <= set(post["responses"])
    message = spec["components"]["schemas"]["MessageOut"]
    assert {"id", "body", "sender", "sent_at", "attachments"} <= set(message["required"])
    thread = spec["components"]["schemas"]["ThreadOut"]
    assert {"id", "subject", "kind", "messages"} <= set(thread["required"])
