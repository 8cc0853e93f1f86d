"""Parental access ends on the 16th birthday, proven through the running system: once the
youth turns 16, the parent can no longer switch to the youth's portal, and an act-as token
issued before stops working at the next request.

The identity process checks for 16th birthdays at start and then every interval (hourly in
production; half a second here, so the test does not wait for the clock). The birthday
itself is made by moving the youth's birth date back one day, as the passing of midnight
in Amsterdam would.
"""

from __future__ import annotations

import httpx
import jwt
import pytest
from journeys_e2e import bearer, practice, tokens
from journeys_support import create_client, years_ago
from support import execute, wait_for_messages

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(extra_env={"identity": {"DELEGATION_CHECK_INTERVAL_SECONDS": "0.5"}}),
]


async def _make_sixteen_today(stack: Stack, account_id: str) -> None:
    """The youth's birthday comes: their birth date is now exactly 16 years ago (by the
    calendar identity counts ages with)."""
    await execute(
        stack.database_urls["identity"], "UPDATE accounts SET birth_date = $1 WHERE id = $2", years_ago(16), account_id
    )


async def test_at_sixteen_act_as_is_refused_and_an_issued_act_as_token_stops_working(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    parent = await create_client(stack, staff.organisation_id, years_ago(44))
    youth = await create_client(stack, staff.organisation_id, years_ago(16, days=1))  # 15, 16 tomorrow
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    asked = await api.post(
        "/api/v1/delegations",
        json={"delegate_account_id": parent.account_id, "person_account_id": youth.account_id},
        headers=bearer(staff_token),
    )
    assert (asked.status_code, asked.json()["kind"]) == (201, "parental"), asked.text
    youth_token = (await tokens(api, youth.email, youth.password))["access_token"]
    consent = await api.post(
        f"/api/v1/delegations/{asked.json()['id']}/consent", json={"accept": True}, headers=bearer(youth_token)
    )
    assert consent.json()["status"] == "active"
    granted_notice = await wait_for_messages(stack, parent.email, count=1)
    parent_token = (await tokens(api, parent.email, parent.password))["access_token"]
    switched = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert switched.status_code == 200, switched.text
    acting = switched.json()["access_token"]
    assert jwt.decode(acting, options={"verify_signature": False})["act"]["sub"] == parent.account_id
    # The worker has run many times by now: a youth of 15 keeps the delegation.
    assert (await api.get("/api/v1/me", headers=bearer(acting))).status_code == 200

    await _make_sixteen_today(stack, youth.account_id)

    # The parent is told the access ended (the worker's doing, not the test's).
    ended_notice = (await wait_for_messages(stack, parent.email, count=len(granted_notice) + 1, timeout=30.0))[0]
    assert youth.email not in ended_notice["text"]
    # Switching to the youth's portal is refused from now on …
    again = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert again.status_code == 404
    # … and the act-as token issued before, not yet expired, no longer opens anything.
    me = await api.get("/api/v1/me", headers=bearer(acting))
    assert (me.status_code, me.json()["code"]) == (403, "delegation_not_active")
    dashboard = await api.get("/api/v1/portal/dashboard", headers=bearer(acting))
    assert (dashboard.status_code, dashboard.json()["code"]) == (403, "delegation_not_active")
    # The youth sees why.
    mine = (await api.get("/api/v1/me/delegations", headers=bearer(youth_token))).json()["for_me"]
    assert [(d["status"], d["end_reason"]) for d in mine] == [("ended", "turned_16")]
    # The parent's own account is untouched.
    assert (await api.get("/api/v1/me", headers=bearer(parent_token))).status_code == 200
