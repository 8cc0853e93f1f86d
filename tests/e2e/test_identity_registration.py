"""Seed 5 through the gateway: a person asks a GP practice for portal access, gets a
receipt, the practice approves, the approval mail's link sends an SMS code, and the code
plus a password meeting the practice's rules make the account. Every person needs an
address of their own: a plus-alias is one."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from journeys_e2e import bearer, fields, practice, tokens
from journeys_support import token_after, valid_mobile
from support import StaffMember, code_in, wait_for_messages

from identity.domain.policy import PasswordPreset
from identity.domain.rate_limits import REGISTRATIONS_PER_EMAIL
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "Huisarts-2026-Linde"


async def _request(api: httpx.AsyncClient, staff: StaffMember, email: str, mobile: str) -> httpx.Response:
    return await api.post(
        "/api/v1/registrations",
        json={
            "organisation_id": staff.organisation_id,
            "first_name": "Piet",
            "last_name": "Jansen",
            "email": email,
            "mobile": mobile,
            "birth_date": "1979-02-28",
        },
    )


async def _approve(api: httpx.AsyncClient, staff: StaffMember, registration_id: str) -> dict[str, Any]:
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    waiting = await api.get("/api/v1/registrations", params={"status": "requested"}, headers=bearer(staff_token))
    assert registration_id in {r["id"] for r in waiting.json()}
    approved = await api.post(f"/api/v1/registrations/{registration_id}/approve", headers=bearer(staff_token))
    assert approved.status_code == 200, approved.text
    body: dict[str, Any] = approved.json()
    return body


async def test_a_patient_registers_with_a_mail_link_an_sms_code_and_a_password(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    email = f"jansen+kind{uuid.uuid4().hex[:4]}@gmail.com"
    mobile = valid_mobile()
    requested = await _request(api, staff, email, mobile)
    assert requested.status_code == 201, requested.text
    receipt = (await wait_for_messages(stack, email))[0]
    assert staff.organisation_name in receipt["subject"] + receipt["text"]

    approved = await _approve(api, staff, requested.json()["id"])
    assert approved["status"] == "approved"
    token = token_after("/register/", (await wait_for_messages(stack, email, count=2))[0]["text"])

    sent = await api.post(f"/api/v1/register/{token}/code")
    assert sent.status_code == 200, sent.text
    assert sent.json()["masked_mobile"].endswith(mobile[-2:])
    code = code_in((await wait_for_messages(stack, mobile))[0])

    weak = await api.post(
        f"/api/v1/register/{token}",
        json={
            "code": code,
            "password": "geheim",
            "password_confirmation": "geheim",
            "terms_version": "",
            "privacy_version": "",
        },
    )
    assert weak.status_code == 422
    assert fields(weak) >= {"password.min_length", "password.upper", "password.digits", "terms_version"}
    form = {
        "code": code,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": "2026-01",
        "privacy_version": "2026-01",
    }
    done = await api.post(f"/api/v1/register/{token}", json=form)
    assert done.status_code == 201, done.text
    me = await api.get("/api/v1/me", headers=bearer(done.json()["login"]["access_token"]))
    assert (me.json()["email"], me.json()["organisation"]["id"]) == (email, staff.organisation_id)
    assert (await tokens(api, email, PASSWORD))["access_token"]
    again = await api.post(f"/api/v1/register/{token}", json=form)
    assert again.status_code == 404


async def test_a_wrong_sms_code_is_refused_and_a_new_code_replaces_it(stack: Stack, api: httpx.AsyncClient) -> None:
    staff = await practice(stack, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    email = f"jansen+kind{uuid.uuid4().hex[:4]}@gmail.com"
    mobile = valid_mobile()
    requested = await _request(api, staff, email, mobile)
    await _approve(api, staff, requested.json()["id"])
    token = token_after("/register/", (await wait_for_messages(stack, email, count=2))[0]["text"])
    await api.post(f"/api/v1/register/{token}/code")
    first = code_in((await wait_for_messages(stack, mobile))[0])
    await api.post(f"/api/v1/register/{token}/code")
    second = code_in((await wait_for_messages(stack, mobile, count=2))[0])
    form = {
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": "2026-01",
        "privacy_version": "2026-01",
    }
    if first != second:  # one in a million they are equal
        replaced = await api.post(f"/api/v1/register/{token}", json={**form, "code": first})
        assert replaced.json()["code"] == "incorrect_code"
    assert (await api.post(f"/api/v1/register/{token}", json={**form, "code": second})).status_code == 201


async def test_bad_requests_name_every_field_and_staff_see_only_their_own_practice(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    other = await practice(stack, "Huisartsenpraktijk De Eik", PasswordPreset.GP_PORTAL)
    bad = await api.post(
        "/api/v1/registrations",
        json={
            "organisation_id": staff.organisation_id,
            "first_name": "",
            "last_name": " ",
            "email": "geen-adres",
            "mobile": "0101234567",
            "birth_date": "",
        },
    )
    assert bad.status_code == 422
    assert fields(bad) == {"first_name", "last_name", "email", "mobile", "birth_date"}
    requested = await _request(api, staff, f"p-{uuid.uuid4().hex[:6]}@example.org", valid_mobile())
    other_token = (await tokens(api, other.email, other.password))["access_token"]
    assert requested.json()["id"] not in {
        r["id"] for r in (await api.get("/api/v1/registrations", headers=bearer(other_token))).json()
    }
    foreign = await api.post(f"/api/v1/registrations/{requested.json()['id']}/approve", headers=bearer(other_token))
    assert (foreign.status_code, foreign.json()["code"]) == (404, "registration_not_found")
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    rejected = await api.post(f"/api/v1/registrations/{requested.json()['id']}/reject", headers=bearer(staff_token))
    assert rejected.json()["status"] == "rejected"


async def test_names_with_a_link_or_a_line_break_are_refused_before_anything_is_mailed(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    # The receipt prints the name under the practice's name: it must not carry a message.
    staff = await practice(stack, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    email = f"slachtoffer-{uuid.uuid4().hex[:6]}@example.org"
    refused = await api.post(
        "/api/v1/registrations",
        json={
            "organisation_id": staff.organisation_id,
            "first_name": "Uw pakket staat klaar op www.pakket-ophalen.nl",
            "last_name": "Jansen\n\nKlik hier: https://phish.example/inloggen",
            "email": email,
            "mobile": valid_mobile(),
            "birth_date": "1979-02-28",
        },
    )

    assert refused.status_code == 422
    assert fields(refused) == {"first_name", "last_name"}
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    listed = (await api.get("/api/v1/registrations", headers=bearer(staff_token))).json()
    assert email not in {registration["email"] for registration in listed}


async def test_one_address_may_ask_a_few_times_an_hour_then_429_with_retry_after(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    email = f"herhaling-{uuid.uuid4().hex[:6]}@example.org"
    for _ in range(REGISTRATIONS_PER_EMAIL.max_count):
        assert (await _request(api, staff, email, valid_mobile())).status_code == 201

    limited = await _request(api, staff, email, valid_mobile())

    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "too_many_requests"
    assert 0 < int(limited.headers["Retry-After"]) <= REGISTRATIONS_PER_EMAIL.window.total_seconds()
    # Only the allowed requests were mailed a receipt.
    receipts = await wait_for_messages(stack, email, count=REGISTRATIONS_PER_EMAIL.max_count, settle=1.0)
    assert len(receipts) == REGISTRATIONS_PER_EMAIL.max_count
    # Another address is not held up by it.
    assert (await _request(api, staff, f"ander-{uuid.uuid4().hex[:6]}@example.org", valid_mobile())).status_code == 201
