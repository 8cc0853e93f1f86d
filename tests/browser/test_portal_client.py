"""The youth mental-health client portal (seed 4) in a browser, as Jip (13) walks it: the
dossier with "De overeenkomst" to approve before the trajectory starts, a report to
approve ("ik ga akkoord", with its time), a document uploaded after a correction, consents
changed with their history kept, and the diary with a note shared with the practitioner."""

from __future__ import annotations

import uuid

import httpx
import pytest
from browser_support import Journey
from support import create_member, create_staff_member, login

from identity.domain.accounts import Role
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _kind_en_meer_with_jip(stack: Stack) -> tuple[str, str]:
    """A youth practice with Jip (13) as a client, a trajectory waiting for its agreement, a
    report to approve and two consent items; answers Jip's e-mail address and password."""
    staff = await create_staff_member(
        stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:6]}", roles=frozenset({Role.PRACTITIONER})
    )
    born = calendar.birth_date_for_age(13, calendar.today(), days_younger=-30)
    jip = await create_member(stack, staff.organisation_id, birth_date=born)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
        headers = {"authorization": f"Bearer {await login(api, staff.email, staff.password)}"}
        calls = [
            await api.put(
                f"/api/v1/portal/practice/clients/{jip.account_id}",
                json={"first_name": "Jip", "last_name": "Test", "birth_date": born.isoformat(), "email": jip.email},
                headers=headers,
            ),
            await api.put(
                "/api/v1/portal/practice/consent-items",
                json={
                    "items": [
                        {
                            "code": "huisarts",
                            "label_nl": "Informatie delen met de huisarts",
                            "label_en": "Share information with the GP",
                            "default_granted": True,
                        },
                        {
                            "code": "school",
                            "label_nl": "Contact met school",
                            "label_en": "Contact with school",
                            "default_granted": False,
                        },
                    ]
                },
                headers=headers,
            ),
            await api.post(
                "/api/v1/portal/practice/trajectories",
                data={"person_id": jip.account_id, "title": "Behandeling angstklachten"},
                files={"file": ("overeenkomst.pdf", PDF, "application/pdf")},
                headers=headers,
            ),
            await api.post(
                f"/api/v1/portal/practice/clients/{jip.account_id}/documents",
                data={"kind": "report", "title": "Intakeverslag", "requires_approval": "true"},
                files={"file": ("intake.pdf", PDF, "application/pdf")},
                headers=headers,
            ),
        ]
    for response in calls:
        assert response.status_code < 300, response.text
    return jip.email, jip.password


async def test_jip_approves_the_agreement_and_a_report_and_uploads_a_document(journey: Journey) -> None:
    email, password = await _kind_en_meer_with_jip(journey.stack)
    await journey.log_in(email, password)
    assert "Wacht op uw akkoord: 2" in await journey.text()
    await journey.snap("client-home")

    await journey.goto("/portal/dossier")
    assert "wacht op akkoord van alle betrokkenen" in await journey.text()
    await journey.snap("dossier")
    await journey.click_link("Documenten")
    row = journey.page.locator("main tr", has_text="De overeenkomst")
    assert "wacht op uw akkoord" in await row.inner_text()
    await journey.snap("documents-pending")
    async with journey.page.expect_navigation():
        await row.get_by_role("button", name="Ik ga akkoord").click()
    await journey.checked()
    assert "Uw akkoord is vastgelegd." in await journey.text()
    assert "akkoord op" in await journey.page.locator("main tr", has_text="De overeenkomst").inner_text()
    await journey.goto("/portal/dossier")
    assert "Behandeling angstklachten – lopend" in await journey.text()

    await journey.goto("/portal/documents?kind=report")
    await journey.submit("Ik ga akkoord")
    assert "akkoord op" in await journey.page.locator("main tr", has_text="Intakeverslag").inner_text()

    await journey.goto("/portal/documents?kind=document")
    await journey.submit("Document uploaden")
    assert await journey.field_error("Titel")
    upload = journey.shots / "weekschema.txt"
    journey.shots.mkdir(parents=True, exist_ok=True)
    upload.write_text("Maandag: school\nDinsdag: zwemmen\n", encoding="utf-8")
    await journey.fill({"Titel": "Mijn weekschema"})
    await journey.field("Bestand").set_input_files(str(upload))
    await journey.submit("Document uploaden")
    assert "Uw document is geüpload." in await journey.text() and "Mijn weekschema" in await journey.text()
    await journey.snap("documents")


async def test_jip_changes_a_consent_and_keeps_a_diary(journey: Journey) -> None:
    email, password = await _kind_en_meer_with_jip(journey.stack)
    await journey.log_in(email, password)

    await journey.goto("/portal/consents")
    school = journey.page.locator("main form", has_text="Contact met school")
    assert "Zoals de praktijk het standaard instelt." in await school.inner_text()
    await school.get_by_label("Ja, ik geef toestemming").check()
    async with journey.page.expect_navigation():
        await school.get_by_role("button").click()
    await journey.checked()
    assert "Uw keuze is opgeslagen." in await journey.text()
    school = journey.page.locator("main form", has_text="Contact met school")
    assert "toestemming op" in await school.inner_text()
    assert await school.get_by_label("Ja, ik geef toestemming").is_checked()
    await journey.snap("consents")

    await journey.goto("/portal/diary")
    await journey.submit("Notitie opslaan")
    assert await journey.field_error("Nieuwe notitie")
    await journey.fill({"Nieuwe notitie": "Vandaag ging het beter op school."})
    await journey.page.get_by_label("Delen met mijn behandelaar").check()
    await journey.submit("Notitie opslaan")
    assert "Uw notitie is opgeslagen." in await journey.text()
    assert "gedeeld met uw behandelaar" in await journey.text()
    await journey.snap("diary")
