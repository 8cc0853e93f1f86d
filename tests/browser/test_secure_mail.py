"""Secure e-mail from the organisation's side in a browser (seed 2): staff send a mail, find
it in the shared inbox with its delivery status, add a file to it, hand it to a colleague,
mail a fresh read link and withdraw it while unopened (only the sender is offered that);
the read-link lifetime setting (an administrator's); a person writes a secure mail to their
organisation, which its staff read and answer."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from browser_support import Journey, log_in_with_email_code
from support import create_member, create_staff_member, unique_mobile

from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: The smallest file the messaging service takes as a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_staff_send_find_it_in_the_inbox_add_a_file_assign_resend_and_withdraw(
    journey: Journey, tmp_path: Path
) -> None:
    staff = await create_staff_member(journey.stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    await journey.log_in(staff.email, staff.password)
    await journey.goto("/staff/secure-mails/new")
    await journey.fill(
        {
            "E-mailadres ontvanger": recipient,
            "Mobiel nummer ontvanger": unique_mobile(),
            "Onderwerp": "Uw aanvraag huishoudelijke hulp",
            "Bericht": "Vertrouwelijk: uw aanvraag is ontvangen.",
        }
    )
    await journey.submit("Verzenden")
    assert await journey.heading() == "Bezorgstatus"
    await journey.click_link("Bericht in het postvak")

    # The mail in the shared inbox: its delivery status, not opened yet.
    assert await journey.heading() == "Uw aanvraag huishoudelijke hulp"
    assert "Nog niet geopend" in await journey.page.get_by_test_id("mail-state").inner_text()
    for _ in range(60):
        statuses = await journey.page.get_by_test_id("delivery-status").all_inner_texts()
        if statuses and all(status.startswith("Verstuurd") for status in statuses):
            break
        await journey.goto(journey.page.url)
    assert statuses and all(status.startswith("Verstuurd") for status in statuses), statuses
    await journey.snap("inbox-thread")

    # A file after it (the reply form: a refusal first, next to the file field).
    wrong = tmp_path / "programma.exe"
    wrong.write_bytes(b"MZ\x90\x00 not a document")
    await journey.page.set_input_files("#field-files", str(wrong))
    await journey.submit("Verzenden")
    assert await journey.field_error("Bijlagen")
    await journey.snap("inbox-reply-refused")
    document = tmp_path / "beschikking.pdf"
    document.write_bytes(PDF)
    await journey.fill({"Uw bericht": "Hierbij de beschikking."})
    await journey.page.set_input_files("#field-files", str(document))
    await journey.submit("Verzenden")
    assert "Uw bericht is verzonden." in await journey.text()
    assert "beschikking.pdf" in await journey.text()

    # Hand it to oneself: it shows under "Aan mij toegewezen".
    await journey.field("Toegewezen aan").select_option(staff.account_id)
    await journey.submit("Toewijzen")
    assert "Het bericht is toegewezen aan Test Medewerker." in await journey.text()
    thread_url = journey.page.url.split("#")[0]
    await journey.goto("/staff/inbox?folder=sent")
    assert "Uw aanvraag huishoudelijke hulp" in await journey.text()
    await journey.snap("inbox-sent")
    await journey.click_link("Aan mij toegewezen")
    assert "Toegewezen aan Test Medewerker" in await journey.text()
    await journey.snap("inbox-assigned-to-me")

    # Only the sender may withdraw: a colleague reads the mail without the button.
    colleague = await create_member(journey.stack, staff.organisation_id, role=Role.STAFF)
    other = await journey.another("colleague")
    await other.log_in(colleague.email, colleague.password)
    await other.goto(thread_url)
    assert await other.heading() == "Uw aanvraag huishoudelijke hulp"
    assert not await other.page.get_by_role("button", name="Bericht intrekken").count()
    await other.close()

    # A fresh read link, then withdrawn while unopened: the state says so.
    await journey.goto(thread_url)
    await journey.submit("Nieuwe leeslink sturen")
    assert "De ontvanger krijgt een nieuwe leeslink." in await journey.text()
    await journey.submit("Bericht intrekken")
    assert "Het bericht is ingetrokken" in await journey.text()
    assert "Ingetrokken" in await journey.page.get_by_test_id("mail-state").inner_text()
    assert not await journey.page.get_by_role("button", name="Bericht intrekken").count()
    await journey.snap("inbox-withdrawn")


async def test_the_read_link_lifetime_names_a_bad_value_and_then_saves(journey: Journey) -> None:
    # An organisation setting: its administrators change it.
    admin = await create_staff_member(journey.stack, roles=frozenset({Role.ADMIN, Role.STAFF}))
    await log_in_with_email_code(journey, admin.email, admin.password)
    await journey.goto("/staff")
    await journey.click_link("Instellingen beveiligde e-mail")
    assert await journey.field("Geldigheid van de leeslink (dagen)").input_value() == "30"
    await journey.field("Geldigheid van de leeslink (dagen)").fill("400")
    await journey.submit("Opslaan")
    assert "365" in await journey.field_error("Geldigheid van de leeslink (dagen)")
    await journey.snap("settings-refused")
    await journey.field("Geldigheid van de leeslink (dagen)").fill("14")
    await journey.submit("Opslaan")
    assert "De instellingen zijn opgeslagen." in await journey.text()
    assert await journey.field("Geldigheid van de leeslink (dagen)").input_value() == "14"


async def test_a_person_writes_to_the_organisation_and_its_staff_answer_from_the_inbox(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack, organisation_name=f"Huisartsenpraktijk {uuid.uuid4().hex[:4]}")
    person = await create_member(journey.stack, staff.organisation_id)
    await journey.log_in(person.email, person.password)
    await journey.goto("/messages")
    await journey.click_link("Bericht aan de organisatie")
    await journey.submit("Verzenden")
    assert await journey.field_error("Onderwerp")
    await journey.snap("write-refused")
    await journey.fill({"Onderwerp": "Vraag over mijn medicatie", "Bericht": "Mag ik de dosis halveren?"})
    await journey.submit("Verzenden")
    assert await journey.heading() == "Vraag over mijn medicatie"
    assert "Uw bericht is beveiligd verstuurd" in await journey.text()
    person_thread = journey.page.url.split("#")[0]

    colleague = await journey.another("staff")
    await colleague.log_in(staff.email, staff.password)
    await colleague.goto("/staff/inbox")
    assert (await colleague.page.get_by_test_id("inbox-unread").inner_text()).startswith("1")
    await colleague.snap("inbox-received")
    async with colleague.page.expect_navigation():
        await colleague.page.locator(".zp-conversation__link", has_text="Vraag over mijn medicatie").click()
    await colleague.checked()
    assert "Mag ik de dosis halveren?" in await colleague.text()
    await colleague.fill({"Uw bericht": "Nee, overleg eerst met de huisarts."})
    await colleague.submit("Verzenden")
    assert "Uw bericht is verzonden." in await colleague.text()
    await colleague.goto("/staff/inbox")
    assert not await colleague.page.get_by_test_id("inbox-unread").count(), "read once opened"

    await journey.goto(person_thread)
    assert "Nee, overleg eerst met de huisarts." in await journey.text()
    await journey.snap("person-reads-answer")
