"""Staff pages in a browser: a secure mail and its delivery status, invitations resent
and withdrawn, and (an administrator's) the organisation's contact data (seed 3) and its
security policy; a failed save stays in edit mode with the message next to the field."""

from __future__ import annotations

import uuid

import pytest
from browser_support import Journey, invite_into_conversation, log_in_with_email_code, start_conversation
from support import create_member, create_staff_member

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: The organisation's settings (contact data, security policy) are its administrators'.
ADMINISTRATOR = frozenset({Role.ADMIN, Role.STAFF})


async def test_a_secure_mail_is_sent_after_a_correction_and_its_notice_shows_as_sent(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    await journey.log_in(staff.email, staff.password)
    await journey.goto("/staff/secure-mails/new")
    await journey.fill({"E-mailadres ontvanger": "geen-adres", "Bericht": "Vertrouwelijk"})
    await journey.submit("Verzenden")
    assert "geldig e-mailadres" in await journey.field_error("E-mailadres ontvanger")
    assert await journey.field_error("Onderwerp")
    assert await journey.field("Bericht").input_value() == "Vertrouwelijk"
    await journey.snap("secure-mail-refused")

    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    await journey.fill({"E-mailadres ontvanger": recipient, "Onderwerp": "Uw aanvraag"})
    await journey.submit("Verzenden")
    assert await journey.heading() == "Bezorgstatus"
    for _ in range(60):
        if "Verstuurd" in await journey.text():
            break
        await journey.click_link("Vernieuwen")
    # the address is shown masked: the status page is no address book
    assert "@example.org" in await journey.text() and "Verstuurd" in await journey.text()
    await journey.snap("secure-mail-status")


async def test_invitations_are_sent_from_a_conversation_then_resent_and_withdrawn(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    await journey.log_in(staff.email, staff.password)
    await start_conversation(journey, "Overleg wijkteam")
    await journey.fill({"E-mailadres van de genodigde": "geen-adres"})
    await journey.submit("Uitnodiging versturen")
    assert "geldig e-mailadres" in await journey.field_error("E-mailadres van de genodigde")
    await journey.snap("invitation-refused")
    email = f"partner-{uuid.uuid4().hex[:6]}@zorg.example"
    await invite_into_conversation(journey, email)
    assert email in await journey.page.locator("#invite").inner_text(), "the conversation lists who was invited"

    await journey.goto("/staff/invitations")
    assert email in await journey.text()
    await journey.snap("invitations")
    await journey.submit("Opnieuw versturen")
    assert "De uitnodiging is opnieuw verstuurd." in await journey.text()
    await journey.submit("Intrekken")
    assert "Ingetrokken" in await journey.text()


async def test_the_security_policy_names_a_bad_value_and_then_saves(journey: Journey) -> None:
    admin = await create_staff_member(journey.stack, roles=ADMINISTRATOR)
    await log_in_with_email_code(journey, admin.email, admin.password)
    await journey.goto("/staff/security-policy")
    await journey.snap("security-policy")
    await journey.field("Vertraging na zoveel mislukte pogingen").fill("veel")
    await journey.submit("Opslaan")
    assert "Vul een heel getal in." in await journey.field_error("Vertraging na zoveel mislukte pogingen")

    await journey.field("Vertraging na zoveel mislukte pogingen").fill("5")
    await journey.field("Geldigheid van codes (seconden)").fill("5")
    await journey.submit("Opslaan")
    assert await journey.field_error("Geldigheid van codes (seconden)")
    await journey.snap("security-policy-refused")

    await journey.field("Geldigheid van codes (seconden)").fill("600")
    await journey.field("Wachtwoordregels").select_option("messenger")
    await journey.submit("Opslaan")
    assert "Het beveiligingsbeleid is opgeslagen." in await journey.text()
    assert "Gebruik tenminste 8 karakters" in await journey.text()


async def test_the_organisations_contact_data_stays_in_edit_mode_on_a_bad_website(journey: Journey) -> None:
    admin = await create_staff_member(journey.stack, roles=ADMINISTRATOR)
    await log_in_with_email_code(journey, admin.email, admin.password)
    await journey.goto("/staff/organisation")
    await journey.fill({"Telefoonnummer": "010 123 4567", "Website (URL)": "geen url"})
    await journey.submit("Opslaan")
    assert await journey.field_error("Website (URL)")
    assert await journey.field("Telefoonnummer").input_value() == "010 123 4567"
    await journey.snap("organisation-refused")
    await journey.fill({"Website (URL)": "https://www.vlaardingen.example"})
    await journey.submit("Opslaan")
    assert "De organisatiegegevens zijn opgeslagen." in await journey.text()


async def test_a_person_who_is_not_staff_gets_a_friendly_no_access_page(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id)
    await journey.log_in(person.email, person.password)
    response = await journey.goto("/staff/security-policy")
    assert response.status == 403
    assert await journey.heading() == "Geen toegang"
