"""One item by its id, and the practice's questionnaires a page at a time, through the
gateway: a diary note for its author only (another patient and a parent acting for a child
get 404), a repeat-prescription request and an appointment for the practice that holds them
(another practice gets 404), and the practice's questionnaires newest first with the
client's name and a keyset cursor; the dossier search, of one's own items only (a parent in
a child's portal finds their own notes there, not the child's), taken literally (a backslash
too), current medication only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from journeys_e2e import bearer
from journeys_support import years_ago
from portal_e2e import Practice, new_client, open_practice, publish, whole_minute

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _gp(stack: Stack, api: httpx.AsyncClient, name: str = "Huisartsenpraktijk De Linde") -> Practice:
    return await open_practice(stack, api, name, PasswordPreset.GP_PORTAL)


def _problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_diary_note_is_read_by_its_author_alone(stack: Stack, api: httpx.AsyncClient) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    karel = await new_client(stack, api, gp, "Karel", 60)
    granted = await api.post(
        "/api/v1/delegations",
        json={
            "delegate_account_id": karel.account_id,
            "child": {"first_name": "Tim", "last_name": "Test", "birth_date": years_ago(8).isoformat()},
        },
        headers=gp.headers,
    )
    assert granted.status_code == 201, granted.text
    acting = await api.post(
        "/api/v1/me/act-as", json={"person_id": granted.json()["person"]["account_id"]}, headers=karel.headers
    )
    tim = bearer(acting.json()["access_token"])

    note = (
        await api.post("/api/v1/portal/diary", json={"body": "Geheim", "shared": True}, headers=petra.headers)
    ).json()
    mine = await api.get(f"/api/v1/portal/diary/{note['id']}", headers=petra.headers)
    assert mine.status_code == 200, mine.text
    assert (mine.json()["body"], mine.json()["shared"], mine.json()["on_behalf"]) == ("Geheim", True, False)
    for headers in (karel.headers, tim):
        _problem(await api.get(f"/api/v1/portal/diary/{note['id']}", headers=headers), 404)
    _problem(await api.get("/api/v1/portal/diary/not-an-id", headers=petra.headers), 404)

    # A parent's note in the child's portal: theirs while acting, not in their own portal.
    for_tim = await api.post("/api/v1/portal/diary", json={"body": "Tim sliep slecht"}, headers=tim)
    assert for_tim.status_code == 201, for_tim.text
    read = await api.get(f"/api/v1/portal/diary/{for_tim.json()['id']}", headers=tim)
    assert read.status_code == 200 and read.json()["on_behalf"] is True
    _problem(await api.get(f"/api/v1/portal/diary/{for_tim.json()['id']}", headers=karel.headers), 404)
    _problem(await api.get(f"/api/v1/portal/diary/{for_tim.json()['id']}", headers=petra.headers), 404)


async def test_a_prescription_request_and_an_appointment_by_id_for_their_practice_only(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    other = await _gp(stack, api, "Andere praktijk")
    petra = await new_client(stack, api, gp, "Petra", 52)
    chronic = (
        await api.post(
            f"/api/v1/portal/practice/clients/{petra.account_id}/medications",
            json={"name": "Metformine 500 mg", "chronic": True},
            headers=gp.headers,
        )
    ).json()
    request = (
        await api.post(
            "/api/v1/portal/prescription-requests", json={"medication_ids": [chronic["id"]]}, headers=petra.headers
        )
    ).json()
    path = f"/api/v1/portal/practice/prescription-requests/{request['id']}"
    found = await api.get(path, headers=gp.headers)
    assert found.status_code == 200, found.text
    assert found.json()["person_name"] == "Petra Test" and found.json()["status"] == "requested"
    assert [item["name"] for item in found.json()["items"]] == ["Metformine 500 mg"]
    _problem(await api.get(path, headers=other.headers), 404)
    # The patient has no practice route; a handled request is still found, with its status.
    _problem(await api.get(path, headers=petra.headers), 403)
    assert (await api.post(f"{path}/ready", json={}, headers=gp.headers)).status_code == 200
    assert (await api.get(path, headers=gp.headers)).json()["status"] == "ready"

    start = whole_minute(datetime.now(UTC) + timedelta(days=3))
    planned = await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/appointments",
        json={"start": start.isoformat(), "end": (start + timedelta(minutes=20)).isoformat(), "with_name": "Dr. Test"},
        headers=gp.headers,
    )
    assert planned.status_code == 201, planned.text
    path = f"/api/v1/portal/practice/appointments/{planned.json()['id']}"
    appointment = await api.get(path, headers=gp.headers)
    assert appointment.status_code == 200, appointment.text
    body = appointment.json()
    assert (body["person_id"], body["person_name"], body["status"]) == (petra.account_id, "Petra Test", "upcoming")
    assert datetime.fromisoformat(body["start"]) == start
    _problem(await api.get(path, headers=other.headers), 404)
    _problem(await api.get("/api/v1/portal/practice/appointments/not-an-id", headers=gp.headers), 404)
    assert (await api.delete(path, headers=gp.headers)).status_code == 204
    assert (await api.get(path, headers=gp.headers)).json()["status"] == "cancelled"


async def test_the_practices_questionnaires_come_a_page_at_a_time_with_each_clients_name(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    other = await _gp(stack, api, "Andere praktijk")
    petra = await new_client(stack, api, gp, "Petra", 52, login=False)
    karel = await new_client(stack, api, gp, "Karel", 60, login=False)
    sent: list[tuple[str, str]] = []
    for person, title in [(petra, "Intake"), (karel, "Klachten"), (petra, "Evaluatie"), (karel, "Afsluiting")]:
        made = await api.post(
            f"/api/v1/portal/practice/clients/{person.account_id}/questionnaires",
            json={"title": title, "questions": [{"kind": "text", "text": "Hoe gaat het?"}]},
            headers=gp.headers,
        )
        assert made.status_code == 201, made.text
        sent.append((made.json()["id"], f"{person.first_name} Test"))

    listed: list[tuple[str, str]] = []
    cursor = ""
    for _ in range(3):
        page = await api.get(
            "/api/v1/portal/practice/questionnaires",
            params={"limit": 3, **({"cursor": cursor} if cursor else {})},
            headers=gp.headers,
        )
        assert page.status_code == 200, page.text
        listed += [(item["id"], item["person_name"]) for item in page.json()["items"]]
        cursor = page.json()["next_cursor"] or ""
        if not cursor:
            break
    assert listed == list(reversed(sent)), "newest first, each once, with the client's name"

    petras = await api.get(
        "/api/v1/portal/practice/questionnaires", params={"person_id": petra.account_id, "limit": 1}, headers=gp.headers
    )
    assert [item["id"] for item in petras.json()["items"]] == [sent[2][0]] and petras.json()["next_cursor"]
    rest = await api.get(
        "/api/v1/portal/practice/questionnaires",
        params={"person_id": petra.account_id, "limit": 1, "cursor": petras.json()["next_cursor"]},
        headers=gp.headers,
    )
    assert [item["id"] for item in rest.json()["items"]] == [sent[0][0]] and rest.json()["next_cursor"] is None
    one = await api.get(f"/api/v1/portal/practice/questionnaires/{sent[0][0]}", headers=gp.headers)
    assert one.json()["person_name"] == "Petra Test"

    assert (await api.get("/api/v1/portal/practice/questionnaires", headers=other.headers)).json() == {
        "items": [],
        "next_cursor": None,
    }
    _problem(
        await api.get(
            "/api/v1/portal/practice/questionnaires", params={"person_id": petra.account_id}, headers=other.headers
        ),
        404,
    )
    _problem(
        await api.get("/api/v1/portal/practice/questionnaires", params={"cursor": "garbage"}, headers=gp.headers), 422
    )


async def test_the_dossier_search_finds_ones_own_items_literally_a_page_at_a_time(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    karel = await new_client(stack, api, gp, "Karel", 60)
    for title in ("Verslag intake", "Verslag 100% klaar", "Verwijsbrief"):
        await publish(api, gp, petra.account_id, "report" if title.startswith("Verslag") else "document", title)
    await publish(api, gp, karel.account_id, "report", "Verslag van Karel")
    medication = await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/medications",
        json={"name": "Verslavingszorg-medicatie", "chronic": True},
        headers=gp.headers,
    )
    assert medication.status_code == 201, medication.text
    note = await api.post("/api/v1/portal/diary", json={"body": "Het verslag was duidelijk"}, headers=petra.headers)
    assert note.status_code == 201, note.text

    async def search(headers: dict[str, str], q: str, **params: str) -> dict[str, Any]:
        response = await api.get("/api/v1/portal/dossier/search", params={"q": q, **params}, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    found = await search(petra.headers, "VERSLA")
    assert {(hit["kind"], hit["title"]) for hit in found["items"]} == {
        ("report", "Verslag intake"),
        ("report", "Verslag 100% klaar"),
        ("medication", "Verslavingszorg-medicatie"),
        ("diary", "Het verslag was duidelijk"),
    }
    moments = [hit["at"] for hit in found["items"]]
    assert moments == sorted(moments, reverse=True), "newest first"

    # A typed % or _ is a character, not a wildcard.
    assert [hit["title"] for hit in (await search(petra.headers, "100%"))["items"]] == ["Verslag 100% klaar"]
    assert (await search(petra.headers, "g_i"))["items"] == []
    assert (await search(petra.headers, "%%"))["items"] == []

    pages: list[str] = []
    cursor = ""
    for _ in range(5):
        page = await search(petra.headers, "versla", limit="3", **({"cursor": cursor} if cursor else {}))
        pages += [hit["id"] for hit in page["items"]]
        cursor = page["next_cursor"] or ""
        if not cursor:
            break
    assert pages == [hit["id"] for hit in found["items"]], "each once, in the same order"

    # Another patient finds none of Petra's items, Petra none of theirs.
    assert [hit["title"] for hit in (await search(karel.headers, "verslag"))["items"]] == ["Verslag van Karel"]
    assert (await search(karel.headers, "duidelijk"))["items"] == []

    too_short = await api.get("/api/v1/portal/dossier/search", params={"q": "v"}, headers=petra.headers)
    _problem(too_short, 422)
    _problem(await api.get("/api/v1/portal/dossier/search", params={"q": "x" * 101}, headers=petra.headers), 422)
    _problem(await api.get("/api/v1/portal/dossier/search", params={"q": "  v  "}, headers=petra.headers), 422)
    _problem(await api.get("/api/v1/portal/dossier/search", params={"q": "verslag"}, headers=gp.headers), 403)


async def test_a_parent_searches_own_notes_in_a_childs_portal_a_backslash_is_literal_stopped_medication_unfound(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    jip = await new_client(stack, api, gp, "Jip", 13)
    karel = await new_client(stack, api, gp, "Karel", 45)
    asked = await api.post(
        "/api/v1/delegations",
        json={"delegate_account_id": karel.account_id, "person_account_id": jip.account_id},
        headers=gp.headers,
    )
    assert asked.status_code == 201, asked.text
    if asked.json()["status"] == "awaiting_consent":
        consented = await api.post(
            f"/api/v1/delegations/{asked.json()['id']}/consent", json={"accept": True}, headers=jip.headers
        )
        assert consented.status_code == 200, consented.text
    acting = await api.post("/api/v1/me/act-as", json={"person_id": jip.account_id}, headers=karel.headers)
    assert acting.status_code == 200, acting.text
    for_jip = bearer(acting.json()["access_token"])

    async def titles(headers: dict[str, str], q: str) -> list[str]:
        response = await api.get("/api/v1/portal/dossier/search", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return [hit["title"] for hit in response.json()["items"]]

    private = await api.post(
        "/api/v1/portal/diary", json={"body": "Dagboek: ruzie op school", "shared": False}, headers=jip.headers
    )
    assert private.status_code == 201, private.text
    by_parent = await api.post("/api/v1/portal/diary", json={"body": "Dagboek: Jip sliep slecht"}, headers=for_jip)
    assert by_parent.status_code == 201, by_parent.text
    assert await titles(for_jip, "dagboek") == ["Dagboek: Jip sliep slecht"]
    assert await titles(for_jip, "ruzie") == [], "the child's private note stays the child's"
    assert await titles(jip.headers, "dagboek") == ["Dagboek: ruzie op school"]
    assert await titles(karel.headers, "dagboek") == [], "a note in the child's portal is not in the parent's own"

    # A backslash is a character like any other, not the escape of what follows it.
    await publish(api, gp, jip.account_id, "document", "Scan map\\2026")
    await publish(api, gp, jip.account_id, "report", "Verslag 100% klaar")
    assert await titles(jip.headers, "p\\2") == ["Scan map\\2026"]
    assert await titles(jip.headers, "\\%") == []
    assert await titles(jip.headers, "\\\\") == []

    # Stopped medication is no longer searched; the current one is.
    for name in ("Ritalin 10 mg", "Ritalin 20 mg"):
        added = await api.post(
            f"/api/v1/portal/practice/clients/{jip.account_id}/medications",
            json={"name": name, "chronic": True},
            headers=gp.headers,
        )
        assert added.status_code == 201, added.text
        if name == "Ritalin 10 mg":
            stopped = await api.post(
                f"/api/v1/portal/practice/medications/{added.json()['id']}/stop", headers=gp.headers
            )
            assert stopped.status_code == 200, stopped.text
    assert await titles(jip.headers, "ritalin") == ["Ritalin 20 mg"]
    assert await titles(for_jip, "ritalin") == ["Ritalin 20 mg"]
