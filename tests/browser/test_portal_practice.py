"""The practice side of the portal (seeds 4 and 5) in a browser, as a practitioner works
it: consulting hours added as a schedule become free times a patient books, and the
booking shows in the practitioner's week agenda with the patient's name; a repeat
prescription marked ready mails the patient (no medicine named), one rejected needs an
answer the patient then reads; an e-consult answered from the work list is closed for the
patient; a lab result published line by line shows on the patient's results page, and a
report published for approval is approved by the patient; a trajectory started with its
agreement waits for the patient's approval and is ended; and staff who give no care are
refused the pages and not offered them in the menu."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from browser_support import Journey, outbox_messages
from support import create_staff_member, login
from test_portal_patient import gp_with_patient

from identity.domain.accounts import Role
from web.domain.moments import describe_day
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_consulting_hours_become_free_times_and_a_booking_shows_in_the_agenda(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.page.locator("nav").get_by_role("link", name="Praktijk").click()
    await journey.page.wait_for_url("**/practice")
    await journey.checked()
    assert await journey.heading() == "Agenda"
    await journey.snap("agenda-empty")

    await journey.click_link("Spreekuren")
    first = calendar.today() + timedelta(days=2)
    await journey.fill({"Vanaf": first.isoformat(), "Tot en met": "", "Minuten per afspraak": "tien"})
    await journey.submit("Spreekuren toevoegen")
    assert "Vul een heel aantal minuten in, bijvoorbeeld 10." in await journey.field_error("Minuten per afspraak")
    assert await journey.field_error("Tot en met")
    assert "#field-weekdays" in await journey.error_summary_links()
    await journey.snap("schedule-refused", again=False)

    await journey.fill(
        {
            "Tot en met": (first + timedelta(days=6)).isoformat(),
            "Begintijd": "09:00",
            "Eindtijd": "10:00",
            "Minuten per afspraak": "20",
            "Plaats (niet verplicht)": "Spreekkamer 2",
        }
    )
    for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"):
        await journey.page.get_by_label(day, exact=True).check()
    await journey.snap("schedule")
    await journey.submit("Spreekuren toevoegen")
    assert re.search(r"Er zijn \d+ vrije tijden toegevoegd", await journey.text())
    assert "Spreekkamer 2" in await journey.text() and "vrij" in await journey.text()

    # The patient, at a browser of their own, books the first free time.
    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/appointments/new")
    free = await _first_free_day(patient, first)
    await patient.click_link(describe_day(free, "nl"))
    await patient.page.get_by_label(re.compile(r"^09:00 – ")).check()
    await patient.submit("Volgende")
    await patient.submit("Afspraak maken")
    assert "Uw afspraak is gemaakt" in await patient.text()

    await journey.goto(f"/practice?week={free.isoformat()}")
    day_section = journey.page.locator("section").filter(has_text=describe_day(free, "nl"))
    booked = day_section.locator("tr").filter(has_text="09:00")
    assert "Petra" in await booked.inner_text()
    await journey.snap("agenda-booked")
    await journey.click_link("Volgende week")
    assert describe_day(free, "nl") not in await journey.text()


async def _first_free_day(patient: Journey, first: date) -> date:
    """The first weekday from ``first`` on (the schedule has no weekend times), looked up
    in the booking page's months ("Meer" when it lies in the next month)."""
    day = first
    while day.weekday() > 4:
        day += timedelta(days=1)
    for _ in range(2):
        if describe_day(day, "nl") in await patient.text():
            break
        await patient.click_link("Meer")
    return day


async def test_a_repeat_prescription_marked_ready_mails_the_patient_and_a_rejection_needs_an_answer(
    journey: Journey,
) -> None:
    gp = await gp_with_patient(journey.stack)
    base = f"/portal/practice/clients/{gp.patient.account_id}/medications"
    first = await gp.call("POST", base, json={"name": "Metformine 500 mg", "dosage": "2x per dag", "chronic": True})
    second = await gp.call("POST", base, json={"name": "Simvastatine 40 mg", "dosage": "1x per dag", "chronic": True})
    async with httpx.AsyncClient(base_url=journey.stack.gateway_url, timeout=30.0) as api:
        patient_token = await login(api, gp.patient.email, gp.patient.password)
    for medication in (first, second):
        await gp.call(
            "POST", "/portal/prescription-requests", token=patient_token, json={"medication_ids": [medication["id"]]}
        )
    await journey.log_in(gp.staff.email, gp.staff.password)

    await journey.goto("/practice/prescriptions")
    cards = journey.page.locator("main .zp-card")
    assert await cards.count() == 2
    await journey.snap("prescriptions")
    async with journey.page.expect_navigation():
        await cards.filter(has_text="Metformine").get_by_role("button", name="Klaarzetten").click()
    await journey.checked()
    assert "Het herhaalrecept staat klaar" in await journey.text()
    assert "Metformine" not in await journey.text()
    [mail] = await outbox_messages(journey.stack, gp.patient.email)
    assert mail["subject"] == "Uw herhaalrecept staat klaar"
    assert "Metformine" not in str(mail), "a notice never names the medicine"

    await journey.click_link("Afwijzen")
    await journey.submit("Afwijzen")
    assert "Schrijf waarom u de aanvraag afwijst." in await journey.field_error("Uitleg voor de patiënt")
    await journey.snap("prescription-reject-refused", again=False)
    await journey.fill({"Uitleg voor de patiënt": "Eerst controle bij de praktijkondersteuner."})
    await journey.submit("Afwijzen")
    assert "De aanvraag is afgewezen" in await journey.text()
    assert "Er zijn geen aanvragen om af te handelen" in await journey.text()

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/prescriptions")
    text = await patient.text()
    assert "klaar" in text and "afgewezen: Eerst controle bij de praktijkondersteuner." in text


async def test_an_econsult_answered_from_the_work_list_is_closed_for_the_patient(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    async with httpx.AsyncClient(base_url=journey.stack.gateway_url, timeout=30.0) as api:
        patient_token = await login(api, gp.patient.email, gp.patient.password)
    await gp.call(
        "POST",
        "/portal/econsults",
        token=patient_token,
        json={"subject": "Hoesten sinds twee weken", "question": "Moet ik langskomen?"},
    )
    await journey.log_in(gp.staff.email, gp.staff.password)

    await journey.goto("/practice/econsults")
    assert "Nog geen beantwoorde e-consulten" in await journey.text()
    await journey.snap("econsults")
    await journey.click_link("Hoesten sinds twee weken")
    assert "Moet ik langskomen?" in await journey.text()
    await journey.fill({"Uw bericht": "Komt u morgen op het spreekuur."})
    await journey.submit("Verzenden")
    await journey.goto("/practice/econsults")
    assert "Er zijn geen e-consulten om te beantwoorden" in await journey.text()
    answered = journey.page.locator("section").filter(has_text="Beantwoord").last
    assert "Hoesten sinds twee weken" in await answered.inner_text()

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/messages")
    assert "beantwoord" in await patient.text()
    await patient.click_link("Hoesten sinds twee weken")
    text = await patient.text()
    assert "Komt u morgen op het spreekuur." in text and "Op het antwoord kunt u niet reageren" in text


async def test_a_result_published_on_the_practice_side_shows_on_the_patients_results_page(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto("/practice/clients")
    await journey.click_link("Petra Test")
    assert "Nog geen uitslagen gepubliceerd" in await journey.text()

    yesterday = calendar.today() - timedelta(days=1)
    await journey.fill({"Onderzoek": "Bloedonderzoek", "Datum afname": yesterday.isoformat(), "Tijd afname": "08:30"})
    lines = {
        "#field-obs-1-name": "Glucose nuchter",
        "#field-obs-1-value": "7.9",
        "#field-obs-1-unit": "mmol/L",
        "#field-obs-1-reference-low": "4,0",
        "#field-obs-1-reference-high": "6.1",
        "#field-obs-2-name": "Hemoglobine",
        "#field-obs-2-reference-high": "hoog",
    }
    for selector, value in lines.items():
        await journey.page.locator(selector).fill(value)
    await journey.submit("Uitslag publiceren")
    summary = await journey.error_summary_links()
    assert summary == ["#field-obs-2-value", "#field-obs-2-reference-high"]
    assert "Vul dit veld in." in await journey.page.locator("#field-obs-2-value-error-1").inner_text()
    await journey.snap("result-refused", again=False)

    await journey.page.locator("#field-obs-2-value").fill("8.7")
    await journey.page.locator("#field-obs-2-reference-high").fill("10")
    await journey.submit("Uitslag publiceren")
    assert "De uitslag is gepubliceerd" in await journey.text()
    assert "Bloedonderzoek" in await journey.text()
    await journey.snap("client")
    [notice] = await outbox_messages(journey.stack, gp.patient.email)
    assert "7.9" not in str(notice), "a result's notice never carries its values"

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/results")
    await patient.click_link("Bloedonderzoek")
    text = await patient.text()
    assert "Glucose nuchter" in text and "7.9 mmol/L" in text and "te hoog" in text and "Hemoglobine" in text


async def test_a_report_published_for_approval_is_approved_by_the_patient(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    assert "Nog geen documenten" in await journey.text()
    await journey.submit("Document publiceren")
    assert await journey.field_error("Titel") and await journey.field_error("Bestand")

    letter = journey.shots / "verwijsbrief.txt"
    journey.shots.mkdir(parents=True, exist_ok=True)
    letter.write_text("Verwijzing naar de fysiotherapeut.\n", encoding="utf-8")
    await journey.fill({"Titel": "Verwijsbrief"})
    await journey.field("Soort").select_option("report")
    await journey.page.get_by_label("De patiënt moet akkoord geven").check()
    await journey.field("Bestand").set_input_files(str(letter))
    await journey.submit("Document publiceren")
    assert "Het document is gepubliceerd" in await journey.text()
    row = journey.page.locator("main tr", has_text="Verwijsbrief")
    assert "Verslag" in await row.inner_text() and "wacht op akkoord" in await row.inner_text()
    await journey.snap("client-documents")

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/documents?kind=report")
    async with patient.page.expect_navigation():
        await (
            patient.page.locator("main tr", has_text="Verwijsbrief").get_by_role("button", name="Ik ga akkoord").click()
        )
    await patient.checked()
    assert "Uw akkoord is vastgelegd." in await patient.text()

    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    assert "akkoord van" in await journey.page.locator("main tr", has_text="Verwijsbrief").inner_text()


async def test_a_trajectory_started_with_its_agreement_waits_for_the_patient_and_is_ended(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    assert "Nog geen trajecten" in await journey.text()
    await journey.click_link("Traject starten")
    await journey.submit("Traject starten")
    assert await journey.field_error("Naam van het traject")

    agreement = journey.shots / "overeenkomst.pdf"
    journey.shots.mkdir(parents=True, exist_ok=True)
    agreement.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    await journey.fill({"Naam van het traject": "Leefstijlbegeleiding"})
    await journey.field("Behandelovereenkomst").set_input_files(str(agreement))
    await journey.submit("Traject starten")
    assert "Het traject is gestart en wacht op akkoord" in await journey.text()
    card = journey.page.locator("main .zp-card", has_text="Leefstijlbegeleiding")
    assert "wacht op akkoord" in await card.inner_text() and "Petra" in await card.inner_text()
    await journey.snap("client-trajectory")

    async with journey.page.expect_navigation():
        await card.get_by_role("link", name="Traject beëindigen").click()
    await journey.checked()
    assert "Wilt u het traject Leefstijlbegeleiding van" in await journey.text()
    assert "verliest de toegang tot het portaal als dit het laatste traject is" in await journey.text()
    assert "Leefstijlbegeleiding – beëindigd" not in await journey.text(), "nothing is ended before it is confirmed"
    await journey.fill({"Reden (niet verplicht)": "Begeleiding afgerond"})
    await journey.submit("Ja, traject beëindigen")
    assert "Het traject is beëindigd" in await journey.text()
    assert "Leefstijlbegeleiding – beëindigd" in await journey.text()


async def test_staff_who_give_no_care_are_refused_the_practice_pages(journey: Journey) -> None:
    clerk = await create_staff_member(journey.stack, roles=frozenset({Role.STAFF}))
    await journey.log_in(clerk.email, clerk.password)
    assert await journey.page.locator("nav").get_by_role("link", name="Praktijk").count() == 0
    response = await journey.goto("/practice")
    assert response.status == 403
    assert await journey.heading() == "Geen toegang"
    response = await journey.goto("/practice/prescriptions")
    assert response.status == 403
