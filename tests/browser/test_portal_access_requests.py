"""A parent asks online for access to a child's portal, in a browser (seed 5, "Portaal
account voor familieleden of kinderen"): from "Portaal wisselen" to the form, refused from
16 and for empty names, sent for a child under 12; the practice approves it from its list
and the parent opens the child's portal; for a child of 12 to 15 the practice picks the
child from its clients born that day; a second request is rejected with a reason the
parent reads on their page and not in the mail."""

from __future__ import annotations

import uuid

import pytest
from browser_support import Journey, outbox_messages
from journeys_support import years_ago
from support import create_member, create_staff_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

CONSENT_AWAITED = "Wacht op toestemming"


async def test_a_parent_asks_the_practice_approves_and_the_parent_opens_the_childs_portal(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    parent = await create_member(journey.stack, practice.organisation_id)
    await journey.log_in(parent.email, parent.password)
    await journey.goto("/portal/switch")
    await journey.click_link("Toegang voor mijn kind aanvragen")
    assert await journey.heading() == "Toegang voor mijn kind aanvragen"
    assert "U heeft nog geen aanvragen gedaan." in await journey.text()
    await journey.snap("access-request-form")

    # From 16 the child decides: the page says how it goes then.
    await journey.fill(
        {
            "Voornaam van uw kind": "Noor",
            "Achternaam van uw kind": "Persoon",
            "Geboortedatum": years_ago(16).isoformat(),
        }
    )
    await journey.field("Uw relatie tot het kind").select_option("parent")
    await journey.submit("Aanvraag versturen")
    assert "schriftelijk toestemming" in await journey.text()
    assert await journey.field("Voornaam van uw kind").input_value() == "Noor", "what was typed stays"
    await journey.snap("access-request-sixteen", again=False)

    # Every bad field is named at once.
    await journey.fill({"Voornaam van uw kind": "", "Achternaam van uw kind": "", "Geboortedatum": ""})
    await journey.field("Uw relatie tot het kind").select_option("")
    await journey.submit("Aanvraag versturen")
    for label in ("Voornaam van uw kind", "Achternaam van uw kind", "Geboortedatum", "Uw relatie tot het kind"):
        assert await journey.field_error(label), label
    assert len(await journey.error_summary_links()) == 4
    assert (await journey.field_error("Uw relatie tot het kind")).endswith("Vul dit veld in.")

    await journey.fill(
        {
            "Voornaam van uw kind": "Sam",
            "Achternaam van uw kind": "Persoon",
            "Geboortedatum": years_ago(9).isoformat(),
            "Toelichting voor de praktijk": "Ik ben de moeder van Sam.",
        }
    )
    await journey.field("Uw relatie tot het kind").select_option("parent")
    await journey.submit("Aanvraag versturen")
    assert "Uw aanvraag voor Sam Persoon is verstuurd naar de praktijk." in await journey.text()
    assert "In behandeling bij de praktijk" in await journey.text()
    await journey.snap("access-request-pending")
    [receipt] = await outbox_messages(journey.stack, parent.email)
    assert receipt["subject"].startswith("Uw aanvraag bij Kind & meer") and "Sam" not in receipt["subject"]
    assert "Sam Persoon" in receipt["text"] and "moeder" not in receipt["text"]

    staff = await journey.another("practice")
    await staff.log_in(practice.email, practice.password)
    await staff.goto("/staff")
    await staff.click_link("Aanvragen toegang kind")
    assert "Sam Persoon" in await staff.text() and "Test Persoon" in await staff.text()
    await staff.snap("practice-access-requests")
    await staff.click_link("Aanvraag voor Sam beoordelen")
    assert "Ik ben de moeder van Sam." in await staff.text()
    await staff.snap("practice-access-request")
    await staff.field("Nieuw dossier aanmaken (zonder inlog)").check()
    await staff.submit("Goedkeuren")
    assert "De aanvraag voor Sam Persoon is goedgekeurd" in await staff.text()
    assert "Geen aanvragen." in await staff.text(), "nothing left to review"

    await journey.goto("/portal/access-requests")
    assert "Goedgekeurd – u kunt het portaal openen." in await journey.text()
    await journey.snap("access-request-approved")
    await journey.click_link("Portaal wisselen")
    await journey.submit("Open portaal van Sam Persoon")
    assert await journey.heading() == "Portaal van Sam Persoon"


async def test_from_twelve_the_practice_picks_the_child_from_its_clients(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    parent = await create_member(journey.stack, practice.organisation_id)
    born = years_ago(13)
    # The practice's client "Test Persoon", 13 today, with an account of its own.
    child = await create_member(journey.stack, practice.organisation_id, birth_date=born)
    await journey.log_in(parent.email, parent.password)
    await journey.goto("/portal/access-requests")
    await journey.fill(
        {"Voornaam van uw kind": "Test", "Achternaam van uw kind": "Persoon", "Geboortedatum": born.isoformat()}
    )
    await journey.field("Uw relatie tot het kind").select_option("parent")
    await journey.submit("Aanvraag versturen")

    staff = await journey.another("practice")
    await staff.log_in(practice.email, practice.password)
    await staff.goto("/staff/access-requests")
    await staff.click_link("Aanvraag voor Test beoordelen")
    assert "Nieuw dossier aanmaken" not in await staff.text(), "from 12 the child has its own account"
    await staff.field(f"Test Persoon, geboren {born.isoformat()}").check()
    await staff.snap("practice-access-request-pick-child")
    await staff.submit("Goedkeuren")
    assert "De aanvraag voor Test Persoon is goedgekeurd" in await staff.text()

    await journey.goto("/portal/access-requests")
    assert "Test moet nog toestemming geven" in await journey.text()
    youth = await journey.another("child")
    await youth.log_in(child.email, child.password)
    await youth.goto("/me/delegations")
    assert CONSENT_AWAITED in await youth.text()


async def test_a_rejection_shows_its_reason_on_the_page_and_not_in_the_mail(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"De Linde {uuid.uuid4().hex[:4]}")
    parent = await create_member(journey.stack, practice.organisation_id)
    await journey.set_language("en")
    await journey.log_in(parent.email, parent.password)
    await journey.goto("/portal/access-requests")
    assert await journey.heading() == "Request access for my child"
    await journey.fill(
        {
            "Your child's first name": "Lot",
            "Your child's last name": "Persoon",
            "Date of birth": years_ago(5).isoformat(),
        }
    )
    await journey.field("Your relation to the child").select_option("carer")
    await journey.submit("Send request")
    assert "Being reviewed by the practice" in await journey.text()

    staff = await journey.another("practice")
    await staff.log_in(practice.email, practice.password)
    await staff.goto("/staff/access-requests")
    await staff.click_link("Aanvraag voor Lot beoordelen")
    await staff.submit("Afwijzen")
    assert await staff.field_error("Reden")
    await staff.fill({"Reden": "Wij kennen u niet als verzorger van Lot."})
    await staff.submit("Afwijzen")
    assert "De aanvraag voor Lot Persoon is afgewezen" in await staff.text()

    mail = (await outbox_messages(journey.stack, parent.email, count=2))[0]
    assert "Lot" not in mail["subject"] and "verzorger van Lot" not in mail["text"]
    await journey.goto("/portal/access-requests")
    assert "Reason: Wij kennen u niet als verzorger van Lot." in await journey.text()
    await journey.snap("access-request-rejected")
