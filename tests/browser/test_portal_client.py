"""The youth mental-health client portal (seed 4) in a browser, as Jip (13) walks it: the
dossier with "De overeenkomst" to approve before the trajectory starts, a report to
approve ("ik ga akkoord", with its time), a document uploaded after a correction, consents
changed with their history kept, the diary with a note shared with the practitioner and
changed later, "Over mij" with a change request the practice answers, insurance and
medication, the FHIR download; and Jip's parent in Jip's portal: the agreement approved
from the dossier, a message to the practitioner answered in the same conversation, and
who did what."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from browser_support import Journey
from support import Member, StaffMember, create_member, create_staff_member, login, wait_until

from identity.domain.accounts import Role
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

pytestmark = pytest.mark.asyncio(loop_scope="session")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class KindEnMeer:
    """The practice, its practitioner and Jip, with calls as the practice's software makes them."""

    stack: Stack
    staff: StaffMember
    jip: Member

    async def call(self, method: str, path: str, *, who: Member | StaffMember | None = None, **kwargs: Any) -> Any:
        """A gateway call as the practitioner (or ``who``), which must succeed."""
        person = who or self.staff
        async with httpx.AsyncClient(base_url=self.stack.gateway_url, timeout=30.0) as api:
            token = await login(api, person.email, person.password)
            response = await api.request(
                method, "/api/v1" + path, headers={"authorization": f"Bearer {token}"}, **kwargs
            )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


async def _kind_en_meer_with_jip(stack: Stack) -> KindEnMeer:
    """A youth practice with Jip (13) as an insured client, a trajectory waiting for its
    agreement, a report to approve and two consent items."""
    staff = await create_staff_member(
        stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:6]}", roles=frozenset({Role.PRACTITIONER})
    )
    born = calendar.birth_date_for_age(13, calendar.today(), days_younger=-30)
    jip = await create_member(stack, staff.organisation_id, birth_date=born)
    kind = KindEnMeer(stack, staff, jip)
    record = {
        "first_name": "Jip",
        "last_name": "Test",
        "birth_date": born.isoformat(),
        "email": jip.email,
        "city": "Arnhem",
        "insurer": "Zorgverzekeraar Oost",
        "policy_number": "P-123456",
    }
    await kind.call("PUT", f"/portal/practice/clients/{jip.account_id}", json=record)
    await kind.call(
        "PUT",
        "/portal/practice/consent-items",
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
    )
    await kind.call(
        "POST",
        "/portal/practice/trajectories",
        data={"person_id": jip.account_id, "title": "Behandeling angstklachten"},
        files={"file": ("overeenkomst.pdf", PDF, "application/pdf")},
    )
    await kind.call(
        "POST",
        f"/portal/practice/clients/{jip.account_id}/documents",
        data={"kind": "report", "title": "Intakeverslag", "requires_approval": "true"},
        files={"file": ("intake.pdf", PDF, "application/pdf")},
    )
    return kind


async def test_jip_approves_the_agreement_and_a_report_and_uploads_a_document(journey: Journey) -> None:
    kind = await _kind_en_meer_with_jip(journey.stack)
    await journey.log_in(kind.jip.email, kind.jip.password)
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

    # "Verslagen" in the menu bar, as the guide shows it.
    async with journey.page.expect_navigation():
        await journey.page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Verslagen").click()
    await journey.checked()
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
    kind = await _kind_en_meer_with_jip(journey.stack)
    await journey.log_in(kind.jip.email, kind.jip.password)

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

    # Changed later: emptied it stays in edit mode with the message; then private again.
    await journey.page.locator("main .zp-card").get_by_role("link", name="bewerken").click()
    await journey.page.wait_for_url("**/portal/diary/*")
    await journey.checked()
    await journey.fill({"Notitie": ""})
    await journey.submit("Wijzigingen opslaan")
    assert await journey.field_error("Notitie")
    assert await journey.heading() == "Notitie bewerken"
    await journey.snap("diary-edit-refused", again=False)
    await journey.fill({"Notitie": "Vandaag ging het beter op school, morgen toets."})
    await journey.page.get_by_label("Delen met mijn behandelaar").uncheck()
    await journey.submit("Wijzigingen opslaan")
    assert "Uw notitie is gewijzigd." in await journey.text()
    note = journey.page.locator("main .zp-card").first
    assert "morgen toets" in await note.inner_text() and "privé" in await note.inner_text()
    assert "gewijzigd op" in await note.inner_text()


async def test_jip_asks_to_change_his_details_and_reads_insurance_medication_and_his_data(journey: Journey) -> None:
    kind = await _kind_en_meer_with_jip(journey.stack)
    await kind.call(
        "POST",
        f"/portal/practice/clients/{kind.jip.account_id}/medications",
        json={"name": "Melatonine 1 mg", "dosage": "1x per dag voor het slapen", "chronic": True},
    )
    await journey.log_in(kind.jip.email, kind.jip.password)

    await journey.goto("/portal/dossier")
    await journey.click_link("Over mij")
    assert "Arnhem" in await journey.text() and "Jip Test" in await journey.text()
    await journey.submit("Wijziging aanvragen")
    assert "U heeft niets gewijzigd" in await journey.page.locator(".zp-error-summary").inner_text()
    await journey.fill({"E-mailadres": "geen-adres", "Woonplaats": "Nijmegen"})
    await journey.submit("Wijziging aanvragen")
    assert await journey.field_error("E-mailadres")
    assert await journey.field("Woonplaats").input_value() == "Nijmegen", "what was typed stays"
    await journey.snap("about-refused", again=False)
    await journey.fill({"E-mailadres": kind.jip.email, "Toelichting voor de praktijk (niet verplicht)": "Verhuisd"})
    await journey.submit("Wijziging aanvragen")
    assert "Uw verzoek is verstuurd." in await journey.text()
    requests = journey.page.locator("#requests")
    assert "Woonplaats: Nijmegen" in await requests.inner_text() and "in behandeling" in await requests.inner_text()

    [request] = await kind.call("GET", "/portal/practice/change-requests")
    await kind.call(
        "POST", f"/portal/practice/change-requests/{request['id']}/accept", json={"answer": "Verwerkt, dank je."}
    )
    await journey.goto("/portal/about-me")
    assert "Verwerkt, dank je." in await journey.page.locator("#requests").inner_text()
    assert "Nijmegen" in await journey.page.locator("main dl").inner_text()
    await journey.snap("about-me")

    await journey.goto("/portal/dossier")
    await journey.click_link("Verzekering")
    assert "Zorgverzekeraar Oost" in await journey.text() and "P-123456" in await journey.text()
    await journey.goto("/portal/dossier")
    await journey.click_link("Medicatie")
    row = journey.page.locator("main tr", has_text="Melatonine 1 mg")
    assert "ja, chronisch" in await row.inner_text() and "1x per dag" in await row.inner_text()
    await journey.snap("medication")

    await journey.goto("/portal/dossier")
    async with journey.page.expect_download() as started:
        await journey.page.get_by_role("link", name="Mijn gegevens downloaden (FHIR)").click()
    download = await started.value
    saved = journey.shots / "mijn-gegevens.fhir.json"
    await download.save_as(saved)
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "MedicationStatement"} <= kinds


async def test_a_parent_in_jips_portal_approves_the_agreement_and_writes_to_the_practitioner(
    journey: Journey,
) -> None:
    kind = await _kind_en_meer_with_jip(journey.stack)
    parent = await create_member(journey.stack, kind.staff.organisation_id)
    granted = await kind.call(
        "POST",
        "/delegations",
        json={"delegate_account_id": parent.account_id, "person_account_id": kind.jip.account_id},
    )
    await kind.call("POST", f"/delegations/{granted['id']}/consent", who=kind.jip, json={"accept": True})

    async def parent_must_approve() -> bool:
        [trajectory] = await kind.call("GET", "/portal/trajectories", who=kind.jip)
        return any(party["account_id"] == parent.account_id for party in trajectory["parties"])

    await wait_until(parent_must_approve, what="the parent a party of the agreement")

    await journey.log_in(parent.email, parent.password)
    await journey.goto("/portal/switch")
    async with journey.page.expect_navigation():
        await journey.page.locator("main tbody tr", has_not_text="eigen portaal").get_by_role("button").click()
    await journey.checked()
    assert await journey.heading() == "Portaal van Test Persoon"

    # The agreement, from the dossier: the parent's own approval, in Jip's portal.
    await journey.goto("/portal/dossier")
    await journey.click_link("De overeenkomst van Behandeling angstklachten lezen en akkoord geven")
    row = journey.page.locator("main tr", has_text="De overeenkomst")
    assert "wacht op uw akkoord" in await row.inner_text()
    async with journey.page.expect_navigation():
        await row.get_by_role("button", name="Ik ga akkoord").click()
    await journey.checked()
    assert "Uw akkoord is vastgelegd." in await journey.text()
    await journey.goto("/portal/dossier")
    trajectories = await journey.page.locator("#trajectories-heading + ul").inner_text()
    assert "wacht op akkoord" in trajectories and "nog niet akkoord" in trajectories, "Jip has yet to approve"
    assert await journey.page.get_by_role("link", name="De overeenkomst", exact=False).count() == 0
    await journey.snap("parent-dossier")

    # A message to the practitioner, from Jip's messages; the answer comes in the same
    # conversation, which stays open.
    await journey.page.locator("nav").get_by_role("link", name="Berichten").click()
    await journey.page.wait_for_url("**/portal/messages")
    await journey.click_link("Nieuw bericht")
    await journey.submit("Bericht versturen")
    assert await journey.field_error("Onderwerp") and await journey.field_error("Uw bericht")
    await journey.snap("care-message-refused", again=False)
    await journey.fill({"Onderwerp": "Slaapproblemen", "Uw bericht": "Jip slaapt slecht sinds de toets."})
    await journey.submit("Bericht versturen")
    assert await journey.heading() == "Slaapproblemen"
    assert "Uw bericht is verstuurd." in await journey.text()
    thread_id = journey.page.url.split("#")[0].rsplit("/", 1)[-1]
    await kind.call("POST", f"/threads/{thread_id}/messages", json={"body": "Zullen we dat donderdag bespreken?"})
    await journey.goto("/portal/messages")
    await journey.click_link("Slaapproblemen")
    assert "donderdag bespreken" in await journey.text()
    await journey.fill({"Uw bericht": "Donderdag is goed."})
    await journey.submit("Verzenden")
    assert "Uw reactie is verstuurd." in await journey.text() and "Donderdag is goed." in await journey.text()
    await journey.snap("parent-conversation")

    await journey.goto("/")
    await journey.click_link("Wie deed wat in dit portaal")
    approved = journey.page.locator("main tr", has_text="akkoord gegeven op een document")
    assert (await approved.locator("td").last.inner_text()).strip() == "u"
    published = journey.page.locator("main tr", has_text="document klaargezet").first
    assert (await published.locator("td").last.inner_text()).strip() == "Test Medewerker"
    await journey.snap("actions")

    # Jip reads the same conversation in his own portal, and can answer in it too.
    jip = await journey.another("jip")
    await jip.log_in(kind.jip.email, kind.jip.password)
    await jip.goto("/portal/messages")
    await jip.click_link("Slaapproblemen")
    assert "Donderdag is goed." in await jip.text() and "donderdag bespreken" in await jip.text()
    assert await jip.page.locator("main textarea").count() == 1
