"""The profile (seed 1: Algemeen, E-mailinstellingen, Machtigingen, Apparaten) and the
portal switch (seed 4), in a browser: a failed save stays in edit mode, a new address and
number are confirmed by link and SMS code, language, notices, devices, delegations."""

from __future__ import annotations

import uuid

import pytest
from browser_support import Journey, code_in, link_in, outbox_messages
from journeys_support import years_ago
from support import create_member, create_staff_member, unique_mobile

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_bad_address_keeps_the_profile_in_edit_mode_and_new_contact_details_are_confirmed(
    journey: Journey,
) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id, mobile=unique_mobile())
    await journey.log_in(person.email, person.password)
    await journey.goto("/me/profile")
    await journey.snap("profile")

    await journey.fill({"Voornaam": "Anna", "E-mailadres": "geen-adres", "Huidig wachtwoord": person.password})
    await journey.submit("Opslaan")
    assert "geldig e-mailadres" in await journey.field_error("E-mailadres")
    assert await journey.field("Voornaam").input_value() == "Anna", "what was typed stays"
    assert await journey.field("E-mailadres").input_value() == "geen-adres"
    assert "#field-email" in await journey.error_summary_links()
    await journey.snap("profile-refused")

    new_email = f"anna-{uuid.uuid4().hex[:8]}@nieuw.example"
    new_mobile = unique_mobile()
    await journey.fill({"E-mailadres": new_email, "Mobiel nummer": new_mobile, "Huidig wachtwoord": person.password})
    await journey.submit("Opslaan")
    assert f"We hebben een bevestigingslink gestuurd naar {new_email}" in await journey.text()
    assert "Anna" in await journey.page.locator("header").inner_text()

    [sms] = await outbox_messages(journey.stack, new_mobile)
    await journey.field("Code uit de sms").fill(code_in(sms))
    await journey.submit("Mobiel nummer bevestigen")
    assert "Uw nieuwe mobiele nummer is bevestigd." in await journey.text()

    [confirmation] = await outbox_messages(journey.stack, new_email)
    await journey.goto(link_in(confirmation, "/confirm-email/"))
    assert new_email in await journey.text()
    await journey.snap("confirm-email")
    await journey.submit("E-mailadres bevestigen")
    assert "Uw nieuwe e-mailadres is bevestigd." in await journey.text()
    assert await journey.field("E-mailadres").input_value() == new_email


async def test_the_language_follows_the_browser_the_switch_and_the_profile(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id)

    english_browser = await journey.another("english", language="en")
    await english_browser.goto("/login")
    assert await english_browser.heading() == "Log in", "Accept-Language: en gives English"

    await journey.goto("/login")
    assert await journey.heading() == "Inloggen", "Dutch by default"
    await journey.page.get_by_role("link", name="English").click()
    await journey.page.wait_for_url("**/login")
    assert await journey.heading() == "Log in"
    await journey.page.get_by_role("link", name="Nederlands").click()
    await journey.page.wait_for_url("**/login")
    assert await journey.heading() == "Inloggen"

    await journey.log_in(person.email, person.password)
    await journey.goto("/me/language")
    await journey.snap("language")
    await journey.field("Taal").select_option("en")
    await journey.submit("Opslaan")
    assert await journey.heading() == "Profile settings"
    assert "Your language has been saved." in await journey.text()


async def test_notice_settings_are_saved_and_security_notices_stay_on(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id, mobile=unique_mobile())
    await journey.log_in(person.email, person.password)
    await journey.goto("/me/notification-preferences")
    assert await journey.page.get_by_label("E-mail voor Beveiliging").is_disabled()
    await journey.page.get_by_label("Sms voor Nieuwe berichten").check()
    await journey.field("Bundelen").select_option("60")
    await journey.submit("Opslaan")
    assert "Uw e-mailinstellingen zijn opgeslagen." in await journey.text()
    assert await journey.page.get_by_label("Sms voor Nieuwe berichten").is_checked()
    assert await journey.field("Bundelen").input_value() == "60"
    assert await journey.page.get_by_label("E-mail voor Beveiliging").is_checked()
    await journey.snap("notification-preferences")


async def test_devices_are_listed_and_the_others_logged_out(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id)
    phone = await journey.another("phone")
    await phone.log_in(person.email, person.password)
    await journey.log_in(person.email, person.password)

    await journey.goto("/me/sessions")
    assert await journey.page.locator(".zp-device-list > li").count() == 2
    assert "dit apparaat" in await journey.text()
    await journey.snap("devices")
    await journey.submit("Uitloggen op alle andere apparaten")
    assert "Uitgelogd op 1 ander(e) apparaat/apparaten." in await journey.text()
    assert await journey.page.locator(".zp-device-list > li").count() == 1


async def test_a_parent_switches_to_the_childs_portal_and_makes_it_the_preferred_one(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    parent = await create_member(journey.stack, practice.organisation_id)
    await journey.log_in(practice.email, practice.password)
    await journey.goto("/staff/delegations/new")
    await journey.fill(
        {
            "Account-id van de gemachtigde (ouder)": parent.account_id,
            "Voornaam kind": "Sam",
            "Achternaam kind": "Persoon",
            "Geboortedatum kind": years_ago(10).isoformat(),
        }
    )
    await journey.submit("Machtiging vastleggen")
    assert "Test Persoon voor Sam Persoon: Actief." in await journey.text()
    await journey.snap("staff-delegation", again=False)

    parent_browser = await journey.another("parent")
    await parent_browser.log_in(parent.email, parent.password)
    await parent_browser.goto("/me/delegations")
    assert "Sam Persoon" in await parent_browser.text()
    assert "Vanaf 16 jaar heeft het kind zijn eigen portaal" in await parent_browser.text(), "the guide's age rules"
    await parent_browser.snap("delegations")
    await parent_browser.goto("/portal/switch")
    assert "Sam Persoon (als ouder of verzorger)" in await parent_browser.text(), "the relation, as the guide shows it"
    await parent_browser.snap("switch-portal")
    await parent_browser.submit("Open portaal van Sam Persoon")
    assert await parent_browser.heading() == "Portaal van Sam Persoon"
    assert "U bekijkt het portaal van Sam Persoon." in await parent_browser.page.locator(".zp-acting").inner_text()
    await parent_browser.snap("child-portal")

    await parent_browser.goto("/portal/switch")
    await parent_browser.page.get_by_label("Sam Persoon", exact=True).check()
    await parent_browser.submit("Opslaan")
    assert "Uw voorkeursportaal is opgeslagen." in await parent_browser.text()
    async with parent_browser.page.expect_navigation():
        await parent_browser.page.get_by_role("button", name="Uitloggen").click()
    await parent_browser.log_in(parent.email, parent.password)
    assert await parent_browser.heading() == "Portaal van Sam Persoon", "the preferred portal opens after login"
    async with parent_browser.page.expect_navigation():
        await parent_browser.page.get_by_role("button", name="Terug naar mijn eigen portaal").click()
    await parent_browser.checked()
    assert await parent_browser.heading() == "Welkom terug, Test Persoon"


async def test_a_young_person_consents_from_the_mailed_link(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    parent = await create_member(journey.stack, practice.organisation_id)
    young = await create_member(journey.stack, practice.organisation_id, birth_date=years_ago(13))
    await journey.log_in(practice.email, practice.password)
    await journey.goto("/staff/delegations/new")
    await journey.fill(
        {"Account-id van de gemachtigde (ouder)": parent.account_id, "Account-id van de cliënt": young.account_id}
    )
    await journey.submit("Machtiging vastleggen")
    assert "Wacht op toestemming" in await journey.text()

    young_browser = await journey.another("young")
    [request] = await outbox_messages(journey.stack, young.email)
    await young_browser.goto(link_in(request, "/delegations/"))
    assert await young_browser.heading() == "Inloggen", "the link asks to log in first"
    await young_browser.page.locator("#field-username").fill(young.email)
    await young_browser.page.locator("#field-password").fill(young.password)
    await young_browser.submit()
    assert await young_browser.heading() == "Machtiging"
    assert "Test Persoon vraagt toegang tot uw portaal" in await young_browser.text()
    await young_browser.snap("consent")
    await young_browser.submit("Toestemming geven")
    assert "U heeft toestemming gegeven." in await young_browser.text()
    assert "Actief" in await young_browser.text()
