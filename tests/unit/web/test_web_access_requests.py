"""A parent's requests for access to a child's portal and the practice's decisions, against
a scripted gateway: each state of a request is said in words (waiting for the practice,
waiting for the child's consent, open the portal, rejected with its reason), a refusal
stays next to its fields, and the practice's approval and rejection send what was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.domain.sessions import BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError


def _sign_in(client: TestClient, store: FakeStore, *, roles: list[str]) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    organisation = "Kind & meer" if "staff" in roles else ""
    account = SignedInAccount("a1", "Anna", "anna@example.org", organisation, roles, "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def _request(first: str, status: str, *, delegation: str | None = None, reason: str | None = None) -> dict[str, Any]:
    return {
        "id": f"r-{first}",
        "organisation_id": "o1",
        "requester": {"account_id": "a1", "display_name": "Anna Ouder", "birth_date": None, "has_login": True},
        "child_first_name": first,
        "child_last_name": "Ouder",
        "child_birth_date": "2017-03-01",
        "relation": "parent",
        "note": "Ik ben de moeder.",
        "status": status,
        "requested_at": "2026-06-01T10:00:00Z",
        "decided_at": None,
        "reason": reason,
        "delegation": {"id": "d1", "status": delegation} if delegation else None,
    }


def test_each_state_of_a_request_is_said_in_words(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["person"])
    gateway.answers[("GET", "/me/access-requests")] = [
        _request("Sam", "pending"),
        _request("Jip", "approved", delegation="awaiting_consent"),
        _request("Lot", "approved", delegation="active"),
        _request("Noor", "rejected", reason="Geen bewijs van gezag."),
    ]

    page = client.get("/portal/access-requests").text

    assert "In behandeling bij de praktijk" in page
    assert "Jip moet nog toestemming geven" in page
    assert "u kunt het portaal openen" in page and 'href="/portal/switch"' in page
    assert "Reden: Geen bewijs van gezag." in page


def test_a_refusal_stays_next_to_its_fields_and_what_was_typed_stays(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["person"])
    gateway.answers[("GET", "/me/access-requests")] = []
    gateway.answers[("POST", "/me/access-requests")] = GatewayError(
        422,
        "invalid_argument",
        "",
        [
            FieldProblem("child_first_name", "contains characters that are not allowed"),
            FieldProblem("relation", "is required"),
        ],
    )
    csrf = csrf_token(client.get("/portal/access-requests").text)

    refused = client.post(
        "/portal/access-requests",
        data={
            "csrf_token": csrf,
            "child_first_name": "Sam\tX",
            "child_last_name": "Ouder",
            "child_birth_date": "2017-03-01",
        },
    )

    assert refused.status_code == 422
    assert 'id="field-child-first-name-error-1"' in refused.text and 'id="field-relation-error-1"' in refused.text
    assert 'value="Ouder"' in refused.text
    sent = [call.json for call in gateway.calls if call.method == "POST"]
    assert sent == [
        {
            "child_first_name": "Sam\tX",
            "child_last_name": "Ouder",
            "child_birth_date": "2017-03-01",
            "relation": "",
            "note": "",
        }
    ]


def test_from_sixteen_the_parent_reads_how_it_goes_then(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["person"])
    gateway.answers[("GET", "/me/access-requests")] = []
    gateway.answers[("POST", "/me/access-requests")] = GatewayError(409, "child_is_sixteen", "From 16 …")
    csrf = csrf_token(client.get("/portal/access-requests").text)

    refused = client.post("/portal/access-requests", data={"csrf_token": csrf, "relation": "parent"})

    assert refused.status_code == 409
    assert "schriftelijk toestemming" in refused.text


def test_the_practice_approves_with_the_childs_account_and_rejects_with_a_reason(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["staff"])
    jip = {"account_id": "kid-13", "display_name": "Jip Ouder", "birth_date": "2013-03-01", "has_login": True}
    gateway.answers[("GET", "/access-requests/r-Jip")] = _review(
        "Jip", "2013-03-01", candidates=[jip], new_record_allowed=False
    )
    gateway.answers[("POST", "/access-requests/r-Jip/approve")] = _request(
        "Jip", "approved", delegation="awaiting_consent"
    )
    gateway.answers[("POST", "/access-requests/r-Jip/reject")] = GatewayError(409, "access_request_decided", "")
    detail = client.get("/staff/access-requests/r-Jip")
    assert "Ik ben de moeder." in detail.text
    csrf = csrf_token(detail.text)

    approved = client.post(
        "/staff/access-requests/r-Jip/approve",
        data={"csrf_token": csrf, "person_account_id": "  kid-13  "},
        follow_redirects=False,
    )
    assert (approved.status_code, approved.headers["location"]) == (303, "/staff/access-requests")
    late = client.post("/staff/access-requests/r-Jip/reject", data={"csrf_token": csrf, "reason": "Te laat"})
    assert late.status_code == 409 and "Over deze aanvraag is al beslist." in late.text

    sent = [(call.path, call.json) for call in gateway.calls if call.method == "POST"]
    assert sent == [
        ("/access-requests/r-Jip/approve", {"person_account_id": "kid-13"}),
        ("/access-requests/r-Jip/reject", {"reason": "Te laat"}),
    ]


def _review(first: str, born: str, *, candidates: list[dict[str, Any]], new_record_allowed: bool) -> dict[str, Any]:
    return {
        **_request(first, "pending"),
        "child_birth_date": born,
        "candidates": candidates,
        "new_record_allowed": new_record_allowed,
    }


def test_the_practice_picks_the_child_from_its_clients_or_a_new_record(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["staff"])
    sam = {"account_id": "kid-7", "display_name": "Sam Ouder", "birth_date": "2019-03-01", "has_login": False}
    gateway.answers[("GET", "/access-requests/r-Sam")] = _review(
        "Sam", "2019-03-01", candidates=[sam], new_record_allowed=True
    )
    gateway.answers[("POST", "/access-requests/r-Sam/approve")] = GatewayError(
        409, "possible_duplicate_client", "Your organisation already has a client …"
    )
    detail = client.get("/staff/access-requests/r-Sam").text
    assert 'type="radio" name="person_account_id" id="child-1" value="kid-7"' in detail
    assert "Sam Ouder, geboren 2019-03-01" in detail
    assert 'value="new"' in detail and "Nieuw dossier aanmaken" in detail
    csrf = csrf_token(detail)

    refused = client.post("/staff/access-requests/r-Sam/approve", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "al een cliënt met deze naam en geboortedatum" in refused.text
    client.post("/staff/access-requests/r-Sam/approve", data={"csrf_token": csrf, "person_account_id": "new"})

    sent = [call.json for call in gateway.calls if call.method == "POST"]
    assert sent == [{"person_account_id": ""}, {"person_account_id": "", "new_record": True}]


def test_from_twelve_no_new_record_is_offered_and_a_wrong_child_is_said_in_dutch(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["staff"])
    gateway.answers[("GET", "/access-requests/r-Jip")] = _review(
        "Jip", "2013-03-01", candidates=[], new_record_allowed=False
    )
    gateway.answers[("POST", "/access-requests/r-Jip/approve")] = GatewayError(
        422,
        "invalid_argument",
        "",
        [FieldProblem("person_account_id", "has another name than the child in the request")],
    )
    detail = client.get("/staff/access-requests/r-Jip").text
    assert 'value="new"' not in detail and "geen cliënt met deze geboortedatum" in detail
    refused = client.post(
        "/staff/access-requests/r-Jip/approve", data={"csrf_token": csrf_token(detail), "person_account_id": "kid-x"}
    )
    assert refused.status_code == 422
    assert "Deze cliënt heeft een andere naam dan het kind in de aanvraag." in refused.text


def test_the_link_to_ask_is_left_out_for_a_minor(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, roles=["person"])
    gateway.answers[("GET", "/me/delegations")] = {"by_me": [], "for_me": [], "preferred_person_id": None}
    gateway.answers[("GET", "/me/profile")] = {"birth_date": "2010-01-01"}
    assert 'href="/portal/access-requests"' not in client.get("/portal/switch").text
    gateway.answers[("GET", "/me/profile")] = {"birth_date": "1985-01-01"}
    assert 'href="/portal/access-requests"' in client.get("/portal/switch").text
