"""Seed 1's profile settings through the gateway: names, language and country change at
once; a new e-mail address is confirmed by the link mailed to it (the old address is told);
a new mobile number by the SMS code sent to it."""

from __future__ import annotations

import uuid

import httpx
import pytest
from journeys_e2e import bearer, fields, practice, tokens
from journeys_support import create_client, token_after, valid_mobile, years_ago
from support import code_in, wait_for_messages

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_profile_changes_and_confirmed_contact_details(stack: Stack, api: httpx.AsyncClient) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.ASVS)
    person = await create_client(stack, staff.organisation_id, years_ago(33))
    token = (await tokens(api, person.email, person.password))["access_token"]

    refused = await api.patch(
        "/api/v1/me/profile", json={"first_name": " ", "country": "Holland", "mobile": "12"}, headers=bearer(token)
    )
    assert (refused.status_code, fields(refused)) == (422, {"first_name", "country", "mobile"})
    assert (await api.get("/api/v1/me/profile", headers=bearer(token))).json()["first_name"] == "Test"

    new_email = f"nieuw-{uuid.uuid4().hex[:6]}@example.org"
    new_mobile = valid_mobile()
    changed = await api.patch(
        "/api/v1/me/profile",
        json={
            "first_name": "Persoon",
            "last_name": "X",
            "country": "be",
            "email": new_email,
            "mobile": new_mobile,
            "current_password": person.password,
        },
        headers=bearer(token),
    )
    assert changed.status_code == 200, changed.text
    profile = changed.json()
    assert (profile["display_name"], profile["country"]) == ("Persoon X", "BE")
    assert (profile["email"], profile["pending_email"]) == (person.email, new_email)
    assert (profile["mobile"], profile["pending_mobile"]) == (person.mobile, new_mobile)

    confirmation = (await wait_for_messages(stack, new_email))[0]
    link_token = token_after("/confirm-email/", confirmation["text"])
    notice = (await wait_for_messages(stack, person.email))[0]
    assert link_token not in notice["text"]
    confirmed = await api.post("/api/v1/me/profile/email/confirm", json={"token": link_token}, headers=bearer(token))
    assert (confirmed.json()["email"], confirmed.json()["pending_email"]) == (new_email, None)

    code = code_in((await wait_for_messages(stack, new_mobile))[0])
    wrong = await api.post(
        "/api/v1/me/profile/mobile/confirm", json={"code": f"{(int(code) + 1) % 10**6:06d}"}, headers=bearer(token)
    )
    assert wrong.json()["code"] == "incorrect_code"
    mobile = await api.post("/api/v1/me/profile/mobile/confirm", json={"code": code}, headers=bearer(token))
    assert (mobile.json()["mobile"], mobile.json()["pending_mobile"]) == (new_mobile, None)
    assert (await tokens(api, new_email, person.password))["access_token"]
    assert (await api.get("/api/v1/me", headers=bearer(token))).json()["display_name"] == "Persoon X"
