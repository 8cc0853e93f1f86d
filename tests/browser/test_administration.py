"""The administrator's pages in a browser: inviting a colleague with roles who then
registers, changing a colleague's roles, ending a colleague's access after a confirmation,
the last administrator who cannot remove themselves, teams, and no way in (nor a menu
entry) for anyone who is not an administrator."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from browser_support import Journey, link_in, log_in_with_email_code, outbox_messages
from support import StaffMember, create_staff_member

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMINISTRATOR = frozenset({Role.ADMIN, Role.STAFF})
#: Holds neither of the names the colleague types (a password may not contain them).
PASSWORD = "Zonnig-Tulpenveld-58"


async def _administrator(journey: Journey) -> StaffMember:
    admin = await create_staff_member(
        journey.stack, organisation_name=f"Gemeente Beheer {uuid.uuid4().hex[:6]}", roles=ADMINISTRATOR
    )
    await log_in_with_email_code(journey, admin.email, admin.password)
    return admin


async def _invite(journey: Journey, email: str, roles: list[str]) -> None:
    await journey.goto("/admin/staff/invite")
    await journey.field("E-mailadres").fill(email)
    for label in ("Beheerder", "Medewerker", "Behandelaar", "Zaakbehandelaar", "Helpdesk"):
        await journey.page.get_by_label(label, exact=True).set_checked(label in roles)
    await journey.submit("Uitnodiging versturen")


async def _register(journey: Journey, email: str, first_name: str) -> Journey:
    """The colleague opens the invitation mail in a browser of their own and makes an account."""
    colleague = await journey.another(first_name.lower())
    [mail] = await outbox_messages(journey.stack, email)
    await colleague.goto(link_in(mail, "/invitations/"))
    assert await colleague.heading() == "Registratieproces"
    assert "als collega" in await colleague.text()
    await colleague.click_link("Maak je account aan")
    await colleague.fill(
        {
            "Voornaam": first_name,
            "Achternaam": "Collega",
            "Wachtwoord": PASSWORD,
            "Wachtwoord bevestigen": PASSWORD,
        }
    )
    await colleague.submit("Volgende")
    assert await colleague.heading() == "Samenvatting"
    await colleague.field("Ik ga akkoord met de algemene voorwaarden en het privacy statement.").check()
    await colleague.submit("Volgende")
    assert await colleague.heading() == "Bedankt voor uw registratie"
    return colleague


async def _open_member(journey: Journey, name: str) -> None:
    await journey.goto("/admin/staff")
    row = journey.page.locator("[data-testid=staff] tr", has_text=name)
    async with journey.page.expect_navigation():
        await row.get_by_role("link").click()
    await journey.checked()
    assert await journey.heading() == name


async def test_an_administrator_invites_a_colleague_with_roles_who_registers(journey: Journey) -> None:
    await _administrator(journey)
    await journey.goto("/")
    await journey.page.locator("nav").get_by_role("link", name="Beheer", exact=True).click()
    await journey.page.wait_for_url("**/admin")
    await journey.checked()
    await journey.snap("admin-home")
    await journey.click_link("Collega uitnodigen")

    # No role and no real address: the form stays filled in and names both.
    await journey.field("E-mailadres").fill("geen-adres")
    await journey.page.get_by_label("Medewerker", exact=True).uncheck()
    await journey.submit("Uitnodiging versturen")
    assert "Kies ten minste één rol." in await journey.text()
    assert "#field-roles" in await journey.error_summary_links()
    await journey.snap("admin-invite-refused", again=False)

    email = f"collega-{uuid.uuid4().hex[:8]}@zorg.example"
    await _invite(journey, email, ["Medewerker", "Helpdesk"])
    assert f"De uitnodiging is verstuurd naar {email}." in await journey.text()
    invitations = journey.page.locator("[data-testid=staff-invitations]")
    assert email in await invitations.inner_text()
    await journey.snap("admin-staff-invitation-open")

    colleague = await _register(journey, email, "Mila")
    await colleague.click_link("Naar Zorgpost")
    assert "Beheer" not in await colleague.page.locator("nav").inner_text(), "a colleague without admin"

    await journey.goto("/admin/staff")
    row = journey.page.locator("[data-testid=staff] tr", has_text="Mila Collega")
    text = await row.inner_text()
    assert "Medewerker" in text and "Helpdesk" in text and "Actief" in text
    assert "Niet ingesteld" in text, "no second factor yet"
    assert not await journey.page.locator("[data-testid=staff-invitations]").count(), "nothing open any more"
    await journey.snap("admin-staff")


async def test_an_administrator_changes_a_colleagues_roles(journey: Journey) -> None:
    await _administrator(journey)
    email = f"collega-{uuid.uuid4().hex[:8]}@zorg.example"
    await _invite(journey, email, ["Medewerker"])
    await _register(journey, email, "Piet")

    await _open_member(journey, "Piet Collega")
    await journey.snap("admin-member")
    await journey.page.get_by_label("Medewerker", exact=True).uncheck()
    await journey.submit("Rollen opslaan")
    assert "Kies ten minste één rol." in await journey.text()

    await journey.page.get_by_label("Behandelaar", exact=True).check()
    await journey.page.get_by_label("Medewerker", exact=True).check()
    await journey.submit("Rollen opslaan")
    assert "De rollen van Piet Collega zijn gewijzigd." in await journey.text()
    assert await journey.page.get_by_label("Behandelaar", exact=True).is_checked()
    # The colleague is told by mail (after the invitation): their new roles, nothing more.
    notices = await outbox_messages(journey.stack, email, count=2)
    assert any("behandelaar" in notice["text"] for notice in notices)

    await journey.goto("/admin/staff")
    row = await journey.page.locator("[data-testid=staff] tr", has_text="Piet Collega").inner_text()
    assert "Behandelaar" in row and "Medewerker" in row


async def test_an_administrator_ends_a_colleagues_access_after_confirming(journey: Journey) -> None:
    await _administrator(journey)
    email = f"collega-{uuid.uuid4().hex[:8]}@zorg.example"
    await _invite(journey, email, ["Medewerker"])
    colleague = await _register(journey, email, "Sanne")

    await _open_member(journey, "Sanne Collega")
    await journey.click_link("Toegang beëindigen")
    assert await journey.heading() == "Toegang beëindigen"
    assert "Sanne Collega" in await journey.text()
    await journey.snap("admin-deactivate-confirm")
    # Cancelling changes nothing.
    await journey.click_link("Annuleren")
    assert await journey.heading() == "Sanne Collega"

    await journey.click_link("Toegang beëindigen")
    await journey.submit("Ja, toegang beëindigen")
    assert "De toegang van Sanne Collega is beëindigd." in await journey.text()
    row = await journey.page.locator("[data-testid=staff] tr", has_text="Sanne Collega").inner_text()
    assert "Toegang beëindigd" in row
    await journey.snap("admin-staff-deactivated")

    # The colleague's browser is signed out on a next page (every service refuses their
    # token within seconds); logging in again is refused.
    deadline = time.monotonic() + 30
    while True:
        await colleague.goto("/messages")
        if await colleague.heading() == "Inloggen" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert await colleague.heading() == "Inloggen"
    await colleague.log_in(email, PASSWORD)
    assert await colleague.heading() == "Inloggen"


async def test_the_last_administrator_cannot_remove_themselves(journey: Journey) -> None:
    admin = await _administrator(journey)
    await _open_member(journey, "Test Medewerker")
    await journey.page.get_by_label("Beheerder", exact=True).uncheck()
    await journey.submit("Rollen opslaan")
    assert "U bent de laatste beheerder van de organisatie." in await journey.text()
    assert not await journey.page.get_by_label("Beheerder", exact=True).is_checked(), "the form keeps the choice"
    await journey.snap("admin-last-administrator-roles", again=False)

    await journey.goto(f"/admin/staff/{admin.account_id}/deactivate")
    await journey.submit("Ja, toegang beëindigen")
    assert "U bent de laatste beheerder van de organisatie." in await journey.text()
    await journey.snap("admin-last-administrator-deactivate", again=False)

    await journey.goto("/admin/staff")
    row = await journey.page.locator("[data-testid=staff] tr", has_text="Test Medewerker").inner_text()
    assert "Beheerder" in row and "Actief" in row, "nothing changed"


async def test_an_administrator_makes_a_team_and_chooses_its_members(journey: Journey) -> None:
    await _administrator(journey)
    await journey.goto("/admin/teams")
    await journey.fill({"Naam van het team": "Assistentes"})
    await journey.submit("Team aanmaken")
    assert "Het team Assistentes is aangemaakt." in await journey.text()
    await journey.page.get_by_label("Test Medewerker", exact=True).check()
    await journey.submit("Leden opslaan")
    assert "De leden zijn opgeslagen." in await journey.text()
    await journey.snap("admin-team")

    await journey.goto("/admin/teams")
    await journey.fill({"Naam van het team": "Assistentes"})
    await journey.submit("Team aanmaken")
    assert "Een ander team heeft deze naam al." in await journey.field_error("Naam van het team")
    assert "Test Medewerker" in await journey.page.locator("[data-testid=teams]").inner_text()
    await journey.snap("admin-teams-refused", again=False)


async def test_someone_who_is_not_an_administrator_gets_no_access(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    await journey.log_in(staff.email, staff.password)
    assert "Beheer" not in await journey.page.locator("nav").inner_text()
    for path in ("/admin", "/admin/staff", "/admin/staff/invite", "/admin/teams", "/staff/security-policy"):
        response = await journey.goto(path)
        assert response.status == 403, path
        assert await journey.heading() == "Geen toegang"
    await journey.snap("admin-no-access")
