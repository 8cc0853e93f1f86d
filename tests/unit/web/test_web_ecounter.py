"""The e-counter's pages: a contact person's mailed link confirms only by its button and
says so when it no longer works; the message list asks the gateway for exactly the filters
chosen and pages back and forth by cursor; a message shows its history and who is told,
and a reply carries the contacts added or taken off, with a refusal next to its field."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError, GatewayUnavailable

ENTRY: dict[str, Any] = {
    "id": "th1",
    "message_id": "m1",
    "box": "received",
    "theme_id": "erkenning",
    "theme_name": "Erkenning",
    "reference": "2026-000123",
    "title": "Vraag over uw erkenning",
    "sender_name": "Bea Behandelaar",
    "sender_organisation_name": "Departement Zorg",
    "counterpart_name": "Departement Zorg",
    "status": "new",
    "sent_at": "2026-03-10T11:00:00Z",
}
CASE: dict[str, Any] = {
    "id": "th1",
    "reference": "2026-000123",
    "theme_id": "erkenning",
    "theme_name": "Erkenning",
    "title": "Vraag over uw erkenning",
    "organisation_id": "o1",
    "organisation_name": "Het Anker",
    "department_id": "d1",
    "department_name": "Departement Zorg",
    "team_name": "Team Erkenning",
    "history": [
        {"entry": {**ENTRY, "box": "sent", "status": "sent"}, "body": "Onze aanvraag", "attachments": []},
        {"entry": ENTRY, "body": "Stuur het verslag mee.", "attachments": []},
    ],
    "contacts": [
        {
            "id": "c1",
            "first_name": "Jan",
            "last_name": "Janssens",
            "email": "jan@hetanker.example",
            "phone": "+32 2 553 35 00",
            "standard": True,
            "confirmed": True,
            "excluded": False,
        }
    ],
    "told": ["jan@hetanker.example"],
}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway({("GET", "/ecounter/themes"): [], ("GET", "/ecounter/messages/th1"): CASE})


def _sign_in_staff(client: TestClient, store: FakeStore) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("s1", "Mila", "mila@hetanker.example", "Het Anker", ["staff"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def _link(html: str, name: str) -> str:
    found = re.search(r'href="([^"]+)"[^>]*>' + re.escape(name) + "<", html)
    assert found, f"no link {name}"
    return found.group(1).replace("&amp;", "&")


# --------------------------------------------------------------------------- confirming a contact person


def test_opening_the_confirmation_link_confirms_nothing_until_the_button_is_pressed(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/contact-persons/confirm")] = {"contact_person_id": "c1", "theme_ids": ["erkenning"]}
    page = client.get("/contact-persons/confirm/tok-123")
    assert page.status_code == 200
    assert "Gegevens bevestigen" in page.text
    assert gateway.calls == [], "a mail scanner following the link confirms nothing"

    done = client.post("/contact-persons/confirm/tok-123", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    assert "Bevestiging in orde" in done.text
    [call] = gateway.calls
    assert (call.method, call.path, call.json, call.token) == (
        "POST",
        "/contact-persons/confirm",
        {"token": "tok-123"},
        None,
    )


@pytest.mark.parametrize("status", [404, 422])
def test_a_used_or_unknown_confirmation_link_says_so_and_is_never_a_server_error(
    client: TestClient, gateway: ScriptedGateway, status: int
) -> None:
    gateway.answers[("POST", "/contact-persons/confirm")] = GatewayError(status, "not_found", "")
    csrf = csrf_token(client.get("/contact-persons/confirm/gebruikt").text)
    answer = client.post("/contact-persons/confirm/gebruikt", data={"csrf_token": csrf})
    assert answer.status_code == status
    assert "Deze bevestigingslink werkt niet" in answer.text


def test_the_confirmation_button_needs_its_csrf_token(client: TestClient, gateway: ScriptedGateway) -> None:
    client.get("/contact-persons/confirm/tok-123")
    answer = client.post("/contact-persons/confirm/tok-123", data={})
    assert answer.status_code == 403
    assert gateway.calls == []


# --------------------------------------------------------------------------- the list


def test_the_messages_need_signing_in_and_come_back_after(client: TestClient) -> None:
    for path, back in (("/ecounter?box=sent", "%2Fecounter%3Fbox%3Dsent"), ("/ecounter/messages/th1", None)):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + (back or "%2Fecounter%2Fmessages%2Fth1")


def test_the_list_asks_for_the_chosen_filters_and_pages_forward_and_back(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    pages = {"": ("c2", "Eerste"), "c2": ("c3", "Tweede"), "c3": (None, "Derde")}

    def listing(call: Any) -> dict[str, Any]:
        following, title = pages[call.params.get("cursor", "")]
        return {"items": [{**ENTRY, "title": title}], "next_cursor": following}

    gateway.answers[("GET", "/ecounter/messages")] = listing
    first = client.get("/ecounter?box=received&reference=2026-000123&status=new&title=")
    assert gateway.calls[-1].params == {"box": "received", "reference": "2026-000123", "status": "new"}
    assert "Eerste" in first.text and "Vorige" not in first.text
    assert 'href="/ecounter/messages/th1"' in first.text

    second = client.get(_link(first.text, "Volgende"))
    assert "Tweede" in second.text
    assert gateway.calls[-1].params == {"box": "received", "reference": "2026-000123", "status": "new", "cursor": "c2"}
    third = client.get(_link(second.text, "Volgende"))
    assert "Derde" in third.text and "Volgende" not in third.text

    back = client.get(_link(third.text, "Vorige"))
    assert "Tweede" in back.text
    again = client.get(_link(back.text, "Vorige"))
    assert "Eerste" in again.text and "Vorige" not in again.text
    query = parse_qs(urlsplit(_link(again.text, "Volgende")).query)
    assert query["reference"] == ["2026-000123"], "the filters stay while paging"


def test_in_and_out_together_asks_for_no_box_and_a_bad_date_is_named_at_its_field(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    gateway.answers[("GET", "/ecounter/messages")] = {"items": [{**ENTRY, "box": "sent"}], "next_cursor": None}
    both = client.get("/ecounter?box=all&theme_id=erkenning")
    assert gateway.calls[-1].params == {"theme_id": "erkenning"}
    assert "Uit" in both.text

    gateway.answers[("GET", "/ecounter/messages")] = GatewayError(
        422, "validation_failed", "", [FieldProblem("sent_from", "is not valid")]
    )
    refused = client.get("/ecounter?sent_from=gisteren")
    assert refused.status_code == 422
    assert 'href="#field-sent-from"' in refused.text and "Dit is niet geldig." in refused.text


# --------------------------------------------------------------------------- one message and its reply


def test_a_message_shows_its_history_who_is_told_and_its_contacts(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    page = client.get("/ecounter/messages/th1")
    assert page.status_code == 200
    for shown in ("2026-000123", "Erkenning", "Onze aanvraag", "Stuur het verslag mee.", "jan@hetanker.example"):
        assert shown in page.text
    assert "Uitgaand bericht" in page.text and "Inkomend bericht" in page.text


def test_a_reply_takes_a_contact_off_adds_one_and_names_who_received_it(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    gateway.answers[("POST", "/ecounter/messages/th1/replies")] = {
        **ENTRY,
        "box": "sent",
        "received_by": "Team Erkenning (Departement Zorg)",
    }
    csrf = csrf_token(client.get("/ecounter/messages/th1").text)
    answer = client.post(
        "/ecounter/messages/th1/reply",
        data={
            "csrf_token": csrf,
            "body": "Hierbij het verslag",
            "remove.c1": "on",
            "contacts.first_name": "Els",
            "contacts.last_name": "Peeters",
            "contacts.email": "els@hetanker.example",
            "contacts.phone": "+32 2 553 35 01",
            "contacts.standard": "on",
        },
        follow_redirects=True,
    )
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json == {
        "title": "",
        "body": "Hierbij het verslag",
        "contacts": [
            {
                "first_name": "Els",
                "last_name": "Peeters",
                "email": "els@hetanker.example",
                "phone": "+32 2 553 35 01",
                "standard": True,
            }
        ],
        "removed_contact_ids": ["c1"],
    }
    assert "verstuurd naar Team Erkenning (Departement Zorg)" in answer.text


def test_a_refused_reply_keeps_what_was_typed_and_names_the_problem(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    csrf = csrf_token(client.get("/ecounter/messages/th1").text)
    gateway.answers[("POST", "/ecounter/messages/th1/replies")] = GatewayError(
        409, "no_contact_for_theme", "the theme has no contact person"
    )
    refused = client.post("/ecounter/messages/th1/reply", data={"csrf_token": csrf, "body": "Mijn antwoord"})
    assert refused.status_code == 409
    assert "Er is geen contactpersoon voor het thema van dit bericht." in refused.text
    assert "Mijn antwoord" in refused.text

    gateway.answers[("POST", "/ecounter/messages/th1/replies")] = GatewayError(
        422, "validation_failed", "", [FieldProblem("contacts[0].email", "is not a valid e-mail address")]
    )
    refused = client.post(
        "/ecounter/messages/th1/reply",
        data={"csrf_token": csrf, "body": "Mijn antwoord", "contacts.email": "els@", "remove.c1": "on"},
    )
    assert refused.status_code == 422
    assert 'href="#field-contacts-email"' in refused.text
    assert 'id="field-contacts-email-error-1"' in refused.text
    assert re.search(r'name="remove\.c1" value="on"\s+checked', refused.text), "the contact stays taken off"


def test_the_message_id_from_the_address_is_one_quoted_segment(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    client.get("/ecounter/messages/th1%3Fbox%3Dsent")
    assert gateway.calls[-1].path == "/ecounter/messages/th1%3Fbox%3Dsent"


def test_the_list_and_a_theme_page_fail_rather_than_show_no_themes_when_they_cannot_be_known(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in_staff(client, store)
    gateway.answers[("GET", "/ecounter/themes")] = _identity_down
    gateway.answers[("GET", "/ecounter/messages")] = {"items": [], "next_cursor": None}

    assert client.get("/ecounter?box=received").status_code == 503
    # not "no such theme": whether it is one of the organisation's is unknown
    assert client.get("/ecounter/themes/erkenning").status_code == 503


def _identity_down(call: object) -> None:
    """The gateway answers 503: contacts could not ask identity which themes are supervised."""
    raise GatewayUnavailable
