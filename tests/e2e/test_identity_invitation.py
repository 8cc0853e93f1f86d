"""Seed 1 through the gateway: staff invite an address into a secure conversation; the
invitee reads the mail, opens the link, makes an account checked against the
organisation's password rules (or uses one they have, or declines) and lands in the
conversation."""

from __future__ import annotations

import uuid

import httpx
import pytest
from journeys_e2e import bearer, fields, practice, tokens
from journeys_support import token_after
from support import StaffMember, create_member, wait_for_messages

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

PASSWORD = "Veilig-Gesprek-2026!"


async def _invite(api: httpx.AsyncClient, stack: Stack, staff: StaffMember, email: str) -> tuple[dict[str, str], str]:
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    chat = await api.post("/api/v1/threads", json={"subject": "Veilig gesprek"}, headers=bearer(staff_token))
    assert chat.status_code == 201, chat.text
    thread_id = chat.json()["id"]
    sent = await api.post(
        "/api/v1/invitations", json={"email": email, "thread_id": thread_id}, headers=bearer(staff_token)
    )
    assert sent.status_code == 201, sent.text
    mail = (await wait_for_messages(stack, email))[0]
    assert staff.organisation_name in mail["subject"] + mail["text"]
    return sent.json(), token_after("/invitations/", mail["text"])


async def test_an_invitee_makes_an_account_and_lands_in_the_conversation(stack: Stack, api: httpx.AsyncClient) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    email = f"persoon.x-{uuid.uuid4().hex[:6]}@example.org"
    invitation, token = await _invite(api, stack, staff, email)

    page = await api.get(f"/api/v1/invitations/{token}")
    assert page.status_code == 200
    view = page.json()
    assert (view["email"], view["state"], view["organisation_name"]) == (email, "open", staff.organisation_name)
    assert [rule["nl"] for rule in view["password_rules"]][:1] == ["Gebruik tenminste 8 karakters"]

    # The form: every broken rule and every missing field at once, and nothing saved.
    empty_form = {
        "first_name": "",
        "last_name": "X",
        "password": "abc",
        "password_confirmation": "",
        "terms_version": "",
        "privacy_version": "",
    }
    refused = await api.post(f"/api/v1/invitations/{token}/account", json=empty_form)
    assert refused.status_code == 422
    assert fields(refused) >= {
        "first_name",
        "password.min_length",
        "password.upper",
        "password.digits",
        "password.special",
        "password_confirmation",
        "terms_version",
        "privacy_version",
    }
    form = {
        "first_name": "Persoon",
        "last_name": "X",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": view["terms_version"],
        "privacy_version": view["privacy_version"],
    }
    # The summary step: checked, not saved.
    summary = await api.post(f"/api/v1/invitations/{token}/account", json={**form, "dry_run": True})
    assert summary.status_code == 200, summary.text
    assert summary.json()["account_id"] is None
    assert (await api.get(f"/api/v1/invitations/{token}")).json()["state"] == "open"

    created = await api.post(f"/api/v1/invitations/{token}/account", json=form)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["thread_id"] == invitation["thread_id"]
    me = await api.get("/api/v1/me", headers=bearer(body["login"]["access_token"]))
    assert (me.json()["email"], me.json()["display_name"]) == (email, "Persoon X")

    used = await api.post(f"/api/v1/invitations/{token}/account", json=form)
    assert (used.status_code, used.json()["code"]) == (409, "invitation_used")
    assert (await api.get(f"/api/v1/invitations/{token}")).json()["state"] == "accepted"


async def test_an_invitee_with_an_account_logs_in_to_accept(stack: Stack, api: httpx.AsyncClient) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    first_email = f"ketenpartner-{uuid.uuid4().hex[:6]}@example.org"
    _, first = await _invite(api, stack, staff, first_email)
    form = {
        "first_name": "Keten",
        "last_name": "Partner",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "terms_version": "2026-01",
        "privacy_version": "2026-01",
    }
    assert (await api.post(f"/api/v1/invitations/{first}/account", json=form)).status_code == 201

    invitation, second = await _invite(api, stack, staff, f"ander-{uuid.uuid4().hex[:6]}@example.org")
    wrong = await api.post(f"/api/v1/invitations/{second}/login", json={"username": first_email, "password": "fout"})
    assert wrong.status_code == 401
    accepted = await api.post(
        f"/api/v1/invitations/{second}/login", json={"username": first_email, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["thread_id"] == invitation["thread_id"]
    assert accepted.json()["login"]["access_token"]


async def test_a_declined_invitation_tells_the_inviter_and_staff_manage_only_their_own(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.ASVS)
    other = await practice(stack, "Gemeente Schiedam", PasswordPreset.ASVS)
    invitee = f"niet-geinteresseerd-{uuid.uuid4().hex[:6]}@example.org"
    invitation, token = await _invite(api, stack, staff, invitee)
    other_token = (await tokens(api, other.email, other.password))["access_token"]
    listed = await api.get("/api/v1/invitations", headers=bearer(other_token))
    assert invitation["id"] not in {i["id"] for i in listed.json()}
    foreign = await api.post(f"/api/v1/invitations/{invitation['id']}/revoke", headers=bearer(other_token))
    assert foreign.status_code == 404

    assert (await api.post(f"/api/v1/invitations/{token}/decline")).status_code == 204
    notice = (await wait_for_messages(stack, staff.email, count=staff.mails + 1))[0]
    assert invitee in notice["subject"] + notice["text"]
    assert (await api.get(f"/api/v1/invitations/{token}")).json()["state"] == "declined"


async def test_a_resent_invitation_mails_a_new_link_and_the_old_one_stops_working(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.ASVS)
    email = f"opnieuw-{uuid.uuid4().hex[:6]}@example.org"
    invitation, old = await _invite(api, stack, staff, email)
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    resent = await api.post(f"/api/v1/invitations/{invitation['id']}/resend", headers=bearer(staff_token))
    assert resent.status_code == 200
    new = token_after("/invitations/", (await wait_for_messages(stack, email, count=2))[0]["text"])
    assert new != old
    assert (await api.get(f"/api/v1/invitations/{old}")).status_code == 404
    assert (await api.get(f"/api/v1/invitations/{new}")).json()["state"] == "open"
    revoked = await api.post(f"/api/v1/invitations/{invitation['id']}/revoke", headers=bearer(staff_token))
    assert revoked.json()["state"] == "revoked"
    assert (await api.post(f"/api/v1/invitations/{new}/decline")).json()["code"] == "invitation_revoked"


async def test_an_unknown_or_withdrawn_link_never_reaches_the_password_check(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.ASVS)
    member = await create_member(stack, staff.organisation_id)
    unknown = "x" * 43
    # Far more wrong passwords than the lockout allows (5 by default): none is even tried.
    for _ in range(8):
        guess = await api.post(
            f"/api/v1/invitations/{unknown}/login", json={"username": member.email, "password": "geraden"}
        )
        assert (guess.status_code, guess.json()["code"]) == (404, "invitation_not_found")
    invitation, token = await _invite(api, stack, staff, f"ingetrokken-{uuid.uuid4().hex[:6]}@example.org")
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    await api.post(f"/api/v1/invitations/{invitation['id']}/revoke", headers=bearer(staff_token))
    withdrawn = await api.post(
        f"/api/v1/invitations/{token}/login", json={"username": member.email, "password": "geraden"}
    )
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (409, "invitation_revoked")

    # No failed login was counted against the account: it is not locked, and logs in.
    assert (await tokens(api, member.email, member.password))["access_token"]
