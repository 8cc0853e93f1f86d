"""The portal's footer pages in a browser (seed 4: "Home • Rondleiding • Support • … • Mijn
account"): Jip follows "Rondleiding" from the footer to what each menu item is for, and
"Support" names Jip's practice; someone who cannot log in finds the same help from the
login page, in Dutch and in English."""

from __future__ import annotations

import uuid

import pytest
from browser_support import Journey
from support import create_member, create_staff_member

from identity.domain.accounts import Role
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _follow_footer_link(journey: Journey, name: str) -> None:
    async with journey.page.expect_navigation():
        await journey.page.locator("footer").get_by_role("link", name=name, exact=True).click()
    await journey.checked()


async def test_the_tour_and_support_are_one_click_from_every_page(journey: Journey) -> None:
    practice_name = f"Kind & meer {uuid.uuid4().hex[:6]}"
    staff = await create_staff_member(
        journey.stack, organisation_name=practice_name, roles=frozenset({Role.PRACTITIONER})
    )
    born = calendar.birth_date_for_age(13, calendar.today(), days_younger=-30)
    jip = await create_member(journey.stack, staff.organisation_id, birth_date=born)

    # Locked out: the help is there before logging in, without naming any practice.
    await journey.goto("/login")
    await _follow_footer_link(journey, "Support")
    assert await journey.heading() == "Support"
    text = await journey.text()
    assert "Het portaal is niet voor spoed" in text and "herstelcodes" in text and practice_name not in text
    async with journey.page.expect_navigation():
        await journey.page.locator("main").get_by_role("link", name="Nieuw wachtwoord aanvragen").click()
    await journey.checked()
    assert journey.page.url.endswith("/password-reset")

    await journey.log_in(jip.email, jip.password)
    await _follow_footer_link(journey, "Rondleiding")
    assert await journey.heading() == "Rondleiding"
    tour = await journey.text()
    for item in ("Dossier", "Verslagen", "Afspraken", "Dagboek", "Vragenlijsten", "Portaal wisselen"):
        assert await journey.page.locator("main dt").get_by_role("link", name=item, exact=True).count() == 1, item
    assert "ik ga akkoord" in tour and "privé" in tour
    await journey.snap("portal-tour")
    async with journey.page.expect_navigation():
        await journey.page.locator("main dt").get_by_role("link", name="Dagboek", exact=True).click()
    assert journey.page.url.endswith("/portal/diary")

    await _follow_footer_link(journey, "Support")
    assert f"Uw portaal hoort bij {practice_name}." in await journey.text()
    await journey.snap("portal-support")
    await _follow_footer_link(journey, "Mijn account")
    assert journey.page.url.endswith("/me/profile")

    await journey.set_language("en")
    await journey.goto("/portal/tour")
    assert await journey.heading() == "Tour" and "Your own notes." in await journey.text()
    await _follow_footer_link(journey, "Support")
    assert f"Your portal belongs to {practice_name}." in await journey.text()
    assert "recovery codes" in await journey.text()
