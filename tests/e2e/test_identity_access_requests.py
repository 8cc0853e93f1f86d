"""Seed 5 through the gateway: a parent asks online for access to a child's portal. Under 12
the practice approves and the parent switches to the child's portal at once; from 12 the
practice names the child's own account and the child consents first; a rejection is mailed
without its reason, which the parent reads on their page; from 16 a parent cannot ask; and
nobody outside the parent and their practice sees a request."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from journeys_e2e import bearer, fields, practice, tokens
from journeys_support import create_client, years_ago
from support import Member, StaffMember, wait_for_messages

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _child(age: int, *, first: str = "Sam", last: str = "Ouder", days: int = 0, note: str = "") -> dict[str, Any]:
    return {
        "child_first_name": first,
        "child_last_name": last,
        "child_birth_date": years_ago(age, days=days).isoformat(),
        "relation": "parent",
        "note": note,
    }


async def _family(stack: Stack) -> tuple[StaffMember, Member]:
    staff = await practice(stack, "Kind & meer", PasswordPreset.CLIENT_PORTAL)
    parent = await create_client(stack, staff.organisation_id, years_ago(41))
    return staff, parent


async def _token(api: httpx.AsyncClient, who: StaffMember | Member) -> str:
    return str((await tokens(api, who.email, who.password))["access_token"])


async def test_under_twelve_the_practice_approves_and_the_parent_switches_to_the_childs_portal(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff, parent = await _family(stack)
    parent_token = await _token(api, parent)

    asked = await api.post(
        "/api/v1/me/access-requests", json=_child(9, note="Ik ben de moeder van Sam."), headers=bearer(parent_token)
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["delegation"], request["requester"]["account_id"]) == (
        "pending",
        None,
        parent.account_id,
    )
    receipt = (await wait_for_messages(stack, parent.email))[0]
    # The subject names the practice, not the child; the child's name is in the text.
    assert receipt["subject"].startswith("Uw aanvraag bij Kind & meer") and "Sam" not in receipt["subject"]
    assert "Sam Ouder" in receipt["text"] and "Ik ben de moeder" not in receipt["text"]
    assert "/portal/access-requests" in receipt["text"]

    staff_token = await _token(api, staff)
    pending = (await api.get("/api/v1/access-requests?status=pending", headers=bearer(staff_token))).json()
    assert [(r["id"], r["note"]) for r in pending["items"]] == [(request["id"], "Ik ben de moeder van Sam.")]
    assert pending["next_cursor"] is None
    review = (await api.get(f"/api/v1/access-requests/{request['id']}", headers=bearer(staff_token))).json()
    assert (review["candidates"], review["new_record_allowed"]) == ([], True)

    approved = await api.post(f"/api/v1/access-requests/{request['id']}/approve", json={}, headers=bearer(staff_token))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["delegation"]["status"] == "active"
    child_id = approved.json()["delegation"]["person"]["account_id"]
    # The parent hears it once, from the delegation that started.
    granted = (await wait_for_messages(stack, parent.email, count=2))[0]
    assert "Sam Ouder" in granted["subject"] + granted["text"]

    mine = (await api.get("/api/v1/me/access-requests", headers=bearer(parent_token))).json()
    assert [(r["status"], r["delegation"]["status"]) for r in mine] == [("approved", "active")]
    switched = await api.post("/api/v1/me/act-as", json={"person_id": child_id}, headers=bearer(parent_token))
    assert switched.status_code == 200, switched.text
    assert switched.json()["person_name"] == "Sam Ouder"
    dashboard = await api.get("/api/v1/portal/dashboard", headers=bearer(switched.json()["access_token"]))
    assert (dashboard.status_code, dashboard.json()["person_id"]) == (200, child_id)

    again = await api.post(f"/api/v1/access-requests/{request['id']}/approve", json={}, headers=bearer(staff_token))
    assert (again.status_code, again.json()["code"]) == (409, "access_request_decided")


async def test_from_twelve_the_childs_own_account_consents_first(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent = await _family(stack)
    # The practice's client "Test Persoon", 13; the parent types the name in other case and spacing.
    youth = await create_client(stack, staff.organisation_id, years_ago(13))
    parent_token, staff_token = await _token(api, parent), await _token(api, staff)
    asked = await api.post(
        "/api/v1/me/access-requests", json=_child(13, first="test", last="  PERSOON"), headers=bearer(parent_token)
    )
    request_id = asked.json()["id"]
    review = (await api.get(f"/api/v1/access-requests/{request_id}", headers=bearer(staff_token))).json()
    assert [c["account_id"] for c in review["candidates"]] == [youth.account_id]
    assert review["new_record_allowed"] is False

    # Another child born the same day is not this client.
    twin = await api.post("/api/v1/me/access-requests", json=_child(13, first="Jip"), headers=bearer(parent_token))
    wrong_name = await api.post(
        f"/api/v1/access-requests/{twin.json()['id']}/approve",
        json={"person_account_id": youth.account_id},
        headers=bearer(staff_token),
    )
    assert (wrong_name.status_code, fields(wrong_name)) == (422, {"person_account_id"})

    without_account = await api.post(
        f"/api/v1/access-requests/{request_id}/approve", json={}, headers=bearer(staff_token)
    )
    assert (without_account.status_code, fields(without_account)) == (404, {"person_account_id"})
    approved = await api.post(
        f"/api/v1/access-requests/{request_id}/approve",
        json={"person_account_id": youth.account_id},
        headers=bearer(staff_token),
    )
    assert approved.json()["delegation"]["status"] == "awaiting_consent"
    told = (await wait_for_messages(stack, parent.email, count=2))[0]
    assert "Test Persoon" in told["text"] and "toestemming" in told["text"]
    early = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert early.status_code == 404

    youth_token = await _token(api, youth)
    delegation_id = approved.json()["delegation"]["id"]
    consent = await api.post(
        f"/api/v1/delegations/{delegation_id}/consent", json={"accept": True}, headers=bearer(youth_token)
    )
    assert consent.json()["status"] == "active"
    mine = (await api.get(f"/api/v1/me/access-requests/{request_id}", headers=bearer(parent_token))).json()
    assert mine["delegation"]["status"] == "active"
    switched = await api.post("/api/v1/me/act-as", json={"person_id": youth.account_id}, headers=bearer(parent_token))
    assert switched.status_code == 200, switched.text


async def test_a_rejection_is_mailed_without_its_reason(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent = await _family(stack)
    parent_token, staff_token = await _token(api, parent), await _token(api, staff)
    request_id = (await api.post("/api/v1/me/access-requests", json=_child(6), headers=bearer(parent_token))).json()[
        "id"
    ]
    await wait_for_messages(stack, parent.email)

    no_reason = await api.post(f"/api/v1/access-requests/{request_id}/reject", json={}, headers=bearer(staff_token))
    assert (no_reason.status_code, fields(no_reason)) == (422, {"reason"})
    reason = "Wij hebben geen bewijs van gezag ontvangen."
    rejected = await api.post(
        f"/api/v1/access-requests/{request_id}/reject", json={"reason": reason}, headers=bearer(staff_token)
    )
    assert rejected.json()["status"] == "rejected"

    mail = (await wait_for_messages(stack, parent.email, count=2))[0]
    assert "Sam" not in mail["subject"] and "bewijs van gezag" not in mail["text"] + mail.get("html", "")
    mine = (await api.get(f"/api/v1/me/access-requests/{request_id}", headers=bearer(parent_token))).json()
    assert (mine["status"], mine["reason"]) == ("rejected", reason)
    # Rejected, the parent may ask again.
    again = await api.post("/api/v1/me/access-requests", json=_child(6), headers=bearer(parent_token))
    assert again.status_code == 201


async def test_from_sixteen_and_hostile_input_and_duplicates_are_refused(stack: Stack, api: httpx.AsyncClient) -> None:
    _, parent = await _family(stack)
    parent_token = await _token(api, parent)

    sixteen = await api.post("/api/v1/me/access-requests", json=_child(16), headers=bearer(parent_token))
    assert (sixteen.status_code, sixteen.json()["code"]) == (409, "child_is_sixteen")
    assert sixteen.headers["content-type"] == "application/problem+json"
    assert "written consent" in sixteen.json()["detail"]
    almost = await api.post(
        "/api/v1/me/access-requests", json=_child(16, first="Noor", days=1), headers=bearer(parent_token)
    )
    assert almost.status_code == 201, almost.text

    hostile = await api.post(
        "/api/v1/me/access-requests",
        json={
            "child_first_name": "Sam\nBcc: iedereen@example.org",
            "child_last_name": "https://phish.example",
            "child_birth_date": "2999-01-01",
            "relation": "parent",
            "note": "\u0000",
        },
        headers=bearer(parent_token),
    )
    assert (hostile.status_code, fields(hostile)) == (
        422,
        {"child_first_name", "child_last_name", "child_birth_date", "note"},
    )
    unknown_relation = await api.post(
        "/api/v1/me/access-requests", json={**_child(5), "relation": "buurman"}, headers=bearer(parent_token)
    )
    assert (unknown_relation.status_code, fields(unknown_relation)) == (422, {"relation"})

    first = await api.post("/api/v1/me/access-requests", json=_child(5, first="Lot"), headers=bearer(parent_token))
    assert first.status_code == 201
    twice = await api.post("/api/v1/me/access-requests", json=_child(5, first="lot"), headers=bearer(parent_token))
    assert (twice.status_code, twice.json()["code"]) == (409, "access_request_exists")


async def test_another_practice_and_another_parent_get_not_found(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent = await _family(stack)
    other_staff, other_parent = await _family(stack)
    neighbour = await create_client(stack, staff.organisation_id, years_ago(38))
    parent_token = await _token(api, parent)
    request_id = (await api.post("/api/v1/me/access-requests", json=_child(4), headers=bearer(parent_token))).json()[
        "id"
    ]

    other_token = await _token(api, other_staff)
    for method, path, body in (
        ("GET", f"/api/v1/access-requests/{request_id}", None),
        ("POST", f"/api/v1/access-requests/{request_id}/approve", {}),
        ("POST", f"/api/v1/access-requests/{request_id}/reject", {"reason": "Nee"}),
    ):
        refused = await api.request(method, path, json=body, headers=bearer(other_token))
        assert (refused.status_code, refused.json()["code"]) == (404, "access_request_not_found"), path
    listed = (await api.get("/api/v1/access-requests", headers=bearer(other_token))).json()
    assert listed["items"] == []

    for someone in (other_parent, neighbour):
        token = await _token(api, someone)
        assert (await api.get(f"/api/v1/me/access-requests/{request_id}", headers=bearer(token))).status_code == 404
        assert (await api.get("/api/v1/me/access-requests", headers=bearer(token))).json() == []
    unknown = await api.get(f"/api/v1/me/access-requests/{uuid.uuid4()}", headers=bearer(parent_token))
    assert unknown.status_code == 404
    # A parent is no member of the practice's staff.
    assert (await api.get("/api/v1/access-requests", headers=bearer(parent_token))).status_code == 403
    # Still pending for its own practice.
    staff_token = await _token(api, staff)
    own = (await api.get(f"/api/v1/access-requests/{request_id}", headers=bearer(staff_token))).json()
    assert own["status"] == "pending"


async def test_under_twelve_a_client_with_the_same_name_is_chosen_or_a_new_record_asked_for_explicitly(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    staff, parent = await _family(stack)
    known = await create_client(stack, staff.organisation_id, years_ago(7))  # "Test Persoon"
    parent_token, staff_token = await _token(api, parent), await _token(api, staff)
    asked = await api.post(
        "/api/v1/me/access-requests", json=_child(7, first="Test", last="Persoon"), headers=bearer(parent_token)
    )
    request_id = asked.json()["id"]
    review = (await api.get(f"/api/v1/access-requests/{request_id}", headers=bearer(staff_token))).json()
    assert ([c["account_id"] for c in review["candidates"]], review["new_record_allowed"]) == (
        [known.account_id],
        True,
    )

    duplicate = await api.post(f"/api/v1/access-requests/{request_id}/approve", json={}, headers=bearer(staff_token))
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "possible_duplicate_client")
    new_record = await api.post(
        f"/api/v1/access-requests/{request_id}/approve", json={"new_record": True}, headers=bearer(staff_token)
    )
    assert new_record.status_code == 200, new_record.text
    assert new_record.json()["delegation"]["person"]["account_id"] != known.account_id
    twice = await api.post(
        f"/api/v1/access-requests/{request_id}/approve",
        json={"person_account_id": known.account_id},
        headers=bearer(staff_token),
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "access_request_decided")


async def test_only_an_adult_asks_and_at_most_five_requests_wait(stack: Stack, api: httpx.AsyncClient) -> None:
    staff, parent = await _family(stack)
    minor = await create_client(stack, staff.organisation_id, years_ago(17))
    young = await api.post("/api/v1/me/access-requests", json=_child(1), headers=bearer(await _token(api, minor)))
    assert (young.status_code, young.json()["code"]) == (409, "requester_too_young")

    parent_token = await _token(api, parent)
    for name in ("Ada", "Bo", "Cas", "Dex", "Eva"):
        made = await api.post("/api/v1/me/access-requests", json=_child(5, first=name), headers=bearer(parent_token))
        assert made.status_code == 201, made.text
    sixth = await api.post("/api/v1/me/access-requests", json=_child(5, first="Fem"), headers=bearer(parent_token))
    assert (sixth.status_code, sixth.json()["code"]) == (409, "too_many_access_requests")
    assert len((await api.get("/api/v1/me/access-requests", headers=bearer(parent_token))).json()) == 5
