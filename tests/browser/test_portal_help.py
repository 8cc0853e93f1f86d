"""The portal's footer pages in a browser (seed 4: "Home • Rondleiding • Support • … • Mijn
account"): Jip follows "Rondleiding" from the footer to what each menu item is for, and
"Support" names Jip's practice; someone who cannot log in finds the same help from the
login page, in Dutch and in English. And "Mijn Dossier" with its magnifying glass: Jip
searches the dossier and opens what was found."""

from __future__ import annotations

import uuid

import httpx
import pytest
from browser_support import DESKTOP, PHONE, Journey
from support import create_member, create_staff_member, login

from identity.domain.accounts import Role
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
    # On a phone the footer's links wrap instead of making the page wider than the screen.
    await journey.page.set_viewport_size(PHONE)
    too_wide = await journey.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    await journey.page.set_viewport_size(DESKTOP)
    assert not too_wide
    await _follow_footer_link(journey, "Over ons")
    assert await journey.heading() == "Over ons"
    assert f"Uw portaal wordt aangeboden door {practice_name}." in await journey.text()
    await journey.snap("portal-about-us")
    await _follow_footer_link(journey, "Mijn account")
    assert journey.page.url.endswith("/me/profile")

    await journey.set_language("en")
    await journey.goto("/portal/tour")
    assert await journey.heading() == "Tour" and "Your own notes." in await journey.text()
    await _follow_footer_link(journey, "Support")
    assert f"Your portal belongs to {practice_name}." in await journey.text()
    assert "recovery codes" in await journey.text()


async def test_jip_searches_the_dossier_and_opens_what_was_found(journey: Journey) -> None:
    staff = await create_staff_member(
        journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:6]}", roles=frozenset({Role.PRACTITIONER})
    )
    born = calendar.birth_date_for_age(13, calendar.today(), days_younger=-30)
    jip = await create_member(journey.stack, staff.organisation_id, birth_date=born)
    async with httpx.AsyncClient(base_url=journey.stack.gateway_url, timeout=30.0) as api:
        headers = {"authorization": f"Bearer {await login(api, staff.email, staff.password)}"}
        record = {"first_name": "Jip", "last_name": "Test", "birth_date": born.isoformat(), "email": jip.email}
        assert (
            await api.put(f"/api/v1/portal/practice/clients/{jip.account_id}", json=record, headers=headers)
        ).is_success
        for title in ("Intakeverslag", "Behandelplan"):
            published = await api.post(
                f"/api/v1/portal/practice/clients/{jip.account_id}/documents",
                data={"kind": "report", "title": title, "requires_approval": "false"},
                files={"file": ("verslag.pdf", PDF, "application/pdf")},
                headers=headers,
            )
            assert published.status_code == 201, published.text

    await journey.log_in(jip.email, jip.password)
    await journey.goto("/portal/dossier")
    await journey.field("Zoek in mijn dossier").fill("i")
    await journey.submit("Zoeken")
    assert "Typ 2 tot 100 tekens." in await journey.field_error("Zoek in mijn dossier")
    await journey.field("Zoek in mijn dossier").fill("INTAKE")
    await journey.submit("Zoeken")
    hits = journey.page.locator("main .zp-search-results__item")
    assert await hits.count() == 1 and "Verslag" in await hits.first.inner_text()
    await journey.snap("dossier-search")
    async with journey.page.expect_download() as started:
        await journey.page.get_by_role("link", name="Intakeverslag").click()
    assert (await started.value).suggested_filename.endswith(".pdf")

    await journey.goto("/portal/dossier/search?q=%25%25")
    assert "Niets gevonden." in await journey.text()
