"""The practice pages' own rules: a week starts on Monday whatever day is asked (and this
week when the address has no readable day); the schedule form becomes the portal's body
with the ticked days as numbers, and a lab result's lines become observations (empty lines
skipped, bounds as numbers), or field errors name the fields left wrong."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeStore, ScriptedGateway, csrf_token

from web.bootstrap import create_app
from web.config import Settings
from web.domain.sessions import PRACTITIONER_ROLE, BrowserSession, SignedInAccount, Tokens, session_id_for
from web.entrypoints.practice import (
    SCHEDULE_FIELDS,
    SLOT_FIELDS,
    TIME_ALIASES,
    observations_from,
    result_fields,
    schedule_body,
    slot_body,
    taken_at,
    week_start,
)
from web.entrypoints.practice_clients import (
    APPOINTMENT_FIELDS,
    CLIENT_RECORD_FIELDS,
    appointment_body,
    consent_fields,
    consent_items_from,
    record_body,
)
from web.forms import Form
from web.service.ports import FieldProblem, GatewayError

PERSON = {
    "person_id": "c1",
    "first_name": "Petra",
    "last_name": "de Vries",
    "display_name": "Petra de Vries",
    "birth_date": None,
    "email": "",
    "language": "nl",
}
TRAJECTORY = {"id": "t1", "title": "Leefstijlbegeleiding", "status": "active", "parties": []}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway(
        {
            ("GET", "/portal/practice/clients/c1"): PERSON,
            ("GET", "/portal/practice/trajectories"): [TRAJECTORY],
            ("GET", "/portal/practice/clients/c1/results"): {"items": [], "next_cursor": None},
            ("GET", "/portal/practice/clients/c1/documents"): {"items": [], "next_cursor": None},
        }
    )


@pytest.fixture
def client(gateway: ScriptedGateway) -> Iterator[TestClient]:
    store = FakeStore()
    app = create_app(Settings(), gateway=gateway, transfers=gateway, session_store=store)
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
        account = SignedInAccount(
            "s1", "Dr. Bakker", "bakker@example.org", "Huisarts", [PRACTITIONER_ROLE], "nl", False
        )
        session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
        store.rows[session.id] = session.to_state()
        test_client.cookies.set("zorgpost_session", "cookie-1")
        yield test_client


def test_a_week_starts_on_the_monday_of_the_day_asked() -> None:
    today = date(2026, 12, 3)  # a Thursday
    assert week_start("2026-12-06", today) == date(2026, 11, 30)
    assert week_start("2026-11-30", today) == date(2026, 11, 30)
    assert week_start("", today) == date(2026, 11, 30)
    assert week_start("not-a-day", today) == date(2026, 11, 30)


def test_a_week_at_the_end_of_the_calendar_is_this_week() -> None:
    today = date(2026, 12, 3)
    assert week_start("9999-12-31", today) == date(2026, 11, 30)
    assert week_start("0001-01-01", today) == date(2026, 11, 30)


def test_a_filled_in_schedule_becomes_the_portals_body() -> None:
    form = Form("nl", SCHEDULE_FIELDS)
    values = {
        "from_date": "2026-12-01",
        "to_date": "2026-12-31",
        "weekday-0": "on",
        "weekday-3": "on",
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": " 10 ",
        "location": " Spreekkamer 1 ",
    }
    assert schedule_body(values, form) == {
        "from_date": "2026-12-01",
        "to_date": "2026-12-31",
        "weekdays": [0, 3],
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": 10,
        "location": "Spreekkamer 1",
    }
    assert not form.failed


def test_a_schedule_without_days_or_whole_minutes_names_those_fields() -> None:
    form = Form("nl", SCHEDULE_FIELDS)
    values = {
        "from_date": "2026-12-01",
        "to_date": "",
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": "7.5",
    }
    assert schedule_body(values, form) is None
    assert set(form.errors) == {"weekdays", "to_date", "slot_minutes"}
    assert form.errors["weekdays"] == ["Vink ten minste één dag aan."]
    assert [item.anchor for item in form.summary()] == ["#field-to-date", "#field-weekdays", "#field-slot-minutes"]


def test_a_results_filled_in_lines_become_observations_and_empty_lines_are_skipped() -> None:
    form = Form("nl", result_fields())
    values = {
        "obs-1-name": "Glucose nuchter",
        "obs-1-value": " 7.9 ",
        "obs-1-unit": "mmol/L",
        "obs-1-reference_low": "4,0",
        "obs-1-reference_high": "6.1",
        "obs-3-name": "Urinekweek",
        "obs-3-value": "negatief",
    }
    assert observations_from(values, form) == [
        {
            "name": "Glucose nuchter",
            "value": "7.9",
            "unit": "mmol/L",
            "reference_low": "4,0",
            "reference_high": "6.1",
        },
        {"name": "Urinekweek", "value": "negatief", "unit": "", "reference_low": "", "reference_high": ""},
    ]
    assert not form.failed


def test_a_line_without_a_value_or_with_a_bound_in_words_is_refused_on_that_line() -> None:
    form = Form("nl", result_fields())
    observations_from({"obs-2-name": "Hemoglobine", "obs-2-reference_high": "hoog"}, form)
    assert form.errors == {
        "obs-2-value": ["Vul dit veld in."],
        "obs-2-reference_high": ["Vul een getal in, bijvoorbeeld 4,0."],
    }
    empty = Form("nl", result_fields())
    assert observations_from({}, empty) == []
    assert list(empty.errors) == ["observations"]


def test_the_moment_taken_is_read_on_the_dutch_clock() -> None:
    form = Form("nl", result_fields())
    moment = taken_at({"taken_on": "2026-07-01", "taken_time": "08:30"}, form)
    assert datetime.fromisoformat(moment) == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)
    assert taken_at({"taken_on": "gisteren"}, form) == ""
    assert list(form.errors) == ["taken_on"]


def test_minutes_that_are_not_a_short_whole_number_name_the_field() -> None:
    for minutes in ("²", "1" * 5000, "١٠"):
        form = Form("nl", SCHEDULE_FIELDS)
        values = {
            "from_date": "2026-12-01",
            "to_date": "2026-12-31",
            "weekday-0": "on",
            "start_time": "08:00",
            "end_time": "12:00",
            "slot_minutes": minutes,
        }
        assert schedule_body(values, form) is None
        assert set(form.errors) == {"slot_minutes"}


def test_an_agenda_asked_at_the_end_of_the_calendar_shows_this_week(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("GET", "/portal/practice/agenda")] = []
    for week in ("9999-12-31", "0001-01-01"):
        assert client.get(f"/practice?week={week}").status_code == 200


def test_ending_a_trajectory_asks_first_and_says_what_it_means(client: TestClient, gateway: ScriptedGateway) -> None:
    gateway.answers[("POST", "/portal/practice/trajectories/t1/end")] = {**TRAJECTORY, "status": "ended"}
    record = client.get("/practice/clients/c1")
    assert 'href="/practice/clients/c1/trajectories/t1/end"' in record.text
    assert not any(call.method == "POST" for call in gateway.calls)
    asked = client.get("/practice/clients/c1/trajectories/t1/end")
    assert asked.status_code == 200
    assert "De cliënt verliest de toegang tot het portaal als dit het laatste traject is." in asked.text
    assert not any(call.method == "POST" for call in gateway.calls), "nothing is ended before it is confirmed"
    ended = client.post(
        "/practice/clients/c1/trajectories/t1/end",
        data={"csrf_token": csrf_token(asked.text), "reason": " Begeleiding afgerond "},
        follow_redirects=True,
    )
    sent = next(call for call in gateway.calls if call.method == "POST")
    assert sent.json == {"reason": "Begeleiding afgerond"}
    assert "Het traject is beëindigd." in ended.text
    assert client.get("/practice/clients/c1/trajectories/other/end").status_code == 404


def test_a_clients_documents_and_results_go_on_to_a_next_page(client: TestClient, gateway: ScriptedGateway) -> None:
    document = {
        "id": "doc1",
        "title": "Verwijsbrief",
        "size": 1200,
        "kind": "document",
        "source": "practice",
        "requires_approval": False,
        "approvals": [],
    }
    result = {"title": "Bloedonderzoek", "taken_at": "2026-11-30T08:00:00+00:00", "published_by_name": "Dr. Bakker"}
    gateway.answers[("GET", "/portal/practice/clients/c1/documents")] = {"items": [document], "next_cursor": "d-2"}
    gateway.answers[("GET", "/portal/practice/clients/c1/results")] = {"items": [result], "next_cursor": "r-2"}
    record = client.get("/practice/clients/c1")
    assert "Meer documenten" in record.text and "?documents=d-2" in record.text
    assert "Meer uitslagen" in record.text and "?results=r-2" in record.text
    client.get("/practice/clients/c1?documents=d-2")
    asked = [call.params for call in gateway.calls if call.path == "/portal/practice/clients/c1/documents"]
    assert asked[-1] == {"cursor": "d-2"}


def test_econsults_and_prescription_requests_go_on_to_a_next_page(client: TestClient, gateway: ScriptedGateway) -> None:
    gateway.answers[("GET", "/portal/practice/econsults")] = {"items": [], "next_cursor": "e-2"}
    assert "/practice/econsults?cursor=e-2" in client.get("/practice/econsults").text
    gateway.answers[("GET", "/portal/practice/prescription-requests")] = {"items": [], "next_cursor": "p-2"}
    assert "/practice/prescriptions?cursor=p-2" in client.get("/practice/prescriptions").text


def test_a_request_to_reject_is_asked_for_by_its_id_and_only_while_it_waits(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    request = {
        "id": "r-later",
        "person_id": "c1",
        "person_name": "Petra de Vries",
        "status": "requested",
        "items": [{"name": "Metformine 500 mg"}],
        "ready_on": None,
        "created_at": "2026-11-30T08:00:00Z",
    }
    gateway.answers[("GET", "/portal/practice/prescription-requests/r-later")] = request
    gateway.answers[("GET", "/portal/practice/prescription-requests/r-done")] = request | {"status": "ready"}
    found = client.get("/practice/prescriptions/r-later/reject")
    assert found.status_code == 200 and "Metformine 500 mg" in found.text
    assert not [call for call in gateway.calls if call.path == "/portal/practice/prescription-requests"]
    assert client.get("/practice/prescriptions/r-done/reject").status_code == 404
    assert client.get("/practice/prescriptions/r-unknown/reject").status_code == 404


def test_a_free_time_and_an_appointment_are_read_on_the_dutch_clock() -> None:
    values = {"day": "2026-07-01", "start_time": "08:30", "end_time": "08:50", "location": " Kamer 2 "}
    slot = slot_body(values, Form("nl", SLOT_FIELDS))
    assert slot is not None and datetime.fromisoformat(slot["start"]) == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)
    assert slot["location"] == "Kamer 2"
    planned = appointment_body(values, Form("nl", APPOINTMENT_FIELDS))
    assert planned is not None and datetime.fromisoformat(planned["end"]) == datetime(2026, 7, 1, 6, 50, tzinfo=UTC)


def test_a_free_time_or_appointment_without_a_day_or_with_the_end_first_names_the_field() -> None:
    form = Form("nl", SLOT_FIELDS)
    assert slot_body({"day": "morgen", "start_time": "", "end_time": "09:00"}, form) is None
    assert set(form.errors) == {"day", "start_time"}
    backwards = Form("nl", APPOINTMENT_FIELDS)
    assert appointment_body({"day": "2026-07-01", "start_time": "10:30", "end_time": "10:00"}, backwards) is None
    assert backwards.errors == {"end_time": ["Kies een eindtijd na de begintijd."]}
    backwards_slot = Form("nl", SLOT_FIELDS)
    assert slot_body({"day": "2026-07-01", "start_time": "10:30", "end_time": "10:30"}, backwards_slot) is None
    assert backwards_slot.errors == {"end_time": ["Kies een eindtijd na de begintijd."]}
    # The portal's own refusals of a time land at the field too, whichever name it uses.
    refused = Form("nl", SLOT_FIELDS)
    refused.take(
        GatewayError(422, "invalid_argument", "", [FieldProblem("starts_at", "is in the past")]),
        aliases=TIME_ALIASES,
    )
    assert set(refused.errors) == {"start_time"}


def test_the_record_is_sent_whole_and_needs_both_names() -> None:
    form = Form("nl", CLIENT_RECORD_FIELDS)
    body = record_body({"first_name": " Petra ", "last_name": "de Vries", "city": "Zwolle"}, form)
    assert body is not None and body["first_name"] == "Petra" and body["city"] == "Zwolle"
    assert set(body) == set(CLIENT_RECORD_FIELDS) and body["language"] == "nl" and body["phone"] == ""
    nameless = Form("nl", CLIENT_RECORD_FIELDS)
    assert record_body({"first_name": " ", "last_name": "de Vries"}, nameless) is None
    assert list(nameless.errors) == ["first_name"]


def test_consent_rows_become_items_with_codes_and_removed_or_empty_rows_are_left_out() -> None:
    form = Form("nl", consent_fields(4))
    values = {
        "item-1-code": "huisarts",
        "item-1-label_nl": "Delen met de huisarts",
        "item-1-label_en": "Share with the GP",
        "item-1-default": "on",
        "item-2-code": "school",
        "item-2-label_nl": "Contact met school",
        "item-2-label_en": "Contact with school",
        "item-2-remove": "on",
        "item-4-label_nl": "Contact met school!",
        "item-4-label_en": "Contact with school (again)",
    }
    items, aliases = consent_items_from(values, 4, form)
    assert not form.failed
    assert items == [
        {
            "code": "huisarts",
            "label_nl": "Delen met de huisarts",
            "label_en": "Share with the GP",
            "default_granted": True,
        },
        {
            "code": "contact-met-school",
            "label_nl": "Contact met school!",
            "label_en": "Contact with school (again)",
            "default_granted": False,
        },
    ]
    assert aliases["items.1.label_en"] == "item-4-label_en" and aliases["items.1.code"] == "item-4-label_nl"


def test_a_consent_row_with_one_label_names_the_other() -> None:
    form = Form("nl", consent_fields(1))
    consent_items_from({"item-1-label_nl": "Onderzoek"}, 1, form)
    assert [item.anchor for item in form.summary()] == ["#field-item-1-label-en"]


def test_a_refused_record_stays_in_edit_mode_with_the_message_next_to_the_field(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("GET", "/portal/practice/clients/c1/consents")] = []
    gateway.answers[("PUT", "/portal/practice/clients/c1")] = GatewayError(
        422, "invalid_argument", "", [FieldProblem("email", "value is not a valid email address")]
    )
    shown = client.get("/practice/clients/c1/details")
    assert 'value="Petra"' in shown.text
    refused = client.post(
        "/practice/clients/c1/details",
        data={"csrf_token": csrf_token(shown.text), "first_name": "Petra", "last_name": "de Vries", "email": "petra@"},
    )
    assert refused.status_code == 422
    assert 'href="#field-email"' in refused.text and 'value="petra@"' in refused.text
    assert 'id="field-email-error-1"' in refused.text


def test_cancelling_an_appointment_asks_first_and_goes_back_to_the_agendas_week(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    appointment = {
        "id": "a1",
        "person_id": "c1",
        "start": "2026-12-03T09:00:00+00:00",
        "end": "2026-12-03T09:10:00+00:00",
        "status": "upcoming",
    }
    gateway.answers[("GET", "/portal/practice/appointments/a1")] = appointment
    other_clients = appointment | {"id": "a-other", "person_id": "c2"}
    gateway.answers[("GET", "/portal/practice/appointments/a-other")] = other_clients
    gateway.answers[("GET", "/portal/practice/appointments/a-past")] = appointment | {"id": "a-past", "status": "past"}
    gateway.answers[("DELETE", "/portal/practice/appointments/a1")] = {}
    asked = client.get("/practice/clients/c1/appointments/a1/cancel?week=2026-11-30")
    assert "De patiënt krijgt een e-mail dat de afspraak is geannuleerd." in asked.text
    assert not any(call.method == "DELETE" for call in gateway.calls), "nothing is cancelled before it is confirmed"
    assert client.get("/practice/clients/c1/appointments/other/cancel").status_code == 404
    # Another client's appointment under this client's path, or one already past: not one to cancel here.
    assert client.get("/practice/clients/c1/appointments/a-other/cancel").status_code == 404
    assert client.get("/practice/clients/c1/appointments/a-past/cancel").status_code == 404
    done = client.post(
        "/practice/clients/c1/appointments/a1/cancel",
        data={"csrf_token": csrf_token(asked.text), "week": "2026-11-30"},
        follow_redirects=False,
    )
    assert done.status_code in (302, 303) and done.headers["location"] == "/practice?week=2026-11-30"
    assert any(call.method == "DELETE" for call in gateway.calls)


def _race(code: str) -> GatewayError:
    return GatewayError(409, code, "Someone else was first.")


def _flashed_after(client: TestClient, location: str) -> str:
    """The page a redirect leads to, with its one-time message."""
    page: str = client.get(location).text
    return page


@pytest.mark.parametrize(
    ("path", "answer", "code", "back", "message"),
    [
        (
            "/practice/prescriptions/r1/ready",
            ("POST", "/portal/practice/prescription-requests/r1/ready"),
            "prescription_request_handled",
            "/practice/prescriptions",
            "Deze aanvraag is al afgehandeld, misschien door een collega.",
        ),
        (
            "/practice/change-requests/cr1/accept",
            ("POST", "/portal/practice/change-requests/cr1/accept"),
            "change_request_resolved",
            "/practice/change-requests",
            "Dit wijzigingsverzoek is al afgehandeld, misschien door een collega.",
        ),
        (
            "/practice/clients/c1/appointments/a1/cancel",
            ("DELETE", "/portal/practice/appointments/a1"),
            "appointment_not_active",
            "/practice/clients/c1/appointments",
            "Deze afspraak was al geannuleerd of is voorbij.",
        ),
        (
            "/practice/slots/s1/remove",
            ("DELETE", "/portal/practice/slots/s1"),
            "slot_booked",
            "/practice?week=",
            "Deze tijd is zojuist geboekt en is niet verwijderd.",
        ),
        (
            "/practice/clients/c1/trajectories/t1/end",
            ("POST", "/portal/practice/trajectories/t1/end"),
            "trajectory_ended",
            "/practice/clients/c1",
            "Dit traject was al beëindigd.",
        ),
    ],
)
def test_a_colleague_or_patient_who_was_first_is_told_on_the_list_not_on_an_error_page(
    client: TestClient,
    gateway: ScriptedGateway,
    path: str,
    answer: tuple[str, str],
    code: str,
    back: str,
    message: str,
) -> None:
    gateway.answers[answer] = _race(code)
    gateway.answers[("GET", "/portal/practice/prescription-requests")] = {"items": [], "next_cursor": None}
    gateway.answers[("GET", "/portal/practice/change-requests")] = []
    gateway.answers[("GET", "/portal/practice/agenda")] = []
    gateway.answers[("GET", "/portal/practice/clients/c1/appointments")] = {"items": [], "next_cursor": None}
    token = csrf_token(client.get("/practice/clients/c1").text)
    refused = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith(back)
    assert message in _flashed_after(client, refused.headers["location"])


def test_a_rejection_of_a_request_no_longer_open_says_it_was_handled(
    client: TestClient, gateway: ScriptedGateway
) -> None:
    gateway.answers[("GET", "/portal/practice/prescription-requests")] = {"items": [], "next_cursor": None}
    gateway.answers[("GET", "/portal/practice/change-requests")] = []
    token = csrf_token(client.get("/practice/clients/c1").text)
    for path, text in [
        ("/practice/prescriptions/r1/reject", "Deze aanvraag is al afgehandeld"),
        ("/practice/change-requests/cr1/reject", "Dit wijzigingsverzoek is al afgehandeld"),
    ]:
        refused = client.post(path, data={"csrf_token": token, "answer": "Nee"}, follow_redirects=False)
        assert refused.status_code == 303
        assert text in _flashed_after(client, refused.headers["location"])
    assert not [call for call in gateway.calls if call.method == "POST"], "nothing is sent for a handled request"
