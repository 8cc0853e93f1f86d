"""The e-counter's demo data (``make run``) answers the fixed API contract: the care
organisation's user and the department's case handler log in with the documented
passwords; Het Anker has a confirmed contact for the first theme listed (a message about it
is sent, read by both sides and by nobody else) and none for the second (409)."""

from __future__ import annotations

import httpx
import pytest
from support import login, onboard_staff_member

from zorgpost_devstack.stack import Stack

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(demo_data=("identity", "contacts")),
]

PASSWORD = "ZorgpostDemo!2026"


async def test_the_demo_logins_walk_the_contract(stack: Stack, api: httpx.AsyncClient) -> None:
    anker = {"authorization": f"Bearer {await login(api, 'medewerker@hetanker.example', PASSWORD)}"}
    handler = {"authorization": f"Bearer {await login(api, 'behandelaar@departementzorg.example', PASSWORD)}"}
    outsider = await onboard_staff_member(stack)
    other = {"authorization": f"Bearer {await login(api, outsider.email)}"}

    # Departement Zorg supervises Het Anker in both its themes (identity's demo links).
    themes = (await api.get("/api/v1/ecounter/themes", headers=anker)).json()
    assert [t["name"] for t in themes] == ["Erkenning", "Subsidies"]
    kept = (await api.get("/api/v1/ecounter/themes", headers=handler)).json()
    assert [t["id"] for t in kept] == [t["id"] for t in themes]
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=anker)).json()
    assert [t["theme_id"] for t in tasks] == [themes[1]["id"]]
    persons = (await api.get("/api/v1/organisation/contacts", headers=anker)).json()
    assert sorted(p["confirmed"] for p in persons) == [False, True]

    sent = await api.post(
        "/api/v1/ecounter/messages",
        json={"theme_id": themes[0]["id"], "title": "Vraag", "body": "Inhoud"},
        headers=anker,
    )
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["id"]
    for headers in (anker, handler):
        assert (await api.get(f"/api/v1/threads/{thread_id}", headers=headers)).status_code == 200
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=other)).status_code == 404
    received = (await api.get("/api/v1/ecounter/messages?box=received", headers=handler)).json()
    assert [m["id"] for m in received["items"]] == [thread_id] and received["next_cursor"] is None

    refused = await api.post(
        "/api/v1/ecounter/messages",
        json={"theme_id": themes[1]["id"], "title": "Vraag", "body": "Inhoud"},
        headers=anker,
    )
    assert refused.status_code == 409
