"""Notifications through the gateway, as a front end uses them: a sender asks whether a
notice was delivered (and why not), a person reads and changes how they are told, and
the notice itself carries no content and says where to change that."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import nats
import pytest
import pytest_asyncio
from support import (
    StaffMember,
    assert_notice,
    login,
    notice_detail,
    onboard_staff_member,
    settled_messages,
    wait_until,
)

from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost_devstack.stack import Stack
from zorgpost_kit.jetstream import ensure_stream

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff(stack: Stack) -> StaffMember:
    return await onboard_staff_member(stack, organisation_name=f"Gemeente Haarlemmermeer {uuid.uuid4().hex[:4]}")


@pytest_asyncio.fixture(loop_scope="module")
async def as_staff(api: httpx.AsyncClient, staff: StaffMember) -> dict[str, str]:
    return {"Authorization": f"Bearer {await login(api, staff.email)}"}


# --------------------------------------------------------------------------- delivery status
async def test_a_sender_sees_per_recipient_and_channel_that_the_notice_went_out_without_its_content(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember, as_staff: dict[str, str]
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    secret_subject, secret_body = f"Uw WMO-indicatie {uuid.uuid4().hex[:6]}", f"Diagnose {uuid.uuid4().hex}"
    sent = await api.post(
        "/api/v1/secure-mails",
        json={"recipient_email": recipient, "subject": secret_subject, "body": secret_body},
        headers=as_staff,
    )
    assert sent.status_code == 201, sent.text
    mail_id = sent.json()["id"]

    [notice] = await settled_messages(stack, recipient)
    detail = await notice_detail(stack, notice)
    assert_notice(
        detail,
        subject=f"Zorgpost Secure e-mail – Nieuw bericht van {staff.organisation_name}",
        organisation=staff.organisation_name,
        language="nl",
        absent=[secret_subject, secret_body],
    )
    assert f"{stack.web_url}/secure-mail/" in detail["text"]
    assert detail["headers"]["Message-ID"] and detail["headers"]["Date"]
    assert detail["headers"]["List-Unsubscribe"] == f"<{stack.web_url}/me/notification-preferences>"

    # Settled above: the delivery is recorded as sent.
    [delivery] = (await api.get("/api/v1/deliveries", params={"source_id": mail_id}, headers=as_staff)).json()
    assert {key: delivery[key] for key in ("source_id", "template", "category", "channel", "status", "attempts")} == {
        "source_id": mail_id,
        "template": "secure_mail_notice",
        "category": "messages",
        "channel": "email",
        "status": "sent",
        "attempts": 1,
    }
    assert delivery["recipient"] == "b***@example.org"
    assert delivery["failure_reason"] == "" and delivery["next_attempt_at"] is None and delivery["sent_at"]
    # The secure-mail view of the same delivery is unchanged.
    [same] = (await api.get(f"/api/v1/secure-mails/{mail_id}/deliveries", headers=as_staff)).json()
    assert {key: same[key] for key in same} == {key: delivery[key] for key in same}


async def test_a_sender_sees_why_a_code_could_not_be_sent(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember, as_staff: dict[str, str]
) -> None:
    account_id = str(uuid.uuid4())
    event = identity.OneTimeCodeIssued(
        organisation_id=staff.organisation_id,
        organisation_name=staff.organisation_name,
        recipient=identity.Recipient(account_id=account_id, email="zonder-mobiel@example.org", language="nl"),
        purpose="secure_mail_access",
        channel="sms",
        code="271828",
    )
    client = await nats.connect(stack.nats_url)
    try:
        js = client.jetstream()
        await ensure_stream(js, "identity")
        await js.publish(
            "identity.one_time_code.issued",
            event.SerializeToString(),
            headers={"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": event.DESCRIPTOR.full_name},
        )
    finally:
        await client.close()

    async def statuses() -> Any:
        return (await api.get("/api/v1/deliveries", params={"source_id": account_id}, headers=as_staff)).json()

    async def recorded() -> bool:
        return bool(await statuses())

    await wait_until(recorded, what="the failed delivery recorded")
    [delivery] = await statuses()
    assert (delivery["channel"], delivery["status"], delivery["failure_reason"], delivery["category"]) == (
        "sms",
        "failed",
        "no mobile number known",
        "security",
    )
    assert "271828" not in str(delivery)


async def test_delivery_status_is_for_staff_of_the_sending_organisation_only(
    api: httpx.AsyncClient, stack: Stack, as_staff: dict[str, str]
) -> None:
    sent = await api.post(
        "/api/v1/secure-mails",
        json={"recipient_email": f"b-{uuid.uuid4().hex[:6]}@example.org", "subject": "Onderwerp", "body": "Tekst"},
        headers=as_staff,
    )
    mail_id = sent.json()["id"]
    other = await onboard_staff_member(stack)
    as_other = {"Authorization": f"Bearer {await login(api, other.email)}"}

    assert (await api.get("/api/v1/deliveries", params={"source_id": mail_id}, headers=as_other)).json() == []
    unauthenticated = await api.get("/api/v1/deliveries", params={"source_id": mail_id})
    assert unauthenticated.status_code == 401
    missing = await api.get("/api/v1/deliveries", headers=as_staff)
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in missing.json()["errors"]] == ["source_id"]


# --------------------------------------------------------------------------- preferences
async def test_a_person_changes_how_they_are_told_and_cannot_switch_off_security_notices(
    api: httpx.AsyncClient, as_staff: dict[str, str]
) -> None:
    defaults = await api.get("/api/v1/me/notification-preferences", headers=as_staff)
    assert defaults.status_code == 200
    assert defaults.json()["updated_at"] is None
    assert defaults.json()["language"] is None
    assert defaults.json()["categories"]["security"] == {"email": True, "sms": False, "mandatory": True}
    assert defaults.json()["categories"]["messages"] == {"email": True, "sms": False, "mandatory": False}

    refused = await api.put(
        "/api/v1/me/notification-preferences",
        json={"categories": {"security": {"email": False, "sms": True}}, "digest_window_minutes": 2000},
        headers=as_staff,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "invalid_preferences"
    assert {error["field"] for error in problem["errors"]} == {"categories.security.email", "digest_window_minutes"}
    assert (await api.get("/api/v1/me/notification-preferences", headers=as_staff)).json() == defaults.json()

    saved = await api.put(
        "/api/v1/me/notification-preferences",
        json={
            "language": "en",
            "digest_window_minutes": 60,
            "categories": {"messages": {"email": True, "sms": True}, "security": {"email": True, "sms": True}},
        },
        headers=as_staff,
    )
    assert saved.status_code == 200, saved.text
    now = (await api.get("/api/v1/me/notification-preferences", headers=as_staff)).json()
    assert now == saved.json()
    assert (now["language"], now["digest_window_minutes"]) == ("en", 60)
    assert now["categories"]["messages"] == {"email": True, "sms": True, "mandatory": False}
    assert now["categories"]["delegations"] == {"email": True, "sms": False, "mandatory": False}
    assert now["updated_at"] is not None

    malformed = await api.put(
        "/api/v1/me/notification-preferences", json={"categories": {"messages": {"email": "ja"}}}, headers=as_staff
    )
    assert malformed.status_code == 422
    assert {error["field"] for error in malformed.json()["errors"]} == {
        "categories.messages.email",
        "categories.messages.sms",
    }


async def test_preferences_need_a_login(api: httpx.AsyncClient) -> None:
    assert (await api.get("/api/v1/me/notification-preferences")).status_code == 401
    assert (await api.put("/api/v1/me/notification-preferences", json={})).status_code == 401


async def test_openapi_lists_the_notification_routes(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]

    assert {"get", "put"} <= set(paths["/api/v1/me/notification-preferences"])
    assert "get" in paths["/api/v1/deliveries"]
