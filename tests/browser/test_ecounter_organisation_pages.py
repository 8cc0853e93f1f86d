"""The e-counter's own pages (seed 3, 2.1–2.2) in a browser: the start page's tasks go
once a contact person for the theme is added there and confirmed through the mailed link,
and its latest received messages open their detail; the organisation data are edited on the one
organisation form, which refuses a malformed e-mail address in edit mode with nothing
saved and then brings the administrator back (and they are read-only for anyone but an
administrator); a contact person with missing fields has every field named, a new
e-mail address makes a confirmed one "niet bevestigd" again, one without an account is
shown without e-counter access, and removal asks first."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from browser_support import (
    Journey,
    add_contact_person,
    confirm_contact_person,
    link_in,
    log_in_with_email_code,
    outbox_messages,
)
from playwright.async_api import Locator
from support import add_themes, create_staff_member, login, supervise

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _suffix() -> str:
    return uuid.uuid4().hex[:4]


async def _follow(journey: Journey, row: Locator, action: str) -> None:
    """Follows a row's action link ("Bewerken", "Verwijderen"; its name also says whom)."""
    async with journey.page.expect_navigation():
        await row.get_by_role("link", name=re.compile("^" + re.escape(action))).click()
    await journey.checked()


async def test_a_task_goes_once_its_theme_has_a_confirmed_contact_and_received_messages_open(
    journey: Journey,
) -> None:
    stack = journey.stack
    # The department's side of the e-counter is its case handlers'.
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {_suffix()}",
        roles=frozenset({Role.CASE_HANDLER}),
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {_suffix()}")
    # Theme names of their own (a theme id is the name as a slug): every browser test
    # shares one catalogue.
    sfx = _suffix()
    erkenning, subsidies = await add_themes(stack, department, f"Erkenning-{sfx}", f"Subsidies-{sfx}")
    # A theme it is not supervised in is no task of Het Anker's, nor a theme to choose.
    await add_themes(stack, department, f"Toezicht-{sfx}")
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning, subsidies)

    await journey.log_in(anker.email, anker.password)
    await journey.goto("/staff")
    await journey.click_link("E-loket")
    assert await journey.heading() == "E-loket"
    tasks = await journey.page.get_by_test_id("tasks").inner_text()
    assert f"thema Erkenning-{sfx}" in tasks and f"thema Subsidies-{sfx}" in tasks
    assert f"Toezicht-{sfx}" not in tasks
    assert "Er zijn nog geen berichten ontvangen." in await journey.text()
    await journey.snap("ecounter-start-tasks")

    # The task leads to the form with its theme ticked.
    await journey.click_link(f"Geef een contactpersoon op voor het thema Erkenning-{sfx}")
    assert await journey.heading() == "Contactpersoon toevoegen"
    assert await journey.field(f"Erkenning-{sfx}").is_checked()
    assert not await journey.field(f"Subsidies-{sfx}").is_checked()
    assert await journey.page.get_by_label(f"Toezicht-{sfx}").count() == 0
    await journey.fill(
        {"Voornaam": "Mila", "Naam": "Medewerker", "E-mailadres": anker.email, "Telefoonnummer": "+32 2 553 35 00"}
    )
    await journey.submit("Bewaren")
    assert await journey.heading() == "Contactpersonen"
    assert f"De bevestigingsmail is verstuurd naar {anker.email}" in await journey.text()
    row = journey.page.get_by_test_id("contact").filter(has_text=anker.email)
    assert "niet bevestigd" in await row.get_by_test_id("state").inner_text()
    assert await row.get_by_test_id("no-access").count() == 0, "a colleague who works the e-counter has access"
    await journey.snap("ecounter-contacts-added")

    # Unconfirmed, the task stays.
    await journey.goto("/ecounter/start")
    assert f"thema Erkenning-{sfx}" in await journey.page.get_by_test_id("tasks").inner_text()

    [mail] = [m for m in await outbox_messages(stack, anker.email) if "/contact-persons/confirm/" in m["text"]]
    confirmer = await journey.another("contact")
    await confirmer.goto(link_in(mail, "/contact-persons/confirm/"))
    await confirmer.submit("Gegevens bevestigen")
    assert await confirmer.heading() == "Bevestiging in orde"

    await journey.goto("/ecounter/start")
    tasks = await journey.page.get_by_test_id("tasks").inner_text()
    assert f"thema Erkenning-{sfx}" not in tasks and f"thema Subsidies-{sfx}" in tasks
    await journey.goto("/ecounter/contacts")
    row = journey.page.get_by_test_id("contact").filter(has_text=anker.email)
    assert (await row.get_by_test_id("state").inner_text()).strip() == "bevestigd"
    assert "Mila Medewerker" in await journey.page.get_by_test_id("per-theme").inner_text()

    # A message of the department is among the latest received and opens its detail.
    title = f"Vraag over uw erkenning {_suffix()}"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        sent = await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": erkenning,
                "title": title,
                "body": "Stuur het inspectieverslag mee.",
                "organisation_id": anker.organisation_id,
            },
            headers=_bearer(await login(api, department.email)),
        )
        assert sent.status_code == 201, sent.text
    await journey.goto("/ecounter/start")
    assert title in await journey.page.get_by_test_id("latest-received").inner_text()
    await journey.snap("ecounter-start")
    await journey.click_link(title)
    assert await journey.heading() == title
    assert sent.json()["reference"] in await journey.text()


async def test_organisation_data_refuse_a_malformed_email_in_edit_mode_and_keep_what_was_saved(
    journey: Journey,
) -> None:
    stack = journey.stack
    administrator = await create_staff_member(
        stack, organisation_name=f"Het Anker {_suffix()}", roles=frozenset({Role.ADMIN, Role.STAFF})
    )
    await log_in_with_email_code(journey, administrator.email, administrator.password)
    await journey.goto("/ecounter/organisation")
    assert await journey.heading() == "Organisatiegegevens"
    # "Bewerken" opens the one organisation form, and saving there comes back here.
    await journey.click_link("Bewerken")
    assert journey.page.url.endswith("/staff/organisation?next=/ecounter/organisation")
    await journey.fill(
        {"Telefoonnummer": "+32 2 553 35 00", "E-mailadres": "info@hetanker.be", "Website (URL)": "https://hetanker.be"}
    )
    await journey.submit("Opslaan")
    assert journey.page.url.endswith("/ecounter/organisation")
    assert "De organisatiegegevens zijn opgeslagen." in await journey.text()
    assert (await journey.page.get_by_test_id("email").inner_text()).strip() == "info@hetanker.be"
    await journey.snap("ecounter-organisation")

    await journey.click_link("Bewerken")
    await journey.fill({"E-mailadres": "info@", "Telefoonnummer": "+32 2 553 35 99"})
    await journey.submit("Opslaan")
    # Still in edit mode, the message beside the field and in the summary, what was typed kept.
    assert journey.page.url.endswith("/staff/organisation")
    assert "geldig e-mailadres" in await journey.field_error("E-mailadres")
    assert "#field-email" in await journey.error_summary_links()
    assert await journey.field("E-mailadres").input_value() == "info@"
    await journey.snap("ecounter-organisation-refused", again=False)

    # Cancel goes back to the e-counter's page, where nothing has changed.
    await journey.click_link("Annuleren")
    assert await journey.heading() == "Organisatiegegevens"
    assert (await journey.page.get_by_test_id("email").inner_text()).strip() == "info@hetanker.be"
    assert (await journey.page.get_by_test_id("phone").inner_text()).strip() == "+3225533500", "nothing saved"

    # A staff member who is no administrator reads the data and has no way to edit them.
    colleague = await journey.another("staff")
    staff = await create_staff_member(stack, organisation_name=f"Het Anker {_suffix()}")
    await colleague.log_in(staff.email, staff.password)
    await colleague.goto("/ecounter/organisation")
    assert "Alleen een beheerder van uw organisatie kan deze gegevens wijzigen." in await colleague.text()
    assert await colleague.page.locator("main").get_by_role("link", name="Bewerken").count() == 0
    await colleague.snap("ecounter-organisation-read-only")
    refused = await colleague.goto("/staff/organisation")
    assert refused.status == 403


async def test_contact_persons_are_named_field_by_field_unconfirmed_by_a_new_address_and_removed(
    journey: Journey,
) -> None:
    stack = journey.stack
    department = await create_staff_member(
        stack, organisation_name=f"Departement Zorg {_suffix()}", kind="government_department"
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {_suffix()}")
    sfx = _suffix()
    [erkenning] = await add_themes(stack, department, f"Erkenning-{sfx}")
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning)
    await journey.log_in(anker.email, anker.password)

    # Every missing field is named next to it, and in the summary.
    await journey.goto("/ecounter/contacts")
    await journey.click_link("Contactpersoon toevoegen")
    await journey.fill({"E-mailadres": "jan@"})
    await journey.submit("Bewaren")
    assert await journey.heading() == "Contactpersoon toevoegen"
    for label in ("Voornaam", "Naam", "E-mailadres", "Telefoonnummer"):
        assert await journey.field_error(label), f"{label} is not named"
    assert "Kies minstens één thema." in await journey.page.locator("#field-theme-ids").inner_text()
    assert set(await journey.error_summary_links()) >= {
        "#field-first-name",
        "#field-last-name",
        "#field-email",
        "#field-phone",
        "#field-theme-ids",
    }
    await journey.snap("ecounter-contact-refused", again=False)

    # A confirmed contact person without an account of the organisation.
    email = f"jan-{uuid.uuid4().hex[:8]}@hetanker.example"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        await add_contact_person(api, _bearer(await login(api, anker.email)), email, [erkenning])
        await confirm_contact_person(stack, api, email)
    await journey.goto("/ecounter/contacts")
    row = journey.page.get_by_test_id("contact").filter(has_text=email)
    state = await row.get_by_test_id("state").inner_text()
    assert "bevestigd" in state and "niet bevestigd" not in state
    assert "geen toegang tot het e-loket" in state
    await journey.snap("ecounter-contacts")

    # A new e-mail address: "niet bevestigd" again, a confirmation to the new address.
    new_email = f"jan-{uuid.uuid4().hex[:8]}@hetanker.example"
    await _follow(journey, row, "Bewerken")
    assert await journey.heading() == "Jan Janssens bewerken"
    assert await journey.field(f"Erkenning-{sfx}").is_checked()
    await journey.fill({"E-mailadres": new_email})
    await journey.submit("Bewaren")
    assert f"de bevestigingsmail is verstuurd naar {new_email}" in await journey.text()
    row = journey.page.get_by_test_id("contact").filter(has_text=new_email)
    assert "niet bevestigd" in await row.get_by_test_id("state").inner_text()
    theme_row = journey.page.get_by_test_id("per-theme").locator("tr").filter(has_text=f"Erkenning-{sfx}")
    assert "nog geen bevestigde contactpersoon" in await theme_row.inner_text()
    [confirmation] = await outbox_messages(stack, new_email)
    assert "/contact-persons/confirm/" in confirmation["text"]
    await journey.snap("ecounter-contact-unconfirmed")

    # Removal asks first; the person is told.
    await _follow(journey, row, "Verwijderen")
    assert await journey.heading() == "Contactpersoon verwijderen"
    assert new_email in await journey.text()
    await journey.snap("ecounter-contact-remove")
    await journey.submit("Ja, verwijderen")
    assert "Jan Janssens is verwijderd als contactpersoon." in await journey.text()
    assert await journey.page.get_by_test_id("contact").count() == 0
    assert "Uw organisatie heeft nog geen contactpersonen." in await journey.text()
    mails = await outbox_messages(stack, new_email, count=2)
    assert "heeft u verwijderd als contactpersoon" in mails[0]["text"]


async def test_a_departments_staff_member_who_handles_no_cases_is_offered_no_e_counter(journey: Journey) -> None:
    helpdesk = await create_staff_member(
        journey.stack,
        organisation_name=f"Departement Zorg {_suffix()}",
        roles=frozenset({Role.HELPDESK}),
        kind="government_department",
    )
    await journey.log_in(helpdesk.email, helpdesk.password)
    await journey.goto("/staff")
    assert "E-loket" not in await journey.page.locator("nav.zp-nav").inner_text()
    # Reached directly, the page says why instead of a bare refusal.
    await journey.goto("/ecounter/start")
    assert await journey.heading() == "Alleen voor behandelaars"
    assert "Alleen behandelaars van het departement lezen de zaken" in await journey.text()
