"""The dossier's search: each hit linked to where it is read, a page at a time on and back,
and a query too short said at the field without asking the portal."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from web_fakes import Call, FakeStore, ScriptedGateway

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for


def _sign_in(store: FakeStore, client: TestClient) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("a1", "Anna", "anna@example.org", "Huisartsenpraktijk De Linde", ["person"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_the_dossier_search_links_each_hit_where_it_is_read_and_pages_on_and_back(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(store, client)
    at = "2026-11-30T09:00:00Z"
    first = [
        {"kind": "report", "id": "d1", "title": "Verslag intake", "at": at},
        {"kind": "diary", "id": "n1", "title": "Het verslag was duidelijk", "at": at},
    ]
    second = [{"kind": "result", "id": "r1", "title": "Verslag bloed", "at": at}]

    def pages(call: Call) -> dict[str, object]:
        if (call.params or {}).get("cursor") == "k-2":
            return {"items": second, "next_cursor": None}
        return {"items": first, "next_cursor": "k-2"}

    gateway.answers[("GET", "/portal/dossier/search")] = pages
    assert 'action="/portal/dossier/search"' in client.get("/portal/dossier/search").text
    one = client.get("/portal/dossier/search?q=%20verslag%20")
    assert one.status_code == 200
    assert 'href="/portal/documents/d1/file"' in one.text and 'href="/portal/diary/n1"' in one.text
    assert "Dagboeknotitie" in one.text and 'rel="prev"' not in one.text
    [next_url] = re.findall(r'href="([^"]+)" rel="next"', one.text)
    two = client.get(html.unescape(next_url))
    assert 'href="/portal/results/r1"' in two.text and 'rel="next"' not in two.text
    assert gateway.calls[-1].params == {"q": "verslag", "cursor": "k-2"}
    [back] = re.findall(r'href="([^"]+)" rel="prev"', two.text)
    assert "Verslag intake" in client.get(html.unescape(back)).text


def test_a_search_too_short_is_said_at_the_field_without_asking_the_portal(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(store, client)
    refused = client.get("/portal/dossier/search?q=v")
    assert refused.status_code == 422 and "Typ 2 tot 100 tekens." in refused.text
    assert re.search(r'id="field-q"[^>]*aria-invalid="true"', refused.text)
    assert not [call for call in gateway.calls if call.path == "/portal/dossier/search"]
    client.cookies.set("zorgpost_lang", "en")
    assert "Type 2 to 100 characters." in client.get("/portal/dossier/search?q=v").text
