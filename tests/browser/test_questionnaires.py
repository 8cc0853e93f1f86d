"""Questionnaires (seed 4, "eventuele vragenlijsten invullen") in a browser: the
practitioner sends one from the client's page (a wrong row is named on its own field), the
client is mailed a notice without its questions, follows its link, saves a draft, comes
back to the saved answers, is told which required question is still open, submits, and
then reads the answers without a form; the practitioner sees the answers, and finds the
questionnaire again in the practice-wide list of those filled in."""

from __future__ import annotations

import pytest
from browser_support import Journey, link_in, outbox_messages
from test_portal_patient import gp_with_patient

pytestmark = pytest.mark.asyncio(loop_scope="session")

TITLE = "Hoe gaat het met je?"


async def test_a_questionnaire_is_sent_filled_in_as_a_draft_submitted_and_read_by_the_practitioner(
    journey: Journey,
) -> None:
    gp = await gp_with_patient(journey.stack)
    await journey.log_in(gp.staff.email, gp.staff.password)
    await journey.goto(f"/practice/clients/{gp.patient.account_id}")
    await journey.click_link("Vragenlijst sturen")
    page = journey.page
    await page.locator("#field-q-1-text").fill("Slaap je goed?")
    await page.locator("#field-q-1-kind").select_option("choice")
    await page.locator("#field-q-1-options").fill("Ja")
    await journey.submit("Vragenlijst sturen")
    assert await journey.error_summary_links() == ["#field-title", "#field-q-1-options"]
    assert "Geef 2 tot 20 verschillende keuzes" in await page.locator("#field-q-1-options-error-1").inner_text()
    await journey.snap("send-refused", again=False)

    await journey.fill({"Titel van de vragenlijst": TITLE})
    await page.locator("#field-q-1-options").fill("Ja\nSoms\nNee")
    await page.locator("#field-q-2-text").fill("Wat ging deze week goed?")
    await page.locator("#field-q-3-text").fill("Hoe voel je je vandaag?")
    await page.locator("#field-q-3-kind").select_option("scale")
    await page.locator("#field-q-3-min-label").fill("heel slecht")
    await page.locator("#field-q-3-scale-max").fill("5")
    await page.locator("#field-q-3-max-label").fill("heel goed")
    await journey.submit("Vragenlijst sturen")
    assert "De vragenlijst is verstuurd" in await journey.text()
    assert TITLE in await journey.text() and "Nog niet ingevuld" in await journey.text()

    [notice] = await outbox_messages(journey.stack, gp.patient.email)
    assert notice["subject"] == "Er staat een vragenlijst voor u klaar"
    assert "Slaap" not in str(notice) and TITLE not in str(notice), "a notice never carries the questions"

    patient = await journey.another("patient")
    await patient.goto(link_in(notice, "/portal/questionnaires"))
    await patient.page.locator("#field-username").fill(gp.patient.email)
    await patient.page.locator("#field-password").fill(gp.patient.password)
    await patient.submit()
    assert await patient.heading() == "Vragenlijsten"
    await patient.click_link(TITLE)
    await patient.fill({"Wat ging deze week goed?": "Voetbaltraining"})
    await patient.submit("Opslaan als concept")
    assert "opgeslagen als concept" in await patient.text()

    await patient.goto("/portal/questionnaires")
    assert "Concept opgeslagen op" in await patient.text()
    await patient.click_link(TITLE)
    assert await patient.field("Wat ging deze week goed?").input_value() == "Voetbaltraining"
    assert "(1: heel slecht, 5: heel goed)" in await patient.text(), "the scale's ends say what they mean"
    await patient.snap("draft")
    await patient.submit("Versturen")
    assert await patient.error_summary_links() == ["#field-answer-1", "#field-answer-3"]
    assert "Beantwoord de vraag “Slaap je goed?”." in await patient.text()
    await patient.snap("submit-refused", again=False)

    await patient.page.get_by_label("Soms").check()
    await patient.page.locator("#field-answer-3").get_by_label("4", exact=True).check()
    await patient.submit("Versturen")
    assert "De vragenlijst is verstuurd" in await patient.text() and "Verstuurd op" in await patient.text()
    await patient.click_link(TITLE)
    assert await patient.page.locator("main form textarea, main form input[type=radio]").count() == 0
    assert "Voetbaltraining" in await patient.text() and "Soms" in await patient.text()

    await journey.goto(f"/practice/clients/{gp.patient.account_id}/questionnaires")
    assert "Verstuurd op" in await journey.text()
    await journey.click_link(TITLE)
    answers = await journey.page.locator("main dl").inner_text()
    assert "Voetbaltraining" in answers and "Soms" in answers and "4" in answers
    await journey.snap("answers")

    # The whole practice's questionnaires, without opening every client.
    await journey.click_link("Vragenlijsten")
    await journey.click_link("Ingevuld")
    row = journey.page.locator("main tbody tr").filter(has_text=TITLE)
    assert "Petra" in await row.inner_text() and "Verstuurd op" in await row.inner_text()
    await journey.snap("practice-questionnaires")
    await journey.click_link("Nog niet ingevuld")
    assert TITLE not in await journey.text()
