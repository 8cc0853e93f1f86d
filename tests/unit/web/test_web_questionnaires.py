"""The questionnaire pages' own rules, against a scripted gateway: the practitioner's rows
become questions (empty rows skipped, a choice's options one per line, a scale's ends as
whole numbers) or errors on the row's own fields; a client's submit with a required
question open names that question and sends nothing, a draft is saved as it is, a parent
answers with the acting token, and a submitted questionnaire is shown without a form."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from web_fakes import Call, FakeStore, ScriptedGateway, csrf_token

from web.domain.sessions import PRACTITIONER_ROLE, Acting, BrowserSession, SignedInAccount, Tokens, session_id_for
from web.entrypoints.questionnaires import questionnaire_fields, questions_from
from web.forms import Form
from web.service.ports import FieldProblem, GatewayError

QUESTIONNAIRE: dict[str, Any] = {
    "id": "vq1",
    "person_id": "kid1",
    "title": "Hoe gaat het?",
    "questions": [
        {"id": "q1", "kind": "text", "text": "Wat ging goed?", "required": True, "options": []}
        | {"scale_min": 0, "scale_max": 0, "min_label": "", "max_label": ""},
        {"id": "q2", "kind": "choice", "text": "Sliep je goed?", "required": True, "options": ["Ja", "Nee"]}
        | {"scale_min": 0, "scale_max": 0, "min_label": "", "max_label": ""},
        {"id": "q3", "kind": "scale", "text": "Hoe voel je je?", "required": False, "options": []}
        | {"scale_min": 1, "scale_max": 5, "min_label": "slecht", "max_label": "goed"},
    ],
    "status": "open",
    "answers": {"q1": "School"},
    "sent_at": "2026-11-30T08:00:00Z",
    "sent_by_name": "Dr. Bakker",
    "saved_at": "2026-11-30T09:00:00Z",
    "submitted_at": None,
}
PERSON = {"person_id": "c1", "display_name": "Petra de Vries", "birth_date": None, "email": ""}


def _sign_in(client: TestClient, store: FakeStore, *, practitioner: bool = False, acting: bool = False) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    roles = [PRACTITIONER_ROLE] if practitioner else ["person"]
    account = SignedInAccount("a1", "Anna", "anna@example.org", "", roles, "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    if acting:
        session.acting = Acting("acting-token", datetime.now(UTC) + timedelta(minutes=10), "kid1", "Sam")
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def _form() -> Form:
    return Form("nl", questionnaire_fields())


def test_filled_rows_become_questions_and_empty_rows_are_skipped() -> None:
    form = _form()
    questions = questions_from(
        {
            "q-1-text": "Hoe gaat het?",
            "q-1-kind": "text",
            "q-1-scale_min": "1",
            "q-1-scale_max": "10",
            "q-2-kind": "text",
            "q-2-scale_min": "1",
            "q-2-scale_max": "10",
            "q-3-text": "Sliep je goed?",
            "q-3-kind": "choice",
            "q-3-options": "Ja\r\n\r\n Nee \r\n",
            "q-3-optional": "on",
            "q-4-text": "Hoe voel je je?",
            "q-4-kind": "scale",
            "q-4-scale_min": "0",
            "q-4-scale_max": "10",
        },
        form,
    )
    assert not form.failed
    assert [(q["kind"], q["text"], q["required"]) for q in questions] == [
        ("text", "Hoe gaat het?", True),
        ("choice", "Sliep je goed?", False),
        ("scale", "Hoe voel je je?", True),
    ]
    assert questions[1]["options"] == ["Ja", "Nee"]
    assert (questions[2]["scale_min"], questions[2]["scale_max"]) == (0, 10)


def test_a_wrong_row_is_named_on_its_own_fields() -> None:
    form = _form()
    questions_from(
        {
            "q-1-kind": "choice",
            "q-1-options": "Ja",
            "q-2-text": "Hoe voel je je?",
            "q-2-kind": "scale",
            "q-2-scale_min": "10",
            "q-2-scale_max": "²",
        },
        form,
    )
    assert set(form.errors) == {"q-1-text", "q-1-options", "q-2-scale_max"}
    assert form.errors["q-1-options"] == ["Geef 2 tot 20 verschillende keuzes, elk op een eigen regel."]


def test_a_scales_ends_carry_what_they_mean() -> None:
    form = _form()
    [question] = questions_from(
        {
            "q-1-text": "Hoe voel je je?",
            "q-1-kind": "scale",
            "q-1-scale_min": "1",
            "q-1-min_label": " heel slecht ",
            "q-1-scale_max": "5",
            "q-1-max_label": "heel goed",
        },
        form,
    )
    assert not form.failed
    assert (question["min_label"], question["max_label"]) == ("heel slecht", "heel goed")


def test_a_form_without_questions_says_so() -> None:
    form = _form()
    assert questions_from({"q-1-kind": "text", "q-1-scale_min": "1", "q-1-scale_max": "10"}, form) == []
    assert form.errors == {"questions": ["Vul ten minste één vraag in."]}


def test_the_practitioner_sends_the_rows_as_questions(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, practitioner=True)
    gateway.answers[("GET", "/portal/practice/clients/c1")] = PERSON
    gateway.answers[("POST", "/portal/practice/clients/c1/questionnaires")] = QUESTIONNAIRE
    page = client.get("/practice/clients/c1/questionnaires/new")
    assert page.status_code == 200 and "Vraag 5" in page.text

    refused = client.post("/practice/clients/c1/questionnaires/new", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422
    assert 'href="#field-title"' in refused.text and 'href="#field-questions"' in refused.text

    sent = client.post(
        "/practice/clients/c1/questionnaires/new",
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Hoe gaat het?",
            "q-2-text": "Wat ging goed?",
            "q-2-kind": "text",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/practice/clients/c1/questionnaires"
    [post] = [call for call in gateway.calls if call.method == "POST"]
    assert post.json == {
        "title": "Hoe gaat het?",
        "questions": [
            {"kind": "text", "text": "Wat ging goed?", "required": True, "options": []}
            | {"scale_min": 0, "scale_max": 0, "min_label": "", "max_label": ""}
        ],
    }


def test_a_submit_with_a_required_question_open_names_it_and_sends_nothing(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, acting=True)
    gateway.answers[("GET", "/portal/questionnaires/vq1")] = QUESTIONNAIRE
    page = client.get("/portal/questionnaires/vq1")
    assert page.status_code == 200
    assert ">School</textarea>" in page.text, "the draft's answer is shown again"
    assert page.text.count('type="radio"') == 2 + 5 and "<legend" in page.text

    refused = client.post(
        "/portal/questionnaires/vq1",
        data={"csrf_token": csrf_token(page.text), "answer-1": "School", "action": "submit"},
    )
    assert refused.status_code == 422
    assert "Beantwoord de vraag “Sliep je goed?”." in refused.text and 'href="#field-answer-2"' in refused.text
    assert "Hoe voel je je?”" not in refused.text, "an optional question may stay open"
    assert not [call for call in gateway.calls if call.method == "PUT"]


def test_a_draft_is_saved_as_it_is_with_the_acting_token(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, acting=True)
    gateway.answers[("GET", "/portal/questionnaires/vq1")] = QUESTIONNAIRE
    saved: list[Call] = []

    def save(call: Call) -> dict[str, Any]:
        saved.append(call)
        return QUESTIONNAIRE

    gateway.answers[("PUT", "/portal/questionnaires/vq1/answers")] = save
    page = client.get("/portal/questionnaires/vq1")

    answer = client.post(
        "/portal/questionnaires/vq1",
        data={"csrf_token": csrf_token(page.text), "answer-1": "School", "answer-3": "4", "action": "draft"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/questionnaires/vq1"
    [call] = saved
    assert call.json == {"answers": {"q1": "School", "q2": "", "q3": "4"}, "submit": False}
    assert {c.token for c in gateway.calls} == {"acting-token"}


def test_a_submitted_questionnaire_is_read_only(client: TestClient, gateway: ScriptedGateway, store: FakeStore) -> None:
    _sign_in(client, store)
    done = QUESTIONNAIRE | {
        "status": "submitted",
        "answers": {"q1": "School", "q2": "Ja"},
        "submitted_at": "2026-11-30T10:00:00Z",
    }
    gateway.answers[("GET", "/portal/questionnaires/vq1")] = done
    gateway.answers[("GET", "/portal/questionnaires")] = [done]
    page = client.get("/portal/questionnaires/vq1")
    assert '<form method="post" action="/portal/questionnaires/vq1"' not in page.text
    assert "Verstuurd op" in page.text and "(niet beantwoord)" in page.text
    listed = client.get("/portal/questionnaires")
    assert "Er staan geen vragenlijsten voor u klaar." in listed.text and "Verstuurd op" in listed.text


def test_the_practice_wide_list_names_each_client_and_filters_by_state(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, practitioner=True)
    done = QUESTIONNAIRE | {
        "person_id": "c1",
        "person_name": "Petra de Vries",
        "status": "submitted",
        "submitted_at": "2026-11-30T10:00:00Z",
    }
    gone = QUESTIONNAIRE | {"id": "vq2", "person_id": "left", "person_name": None, "title": "Afsluiting"}
    gateway.answers[("GET", "/portal/practice/questionnaires")] = {
        "items": [done, gone, done | {"id": "vq3"}],
        "next_cursor": None,
    }
    page = client.get("/practice/questionnaires")
    assert page.status_code == 200
    assert "Petra de Vries" in page.text and "(niet meer in de praktijk)" in page.text
    assert 'href="/practice/questionnaires/vq2"' in page.text and "Verstuurd op" in page.text
    assert not [call for call in gateway.calls if call.path.startswith("/portal/practice/clients/")], (
        "the names come with the list, not one look-up per client"
    )
    assert 'rel="next"' not in page.text and 'rel="prev"' not in page.text

    client.get("/practice/questionnaires?status=submitted")
    client.get("/practice/questionnaires?status=whatever")
    asked = [call.params for call in gateway.calls if call.path == "/portal/practice/questionnaires"]
    assert [params or {} for params in asked[1:]] == [{"status": "submitted"}, {}]


def test_the_practice_wide_list_goes_on_and_back_a_page_keeping_its_filter(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, practitioner=True)
    first = QUESTIONNAIRE | {"id": "vq1", "title": "Intake", "person_id": "c1", "person_name": "Petra de Vries"}
    second = QUESTIONNAIRE | {"id": "vq9", "title": "Evaluatie", "person_id": "c2", "person_name": "Sem Bakker"}

    def pages(call: object) -> dict[str, object]:
        params = getattr(call, "params", None) or {}
        if params.get("cursor") == "k-2":
            return {"items": [second], "next_cursor": None}
        return {"items": [first], "next_cursor": "k-2"}

    gateway.answers[("GET", "/portal/practice/questionnaires")] = pages
    one = client.get("/practice/questionnaires?status=open")
    assert "Intake" in one.text and "Evaluatie" not in one.text
    [next_url] = re.findall(r'href="([^"]+)" rel="next"', one.text)
    assert 'rel="prev"' not in one.text
    two = client.get(html.unescape(next_url))
    assert "Evaluatie" in two.text and "Sem Bakker" in two.text and 'rel="next"' not in two.text
    asked = [call.params for call in gateway.calls if call.path == "/portal/practice/questionnaires"]
    assert asked[-1] == {"status": "open", "cursor": "k-2"}
    [back] = re.findall(r'href="([^"]+)" rel="prev"', two.text)
    assert "Intake" in client.get(html.unescape(back)).text
    assert gateway.calls[-1].params == {"status": "open"}


def test_a_forged_cursor_in_the_practice_wide_list_is_said_on_the_page(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, practitioner=True)
    gateway.answers[("GET", "/portal/practice/questionnaires")] = GatewayError(
        422, "invalid_argument", "", [FieldProblem("cursor", "is not a cursor this list gave")]
    )
    forged = client.get("/practice/questionnaires?status=open&cursor=garbage")
    assert forged.status_code == 422
    assert "Deze lijstpositie is ongeldig; begin de lijst opnieuw." in forged.text
    assert 'id="form-errors"' in forged.text and 'href="/practice/questionnaires?status=open"' in forged.text


def test_the_start_pages_activity_counts_new_questionnaires_in_the_guides_words(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    counts = dict.fromkeys(
        ("new_documents", "new_reports", "appointments_held", "new_messages", "new_diary_notes", "new_results"), 0
    )
    gateway.answers[("GET", "/portal/dashboard")] = {
        "person_id": "a1",
        "since": "2026-11-29T08:00:00Z",
        "on_behalf": False,
        "activity": counts | {"new_questionnaires": 2, "new_messages": 1},
        "next_appointment": None,
        "upcoming_appointments": [],
        "active_trajectories": 0,
        "awaiting_my_approval": 0,
        "open_questionnaires": 2,
        "security": {"second_factor": True, "secret_question": True},
    }
    gateway.answers[("GET", "/me/delegations")] = {"for_me": [], "mine": []}
    gateway.answers[("GET", "/me/second-factors")] = {"factors": []}
    home = client.get("/")
    assert home.status_code == 200, home.text
    assert "2 nieuwe vragenlijsten" in home.text and "Open vragenlijsten: 2" in home.text
    assert "Geen nieuwe documenten" in home.text and "0 afspraken geweest" in home.text
    assert "1 nieuw bericht" in home.text, "as the guide words it"
