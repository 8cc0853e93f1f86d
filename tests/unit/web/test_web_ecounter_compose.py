"""The e-counter's new message, theme page and "Hulp nodig?" widget, against a scripted
gateway: the message's contacts as the form changes them (a contact changed for this
message is taken off and added with the new details), files going as one multipart form,
a refusal next to the field that holds the contact, and a theme page's In/Out asking the
gateway for that theme and box."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.bootstrap import create_app
from web.config import Settings
from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError

THEME = {
    "id": "subsidies",
    "name": "Subsidies",
    "name_en": "Grants",
    "department_organisation_id": "d1",
    "department_name": "Departement Zorg",
    "team_name": "Team Subsidies",
}
JAN = {
    "id": "p-jan",
    "first_name": "Jan",
    "last_name": "Janssens",
    "email": "jan@hetanker.example",
    "phone": "+3225533500",
    "theme_ids": ["subsidies"],
    "confirmed": True,
    "confirmed_at": None,
    "created_at": "2026-03-01T10:00:00Z",
}
SENT = {"id": "th9", "reference": "2026-000009", "received_by": "Team Subsidies (Departement Zorg)"}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway(
        {
            ("GET", "/ecounter/themes"): [THEME],
            ("GET", "/ecounter/themes/subsidies/contacts"): {"theme": THEME, "contact_persons": [JAN]},
            ("GET", "/ecounter/messages"): {"items": [], "next_cursor": None},
        }
    )


@pytest.fixture
def roles() -> list[str]:
    return ["staff"]


@pytest.fixture
def client(gateway: ScriptedGateway, roles: list[str]) -> Iterator[TestClient]:
    store = FakeStore()
    app = create_app(Settings(), gateway=gateway, transfers=gateway, session_store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
        account = SignedInAccount("s1", "Mila", "mila@hetanker.example", "Het Anker", roles, "nl", False)
        session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
        store.rows[session.id] = session.to_state()
        test_client.cookies.set("zorgpost_session", "cookie-1")
        yield test_client


def _form(csrf: str, **fields: str) -> dict[str, str]:
    unchanged = {f"edit.p-jan.{name}": str(JAN[name]) for name in ("first_name", "last_name", "email", "phone")}
    return {"csrf_token": csrf, "theme_id": "subsidies", "title": "Aanvraag", "body": "Tekst", **unchanged, **fields}


def test_the_new_message_page_lists_the_themes_contacts_and_who_receives_it(client: TestClient) -> None:
    page = client.get("/ecounter/messages/new?theme_id=subsidies")
    assert page.status_code == 200
    assert "Uw bericht gaat naar Team Subsidies (Departement Zorg)." in page.text
    assert "jan@hetanker.example" in page.text and 'name="remove.p-jan"' in page.text
    assert 'href="/ecounter/messages/new?theme_id=subsidies"' in page.text, "the widget names the theme's team"
    chosen = client.get("/ecounter/messages/new")
    assert "Kies eerst een thema" in chosen.text and "jan@hetanker.example" not in chosen.text


def test_a_contact_changed_for_this_message_is_taken_off_and_added_with_the_new_details(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/ecounter/messages")] = SENT
    csrf = csrf_token(client.get("/ecounter/messages/new?theme_id=subsidies").text)
    answer = client.post(
        "/ecounter/messages/new",
        data=_form(csrf, **{"edit.p-jan.phone": "+3225533599", "action": "send"}),
        follow_redirects=True,
    )
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json == {
        "theme_id": "subsidies",
        "title": "Aanvraag",
        "body": "Tekst",
        "contacts": [
            {
                "first_name": "Jan",
                "last_name": "Janssens",
                "email": "jan@hetanker.example",
                "phone": "+3225533599",
                "standard": False,
            }
        ],
        "removed_contact_ids": ["p-jan"],
    }
    assert "Uw bericht is verstuurd onder referentienummer 2026-000009" in answer.text
    assert "Ontvangen door: Team Subsidies (Departement Zorg)" in answer.text


def test_files_go_as_one_form_with_the_contacts_as_json(client: TestClient, gateway: ScriptedGateway) -> None:
    gateway.answers[("POST", "/ecounter/messages")] = SENT
    csrf = csrf_token(client.get("/ecounter/messages/new?theme_id=subsidies").text)
    client.post(
        "/ecounter/messages/new",
        data=_form(
            csrf,
            **{
                "remove.p-jan": "on",
                "contacts.first_name": "Els",
                "contacts.last_name": "Peeters",
                "contacts.email": "els@hetanker.example",
                "contacts.phone": "+3225533501",
                "contacts.standard": "on",
            },
        ),
        files={"files": ("begroting.txt", b"Begroting", "text/plain")},
    )
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json["files"] == ["begroting.txt"]
    fields = sent.json["fields"]
    assert (fields["theme_id"], fields["title"], fields["removed_contact_ids"]) == ("subsidies", "Aanvraag", ["p-jan"])
    assert json.loads(fields["contacts"]) == [
        {
            "first_name": "Els",
            "last_name": "Peeters",
            "email": "els@hetanker.example",
            "phone": "+3225533501",
            "standard": True,
        }
    ]


def test_a_refusal_is_put_next_to_the_field_that_holds_the_contact(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/ecounter/messages")] = GatewayError(
        422,
        "validation_failed",
        "",
        [
            FieldProblem("contacts[0].email", "is not a valid e-mail address"),
            FieldProblem("contacts.1.phone", "is not a valid phone number"),
        ],
    )
    csrf = csrf_token(client.get("/ecounter/messages/new?theme_id=subsidies").text)
    refused = client.post(
        "/ecounter/messages/new",
        data=_form(csrf, **{"contacts.first_name": "Els", "contacts.email": "els@", "edit.p-jan.phone": "12"}),
    )
    assert refused.status_code == 422
    assert 'href="#field-contacts-email"' in refused.text and 'href="#field-edit-p-jan-phone"' in refused.text
    assert 'id="field-edit-p-jan-phone-error-1"' in refused.text
    assert "Aanvraag" in refused.text, "what was typed stays"

    gateway.answers[("POST", "/ecounter/messages")] = GatewayError(409, "no_contact_for_theme", "no contact")
    refused = client.post("/ecounter/messages/new", data=_form(csrf, **{"remove.p-jan": "on"}))
    assert refused.status_code == 409
    assert 'href="#field-contacts-first-name"' in refused.text
    assert re.search(r'name="remove\.p-jan" value="on"\s+checked', refused.text)


def test_choosing_another_theme_shows_its_contacts_without_sending(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    csrf = csrf_token(client.get("/ecounter/messages/new").text)
    shown = client.post("/ecounter/messages/new", data=_form(csrf, action="theme"))
    assert shown.status_code == 200 and "jan@hetanker.example" in shown.text
    assert not [call for call in gateway.calls if call.method == "POST"]


@pytest.mark.parametrize(("direction", "box"), [("all", None), ("in", "received"), ("out", "sent")])
def test_a_theme_page_asks_for_its_theme_in_out_or_both(
    client: TestClient, gateway: ScriptedGateway, direction: str, box: str | None
) -> None:
    page = client.get(f"/ecounter/themes/subsidies?direction={direction}")
    assert page.status_code == 200 and "<h1" in page.text and "Subsidies" in page.text
    listed = [call for call in gateway.calls if call.path == "/ecounter/messages"][-1]
    assert listed.params is not None and listed.params.get("theme_id") == "subsidies"
    assert listed.params.get("box") == box


def test_an_unknown_theme_page_is_not_found(client: TestClient) -> None:
    assert client.get("/ecounter/themes/geen-thema").status_code == 404


def test_a_theme_pages_next_page_goes_back_by_its_trail(client: TestClient, gateway: ScriptedGateway) -> None:
    def page(call: Any) -> dict[str, Any]:
        return {"items": [], "next_cursor": None if call.params.get("cursor") else "c2"}

    gateway.answers[("GET", "/ecounter/messages")] = page
    first = client.get("/ecounter/themes/subsidies?direction=out")
    assert 'href="/ecounter/themes/subsidies?direction=out&amp;cursor=c2&amp;prev="' in first.text
    second = client.get("/ecounter/themes/subsidies?direction=out&cursor=c2&prev=")
    assert 'href="/ecounter/themes/subsidies?direction=out" rel="prev"' in second.text


def test_a_helpdesk_question_is_asked_in_the_pages_language_and_goes_back_to_the_page(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/helpdesk/questions")] = {"id": "t1", "organisation_name": "Het Anker"}
    page = client.get("/ecounter/themes/subsidies")
    assert "Technische helpdesk" in page.text and 'value="mila@hetanker.example"' in page.text
    answer = client.post(
        "/ecounter/helpdesk",
        data={
            "csrf_token": csrf_token(page.text),
            "next": "/ecounter/themes/subsidies",
            "help_email": "mila@hetanker.example",
            "help_question": "Ik kan geen bijlage toevoegen.",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/ecounter/themes/subsidies"
    asked = next(call for call in gateway.calls if call.method == "POST")
    assert asked.json == {
        "email": "mila@hetanker.example",
        "question": "Ik kan geen bijlage toevoegen.",
        "language": "nl",
    }


def test_a_refused_helpdesk_question_names_its_fields_and_never_leaves_the_site(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("POST", "/helpdesk/questions")] = GatewayError(
        422,
        "validation_failed",
        "",
        [FieldProblem("email", "is not a valid e-mail address"), FieldProblem("question", "is required")],
    )
    csrf = csrf_token(client.get("/ecounter/helpdesk").text)
    refused = client.post(
        "/ecounter/helpdesk",
        data={"csrf_token": csrf, "next": "https://elders.example/", "help_email": "mila@", "help_question": ""},
    )
    assert refused.status_code == 422
    assert 'href="#field-help-email"' in refused.text and 'href="#field-help-question"' in refused.text
    assert 'value="mila@"' in refused.text
    assert 'name="next" value="/ecounter"' in refused.text, "only a page of this site to go back to"


def test_a_message_with_files_to_a_theme_with_many_contacts_is_sent(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    many = [{**JAN, "id": f"p-{n}", "email": f"contact{n}@hetanker.example"} for n in range(12)]
    gateway.answers[("GET", "/ecounter/themes/subsidies/contacts")] = {"theme": THEME, "contact_persons": many}
    gateway.answers[("POST", "/ecounter/messages")] = SENT
    csrf = csrf_token(client.get("/ecounter/messages/new?theme_id=subsidies").text)
    edits = {
        f"edit.{person['id']}.{name}": str(person[name])
        for person in many
        for name in ("first_name", "last_name", "email", "phone")
    }
    answer = client.post(
        "/ecounter/messages/new",
        data={**_form(csrf, action="send"), **edits},
        files={"files": ("begroting.txt", b"Begroting", "text/plain")},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/ecounter/messages/th9"
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json["files"] == ["begroting.txt"] and sent.json["fields"]["title"] == "Aanvraag"


def test_a_department_chooses_the_organisation_the_message_is_for(client: TestClient, gateway: ScriptedGateway) -> None:
    supervised = [
        {"organisation": {"id": "o2", "name": "Het Anker", "kind": "organisation"}, "themes": [], "since": "x"},
        {"organisation": {"id": "o1", "name": "De Brug", "kind": "organisation"}, "themes": [], "since": "x"},
    ]
    gateway.answers[("GET", "/organisation/supervised")] = supervised
    gateway.answers[("POST", "/ecounter/messages")] = SENT
    page = client.get("/ecounter/messages/new?theme_id=subsidies")
    assert 'name="organisation_id"' in page.text
    assert page.text.index("De Brug") < page.text.index("Het Anker"), "by name"
    assert "jan@hetanker.example" not in page.text, "no contacts before the organisation is chosen"
    shown = client.post(
        "/ecounter/messages/new",
        data={"csrf_token": csrf_token(page.text), "organisation_id": "o2", "theme_id": "subsidies", "action": "theme"},
    )
    assert "jan@hetanker.example" in shown.text
    asked = [call for call in gateway.calls if call.path == "/ecounter/themes/subsidies/contacts"]
    assert asked[-1].params == {"organisation_id": "o2"}
    client.post(
        "/ecounter/messages/new",
        data=_form(csrf_token(shown.text), organisation_id="o2", action="send"),
        follow_redirects=True,
    )
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json["organisation_id"] == "o2" and sent.json["theme_id"] == "subsidies"


@pytest.mark.parametrize("roles", [["case_handler"]])
def test_a_department_that_supervises_nobody_is_told_so_instead_of_an_empty_choice(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("GET", "/organisation/supervised")] = []
    page = client.get("/ecounter/messages/new")
    assert page.status_code == 200
    assert 'data-testid="no-supervision"' in page.text and "houdt nog geen toezicht" in page.text
    assert 'name="organisation_id"' not in page.text and 'name="title"' not in page.text
