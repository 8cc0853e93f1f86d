"""The administrator's pages with a scripted gateway: what an invitation and a change of
roles send, what a refusal shows, and that only an administrator is let in (and offered
the menu entry)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import GatewayError

MEMBER: dict[str, Any] = {
    "account_id": "acc-2",
    "display_name": "Mila Collega",
    "email": "mila@zorg.example",
    "roles": ["staff"],
    "status": "active",
    "last_login_at": None,
    "second_factor_enrolled": False,
    "second_factors": [],
}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway({("GET", "/organisation/staff"): [MEMBER], ("GET", "/organisation/staff-invitations"): []})


def _sign_in(client: TestClient, store: FakeStore, roles: list[str]) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("acc-1", "Anna Beheer", "anna@zorg.example", "Gemeente Test", roles, "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_an_invitation_sends_exactly_the_roles_ticked(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _sign_in(client, store, ["admin", "staff"])
    gateway.answers[("POST", "/organisation/staff")] = {"email": "piet@zorg.example"}
    csrf = csrf_token(client.get("/admin/staff/invite").text)

    answer = client.post(
        "/admin/staff/invite",
        data={
            "csrf_token": csrf,
            "email": " piet@zorg.example ",
            "role-practitioner": "on",
            "role-helpdesk": "on",
            "language": "en",
        },
        follow_redirects=False,
    )

    assert answer.status_code == 303 and answer.headers["location"] == "/admin/staff"
    [sent] = [call for call in gateway.calls if call.method == "POST"]
    assert sent.json == {"email": "piet@zorg.example", "roles": ["practitioner", "helpdesk"], "language": "en"}
    assert sent.token == "access-1"


def test_an_invitation_without_a_role_is_not_sent_and_the_roles_are_named(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _sign_in(client, store, ["admin"])
    csrf = csrf_token(client.get("/admin/staff/invite").text)

    answer = client.post(
        "/admin/staff/invite", data={"csrf_token": csrf, "email": "piet@zorg.example", "language": "nl"}
    )

    assert answer.status_code == 422
    assert "Kies ten minste één rol." in answer.text and 'href="#field-roles"' in answer.text
    assert 'value="piet@zorg.example"' in answer.text, "the form stays filled in"
    assert not [call for call in gateway.calls if call.method == "POST"]


def test_the_last_administrator_is_told_why_in_the_pages_language(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _sign_in(client, store, ["admin", "staff"])
    gateway.answers[("GET", "/organisation/staff")] = [{**MEMBER, "account_id": "acc-1", "roles": ["admin", "staff"]}]
    gateway.answers[("PATCH", "/organisation/staff/acc-1")] = GatewayError(
        409, "last_administrator", "You are the organisation's last administrator."
    )
    csrf = csrf_token(client.get("/admin/staff/acc-1").text)

    answer = client.post("/admin/staff/acc-1", data={"csrf_token": csrf, "role-staff": "on"})

    assert answer.status_code == 409
    assert "U bent de laatste beheerder van de organisatie." in answer.text
    boxes = {
        name: "checked" in tag for tag, name in re.findall(r'(<input[^>]*name="(role-[a-z_]+)"[^>]*>)', answer.text)
    }
    assert boxes["role-staff"] and not boxes["role-admin"], "the choice is kept"


def test_someone_else_of_the_staff_gets_no_administration_and_no_menu_entry(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _sign_in(client, store, ["staff", "practitioner"])

    for path in ("/admin", "/admin/staff", "/admin/teams", "/staff/security-policy"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "Geen toegang" in refused.text
    assert 'href="/admin"' not in refused.text
    assert not [call for call in gateway.calls if call.path.startswith("/organisation")]


def test_an_administrator_has_the_menu_entry(client: TestClient, store: FakeStore) -> None:
    _sign_in(client, store, ["admin"])

    page = client.get("/admin")

    assert page.status_code == 200 and 'href="/admin" aria-current="page"' in page.text
