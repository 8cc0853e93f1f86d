"""The e-counter's new message, theme pages and "Hulp nodig?" widget (seed 3, 3.1.2.2, 3.2
and 3.3) in a browser: a message about a theme without a contact is refused until the
sender adds a contact for this message, then goes out with its attachment under a
reference number to the theme's team, whose case handler reads it and downloads the file;
a theme page lists in and out together with an In/Out filter and five a page; the widget
names the theme's team and opens a new message addressed to it."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from browser_support import Journey, add_contact_person, confirm_contact_person, link_in, outbox_messages
from support import add_themes, create_staff_member, login, supervise

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_new_message_with_an_attachment_goes_out_once_it_names_a_contact_for_this_message(
    journey: Journey, tmp_path: Path
) -> None:
    stack = journey.stack
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=frozenset({Role.CASE_HANDLER}),
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    [subsidies] = await add_themes(stack, department, "Subsidies")
    await supervise(stack, department.organisation_id, anker.organisation_id, subsidies)
    title = f"Aanvraag subsidie {uuid.uuid4().hex[:4]}"
    report = tmp_path / "begroting-2026.txt"
    report.write_text("Begroting 2026: personeel, huur, energie.\n", encoding="utf-8")

    await journey.log_in(anker.email, anker.password)
    await journey.goto("/ecounter")
    await journey.click_link("Stuur nieuw bericht")
    assert await journey.heading() == "Nieuw bericht"
    assert await journey.page.get_by_test_id("pick-theme").is_visible(), "the contacts wait for a theme"
    await journey.field("Thema").select_option(subsidies)
    await journey.submit("Contactpersonen van dit thema tonen")
    assert "Team Subsidies" in await journey.page.get_by_test_id("addressed-to").inner_text()
    assert await journey.page.get_by_test_id("no-contacts").is_visible()
    await journey.fill({"Titel": title, "Tekst": "In bijlage de begroting voor 2026."})
    await journey.field("Bijlagen").set_input_files(str(report))
    await journey.snap("ecounter-new")

    # 3.1.2.2 C: without a contact for the theme nothing is sent; what was typed stays.
    await journey.submit("Verzenden")
    summary = await journey.page.locator(".zp-error-summary").inner_text()
    assert "Er is geen contactpersoon voor het thema van dit bericht" in summary
    assert await journey.field("Titel").input_value() == title
    await journey.snap("ecounter-new-no-contact", again=False)

    # A malformed address of the added contact is named at its field.
    await journey.fill(
        {
            "Voornaam contactpersoon": "Els",
            "Naam contactpersoon": "Peeters",
            "E-mailadres contactpersoon": "els@",
            "Telefoonnummer contactpersoon": "+32 2 553 35 00",
        }
    )
    await journey.submit("Verzenden")
    assert await journey.field_error("E-mailadres contactpersoon")
    assert "#field-contacts-email" in await journey.error_summary_links()

    contact = f"els-{uuid.uuid4().hex[:6]}@hetanker.example"
    await journey.fill({"E-mailadres contactpersoon": contact})
    await journey.field("Bijlagen").set_input_files(str(report))
    await journey.submit("Verzenden")
    assert await journey.heading() == title
    page = await journey.text()
    assert "Uw bericht is verstuurd onder referentienummer" in page and "Ontvangen door: Team Subsidies" in page
    reference = (await journey.page.get_by_test_id("reference").inner_text()).strip()
    assert reference in page
    assert await journey.page.get_by_role("link", name="begroting-2026.txt").count() == 1
    assert contact in await journey.page.get_by_test_id("contacts").inner_text(), "the contact is this message's"
    await journey.snap("ecounter-new-sent", again=False)

    handler = await journey.another("case-handler")
    await handler.log_in(department.email, department.password)
    await handler.goto("/ecounter")
    await handler.click_link(title)
    assert await handler.heading() == title
    assert reference in await handler.text() and "In bijlage de begroting voor 2026." in await handler.text()
    link = handler.page.get_by_role("link", name="begroting-2026.txt")
    downloaded = await handler.page.request.get(handler.web + (await link.get_attribute("href") or ""))
    assert downloaded.ok and await downloaded.text() == report.read_text(encoding="utf-8")
    await handler.snap("ecounter-received-with-file")

    # The case handler answers with a file too; the organisation reads it under the reference.
    answer = tmp_path / "ontvangstbevestiging.txt"
    answer.write_text("Ontvangen.\n", encoding="utf-8")
    await handler.fill({"Tekst": "Uw aanvraag is ontvangen."})
    await handler.field("Bijlagen").set_input_files(str(answer))
    await handler.submit("Verzenden")
    assert f"onder referentienummer {reference}" in await handler.text()
    await journey.goto(journey.page.url)
    assert await journey.page.get_by_role("link", name="ontvangstbevestiging.txt").count() == 1


async def test_a_theme_page_lists_in_and_out_with_the_in_out_filter_and_the_widget_opens_a_new_message(
    journey: Journey,
) -> None:
    stack = journey.stack
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=frozenset({Role.CASE_HANDLER}),
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    [erkenning] = await add_themes(stack, department, "Erkenning")
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        auth = _bearer(await login(api, anker.email))
        await add_contact_person(api, auth, anker.email, [erkenning])
        await confirm_contact_person(stack, api, anker.email)
        for number in range(6):
            sent = await api.post(
                "/api/v1/ecounter/messages",
                json={"theme_id": erkenning, "title": f"Uit {number}", "body": "Vraag."},
                headers=auth,
            )
            assert sent.status_code == 201, sent.text
        received = await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": erkenning,
                "title": "In van het departement",
                "body": "Antwoord.",
                "organisation_id": anker.organisation_id,
            },
            headers=_bearer(await login(api, department.email)),
        )
        assert received.status_code == 201, received.text

    await journey.log_in(anker.email, anker.password)
    await journey.goto("/ecounter")
    await journey.goto(f"/ecounter/themes/{erkenning}")
    assert await journey.heading() == "Erkenning"
    items = journey.page.get_by_test_id("ecounter-item")
    assert await items.count() == 5, "five a page"
    assert await items.first.get_attribute("data-box") == "received", "newest first, in and out together"
    await journey.snap("ecounter-theme")
    await journey.page.locator("main").get_by_role("link", name="Volgende").click()
    await journey.page.wait_for_url("**cursor=**")
    await journey.checked()
    assert await items.count() == 2
    await journey.page.locator("main").get_by_role("link", name="Vorige").click()
    await journey.page.wait_for_url(lambda url: "cursor=" not in url)
    assert await items.count() == 5

    await journey.click_link("In")
    assert [await item.get_attribute("data-box") for item in await items.all()] == ["received"]
    assert "In van het departement" in await journey.text()
    await journey.snap("ecounter-theme-in")
    await journey.click_link("Uit")
    assert {await item.get_attribute("data-box") for item in await items.all()} == {"sent"}
    assert await items.count() == 5

    widget = journey.page.get_by_test_id("help-widget")
    assert "Hulp nodig?" in await widget.inner_text()
    team_link = widget.get_by_role("link", name=f"Vraag stellen aan Team Erkenning ({department.organisation_name})")
    async with journey.page.expect_navigation():
        await team_link.click()
    await journey.checked()
    assert await journey.heading() == "Nieuw bericht"
    assert await journey.field("Thema").input_value() == erkenning
    assert "Team Erkenning" in await journey.page.get_by_test_id("addressed-to").inner_text()
    contacts = await journey.page.get_by_test_id("contacts").inner_text()
    assert anker.email in contacts, "the theme's standard contact person is listed"
    await journey.snap("ecounter-help-new-message")


async def test_the_technical_helpdesk_takes_a_question_and_mails_a_confirmation(journey: Journey) -> None:
    stack = journey.stack
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    # The helpdesk that answers is the supervising department's (it runs the e-counter).
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=frozenset({Role.HELPDESK}),
        kind="government_department",
    )
    await supervise(stack, department.organisation_id, anker.organisation_id, "erkenning")
    email = f"vraag-{uuid.uuid4().hex[:8]}@hetanker.example"
    await journey.log_in(anker.email, anker.password)
    await journey.goto("/ecounter")
    widget = journey.page.get_by_test_id("help-widget")
    await widget.get_by_text("Technische helpdesk").click()
    assert await journey.field("Uw e-mailadres").input_value() == anker.email, "the address is filled in"
    await journey.snap("ecounter-helpdesk-open", again=False)

    # An empty question and a malformed address are named at their fields.
    await journey.fill({"Uw e-mailadres": "vraag@"})
    await journey.submit("Verstuur")
    assert await journey.heading() == "Technische helpdesk"
    assert await journey.field_error("Uw e-mailadres") and await journey.field_error("Uw vraag")
    assert set(await journey.error_summary_links()) == {"#field-help-email", "#field-help-question"}
    await journey.snap("ecounter-helpdesk-refused", again=False)

    await journey.fill({"Uw e-mailadres": email, "Uw vraag": "Ik zie mijn verstuurde berichten niet."})
    await journey.submit("Verstuur")
    assert await journey.heading() == "Mijn berichten", "back where the widget was"
    assert f"U krijgt een bevestiging op {email}" in await journey.text()
    await journey.snap("ecounter-helpdesk-asked", again=False)

    await journey.goto("/ecounter/helpdesk")
    await journey.snap("ecounter-helpdesk")

    [mail] = await outbox_messages(stack, email)
    assert mail["subject"] == "Uw vraag aan de technische helpdesk is ontvangen"
    assert "verstuurde berichten" not in mail["text"], "the confirmation never carries the question"
    await journey.goto(link_in(mail, "/threads/"))
    assert "Ik zie mijn verstuurde berichten niet." in await journey.text(), "the link opens the ticket"
