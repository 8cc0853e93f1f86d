"""Seed 4 through the gateway: a practice makes an account for a young client; the client
opens the activation mail, confirms with the birth date, receives a login name and a
temporary password, must choose a new password at the first login, sets a secret
question and logs in again."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import nats
import pytest
from journeys_e2e import bearer, fields, practice, tokens
from journeys_support import line_after, token_after, valid_mobile, years_ago
from support import fetch_value, wait_for_messages, wait_until

from identity.domain.policy import PasswordPolicy, PasswordPreset
from zorgpost.events.v1 import portal_events_pb2
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEW_PASSWORD = "Mijn eigen zin ~ 2026"


async def _create(
    api: httpx.AsyncClient, staff_token: str, email: str, born: date, mobile: str | None = None
) -> httpx.Response:
    return await api.post(
        "/api/v1/client-accounts",
        json={
            "first_name": "Jamie",
            "last_name": "de Jong",
            "email": email,
            "mobile": mobile or valid_mobile(),
            "birth_date": born.isoformat(),
        },
        headers=bearer(staff_token),
    )


async def test_a_young_client_activates_the_account_and_chooses_a_password(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    email = f"jamie-{uuid.uuid4().hex[:6]}@example.org"
    born = years_ago(12)
    mobile = f"06 1{uuid.uuid4().int % 10**7:07d}"
    created = await _create(api, staff_token, email, born, mobile)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["mobile"]) == ("pending_activation", "+316" + mobile[3:])

    activation_mail = (await wait_for_messages(stack, email))[0]
    token = token_after("/activate/", activation_mail["text"])
    assert (await api.get(f"/api/v1/activations/{token}")).json()["state"] == "open"
    wrong = await api.post(f"/api/v1/activations/{token}", json={"birth_date": "2000-01-01"})
    assert (wrong.status_code, fields(wrong)) == (422, {"birth_date"})
    activated = await api.post(f"/api/v1/activations/{token}", json={"birth_date": born.isoformat()})
    assert activated.status_code == 200, activated.text
    assert activated.json() == {"login_name": email}

    credentials_mail = (await wait_for_messages(stack, email, count=2))[0]
    login_name = line_after("Inlognaam:", credentials_mail["text"])
    temporary = line_after("Tijdelijk wachtwoord:", credentials_mail["text"])
    assert login_name == email

    first = await tokens(api, login_name, temporary)
    me = (await api.get("/api/v1/me", headers=bearer(first["access_token"]))).json()
    assert me["password_change_required"] is True
    blocked = await api.put(
        "/api/v1/me/secret-question",
        json={"password": temporary, "question": "Naam huisdier?", "answer": "Max"},
        headers=bearer(first["access_token"]),
    )
    assert (blocked.status_code, blocked.json()["code"]) == (403, "password_change_required")
    # The change form's checklist: the practice's client-portal rules, readable with the
    # temporary password's token; a refusal names rules of that same list.
    rules = await api.get("/api/v1/me/password-rules", headers=bearer(first["access_token"]))
    assert rules.status_code == 200, rules.text
    checklist = {rule["code"]: rule for rule in rules.json()["password_rules"]}
    assert list(checklist) == [rule.code for rule in PasswordPolicy.for_preset(PasswordPreset.CLIENT_PORTAL).rules()]
    assert all(rule["nl"] and rule["en"] for rule in checklist.values())
    too_short = await api.post(
        "/api/v1/me/password",
        json={"current_password": temporary, "new_password": "kort!"},
        headers=bearer(first["access_token"]),
    )
    assert too_short.status_code == 422
    broken = {field.split(".", 1)[1] for field in fields(too_short)}
    assert broken and broken <= set(checklist), broken
    changed = await api.post(
        "/api/v1/me/password",
        json={"current_password": temporary, "new_password": NEW_PASSWORD},
        headers=bearer(first["access_token"]),
    )
    assert changed.status_code == 200, changed.text
    full = changed.json()["access_token"]
    again = await api.get("/api/v1/me/password-rules", headers=bearer(full))
    assert [rule["code"] for rule in again.json()["password_rules"]] == list(checklist)

    question = await api.put(
        "/api/v1/me/secret-question",
        json={"password": NEW_PASSWORD, "question": "Naam eerste huisdier?", "answer": "  Max de Hond "},
        headers=bearer(full),
    )
    assert question.status_code == 200, question.text
    assert (await api.get("/api/v1/me/secret-question", headers=bearer(full))).json() == {
        "question": "Naam eerste huisdier?"
    }
    # Log in again with the new password; the temporary one is dead.
    assert (await tokens(api, login_name, NEW_PASSWORD))["access_token"]
    old = await api.post("/api/v1/auth/login", json={"username": login_name, "password": temporary})
    assert old.status_code == 401
    used = await api.post(f"/api/v1/activations/{token}", json={"birth_date": born.isoformat()})
    assert (used.status_code, used.json()["code"]) == (409, "activation_used")


async def test_under_twelve_no_account_and_a_wrong_birth_date_three_times_kills_the_link(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    too_young = await _create(api, staff_token, f"kind-{uuid.uuid4().hex[:6]}@example.org", years_ago(11))
    assert (too_young.status_code, too_young.json()["code"]) == (422, "too_young_for_own_account")

    email = f"jongere-{uuid.uuid4().hex[:6]}@example.org"
    born = years_ago(13)
    created = await _create(api, staff_token, email, born)
    assert created.status_code == 201, created.text
    taken = await _create(api, staff_token, f"ander-{uuid.uuid4().hex[:6]}@example.org", born, created.json()["mobile"])
    assert (taken.status_code, taken.json()["code"]) == (409, "mobile_in_use")
    token = token_after("/activate/", (await wait_for_messages(stack, email))[0]["text"])
    answers = [
        (await api.post(f"/api/v1/activations/{token}", json={"birth_date": "2001-02-03"})).json()["code"]
        for _ in range(3)
    ]
    assert answers == ["wrong_birth_date", "wrong_birth_date", "activation_blocked"]
    right = await api.post(f"/api/v1/activations/{token}", json={"birth_date": born.isoformat()})
    assert (right.status_code, right.json()["code"]) == (409, "activation_blocked")

    resent = await api.post(f"/api/v1/client-accounts/{created.json()['id']}/activation", headers=bearer(staff_token))
    assert resent.status_code == 202
    fresh = token_after("/activate/", (await wait_for_messages(stack, email, count=2))[0]["text"])
    assert fresh != token
    assert (await api.post(f"/api/v1/activations/{fresh}", json={"birth_date": born.isoformat()})).status_code == 200


async def test_an_old_activation_link_cannot_bring_back_an_account_whose_access_ended(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    email = f"gestopt-{uuid.uuid4().hex[:6]}@example.org"
    born = years_ago(14)
    created = await _create(api, staff_token, email, born)
    assert created.status_code == 201, created.text
    token = token_after("/activate/", (await wait_for_messages(stack, email))[0]["text"])

    # The care trajectory ends before the client ever activated the account.
    connection = await nats.connect(stack.nats_url)
    try:
        event = portal_events_pb2.TrajectoryEnded(
            trajectory_id=str(uuid.uuid4()),
            person_account_id=created.json()["id"],
            organisation_id=staff.organisation_id,
        )
        await connection.jetstream().publish(
            "portal.trajectory.ended", event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )
    finally:
        await connection.close()

    # Wait until identity has ended the access (the account is disabled), then try the link.
    async def disabled() -> bool:
        query = "SELECT status FROM accounts WHERE id = $1"
        return await fetch_value(stack.database_urls["identity"], query, created.json()["id"]) == "disabled"

    await wait_until(disabled, within=15, what="the account is disabled")
    attempt = await api.post(f"/api/v1/activations/{token}", json={"birth_date": born.isoformat()})
    assert attempt.status_code == 404
    assert len(await wait_for_messages(stack, email, settle=1.0)) == 1  # no temporary password was sent
