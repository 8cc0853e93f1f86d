"""The password change page (also the forced change after a temporary password) shows the
organisation's password rules as a checklist, and a refused password names its broken
rules in the checklist's words (seed 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError

RULES = [
    {"code": "min_length", "nl": "Gebruik tenminste 8 tekens", "en": "Use at least 8 characters"},
    {"code": "digits", "nl": "Gebruik tenminste 1 cijfer", "en": "Use at least 1 digit"},
]


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway({("GET", "/me/password-rules"): {"password_rules": RULES}})


def _signed_in_with_temporary_password(store: FakeStore, client: TestClient, language: str) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("acc-1", "Cor Client", "cor@example.org", "GGZ Noord", ["person"], language, True)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def _checklist(html: str) -> list[str]:
    box = html.split('class="zp-password-rules"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="zp-password-rules__text">([^<]+)<', box)


def test_the_forced_change_shows_the_organisations_rules_as_a_checklist(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _signed_in_with_temporary_password(store, client, "nl")

    page = client.get("/password/change", follow_redirects=False)

    assert page.status_code == 200
    assert _checklist(page.text) == [
        "Gebruik tenminste 8 tekens",
        "Gebruik tenminste 1 cijfer",
        "Beide wachtwoorden zijn gelijk",
    ]
    assert 'data-rule="min_length" data-count="8"' in page.text
    assert [call.token for call in gateway.calls if call.path == "/me/password-rules"] == ["access-1"]


def test_a_refused_password_names_its_broken_rules_in_the_checklists_words(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _signed_in_with_temporary_password(store, client, "en")
    gateway.answers[("POST", "/me/password")] = GatewayError(
        422,
        "password_rejected",
        "",
        [FieldProblem("new_password.digits", "Gebruik tenminste 1 cijfer")],
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/password/change").text)
    assert csrf is not None

    refused = client.post(
        "/password/change",
        data={
            "csrf_token": csrf.group(1),
            "current_password": "Tijdelijk-123",
            "new_password": "zonder-cijfers",
            "new_password_confirmation": "zonder-cijfers",
        },
    )

    assert refused.status_code == 422
    assert _checklist(refused.text) == [
        "Use at least 8 characters",
        "Use at least 1 digit",
        "Both passwords are the same",
    ]
    error = re.search(r'id="field-new-password-error-1">(.*?)</p>', refused.text, re.S)
    assert error is not None and "Use at least 1 digit" in error.group(1)
