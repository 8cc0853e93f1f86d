"""A client's record on the practice side of the portal (seeds 4 and 5) in a browser: a change
request applied changes the details the patient sees, one rejected needs an answer the
patient then reads, and one a colleague handled meanwhile is said on the list; the consent
items the practice sets are what the patient is asked, and each decision shows with its time
on the client page; medication added on the client page is what the patient can order, and a
stopped one is gone from that choice; the practice edits the personal details and reads only
the diary notes shared with it; a single free time is added and one removed in the agenda,
and a booked appointment is cancelled after a confirmation that says the patient gets a mail
(which arrives), and one planned on the patient's behalf shows in their portal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from browser_support import Journey, outbox_messages
from support import login
from test_portal_patient import GpPractice, gp_with_patient

from web.domain.moments import describe_day
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _patient_token(gp: GpPractice) -> str:
    async with httpx.AsyncClient(base_url=gp.stack.gateway_url, timeout=30.0) as api:
        return await login(api, gp.patient.email, gp.patient.password)


async def _as_patient(gp: GpPractice, method: str, path: str, **kwargs: Any) -> Any:
    return await gp.call(method, path, token=await _patient_token(gp), **kwargs)


async def test_a_change_request_applied_changes_the_patients_details_and_a_rejection_needs_an_answer(
    journey: Journey,
) -> None:
    gp = await gp_with_patient(journey.stack)
    await _as_patient(gp, "POST", "/portal/change-requests", json={"changes": {"city": "Utrecht"}, "note": "Verhuisd"})
    await _as_patient(gp, "POST", "/portal/change-requests", json={"changes": {"last_name": "Jansen"}})
    taken = await _as_patient(gp, "POST", "/portal/change-requests", json={"changes": {"first_name": "Petronella"}})
    await journey.log_in(gp.staff.email, gp.staff.password)

    await journey.goto("/practice")
    await journey.click_link("Wijzigingsverzoeken")
    cards = journey.page.locator("main .zp-card")
    assert await cards.count() == 3
    # A colleague handles one while this list is open: the list says so, not an error page.
    await gp.call("POST", f"/portal/practice/change-requests/{taken['id']}/accept", json={})
    async with journey.page.expect_navigation():
        await cards.filter(has_text="Petronella").get_by_role("button", name="Doorvoeren").click()
    await journey.checked()
    assert "Dit wijzigingsverzoek is al afgehandeld" in await journey.text()
    assert await cards.count() == 2
    moved = cards.filter(has_text="Utrecht")
    assert "Woonplaats" in await moved.inner_text() and "Verhuisd" in await moved.inner_text()
    await journey.snap("change-requests")
    async with journey.page.expect_navigation():
        await moved.get_by_role("button", name="Doorvoeren").click()
    await journey.checked()
    assert "De wijziging is doorgevoerd" in await journey.text()

    async with journey.page.expect_navigation():
        await cards.filter(has_text="Jansen").get_by_role("link", name="Afwijzen").click()
    await journey.submit("Afwijzen")
    assert "Schrijf waarom u het verzoek afwijst." in await journey.field_error("Uitleg voor de patiënt")
    await journey.snap("change-reject-refused", again=False)
    await journey.fill({"Uitleg voor de patiënt": "Stuurt u ons een kopie van uw identiteitsbewijs."})
    await journey.submit("Afwijzen")
    assert "Het verzoek is afgewezen" in await journey.text()
    assert "Er zijn geen wijzigingsverzoeken" in await journey.text()

    about = await _as_patient(gp, "GET", "/portal/about-me")
    assert about["city"] == "Utrecht" and about["last_name"] == "Test"
    requests = await _as_patient(gp, "GET", "/portal/change-requests")
    rejected = next(r for r in requests if r["status"] == "rejected")
    assert rejected["answer"] == "Stuurt u ons een kopie van uw identiteitsbewijs."


async def test_the_practices_consent_items_are_asked_of_the_patient_and_each_decision_shows_with_its_time(
    journey: Journey,
) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto("/practice/consent-items")
    await journey.page.locator("#field-item-1-label-nl").fill("Informatie delen met de apotheek")
    await journey.submit("Toestemmingen opslaan")
    assert await journey.error_summary_links() == ["#field-item-1-label-en"]
    assert await journey.page.locator("#field-item-1-label-nl").input_value() == "Informatie delen met de apotheek"
    await journey.page.locator("#field-item-1-label-en").fill("Share information with the pharmacy")
    await journey.page.locator("#field-item-1-default").check()
    await journey.submit("Toestemmingen opslaan")
    assert "De toestemmingen zijn opgeslagen." in await journey.text()
    await journey.page.locator("#field-item-2-label-nl").fill("Deelname aan onderzoek")
    await journey.page.locator("#field-item-2-label-en").fill("Taking part in research")
    await journey.submit("Toestemmingen opslaan")
    assert await journey.page.locator("#field-item-2-label-nl").input_value() == "Deelname aan onderzoek"
    assert not await journey.page.locator("#field-item-2-default").is_checked()
    await journey.snap("consent-items")

    # The patient is asked exactly these, and refuses the one given by default.
    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/consents")
    pharmacy = patient.page.locator("main form", has_text="Informatie delen met de apotheek")
    assert "Deelname aan onderzoek" in await patient.text()
    await pharmacy.get_by_label("Nee").check()
    async with patient.page.expect_navigation():
        await pharmacy.get_by_role("button").click()
    assert "Uw keuze is opgeslagen." in await patient.text()

    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    await journey.click_link("Gegevens en toestemming")
    row = journey.page.locator("main tr", has_text="Informatie delen met de apotheek")
    today = describe_day(calendar.today(), "nl")
    assert f"geen toestemming op {today} om" in await row.inner_text()
    research = await journey.page.locator("main tr", has_text="Deelname aan onderzoek").inner_text()
    assert "standaard van de praktijk" in research
    await journey.snap("client-consents")


async def test_a_stopped_medication_is_gone_from_the_patients_repeat_prescription_choice(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    await journey.click_link("Medicatie")
    assert "Geen huidige medicatie." in await journey.text()
    await journey.submit("Medicatie toevoegen")
    assert await journey.field_error("Geneesmiddel")
    await journey.snap("medication-refused", again=False)
    for name, chronic in (("Metformine 500 mg", True), ("Amoxicilline 500 mg", False), ("Simvastatine 40 mg", True)):
        await journey.fill({"Geneesmiddel": name, "Gebruik (niet verplicht)": "1x per dag"})
        if chronic:
            await journey.page.get_by_label("Chronisch (als herhaalrecept te bestellen)").check()
        await journey.submit("Medicatie toevoegen")
        assert "De medicatie is toegevoegd." in await journey.text()
    assert "kortdurend" in await journey.page.locator("main tr", has_text="Amoxicilline").inner_text()
    await journey.snap("medication")

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/prescriptions")
    assert await patient.page.get_by_label("Metformine 500 mg (1x per dag)").count() == 1

    await journey.submit("Metformine 500 mg stoppen")
    assert "De medicatie is gestopt." in await journey.text()
    assert "Metformine 500 mg – gestopt op" in await journey.page.locator("#stopped-heading + ul").inner_text()

    await patient.goto("/portal/prescriptions")
    assert "Metformine" not in await patient.text()
    assert await patient.page.get_by_label("Simvastatine 40 mg (1x per dag)").count() == 1


async def test_the_practice_edits_the_patients_details_and_reads_only_the_shared_diary_notes(journey: Journey) -> None:
    gp = await gp_with_patient(journey.stack)
    await _as_patient(gp, "POST", "/portal/diary", json={"body": "Slecht geslapen, veel gepiekerd.", "shared": True})
    await _as_patient(gp, "POST", "/portal/diary", json={"body": "Alleen voor mezelf.", "shared": False})
    await journey.log_in(gp.staff.email, gp.staff.password)

    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    await journey.click_link("Dagboek")
    text = await journey.text()
    assert "Slecht geslapen, veel gepiekerd." in text and "Alleen voor mezelf." not in text
    await journey.snap("client-diary")

    await journey.click_link("Gegevens en toestemming")
    assert await journey.field("Voornaam").input_value() == "Petra"
    await journey.fill({"Voornaam": "", "Woonplaats": "Zwolle", "Zorgverzekeraar": "Zilveren Kruis"})
    await journey.submit("Gegevens opslaan")
    assert await journey.field_error("Voornaam")
    assert await journey.field("Woonplaats").input_value() == "Zwolle", "what was typed stays"
    await journey.snap("client-details-refused", again=False)
    await journey.fill({"Voornaam": "Petra"})
    await journey.submit("Gegevens opslaan")
    assert "De gegevens zijn opgeslagen." in await journey.text()
    await journey.snap("client-details")

    about = await _as_patient(gp, "GET", "/portal/about-me")
    assert about["city"] == "Zwolle" and about["insurer"] == "Zilveren Kruis" and about["birth_date"] == "1974-05-01"


async def test_free_times_are_added_and_removed_and_a_cancelled_appointment_mails_the_patient(
    journey: Journey,
) -> None:
    gp = await gp_with_patient(journey.stack)
    booked = await gp.slot(datetime.now(UTC) + timedelta(days=3))
    await _as_patient(gp, "POST", "/portal/appointments", json={"slot_id": booked["id"], "reason": ""})
    start = datetime.fromisoformat(booked["start"]).astimezone(calendar.ZONE)
    await journey.log_in(gp.staff.email, gp.staff.password)

    await journey.goto(f"/practice?week={start.date().isoformat()}")
    await journey.click_link("Losse vrije tijd toevoegen")
    # An extra time well away from the booked one.
    extra = "21:00" if start.hour < 12 else "07:00"
    await journey.fill({"Datum": start.date().isoformat(), "Begintijd": "", "Eindtijd": extra[:3] + "20"})
    await journey.submit("Vrije tijd toevoegen")
    assert "Vul een tijd in" in await journey.field_error("Begintijd")
    await journey.snap("slot-refused", again=False)
    await journey.fill({"Begintijd": extra, "Plaats (niet verplicht)": "Spreekkamer 3"})
    await journey.submit("Vrije tijd toevoegen")
    assert "De vrije tijd is toegevoegd." in await journey.text()
    day = journey.page.locator("section").filter(has_text=describe_day(start.date(), "nl"))
    assert "Spreekkamer 3" in await day.inner_text()
    await journey.snap("agenda-with-actions")
    await journey.submit(f"Vrije tijd {extra} verwijderen")
    assert "De vrije tijd is verwijderd." in await journey.text()
    assert "Spreekkamer 3" not in await journey.text()

    clock = start.strftime("%H:%M")
    await journey.click_link(f"Afspraak {clock} annuleren")
    assert "De patiënt krijgt een e-mail dat de afspraak is geannuleerd." in await journey.text()
    await journey.snap("appointment-cancel")
    await journey.submit("Ja, afspraak annuleren")
    assert "De afspraak is geannuleerd." in await journey.text()
    assert "Petra" not in await journey.text()
    mails = await outbox_messages(journey.stack, gp.patient.email, count=2)
    assert any(mail["subject"] == "Uw afspraak is geannuleerd" for mail in mails)

    # Planned on the patient's behalf: it shows in the patient's portal.
    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    await journey.click_link("Afspraken")
    assert "Geen komende afspraken." in await journey.text()
    planned = calendar.today() + timedelta(days=5)
    await journey.fill({"Datum": planned.isoformat(), "Begintijd": "10:30", "Eindtijd": "10:00"})
    await journey.submit("Afspraak inplannen")
    assert "Kies een eindtijd na de begintijd." in await journey.field_error("Eindtijd")
    await journey.fill({"Eindtijd": "10:50", "Plaats (niet verplicht)": "Spreekkamer 1"})
    await journey.submit("Afspraak inplannen")
    assert "De afspraak is ingepland." in await journey.text()
    assert describe_day(planned, "nl") in await journey.text()
    await journey.snap("client-appointments")

    patient = await journey.another("patient")
    await patient.log_in(gp.patient.email, gp.patient.password)
    await patient.goto("/portal/appointments")
    assert describe_day(planned, "nl") in await patient.text()
