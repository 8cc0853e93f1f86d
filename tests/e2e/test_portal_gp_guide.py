"""Seed 5 (the GP patient portal) through the gateway, as a patient and the practice walk it:
booking from the GP's free slots and cancelling around the 24-hour line with confirmation
mails, repeat prescriptions of chronic medication only with the day they are ready, results
that are mailed without their values and downloaded as CSV and PDF, an e-consult with a
photo that closes with the practice's answer, and the patient's own data as a FHIR Bundle.

Slots are placed relative to now, and the ready day is checked with the calendar's own rule
against the moment the portal recorded, so nothing here depends on the hour the test runs
(the noon cut-off on a Friday and before a holiday: test_portal_time_rules.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from journeys_e2e import bearer, fields
from journeys_support import years_ago
from portal_e2e import Practice, add_slot, new_client, open_practice, png, publish, whole_minute
from support import assert_notice, notice_detail, wait_for_messages, wait_until

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _gp(stack: Stack, api: httpx.AsyncClient) -> Practice:
    return await open_practice(stack, api, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)


async def _mail(stack: Stack, to: str, count: int) -> dict[str, Any]:
    """The ``count``-th mail to ``to``, with its full text."""
    return await notice_detail(stack, (await wait_for_messages(stack, to, count=count, timeout=20.0))[0])


# ----------------------------------------------------------------------------- appointments
async def test_booking_and_cancelling_around_the_24_hour_line(stack: Stack, api: httpx.AsyncClient) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    other = await new_client(stack, api, gp, "Karel", 60)
    now = datetime.now(UTC)
    later = await add_slot(api, gp, whole_minute(now + timedelta(days=3)))
    soon = await add_slot(api, gp, whole_minute(now + timedelta(hours=2)))

    notice = (await api.get("/api/v1/portal/booking-notice")).json()
    assert "spoedeisende klacht" in notice["notice_nl"] and notice["cancel_until_hours_before"] == 24
    today = calendar.today()
    listed = await api.get(
        "/api/v1/portal/slots",
        params={"from": today.isoformat(), "to": (today + timedelta(days=4)).isoformat()},
        headers=petra.headers,
    )
    assert listed.status_code == 200, listed.text
    free = {slot["id"]: slot for slot in listed.json()}
    assert {later["id"], soon["id"]} <= set(free)
    assert free[later["id"]]["practitioner"] == {"id": gp.staff.account_id, "name": "Dokter Test"}
    assert set(free[later["id"]]) >= {"id", "start", "end", "practitioner"}

    booked = await api.post(
        "/api/v1/portal/appointments", json={"slot_id": later["id"], "reason": "Pijnlijke knie"}, headers=petra.headers
    )
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["start"] == later["start"] and appointment["cancellable"] is True
    confirmation = await _mail(stack, petra.email, 1)
    assert_notice(
        confirmation,
        subject="Bevestiging van uw afspraak",
        organisation=gp.staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}/portal/appointments",
        absent=["Pijnlijke knie", "knie"],
    )
    # Taken: gone from the free slots, and the next patient is told it is taken.
    again = await api.get(
        "/api/v1/portal/slots",
        params={"from": today.isoformat(), "to": (today + timedelta(days=4)).isoformat()},
        headers=other.headers,
    )
    assert later["id"] not in {slot["id"] for slot in again.json()}
    late = await api.post("/api/v1/portal/appointments", json={"slot_id": later["id"]}, headers=other.headers)
    assert (late.status_code, late.json()["code"]) == (409, "slot_taken")

    near = await api.post("/api/v1/portal/appointments", json={"slot_id": soon["id"]}, headers=petra.headers)
    assert near.status_code == 201 and near.json()["cancellable"] is False
    refused = await api.delete(f"/api/v1/portal/appointments/{near.json()['id']}", headers=petra.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "too_late_to_cancel")
    assert "Bel de praktijk" in refused.json()["detail"] and "call the practice" in refused.json()["detail"]

    cancelled = await api.delete(f"/api/v1/portal/appointments/{appointment['id']}", headers=petra.headers)
    assert cancelled.status_code == 204
    mail = await _mail(stack, petra.email, 3)
    assert mail["subject"] == "Uw afspraak is geannuleerd" and "door de praktijk" not in mail["text"]
    upcoming = (await api.get("/api/v1/portal/appointments", headers=petra.headers)).json()["items"]
    assert [a["id"] for a in upcoming] == [near.json()["id"]]
    past = (await api.get("/api/v1/portal/appointments", params={"scope": "past"}, headers=petra.headers)).json()
    assert [(a["id"], a["status"]) for a in past["items"]] == [(appointment["id"], "cancelled")]
    # The slot is free again, and the practice sees who booked what.
    rebook = await api.post("/api/v1/portal/appointments", json={"slot_id": later["id"]}, headers=other.headers)
    assert rebook.status_code == 201
    agenda = await api.get(
        "/api/v1/portal/practice/agenda",
        params={"from": today.isoformat(), "to": (today + timedelta(days=4)).isoformat()},
        headers=gp.headers,
    )
    booked_by = {slot["id"]: slot["person_name"] for slot in agenda.json() if slot["status"] == "booked"}
    assert booked_by == {soon["id"]: "Petra Test", later["id"]: "Karel Test"}


async def test_the_practice_opens_consultation_hours_as_free_slots(stack: Stack, api: httpx.AsyncClient) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    start = calendar.today() + timedelta(days=1)
    end = start + timedelta(days=13)
    made = await api.post(
        "/api/v1/portal/practice/schedules",
        json={
            "from_date": start.isoformat(),
            "to_date": end.isoformat(),
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": "08:30",
            "end_time": "10:00",
            "slot_minutes": 15,
        },
        headers=gp.headers,
    )
    assert made.status_code == 201, made.text
    working_days = sum(1 for n in range(14) if calendar.is_working_day(start + timedelta(days=n)))
    assert made.json() == {"slots_added": working_days * 6, "slots_skipped": 0}
    twice = await api.post(
        "/api/v1/portal/practice/schedules",
        json={
            "from_date": start.isoformat(),
            "to_date": end.isoformat(),
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": "08:30",
            "end_time": "10:00",
            "slot_minutes": 15,
        },
        headers=gp.headers,
    )
    assert twice.json() == {"slots_added": 0, "slots_skipped": working_days * 6}
    slots = (
        await api.get(
            "/api/v1/portal/slots", params={"from": start.isoformat(), "to": end.isoformat()}, headers=petra.headers
        )
    ).json()
    first = datetime.fromisoformat(slots[0]["start"]).astimezone(calendar.ZONE)
    assert (first.hour, first.minute) == (8, 30) and calendar.is_working_day(first.date())
    # What the schema states (weekday numbers, the slot length) the gateway names itself;
    # one field against another (the days' order, the hours' order) the portal names.
    out_of_range = await api.post(
        "/api/v1/portal/practice/schedules",
        json={
            "from_date": start.isoformat(),
            "to_date": end.isoformat(),
            "weekdays": [9],
            "start_time": "08:00",
            "end_time": "12:00",
            "slot_minutes": 2,
        },
        headers=gp.headers,
    )
    assert out_of_range.status_code == 422
    assert fields(out_of_range) == {"weekdays.0", "slot_minutes"}
    bad = await api.post(
        "/api/v1/portal/practice/schedules",
        json={
            "from_date": end.isoformat(),
            "to_date": start.isoformat(),
            "weekdays": [0],
            "start_time": "12:00",
            "end_time": "08:00",
            "slot_minutes": 10,
        },
        headers=gp.headers,
    )
    assert bad.status_code == 422
    assert fields(bad) == {"to_date", "end_time"}
    # Patients have no back office.
    assert (await api.get("/api/v1/portal/practice/clients", headers=petra.headers)).status_code == 403


# ----------------------------------------------------------------------------- prescriptions and results
async def test_repeat_prescriptions_of_chronic_medication_ready_by_the_noon_rule(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    path = f"/api/v1/portal/practice/clients/{petra.account_id}/medications"
    chronic = (
        await api.post(
            path, json={"name": "Metformine 500 mg", "dosage": "2 maal daags", "chronic": True}, headers=gp.headers
        )
    ).json()
    course = (await api.post(path, json={"name": "Amoxicilline 500 mg", "chronic": False}, headers=gp.headers)).json()

    mine = (await api.get("/api/v1/portal/medications", headers=petra.headers)).json()
    assert {(m["id"], m["name"], m["chronic"]) for m in mine} == {
        (chronic["id"], "Metformine 500 mg", True),
        (course["id"], "Amoxicilline 500 mg", False),
    }
    refused = await api.post(
        "/api/v1/portal/prescription-requests",
        json={"medication_ids": [chronic["id"], course["id"]]},
        headers=petra.headers,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "not_chronic")
    assert fields(refused) == {"medication_ids[1]"}
    assert "Amoxicilline" in refused.json()["errors"][0]["message"]

    made = await api.post(
        "/api/v1/portal/prescription-requests", json={"medication_ids": [chronic["id"]]}, headers=petra.headers
    )
    assert made.status_code == 201, made.text
    request = made.json()
    requested_at = datetime.fromisoformat(request["requested_at"])
    assert date.fromisoformat(request["ready_on"]) == calendar.prescription_ready_on(requested_at)
    assert calendar.is_working_day(date.fromisoformat(request["ready_on"]))
    assert (request["status"], [i["name"] for i in request["items"]]) == ("requested", ["Metformine 500 mg"])

    to_handle = (await api.get("/api/v1/portal/practice/prescription-requests", headers=gp.headers)).json()["items"]
    assert [(r["id"], r["person_name"]) for r in to_handle] == [(request["id"], "Petra Test")]
    ready = await api.post(f"/api/v1/portal/practice/prescription-requests/{request['id']}/ready", headers=gp.headers)
    assert ready.json()["status"] == "ready"
    mail = await _mail(stack, petra.email, 1)
    assert_notice(
        mail,
        subject="Uw herhaalrecept staat klaar",
        organisation=gp.staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}/portal/prescriptions",
        absent=["Metformine", "500 mg"],
    )
    twice = await api.post(f"/api/v1/portal/practice/prescription-requests/{request['id']}/ready", headers=gp.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "prescription_request_handled")
    mine_now = (await api.get("/api/v1/portal/prescription-requests", headers=petra.headers)).json()["items"]
    assert [(r["id"], r["status"]) for r in mine_now] == [(request["id"], "ready")]


async def test_results_are_mailed_without_values_and_downloaded_as_csv_and_pdf(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    published = await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/results",
        json={
            "title": "Bloedonderzoek",
            "taken_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "observations": [
                {"code": "GLUC", "name": "Glucose nuchter", "value": "7.2", "unit": "mmol/L",
                 "reference_low": "4.0", "reference_high": "6.1"},
                {"name": "Hemoglobine", "value": "8,4", "unit": "mmol/L",
                 "reference_low": "7.5", "reference_high": "10"},
                {"name": "Urine sediment", "value": "negatief", "reference_text": "negatief"},
            ],
        },
        headers=gp.headers,
    )  # fmt: skip
    assert published.status_code == 201, published.text
    result_id = published.json()["id"]
    mail = await _mail(stack, petra.email, 1)
    assert_notice(
        mail,
        subject="Er staat een uitslag voor u klaar",
        organisation=gp.staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}/portal/results",
        absent=["7.2", "Glucose", "mmol", "Bloedonderzoek"],
    )

    listed = (await api.get("/api/v1/portal/results", headers=petra.headers)).json()["items"]
    assert [(r["id"], r["title"], r["observations"]) for r in listed] == [(result_id, "Bloedonderzoek", [])]
    result = (await api.get(f"/api/v1/portal/results/{result_id}", headers=petra.headers)).json()
    assert [(o["name"], o["flag"], o["reference_range"]) for o in result["observations"]] == [
        ("Glucose nuchter", "high", "4.0 – 6.1"),
        ("Hemoglobine", "normal", "7.5 – 10"),
        ("Urine sediment", "", "negatief"),
    ]
    as_csv = await api.get(
        f"/api/v1/portal/results/{result_id}/export", params={"format": "csv"}, headers=petra.headers
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["onderzoek", "code", "waarde", "eenheid", "referentie"]
    assert rows[1][:6] == ["Glucose nuchter", "GLUC", "7.2", "mmol/L", "4.0 – 6.1", "hoog"]
    as_pdf = await api.get(f"/api/v1/portal/results/{result_id}/export", headers=petra.headers)
    assert (as_pdf.headers["content-type"], as_pdf.content[:5]) == ("application/pdf", b"%PDF-")


# ----------------------------------------------------------------------------- e-consult
async def test_an_econsult_with_a_photo_closes_with_the_answer_and_a_reaction_is_a_new_one(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    asked = await api.post(
        "/api/v1/portal/econsults",
        data={"subject": "Plekje op mijn arm", "question": "Sinds twee weken. Moet ik langskomen?"},
        files={"photos": ("arm.png", png(), "image/png")},
        headers=petra.headers,
    )
    assert asked.status_code == 201, asked.text
    thread = asked.json()
    assert (thread["kind"], thread["state"], len(thread["messages"][0]["attachments"])) == ("econsult", "open", 1)
    not_a_photo = await api.post(
        "/api/v1/portal/econsults",
        data={"subject": "Nog een", "question": "?"},
        files={"photos": ("arm.png", b"MZ\x90\x00 not an image", "image/png")},
        headers=petra.headers,
    )
    assert not_a_photo.status_code == 415
    assert [t["id"] for t in (await api.get("/api/v1/portal/messages", headers=petra.headers)).json()["items"]] == [
        thread["id"]
    ]

    inbox = (await api.get("/api/v1/portal/practice/econsults", headers=gp.headers)).json()["items"]
    assert [t["id"] for t in inbox] == [thread["id"]]
    answered = await api.post(
        f"/api/v1/threads/{thread['id']}/messages", json={"body": "Het ziet er onschuldig uit."}, headers=gp.headers
    )
    assert answered.status_code == 201, answered.text
    seen = (await api.get(f"/api/v1/threads/{thread['id']}", headers=petra.headers)).json()
    assert seen["state"] == "closed"
    assert [m["body"] for m in seen["messages"]] == [
        "Sinds twee weken. Moet ik langskomen?",
        "Het ziet er onschuldig uit.",
    ]
    reaction = await api.post(f"/api/v1/threads/{thread['id']}/messages", json={"body": "Dank!"}, headers=petra.headers)
    assert (reaction.status_code, reaction.json()["code"]) == (409, "thread_not_open")
    follow_up = await api.post(
        "/api/v1/portal/econsults",
        json={"subject": "Vervolgvraag plekje", "question": "Het jeukt nu ook."},
        headers=petra.headers,
    )
    assert follow_up.status_code == 201
    mine = (await api.get("/api/v1/portal/messages", params={"kind": "econsult"}, headers=petra.headers)).json()
    assert [(t["id"], t["state"]) for t in mine["items"]] == [
        (follow_up.json()["id"], "open"),
        (thread["id"], "closed"),
    ]
    # Staff do not start e-consults; patients do (this route is a person's).
    staff_try = await api.post("/api/v1/portal/econsults", json={"subject": "x", "question": "y"}, headers=gp.headers)
    assert (staff_try.status_code, staff_try.json()["code"]) == (403, "persons_only")


# ----------------------------------------------------------------------------- the whole dossier as FHIR
async def test_the_patient_downloads_their_own_data_as_a_valid_fhir_r4_bundle(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    karel = await new_client(stack, api, gp, "Karel", 60)
    await api.put(
        "/api/v1/portal/practice/consent-items",
        json={
            "items": [
                {"code": "lsp", "label_nl": "Delen via het LSP", "label_en": "Share via LSP", "default_granted": False}
            ]
        },
        headers=gp.headers,
    )
    assert (
        await api.put("/api/v1/portal/consents/lsp", json={"granted": True}, headers=petra.headers)
    ).status_code == 200
    await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/medications",
        json={"name": "Metformine 500 mg", "dosage": "2 maal daags", "chronic": True, "started_on": "2025-01-01"},
        headers=gp.headers,
    )
    await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/results",
        json={
            "title": "Bloedonderzoek",
            "taken_at": datetime.now(UTC).isoformat(),
            "observations": [{"name": "Glucose", "value": "7.2", "unit": "mmol/L", "reference_high": "6.1"},
                             {"name": "Urine", "value": "negatief"}],
        },
        headers=gp.headers,
    )  # fmt: skip
    await publish(api, gp, petra.account_id, "document", "Verwijsbrief")
    slot = await add_slot(api, gp, whole_minute(datetime.now(UTC) + timedelta(days=2)))
    await api.post("/api/v1/portal/appointments", json={"slot_id": slot["id"]}, headers=petra.headers)
    asked = await api.post(
        "/api/v1/portal/econsults", json={"subject": "Vraag", "question": "Mijn vraag"}, headers=petra.headers
    )
    await api.post(f"/api/v1/threads/{asked.json()['id']}/messages", json={"body": "Antwoord"}, headers=gp.headers)

    async def communications() -> int:
        bundle = (await api.get("/api/v1/portal/fhir", headers=petra.headers)).json()
        return sum(1 for e in bundle["entry"] if e["resource"]["resourceType"] == "Communication")

    async def both_messages() -> bool:
        return await communications() == 2

    await wait_until(both_messages, within=20.0, what="the e-consult's messages in the export")

    response = await api.get("/api/v1/portal/fhir", headers=petra.headers)
    assert response.headers["content-type"].startswith("application/fhir+json")
    document = response.json()
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    kinds: dict[str, int] = {}
    for entry in document["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        kinds[resource["resourceType"]] = kinds.get(resource["resourceType"], 0) + 1
    assert kinds == {
        "Patient": 1,
        "Appointment": 1,
        "MedicationStatement": 1,
        "Observation": 2,
        "DocumentReference": 1,
        "Communication": 2,
        "Consent": 1,
    }
    patient = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient")
    assert (patient["id"], patient["name"][0]["given"]) == (petra.account_id, ["Petra"])
    consent = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Consent")
    assert consent["provision"]["type"] == "permit"
    # Only the caller's own data.
    assert karel.account_id not in response.text
    other = (await api.get("/api/v1/portal/fhir", headers=karel.headers)).json()
    assert [e["resource"]["resourceType"] for e in other["entry"]] == ["Patient", "Consent"]


# ----------------------------------------------------------------------------- someone else's ids
async def test_a_patient_or_a_delegate_gets_404_on_every_id_of_another_patient(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    gp = await _gp(stack, api)
    petra = await new_client(stack, api, gp, "Petra", 52)
    karel = await new_client(stack, api, gp, "Karel", 60)
    # Karel acts for his son Tim (8): the practice granted it.
    granted = await api.post(
        "/api/v1/delegations",
        json={
            "delegate_account_id": karel.account_id,
            "child": {"first_name": "Tim", "last_name": "Test", "birth_date": years_ago(8).isoformat()},
        },
        headers=gp.headers,
    )
    assert granted.status_code == 201, granted.text
    acting = await api.post(
        "/api/v1/me/act-as", json={"person_id": granted.json()["person"]["account_id"]}, headers=karel.headers
    )
    tim = bearer(acting.json()["access_token"])

    slot = await add_slot(api, gp, whole_minute(datetime.now(UTC) + timedelta(days=2)))
    appointment = (
        await api.post("/api/v1/portal/appointments", json={"slot_id": slot["id"]}, headers=petra.headers)
    ).json()
    document = await publish(api, gp, petra.account_id, "report", "Verslag", approval=True)
    medication = (
        await api.post(
            f"/api/v1/portal/practice/clients/{petra.account_id}/medications",
            json={"name": "Metformine", "chronic": True},
            headers=gp.headers,
        )
    ).json()
    result = (
        await api.post(
            f"/api/v1/portal/practice/clients/{petra.account_id}/results",
            json={
                "title": "Lab",
                "taken_at": datetime.now(UTC).isoformat(),
                "observations": [{"name": "x", "value": "1"}],
            },
            headers=gp.headers,
        )
    ).json()
    note = (await api.post("/api/v1/portal/diary", json={"body": "Geheim"}, headers=petra.headers)).json()
    questionnaire = (
        await api.post(
            f"/api/v1/portal/practice/clients/{petra.account_id}/questionnaires",
            json={"title": "Klachten", "questions": [{"kind": "text", "text": "Hoe gaat het?"}]},
            headers=gp.headers,
        )
    ).json()
    econsult = (
        await api.post("/api/v1/portal/econsults", json={"subject": "V", "question": "Q"}, headers=petra.headers)
    ).json()

    attempts = [
        ("DELETE", f"/api/v1/portal/appointments/{appointment['id']}", None),
        ("GET", f"/api/v1/portal/documents/{document['id']}/file", None),
        ("POST", f"/api/v1/portal/documents/{document['id']}/approve", None),
        ("GET", f"/api/v1/portal/results/{result['id']}", None),
        ("GET", f"/api/v1/portal/results/{result['id']}/export", None),
        ("GET", f"/api/v1/portal/diary/{note['id']}", None),
        ("PUT", f"/api/v1/portal/diary/{note['id']}", {"body": "Overschreven"}),
        ("GET", f"/api/v1/portal/questionnaires/{questionnaire['id']}", None),
        ("PUT", f"/api/v1/portal/questionnaires/{questionnaire['id']}/answers", {"answers": {}, "submit": False}),
        ("GET", f"/api/v1/threads/{econsult['id']}", None),
    ]
    for headers in (karel.headers, tim):
        for method, path, body in attempts:
            response = await api.request(method, path, json=body, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
        ordered = await api.post(
            "/api/v1/portal/prescription-requests", json={"medication_ids": [medication["id"]]}, headers=headers
        )
        assert ordered.status_code == 422 and fields(ordered) == {"medication_ids[0]"}
        assert (await api.get("/api/v1/portal/documents", headers=headers)).json()["items"] == []
        assert (await api.get("/api/v1/portal/results", headers=headers)).json()["items"] == []
    # Nothing changed for Petra.
    assert (await api.get("/api/v1/portal/appointments", headers=petra.headers)).json()["items"][0][
        "status"
    ] == "upcoming"
    assert (await api.get("/api/v1/portal/diary", headers=petra.headers)).json()["items"][0]["body"] == "Geheim"
    # Another practice's staff do not find Petra's data either.
    other = await open_practice(stack, api, "Andere praktijk", PasswordPreset.GP_PORTAL)
    assert (
        await api.get(f"/api/v1/portal/practice/clients/{petra.account_id}", headers=other.headers)
    ).status_code == 404
    assert (await api.delete(f"/api/v1/portal/practice/slots/{slot['id']}", headers=other.headers)).status_code == 404
    assert (
        await api.get(f"/api/v1/portal/practice/documents/{document['id']}/file", headers=other.headers)
    ).status_code == 404
