"""The e-counter's start page, organisation data and contact persons against a scripted
gateway: the start page links each task to adding a contact for its theme; the
organisation data's edit button opens the one organisation form, which after saving goes
back only to a page it knows, and a refusal stays in edit mode; a contact person's themes
come from the ticked boxes; a user who is no administrator gets no edit button."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError, GatewayUnavailable

THEMES = [
    {
        "id": "erkenning",
        "name": "Erkenning",
        "name_en": "Accreditation",
        "department_organisation_id": "d1",
        "department_name": "Departement Zorg",
        "team_name": "Team Erkenning",
    },
    {
        "id": "subsidies",
        "name": "Subsidies",
        "name_en": "Subsidies",
        "department_organisation_id": "d1",
        "department_name": "Departement Zorg",
        "team_name": "Team Subsidies",
    },
]
PROFILE = {
    "organisation_id": "o1",
    "email": "info@hetanker.be",
    "phone": "+32 2 553 35 00",
    "website": "https://hetanker.be",
    "visiting_address": "Kerkstraat 1",
    "postal_address": "Postbus 2",
    "updated_at": None,
}
PERSON = {
    "id": "c1",
    "first_name": "Jan",
    "last_name": "Janssens",
    "email": "jan@hetanker.example",
    "phone": "+32 2 553 35 00",
    "theme_ids": ["erkenning"],
    "confirmed": True,
    "confirmed_at": "2026-03-01T10:00:00Z",
    "created_at": "2026-03-01T09:00:00Z",
    "has_ecounter_access": False,
}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway(
        {
            ("GET", "/ecounter/themes"): THEMES,
            ("GET", "/organisation/profile"): PROFILE,
            ("GET", "/organisation/contacts"): [PERSON],
        }
    )


def _sign_in(client: TestClient, store: FakeStore, roles: list[str], organisation_kind: str = "") -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("s1", "Mila", "mila@hetanker.example", "Het Anker", roles, "nl", False, organisation_kind)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_each_task_links_to_adding_a_contact_for_its_theme(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["staff"])
    gateway.answers[("GET", "/ecounter/tasks")] = [
        {"kind": "confirm_contact_for_theme", "theme_id": "subsidies", "theme_name": "Subsidies"}
    ]
    gateway.answers[("GET", "/ecounter/messages")] = {"items": [], "next_cursor": None}
    page = client.get("/ecounter/start")
    assert page.status_code == 200
    assert 'href="/ecounter/contacts/new?theme_id=subsidies"' in page.text
    assert "Geef een contactpersoon op voor het thema Subsidies" in page.text

    form = client.get("/ecounter/contacts/new?theme_id=subsidies")
    assert re.search(r'name="theme-subsidies" value="on"\s+checked', form.text)
    assert not re.search(r'name="theme-erkenning" value="on"\s+checked', form.text)


@pytest.mark.parametrize("roles", [["staff"], ["helpdesk"], ["staff", "helpdesk"]])
def test_a_departments_staff_member_who_handles_no_cases_is_offered_no_e_counter_and_told_why(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore, roles: list[str]
) -> None:
    _sign_in(client, store, roles, "government_department")
    for path in ("/ecounter/start", "/ecounter", "/ecounter/messages/new"):
        page = client.get(path)
        assert page.status_code == 403
        assert "Alleen behandelaars van het departement lezen de zaken van het e-loket." in page.text
        assert 'href="/ecounter/start"' not in page.text
    assert not [call for call in gateway.calls if call.path.startswith("/ecounter")], "no case is asked for"


def test_a_departments_case_handler_and_an_organisations_staff_are_offered_the_e_counter(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    gateway.answers[("GET", "/ecounter/tasks")] = []
    gateway.answers[("GET", "/ecounter/messages")] = {"items": [], "next_cursor": None}
    for roles, kind in ((["case_handler"], "government_department"), (["staff"], "care_organisation")):
        _sign_in(client, store, roles, kind)
        page = client.get("/ecounter/start")
        assert page.status_code == 200
        assert 'href="/ecounter/start"' in page.text


def test_the_edit_button_opens_the_one_organisation_form_which_brings_the_administrator_back(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["admin", "staff"])
    page = client.get("/ecounter/organisation")
    assert 'href="/staff/organisation?next=/ecounter/organisation"' in page.text
    form = client.get("/staff/organisation?next=/ecounter/organisation")
    assert 'name="next" value="/ecounter/organisation"' in form.text
    assert ">Kerkstraat 1</textarea>" in form.text, "the addresses are on the one form too"
    gateway.answers[("PUT", "/organisation/profile")] = PROFILE
    saved = client.post(
        "/staff/organisation",
        data={
            "csrf_token": csrf_token(form.text),
            "next": "/ecounter/organisation",
            "phone": " +32 2 553 35 99 ",
            "email": "info@hetanker.be",
            "website": "https://hetanker.be",
            "visiting_address": "Kerkstraat 1",
            "postal_address": "Postbus 2",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/ecounter/organisation"
    [put] = [call for call in gateway.calls if call.method == "PUT"]
    assert put.json == {
        "email": "info@hetanker.be",
        "phone": "+32 2 553 35 99",
        "website": "https://hetanker.be",
        "visiting_address": "Kerkstraat 1",
        "postal_address": "Postbus 2",
    }


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/ecounter/organisation", "/admin", ""])
def test_the_organisation_form_goes_back_only_to_a_page_it_knows(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore, elsewhere: str
) -> None:
    _sign_in(client, store, ["admin", "staff"])
    form = client.get("/staff/organisation", params={"next": elsewhere})
    assert 'name="next"' not in form.text
    gateway.answers[("PUT", "/organisation/profile")] = PROFILE
    saved = client.post(
        "/staff/organisation",
        data={"csrf_token": csrf_token(form.text), "next": elsewhere, "email": "info@hetanker.be"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/staff/organisation"


def test_a_malformed_email_keeps_the_one_form_in_edit_mode_with_the_way_back(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["admin", "staff"])
    csrf = csrf_token(client.get("/staff/organisation?next=/ecounter/organisation").text)
    gateway.answers[("PUT", "/organisation/profile")] = GatewayError(
        422, "invalid_argument", "", [FieldProblem("email", "not a valid e-mail address")]
    )
    refused = client.post(
        "/staff/organisation",
        data={"csrf_token": csrf, "next": "/ecounter/organisation", "phone": "+32 2 553 35 99", "email": "info@"},
    )
    assert refused.status_code == 422
    assert "Vul een geldig e-mailadres in" in refused.text and 'value="info@"' in refused.text
    assert 'href="#field-email"' in refused.text
    assert 'name="next" value="/ecounter/organisation"' in refused.text
    assert not any(flash in refused.text for flash in ("opgeslagen", "bewaard"))


def test_only_an_administrator_is_offered_to_edit_the_organisation_data(client: TestClient, store: FakeStore) -> None:
    _sign_in(client, store, ["staff"])
    page = client.get("/ecounter/organisation")
    assert "info@hetanker.be" in page.text
    assert "/staff/organisation" not in page.text
    assert client.get("/staff/organisation").status_code == 403
    assert client.get("/ecounter/organisation/edit").status_code == 404


def test_a_contact_person_gets_the_ticked_themes_and_the_list_says_who_lacks_access(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["staff"])
    listed = client.get("/ecounter/contacts")
    assert "geen toegang tot het e-loket" in listed.text and "bevestigd" in listed.text
    gateway.answers[("POST", "/organisation/contacts")] = {**PERSON, "id": "c2", "confirmed": False}
    added = client.post(
        "/ecounter/contacts/new",
        data={
            "csrf_token": csrf_token(listed.text),
            "first_name": " Els ",
            "last_name": "Peeters",
            "email": "els@hetanker.example",
            "phone": "02 553 35 00",
            "theme-erkenning": "on",
            "theme-subsidies": "on",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/ecounter/contacts"
    [post] = [call for call in gateway.calls if call.method == "POST"]
    assert post.json == {
        "first_name": "Els",
        "last_name": "Peeters",
        "email": "els@hetanker.example",
        "phone": "02 553 35 00",
        "theme_ids": ["erkenning", "subsidies"],
    }


def test_removing_a_contact_person_asks_first(client: TestClient, gateway: ScriptedGateway, store: FakeStore) -> None:
    _sign_in(client, store, ["staff"])
    question = client.get("/ecounter/contacts/c1/remove")
    assert "Wilt u Jan Janssens (jan@hetanker.example) verwijderen" in question.text
    assert all(call.method == "GET" for call in gateway.calls)
    gateway.answers[("DELETE", "/organisation/contacts/c1")] = {}
    done = client.post(
        "/ecounter/contacts/c1/remove", data={"csrf_token": csrf_token(question.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert [call.path for call in gateway.calls if call.method == "DELETE"] == ["/organisation/contacts/c1"]


def test_an_unknown_contact_person_is_not_found(client: TestClient, store: FakeStore) -> None:
    _sign_in(client, store, ["staff"])
    assert client.get("/ecounter/contacts/nope").status_code == 404


def test_a_theme_name_two_departments_use_says_whose_it_is(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["staff"])
    other = {**THEMES[0], "id": "erkenning-2", "department_organisation_id": "d2", "department_name": "Inspectie"}
    gateway.answers[("GET", "/ecounter/themes")] = [*THEMES, other]
    form = client.get("/ecounter/contacts/new")
    assert "Erkenning (Departement Zorg)" in form.text and "Erkenning (Inspectie)" in form.text
    assert ">Subsidies<" in form.text


def test_a_theme_whose_supervision_ended_stays_on_the_contact_person_until_unticked(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["staff"])
    # Het Anker is supervised in "Erkenning" only now; Jan was named for "Subsidies" too.
    gateway.answers[("GET", "/ecounter/themes")] = THEMES[:1]
    gateway.answers[("GET", "/organisation/contacts")] = [{**PERSON, "theme_ids": ["erkenning", "subsidies"]}]
    listed = client.get("/ecounter/contacts")
    assert "subsidies (geen toezicht meer)" in listed.text
    new = client.get("/ecounter/contacts/new")
    assert "Erkenning" in new.text and "subsidies" not in new.text.lower()

    form = client.get("/ecounter/contacts/c1")
    assert re.search(r'name="theme-subsidies"[^>]*checked', form.text)
    assert "subsidies (geen toezicht meer)" in form.text
    gateway.answers[("PUT", "/organisation/contacts/c1")] = PERSON
    saved = client.post(
        "/ecounter/contacts/c1",
        data={
            "csrf_token": csrf_token(form.text),
            "first_name": "Jan",
            "last_name": "Janssens",
            "email": "jan@hetanker.example",
            "phone": "+32 2 553 35 00",
            "theme-erkenning": "on",
            "theme-subsidies": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    [put] = [call for call in gateway.calls if call.method == "PUT"]
    assert put.json is not None and put.json["theme_ids"] == ["erkenning", "subsidies"]


def test_the_start_page_fails_rather_than_show_no_themes_when_they_cannot_be_known(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, ["staff"])
    gateway.answers[("GET", "/ecounter/themes")] = _identity_down
    gateway.answers[("GET", "/ecounter/tasks")] = []

    assert client.get("/ecounter/start").status_code == 503
    assert client.get("/ecounter/contacts/new").status_code == 503


def _identity_down(call: object) -> None:
    """The gateway answers 503: contacts could not ask identity which themes are supervised."""
    raise GatewayUnavailable
