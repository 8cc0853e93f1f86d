"""A signed-in person whose roles or organisation change keeps working: accepting a staff
invitation while signed in lands on the new organisation's pages, and a colleague whose
roles an administrator changed sees the new menu on a next page without being signed out
(identity issues tokens with the new roles on a refresh)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from browser_support import Journey, link_in, log_in_with_email_code, outbox_messages
from support import StaffMember, create_member, create_staff_member

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMINISTRATOR = frozenset({Role.ADMIN, Role.STAFF})
PASSWORD = "Zonnig-Tulpenveld-58"


async def _administrator(journey: Journey) -> StaffMember:
    admin = await create_staff_member(
        journey.stack, organisation_name=f"Gemeente Nieuw {uuid.uuid4().hex[:6]}", roles=ADMINISTRATOR
    )
    await log_in_with_email_code(journey, admin.email, admin.password)
    return admin


async def _invite(journey: Journey, email: str, roles: list[str]) -> None:
    await journey.goto("/admin/staff/invite")
    await journey.field("E-mailadres").fill(email)
    for label in ("Beheerder", "Medewerker", "Behandelaar", "Zaakbehandelaar", "Helpdesk"):
        await journey.page.get_by_label(label, exact=True).set_checked(label in roles)
    await journey.submit("Uitnodiging versturen")
    assert f"De uitnodiging is verstuurd naar {email}." in await journey.text()


async def _menu(journey: Journey) -> str:
    return await journey.page.locator("nav.zp-nav").inner_text()


async def test_a_signed_in_person_accepts_a_staff_invitation_and_works_for_the_new_organisation(
    journey: Journey,
) -> None:
    await _administrator(journey)
    elsewhere = await create_staff_member(journey.stack, organisation_name=f"Huisarts Oud {uuid.uuid4().hex[:6]}")
    person = await create_member(journey.stack, elsewhere.organisation_id)
    browser = await journey.another("persoon")
    await browser.log_in(person.email, person.password)
    assert await browser.heading() != "Inloggen"
    assert "E-loket" not in await _menu(browser), "a client has no staff menu"

    await _invite(journey, person.email, ["Medewerker"])
    [mail] = await outbox_messages(journey.stack, person.email)
    await browser.goto(link_in(mail, "/invitations/"))
    await browser.click_link("Ik heb al een account")
    await browser.submit("Koppel aan mijn account")

    menu = await _menu(browser)
    assert "E-loket" in menu and "Organisatie" in menu, menu
    assert "Beheer" not in menu, "the invitation gave no administrator's role"
    # Still signed in on the next pages, after identity's revocation of the old tokens
    # has reached the gateway.
    for path in ("/staff", "/messages", "/ecounter/start"):
        await browser.goto(path)
        assert await browser.heading() != "Inloggen", path
        assert "E-loket" in await _menu(browser)


async def test_a_colleagues_next_page_shows_the_roles_an_administrator_gave(journey: Journey) -> None:
    admin = await _administrator(journey)
    colleague = await create_member(journey.stack, admin.organisation_id, role=Role.STAFF)
    browser = await journey.another("collega")
    await browser.log_in(colleague.email, colleague.password)
    assert await browser.heading() != "Inloggen"
    await browser.goto("/messages")
    assert "Beheer" not in await _menu(browser)

    await journey.goto(f"/admin/staff/{colleague.account_id}")
    await journey.page.get_by_label("Helpdesk", exact=True).check()
    await journey.page.get_by_label("Beheerder", exact=True).check()
    await journey.submit("Rollen opslaan")
    assert "zijn gewijzigd" in await journey.text()

    # Once identity's revocation reaches the gateway, the old token is refused: the web
    # renews the session instead of signing out, and the menu follows the new roles.
    deadline = time.monotonic() + 30
    while True:
        await browser.goto("/messages")
        assert await browser.heading() != "Inloggen", "signed out instead of renewed"
        if "Beheer" in await _menu(browser) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert "Beheer" in await _menu(browser)
    await browser.goto("/admin")
    assert await browser.heading() != "Inloggen"
