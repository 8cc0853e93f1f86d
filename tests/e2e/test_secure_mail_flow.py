"""The foundation's flow through the gateway, as a front end uses it: log in, send a secure
e-mail, the recipient gets a notice without the content, the sender sees it was delivered."""

from __future__ import annotations

import uuid

import httpx
import pytest
from support import (
    ONBOARDED_NAME,
    StaffMember,
    count_rows,
    login,
    notices_settled,
    onboard_staff_member,
    wait_for_messages,
    wait_until,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
async def staff(stack: Stack) -> StaffMember:
    # Staff who also work in the portal (its dashboard is tested here too).
    return await onboard_staff_member(
        stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}", roles=("staff", "practitioner")
    )


async def test_readyz_reports_every_service_serving(api: httpx.AsyncClient) -> None:
    response = await api.get("/readyz")
    assert response.status_code == 200
    assert response.json()["services"] == {
        "identity": "SERVING",
        "messaging": "SERVING",
        "contacts": "SERVING",
        "notifications": "SERVING",
        "portal": "SERVING",
    }
    assert (await api.get("/healthz")).status_code == 200


async def test_openapi_lists_the_contract(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/login/verify", "/api/v1/me", "/api/v1/secure-mails"):
        assert path in paths


async def test_login_and_me(api: httpx.AsyncClient, staff: StaffMember) -> None:
    response = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    assert tokens["refresh_token"]
    me = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == staff.account_id
    assert body["email"] == staff.email
    assert body["display_name"] == ONBOARDED_NAME
    organisation = {"id": staff.organisation_id, "name": staff.organisation_name, "kind": "municipality"}
    assert body["organisation"] == organisation


async def test_wrong_password_and_unknown_account_get_identical_401(api: httpx.AsyncClient, staff: StaffMember) -> None:
    wrong = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": "niet-goed"})
    unknown = await api.post("/api/v1/auth/login", json={"username": "niemand@test.example", "password": "niet-goed"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"] == unknown.headers["content-type"] == "application/problem+json"
    assert wrong.content == unknown.content


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    api: httpx.AsyncClient, staff: StaffMember
) -> None:
    tokens = (await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})).json()
    rotated = await api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    new_tokens = rotated.json()
    assert new_tokens["refresh_token"] != tokens["refresh_token"]
    reused = await api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401
    # The reuse revoked the session: the rotated token is dead too.
    after = await api.post("/api/v1/auth/refresh", json={"refresh_token": new_tokens["refresh_token"]})
    assert after.status_code == 401


async def test_logout_ends_the_session(api: httpx.AsyncClient, staff: StaffMember) -> None:
    token = await login(api, staff.email)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await api.get("/api/v1/me", headers=headers)).status_code == 401


async def test_requests_without_a_valid_token_are_refused(api: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic abc"}):
        response = await api.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


async def test_secure_mail_reaches_the_outbox_once_without_its_content(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    token = await login(api, staff.email)
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    secret_subject = f"Uw aanvraag bijstand {uuid.uuid4().hex[:6]}"
    secret_body = f"Uw BSN is 123456782 en uw dossier {uuid.uuid4().hex}"
    response = await api.post(
        "/api/v1/secure-mails",
        json={
            "recipient_email": recipient,
            "recipient_mobile": "06-12345678",
            "subject": secret_subject,
            "body": secret_body,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"]
    assert created["recipient_mobile"] == "+31612345678"

    # How fast the notice comes is measured by `make bench` (notice_end_to_end), not here.
    await wait_for_messages(stack, recipient, timeout=15.0)
    await wait_until(lambda: notices_settled(stack), within=15.0, what="every notice settled")
    messages = await wait_for_messages(stack, recipient)
    assert len(messages) == 1
    mail = messages[0]
    assert mail["channel"] == "email"
    assert mail["subject"] == f"Zorgpost Secure e-mail – Nieuw bericht van {staff.organisation_name}"
    assert "Bericht lezen" in mail["text"]
    assert f"{stack.web_url}/secure-mail/" in mail["text"]
    for secret in (secret_subject, secret_body, "123456782"):
        assert secret not in mail["subject"]
        assert secret not in mail["text"]

    async with httpx.AsyncClient(base_url=stack.outbox_url) as outbox:
        detail = (await outbox.get(f"/api/messages/{mail['id']}")).json()
    assert "Bericht lezen" in detail["html"]
    assert secret_body not in detail["html"]
    assert detail["headers"]["Message-ID"]

    # The sender can see that the notice went out.
    deliveries = (
        await api.get(f"/api/v1/secure-mails/{created['id']}/deliveries", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert [(d["channel"], d["status"], d["attempts"]) for d in deliveries] == [("email", "sent", 1)]
    assert deliveries[0]["recipient"].startswith(recipient[0]) and "***@example.org" in deliveries[0]["recipient"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"recipient_email": "geen-adres", "subject": "Onderwerp", "body": "Tekst"}, "recipient_email"),
        (
            {"recipient_email": "a@example.org", "recipient_mobile": "12", "subject": "Onderwerp", "body": "Tekst"},
            "recipient_mobile",
        ),
        ({"recipient_email": "a@example.org", "subject": "  ", "body": "Tekst"}, "subject"),
        ({"recipient_email": "a@example.org", "subject": "Onderwerp"}, "body"),
        ({"recipient_email": 12, "subject": "Onderwerp", "body": "Tekst"}, "recipient_email"),
    ],
)
async def test_malformed_secure_mail_is_refused_naming_the_field_and_stores_nothing(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember, payload: dict[str, object], field: str
) -> None:
    token = await login(api, staff.email)
    before = await count_rows(stack.database_urls["messaging"], ("threads", "messages", "outbox_events"))
    response = await api.post("/api/v1/secure-mails", json=payload, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    after = await count_rows(stack.database_urls["messaging"], ("threads", "messages", "outbox_events"))
    assert after == before


async def test_only_staff_may_send_secure_mail(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v1/secure-mails",
        json={"recipient_email": "a@example.org", "subject": "x", "body": "y"},
    )
    assert response.status_code == 401


async def test_organisation_profile_and_portal_dashboard(api: httpx.AsyncClient, staff: StaffMember) -> None:
    token = await login(api, staff.email)
    headers = {"Authorization": f"Bearer {token}"}
    empty = await api.get("/api/v1/organisation/profile", headers=headers)
    assert empty.status_code == 200
    assert empty.json()["organisation_id"] == staff.organisation_id
    assert empty.json()["updated_at"] is None

    # Staff read the profile; its administrator keeps it.
    assert staff.administrator is not None
    admin = {"Authorization": f"Bearer {staff.administrator.access_token}"}
    refused = await api.put(
        "/api/v1/organisation/profile", headers=admin, json={"email": "geen", "website": "ftp://x", "phone": "1"}
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"email", "website", "phone"}
    assert (await api.get("/api/v1/organisation/profile", headers=headers)).json()["updated_at"] is None

    assert (await api.put("/api/v1/organisation/profile", headers=headers, json={"email": "x@y.nl"})).status_code == 403
    saved = await api.put(
        "/api/v1/organisation/profile",
        headers=admin,
        json={"email": "info@vlaardingen.example", "phone": "010 248 4000", "website": "https://www.vlaardingen.nl"},
    )
    assert saved.status_code == 200
    assert saved.json()["phone"] == "+31102484000"
    assert (await api.get("/api/v1/organisation/profile", headers=headers)).json()[
        "email"
    ] == "info@vlaardingen.example"

    dashboard = await api.get("/api/v1/portal/dashboard", headers=headers)
    assert dashboard.status_code == 200
    assert dashboard.json()["upcoming_appointments"] == []
    assert dashboard.json()["person_id"] == staff.account_id
