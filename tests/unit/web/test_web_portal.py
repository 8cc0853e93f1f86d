"""The portal pages' own rules, against a scripted gateway: a cancellation the portal
refuses within 24 hours is said in words with the advice to call (not an error page), a
booking taken meanwhile sends the person back to choose again, only chronic medication has
a box to tick, days are said as the seed says them, a parent's pages use the acting
token (the child's conversations included), a change request asks only what differs and
keeps a refusal next to its field, and a diary note that fails to save stays in edit
mode."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.domain.moments import describe_day
from web.domain.sessions import Acting, BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import FieldProblem, GatewayError

APPOINTMENT = {
    "id": "ap1",
    "start": "2026-12-01T08:30:00Z",
    "end": "2026-12-01T08:40:00Z",
    "practitioner": {"id": "gp1", "name": "Dokter Linde"},
    "location": "Spreekkamer 1",
    "reason": "",
    "status": "upcoming",
    "cancellable": True,
    "cancelled_at": None,
    "created_at": None,
    "person_id": "a1",
    "person_name": None,
}


def _sign_in(client: TestClient, store: FakeStore, *, acting: bool = False) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("a1", "Anna", "anna@example.org", "", ["person"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    if acting:
        session.acting = Acting("acting-token", datetime.now(UTC) + timedelta(minutes=10), "kid1", "Sam")
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_a_day_is_said_as_the_seed_says_it() -> None:
    assert describe_day(date(2022, 11, 9), "nl") == "woensdag 9 november 2022"
    assert describe_day(date(2022, 11, 9), "en") == "Wednesday 9 November 2022"


def test_a_cancellation_within_24_hours_says_to_call_the_practice(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    gateway.answers[("GET", "/portal/appointments")] = {"items": [APPOINTMENT], "next_cursor": None}
    gateway.answers[("DELETE", "/portal/appointments/ap1")] = GatewayError(409, "too_late_to_cancel", "")
    csrf = csrf_token(client.get("/portal/appointments").text)

    refused = client.post("/portal/appointments/ap1/cancel", data={"csrf_token": csrf})

    assert refused.status_code == 409
    assert "minder dan 24 uur" in refused.text and "Bel de praktijk" in refused.text
    assert "dinsdag 1 december 2026, 09:30" in refused.text


def test_an_appointment_cancelled_meanwhile_is_said_on_the_list_not_as_too_late(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    gateway.answers[("GET", "/portal/appointments")] = {"items": [], "next_cursor": None}
    gateway.answers[("DELETE", "/portal/appointments/ap1")] = GatewayError(409, "appointment_not_active", "")
    csrf = csrf_token(client.get("/portal/appointments").text)

    refused = client.post("/portal/appointments/ap1/cancel", data={"csrf_token": csrf}, follow_redirects=True)

    assert refused.status_code == 200 and refused.url.path == "/portal/appointments"
    assert "Deze afspraak was al geannuleerd of is voorbij." in refused.text
    assert "Bel de praktijk" not in refused.text


def test_a_time_taken_meanwhile_sends_the_person_back_to_choose(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    slot = {k: APPOINTMENT[k] for k in ("id", "start", "end", "practitioner", "location")}
    gateway.answers[("GET", "/portal/slots")] = [slot]
    gateway.answers[("GET", "/portal/booking-notice")] = {
        "notice_nl": "Gebruik deze optie niet als u een spoedeisende klacht heeft.",
        "notice_en": "Not for urgent complaints.",
        "cancel_until_hours_before": 24,
    }
    gateway.answers[("POST", "/portal/appointments")] = GatewayError(409, "slot_taken", "")
    page = client.get("/portal/appointments/confirm", params={"slot_id": "ap1", "day": "2026-12-01"})
    assert "spoedeisende klacht" in page.text

    answer = client.post(
        "/portal/appointments/confirm",
        data={"csrf_token": csrf_token(page.text), "slot_id": "ap1", "day": "2026-12-01"},
        follow_redirects=False,
    )

    assert answer.status_code == 303 and answer.headers["location"] == "/portal/appointments/new"


def test_only_chronic_medication_has_a_box_and_a_parent_works_with_the_acting_token(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, acting=True)
    gateway.answers[("GET", "/portal/medications")] = [
        {
            "id": "m1",
            "name": "Metformine",
            "chronic": True,
            "dosage": "",
            "started_on": None,
            "stopped_on": None,
            "prescribed_by": "",
        },
        {
            "id": "m2",
            "name": "Amoxicilline",
            "chronic": False,
            "dosage": "",
            "started_on": None,
            "stopped_on": None,
            "prescribed_by": "",
        },
    ]
    gateway.answers[("GET", "/portal/prescription-requests")] = {"items": [], "next_cursor": None}

    page = client.get("/portal/prescriptions")

    assert re.findall(r'name="medication_ids" value="([^"]+)"', page.text) == ["m1"]
    assert "geen chronische medicatie" in page.text
    assert {call.token for call in gateway.calls} == {"acting-token"}
    refused = client.post("/portal/prescriptions", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422 and "Vink ten minste één medicijn aan." in refused.text


RECORD = {
    "person_id": "a1",
    "first_name": "Anna",
    "last_name": "Jansen",
    "display_name": "Anna Jansen",
    "birth_date": "2010-04-01",
    "email": "anna@example.org",
    "phone": "",
    "street": "Dorpsstraat 1",
    "postal_code": "6811 AA",
    "city": "Arnhem",
    "insurer": "Zorgverzekeraar Oost",
    "policy_number": "P-1",
    "language": "nl",
    "updated_at": None,
}


def test_a_change_request_asks_only_what_differs_and_a_refusal_stays_next_to_its_field(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    gateway.answers[("GET", "/portal/about-me")] = RECORD
    gateway.answers[("GET", "/portal/change-requests")] = []
    page = client.get("/portal/about-me")
    assert 'value="Arnhem"' in page.text
    form = {name: str(RECORD[name]) for name in ("first_name", "last_name", "email", "city", "street")}

    unchanged = client.post("/portal/about-me", data={"csrf_token": csrf_token(page.text), **form})
    assert unchanged.status_code == 422 and "U heeft niets gewijzigd" in unchanged.text
    assert not [call for call in gateway.calls if call.method == "POST"]

    gateway.answers[("POST", "/portal/change-requests")] = GatewayError(
        422, "invalid_argument", "", [FieldProblem("changes.email", "value is not a valid email address")]
    )
    refused = client.post(
        "/portal/about-me",
        data={"csrf_token": csrf_token(page.text), **form, "email": "geen-adres", "city": "Nijmegen"},
    )
    [sent] = [call for call in gateway.calls if call.method == "POST"]
    assert sent.json == {"changes": {"email": "geen-adres", "city": "Nijmegen"}, "note": ""}
    assert refused.status_code == 422
    assert re.search(r'id="field-email"[^>]*aria-invalid="true"', refused.text)
    assert 'value="Nijmegen"' in refused.text, "what was typed stays"


def test_a_parent_reads_and_answers_the_childs_conversation_with_the_acting_token(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store, acting=True)
    summary = {"id": "t1", "subject": "Slapen", "kind": "care", "state": "open"}
    gateway.answers[("GET", "/portal/messages")] = {"items": [summary], "next_cursor": None}
    gateway.answers[("GET", "/threads/t1")] = {
        **summary,
        "other_party_name": "Kind & meer",
        "organisation": None,
        "last_activity_at": "2026-11-30T09:00:00Z",
        "messages": [],
    }
    gateway.answers[("POST", "/threads/t1/messages")] = {"id": "m9"}

    listed = client.get("/portal/messages")
    assert 'href="/portal/messages/t1"' in listed.text
    page = client.get("/portal/messages/t1")
    assert page.status_code == 200 and 'action="/portal/messages/t1/send"' in page.text
    sent = client.post(
        "/portal/messages/t1/send", data={"csrf_token": csrf_token(page.text), "body": "Dank u"}, follow_redirects=False
    )

    assert sent.status_code == 303 and sent.headers["location"] == "/portal/messages/t1#message-m9"
    assert {call.token for call in gateway.calls} == {"acting-token"}


def test_a_diary_note_that_fails_to_save_stays_in_edit_mode(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    entry = {
        "id": "d1",
        "body": "Slecht geslapen",
        "shared": True,
        "written_at": "2026-11-30T09:00:00Z",
        "updated_at": "2026-11-30T09:00:00Z",
        "on_behalf": False,
    }
    gateway.answers[("GET", "/portal/diary/d1")] = entry
    gateway.answers[("PUT", "/portal/diary/d1")] = lambda call: {**entry, **call.json}
    page = client.get("/portal/diary/d1")
    assert "Slecht geslapen" in page.text and "checked" in page.text

    emptied = client.post("/portal/diary/d1", data={"csrf_token": csrf_token(page.text), "body": " "})
    assert emptied.status_code == 422 and 'action="/portal/diary/d1"' in emptied.text
    assert re.search(r'id="field-body"[^>]*aria-invalid="true"', emptied.text)

    saved = client.post(
        "/portal/diary/d1", data={"csrf_token": csrf_token(page.text), "body": "Beter geslapen"}, follow_redirects=False
    )
    assert saved.status_code == 303
    [put] = [call for call in gateway.calls if call.method == "PUT"]
    assert put.json == {"body": "Beter geslapen", "shared": False}
    assert client.get("/portal/diary/unknown").status_code == 404


def test_who_did_what_names_the_actor_as_the_reader_knows_them(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)

    def action(action_id: str, name: str, actor: str) -> dict[str, object]:
        at = "2026-11-30T09:00:00Z"
        return {
            "id": action_id,
            "action": name,
            "object_id": "x",
            "actor_id": actor,
            "on_behalf": actor != "a1",
            "at": at,
        }

    gateway.answers[("GET", "/portal/actions")] = {
        "items": [
            action("1", "consent.changed", "a1"),
            action("2", "diary.written", "mum"),
            action("3", "result.published", "gp"),
            action("4", "something.new", "gp"),
        ],
        "next_cursor": None,
    }
    gateway.answers[("GET", "/portal/trajectories")] = []
    gateway.answers[("GET", "/me/delegations")] = {
        "by_me": [],
        "for_me": [{"delegate": {"account_id": "mum", "display_name": "Moeder Jansen"}, "status": "ended"}],
        "preferred_person_id": None,
    }

    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>", client.get("/portal/actions").text)

    assert rows == [
        ("toestemming gewijzigd", "u"),
        ("dagboeknotitie geschreven", "Moeder Jansen"),
        ("uitslag klaargezet", "de praktijk"),
        ("something.new", "de praktijk"),
    ]


def test_the_documents_go_on_and_back_a_page_keeping_their_kind(
    client: TestClient, gateway: ScriptedGateway, store: FakeStore
) -> None:
    _sign_in(client, store)
    at = "2026-11-30T09:00:00Z"

    def document(number: int) -> dict[str, object]:
        return {
            "id": f"d{number}", "kind": "report", "title": f"Verslag {number}", "created_at": at,
            "created_by_name": "Dr. Test", "pending": False, "approvals": [],
        }  # fmt: skip

    def pages(call: object) -> dict[str, object]:
        params = getattr(call, "params", None) or {}
        if params.get("cursor") == "k-2":
            return {"items": [document(21)], "next_cursor": None}
        return {"items": [document(1)], "next_cursor": "k-2"}

    gateway.answers[("GET", "/portal/documents")] = pages
    one = client.get("/portal/documents?kind=report")
    assert "Verslag 1" in one.text and 'rel="prev"' not in one.text
    [next_url] = re.findall(r'href="([^"]+)" rel="next"', one.text)
    two = client.get(next_url.replace("&amp;", "&"))
    assert "Verslag 21" in two.text and 'rel="next"' not in two.text
    assert gateway.calls[-1].params == {"kind": "report", "cursor": "k-2"}
    [back] = re.findall(r'href="([^"]+)" rel="prev"', two.text)
    assert back == "/portal/documents?kind=report"

    gateway.answers[("GET", "/portal/documents")] = GatewayError(
        422, "invalid_argument", "", [FieldProblem("cursor", "is not a cursor this list gave")]
    )
    forged = client.get("/portal/documents?kind=report&cursor=garbage")
    assert forged.status_code == 422 and 'id="form-errors"' in forged.text
