"""The account journeys behind the links Zorgpost mails, done in a browser as the seeds
describe them: an invitation to a secure conversation (seed 1: create an account, use an
existing one, or decline), a practice-made account activated with the birth date, its
temporary password changed and a secret question set (seed 4), a registration approved
by the practice and finished with the SMS code (seed 5), and a password reset with the
second factor and the secret question."""

from __future__ import annotations

import uuid

import pytest
from browser_support import (
    Journey,
    code_in,
    invite_into_conversation,
    link_in,
    outbox_messages,
    start_conversation,
)
from journeys_support import line_after, years_ago
from support import create_member, create_staff_member, set_secret_question, set_security_policy, unique_mobile

from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy

pytestmark = pytest.mark.asyncio(loop_scope="session")

MESSENGER = SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.MESSENGER))


async def _invite(staff_journey: Journey, email: str) -> None:
    """Seed 1: the staff member invites from within the conversation the invitee joins."""
    await start_conversation(staff_journey, f"Overleg {uuid.uuid4().hex[:6]}", "Welkom")
    await invite_into_conversation(staff_journey, email)


async def test_an_invitee_creates_an_account_with_the_live_password_checklist(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")
    await set_security_policy(journey.stack, staff.organisation_id, MESSENGER)
    email = f"ketenpartner-{uuid.uuid4().hex[:8]}@zorg.example"
    await journey.log_in(staff.email, staff.password)
    await _invite(journey, email)
    await journey.snap("staff-invitation-in-conversation")

    invitee = await journey.another("invitee")
    [mail] = await outbox_messages(journey.stack, email)
    await invitee.goto(link_in(mail, "/invitations/"))
    assert await invitee.heading() == "Registratieproces"
    assert staff.organisation_name in await invitee.text()
    await invitee.snap("invitation")
    await invitee.click_link("Maak je account aan")

    # The checklist ticks rules off while typing (seed 1: "Gebruik tenminste 8 karakters" …).
    rules = invitee.page.locator(".zp-password-rules__rule")
    await invitee.field("Wachtwoord").fill("kort")
    assert (
        await invitee.page.locator("[data-rule=min_length]").get_attribute("class")
        == "zp-password-rules__rule is-unmet"
    )
    await invitee.field("Wachtwoord").fill("Veilig-Wachtwoord-7")
    for rule in ("min_length", "lower", "upper", "digits", "special"):
        assert "is-met" in (await invitee.page.locator(f"[data-rule={rule}]").get_attribute("class") or ""), rule
    assert await rules.count() >= 6
    await invitee.snap("account-form")

    await invitee.fill({"Voornaam": "Persoon", "Achternaam": "X", "Wachtwoord bevestigen": "Anders-Wachtwoord-8"})
    await invitee.submit("Volgende")
    assert "De wachtwoorden zijn niet gelijk." in await invitee.field_error("Wachtwoord bevestigen")
    assert "#field-password-confirmation" in await invitee.error_summary_links()
    assert await invitee.field("Voornaam").input_value() == "Persoon", "the form stays filled in"
    await invitee.snap("account-form-refused")

    await invitee.fill({"Wachtwoord": "Veilig-Wachtwoord-7", "Wachtwoord bevestigen": "Veilig-Wachtwoord-7"})
    await invitee.submit("Volgende")
    assert await invitee.heading() == "Samenvatting"
    assert "Persoon" in await invitee.text() and email in await invitee.text()
    await invitee.snap("account-summary")
    await invitee.submit("Volgende")
    assert await invitee.field_error("Ik ga akkoord met de algemene voorwaarden en het privacy statement.")
    await invitee.field("Ik ga akkoord met de algemene voorwaarden en het privacy statement.").check()
    await invitee.submit("Volgende")
    assert await invitee.heading() == "Bedankt voor uw registratie"
    assert "Persoon X" in await invitee.page.locator("header").inner_text(), "signed in as the new account"
    await invitee.snap("account-done")

    await journey.goto("/staff/invitations")
    assert "Geaccepteerd" in await journey.text()


async def test_an_invitee_with_an_account_links_the_invitation_by_logging_in(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    other_organisation = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, other_organisation.organisation_id)
    await journey.log_in(staff.email, staff.password)
    await _invite(journey, person.email)

    invitee = await journey.another("invitee", language="en")
    await invitee.set_language("en")
    [mail] = await outbox_messages(journey.stack, person.email)
    await invitee.goto(link_in(mail, "/invitations/"))
    await invitee.click_link("I already have an account")
    await invitee.snap("existing-account")
    await invitee.fill({"Username or e-mail address": person.email, "Password": person.password})
    await invitee.submit("Log in")
    assert "The invitation has been linked to your account." in await invitee.text()
    await invitee.snap("existing-account-linked")


async def test_an_invitee_declines_and_the_link_stops_working(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    email = f"geen-interesse-{uuid.uuid4().hex[:8]}@zorg.example"
    await journey.log_in(staff.email, staff.password)
    await _invite(journey, email)

    invitee = await journey.another("invitee")
    [mail] = await outbox_messages(journey.stack, email)
    link = link_in(mail, "/invitations/")
    await invitee.goto(link)
    await invitee.click_link("Uitnodiging afwijzen")
    await invitee.snap("decline")
    await invitee.submit("Uitnodiging afwijzen")
    assert await invitee.heading() == "Uitnodiging afgewezen"
    await invitee.goto(link)
    assert "Deze uitnodiging is afgewezen." in await invitee.text()
    declined = await outbox_messages(journey.stack, staff.email)
    assert any(email in message["text"] for message in declined), "the inviter is told"


async def test_a_client_activates_with_the_birth_date_changes_the_temporary_password_and_sets_a_secret_question(
    journey: Journey,
) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    await set_security_policy(
        journey.stack,
        practice.organisation_id,
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.CLIENT_PORTAL), secret_question=True),
    )
    email = f"jongere-{uuid.uuid4().hex[:8]}@client.example"
    born = years_ago(14)
    await journey.log_in(practice.email, practice.password)
    await journey.goto("/staff/client-accounts/new")
    await journey.fill({"Voornaam": "Jip", "Achternaam": "Jansen", "Geboortedatum": born.isoformat()})
    await journey.submit("Account aanmaken")
    assert await journey.field_error("E-mailadres"), "a missing address is named next to its field"
    await journey.snap("client-account-refused")
    await journey.fill({"E-mailadres": email})
    await journey.submit("Account aanmaken")
    assert f"{email} krijgt een activatielink" in await journey.text()

    client = await journey.another("client")
    [activation] = await outbox_messages(journey.stack, email)
    await client.goto(link_in(activation, "/activate/"))
    assert await client.heading() == "Portaal activeren"
    await client.snap("activation")
    await client.field("Geboortedatum").fill(years_ago(15).isoformat())
    await client.submit("Activeren")
    assert "poging" in await client.field_error("Geboortedatum")
    await client.field("Geboortedatum").fill(born.isoformat())
    await client.submit("Activeren")
    assert await client.heading() == "Uw account is geactiveerd"
    await client.snap("activated", again=False)

    credentials = (await outbox_messages(journey.stack, email, count=2))[0]
    login_name = line_after("Inlognaam:", credentials["text"])
    temporary = line_after("Tijdelijk wachtwoord:", credentials["text"])
    await client.goto(link_in(credentials, "/"))
    await client.log_in(login_name, temporary)
    assert await client.heading() == "Wachtwoord wijzigen"
    # The practice's rules as a checklist, ticked off while typing (as on the other password forms).
    rules = client.page.locator(".zp-password-rules")
    assert "Gebruik tenminste 12 karakters" in await rules.inner_text()
    await client.field("Nieuw wachtwoord").fill("kort")
    assert "is-unmet" in (await client.page.locator("[data-rule=min_length]").get_attribute("class") or "")
    await client.field("Nieuw wachtwoord").fill("Lang-genoeg-wachtwoord")
    for rule in ("min_length", "special"):
        assert "is-met" in (await client.page.locator(f"[data-rule={rule}]").get_attribute("class") or ""), rule
    await client.snap("forced-change")
    await client.goto("/me/profile")
    assert await client.heading() == "Wachtwoord wijzigen", "nothing else opens before the password is changed"

    await client.fill(
        {"Huidig wachtwoord": temporary, "Nieuw wachtwoord": "kort", "Nieuw wachtwoord (herhaal)": "kort"}
    )
    await client.submit("Opslaan")
    assert "Gebruik tenminste 12 karakters" in await client.field_error("Nieuw wachtwoord"), "the broken rule is named"
    assert await rules.count() == 1, "the checklist stays beside the refused password"
    new_password = "Mijn-eigen-portaal-2026!"
    await client.fill(
        {"Huidig wachtwoord": temporary, "Nieuw wachtwoord": new_password, "Nieuw wachtwoord (herhaal)": new_password}
    )
    await client.submit("Opslaan")
    assert await client.heading() == "Geheime vraag"
    await client.snap("secret-question")
    await client.fill(
        {
            "Huidig wachtwoord": new_password,
            "Geheime vraag": "Naam van mijn eerste huisdier?",
            "Antwoord geheime vraag": "Snuf",
        }
    )
    await client.submit("Opslaan")
    assert await client.heading() == "Inloggen"
    assert "De geheime vraag is ingesteld. Log in om verder te gaan." in await client.text()
    await client.log_in(login_name, new_password)
    assert await client.heading() == "Welkom terug, Jip Jansen"


async def test_a_person_registers_the_practice_approves_and_the_sms_code_finishes_it(journey: Journey) -> None:
    practice = await create_staff_member(
        journey.stack, organisation_name=f"Huisartsenpraktijk De Linde {uuid.uuid4().hex[:4]}"
    )
    await set_security_policy(
        journey.stack,
        practice.organisation_id,
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.GP_PORTAL)),
    )
    email = f"patient-{uuid.uuid4().hex[:8]}@patient.example"
    mobile = unique_mobile()

    person = await journey.another("person")
    await person.goto(f"/register?organisation={practice.organisation_id}")
    await person.snap("registration")
    await person.fill(
        {"Voornaam": "Pim", "Achternaam": "de Vries", "E-mailadres": email, "Geboortedatum": years_ago(40).isoformat()}
    )
    await person.submit("Aanmelden")
    assert await person.field_error("Mobiel nummer")
    await person.field("Mobiel nummer").fill(mobile)
    await person.submit("Aanmelden")
    assert await person.heading() == "Aanmelding ontvangen"

    await journey.log_in(practice.email, practice.password)
    assert "1 aanmelding(en) te beoordelen" in await journey.text()
    await journey.goto("/staff/registrations")
    assert email in await journey.text()
    await journey.snap("registrations")
    await journey.submit("Goedkeuren")
    assert "De aanmelding is goedgekeurd" in await journey.text()

    approved = (await outbox_messages(journey.stack, email, count=2))[0]
    await person.goto(link_in(approved, "/register/"))
    await person.snap("registration-link")
    await person.submit("Stuur mij de sms-code")
    [sms] = await outbox_messages(journey.stack, mobile)
    await person.snap("registration-complete")
    await person.fill(
        {"Code uit de sms": code_in(sms), "Wachtwoord": "Huisarts2026pp", "Wachtwoord bevestigen": "Huisarts2026pp"}
    )
    await person.field("Ik ga akkoord met de algemene voorwaarden en het privacy statement.").check()
    await person.submit("Account aanmaken")
    assert await person.heading() == "Welkom terug, Pim de Vries"


async def test_a_forgotten_password_is_reset_with_the_sms_code_and_the_secret_question(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack)
    await set_security_policy(
        journey.stack, practice.organisation_id, SecurityPolicy(second_factor=SecondFactor.SMS, secret_question=True)
    )
    person = await create_member(journey.stack, practice.organisation_id, mobile=unique_mobile())
    assert person.mobile is not None
    await set_secret_question(journey.stack, person.account_id, "Waar ben ik geboren?", "Vlaardingen")

    await journey.goto("/login")
    await journey.click_link("Wachtwoord vergeten?")
    await journey.snap("reset-request")
    await journey.field("E-mailadres").fill(person.email)
    await journey.submit("Verstuur link")
    assert await journey.heading() == "Kijk in uw e-mail"

    [mail] = await outbox_messages(journey.stack, person.email)
    await journey.goto(link_in(mail, "/password-reset/"))
    await journey.submit("Doorgaan")
    assert "Waar ben ik geboren?" in await journey.text()
    await journey.snap("reset-form")
    [sms] = await outbox_messages(journey.stack, person.mobile)
    new_password = "Een-nieuw-wachtwoord-2026"
    await journey.fill(
        {
            "Code": code_in(sms),
            "Antwoord op uw geheime vraag: Waar ben ik geboren?": "Rotterdam",
            "Nieuw wachtwoord": new_password,
            "Nieuw wachtwoord (herhaal)": new_password,
        }
    )
    await journey.submit("Wachtwoord opslaan")
    assert await journey.field_error("Antwoord op uw geheime vraag: Waar ben ik geboren?")
    await journey.fill(
        {
            "Antwoord op uw geheime vraag: Waar ben ik geboren?": "vlaardingen",
            "Nieuw wachtwoord": new_password,
            "Nieuw wachtwoord (herhaal)": new_password,
        }
    )
    await journey.submit("Wachtwoord opslaan")
    assert "Uw wachtwoord is ingesteld" in await journey.text()
    await journey.log_in(person.email, new_password)
    assert await journey.heading() == "Controlecode", "the new password opens the second step"
