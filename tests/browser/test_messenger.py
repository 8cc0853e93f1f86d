"""The messenger in a browser (seed 1): a staff member starts a conversation and invites
someone from within it; the invitee registers from the mail and lands in the chat, reads
and answers with a file, likes; the staff member sees who has seen a message, forwards it
to another conversation and finds it by searching. And the live updates: a message, a like
and a read receipt reach another person's open page without a reload."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from browser_support import (
    Journey,
    invite_into_conversation,
    link_in,
    outbox_messages,
    start_conversation,
)
from playwright.async_api import Locator
from support import create_member, create_staff_member, login, set_security_policy, wait_until

from identity.domain.policy import PasswordPolicy, PasswordPreset, SecurityPolicy

pytestmark = pytest.mark.asyncio(loop_scope="session")

MESSENGER = SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.MESSENGER))


def message(journey: Journey, text: str) -> Locator:
    """The message (list item) in the conversation that says ``text``."""
    return journey.page.locator("li.zp-message", has_text=text)


async def test_an_invitee_registers_lands_in_the_chat_likes_and_the_sender_sees_forwards_and_searches(
    journey: Journey, tmp_path: Path
) -> None:
    staff = await create_staff_member(journey.stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:4]}")
    await set_security_policy(journey.stack, staff.organisation_id, MESSENGER)
    email = f"persoon-x-{uuid.uuid4().hex[:8]}@zorg.example"
    await journey.log_in(staff.email, staff.password)
    await start_conversation(journey, "IT Vlaardingen", "Hallo")
    await journey.snap("conversation-started")
    await invite_into_conversation(journey, email)

    # The invitee: the mail's link, "Maak je account aan", the summary, and into the chat.
    invitee = await journey.another("invitee")
    [mail] = await outbox_messages(journey.stack, email)
    await invitee.goto(link_in(mail, "/invitations/"))
    await invitee.click_link("Maak je account aan")
    await invitee.fill(
        {
            "Voornaam": "Persoon",
            "Achternaam": "X",
            "Wachtwoord": "Veilig-Wachtwoord-7",
            "Wachtwoord bevestigen": "Veilig-Wachtwoord-7",
        }
    )
    await invitee.submit("Volgende")
    await invitee.field("Ik ga akkoord met de algemene voorwaarden en het privacy statement.").check()
    await invitee.submit("Volgende")
    assert await invitee.heading() == "Bedankt voor uw registratie"
    await invitee.click_link("Naar het gesprek")

    async def in_the_chat() -> bool:
        if await invitee.heading() == "IT Vlaardingen":
            return True
        await invitee.goto(invitee.page.url)  # the waiting page, without relying on its script
        return False

    await wait_until(in_the_chat, within=30, interval=1, what="the invitee is in the conversation")
    await invitee.checked()
    assert "Hallo" in await message(invitee, "Hallo").inner_text()
    await invitee.snap("invitee-in-chat")

    # The invitee answers with a file and likes the greeting (seed 1: "Like 0 Likes").
    attachment = tmp_path / "verslag.txt"
    attachment.write_text("Het verslag van het overleg.\n", encoding="utf-8")
    await invitee.fill({"Uw bericht": "Hoi"})
    await invitee.page.set_input_files("#field-files", str(attachment))
    await invitee.submit("Verzenden")
    hoi = message(invitee, "Hoi")
    assert "verslag.txt" in await hoi.inner_text()
    hallo = message(invitee, "Hallo")
    assert "0 Likes" in await hallo.inner_text()
    await hallo.get_by_role("button", name="Like").click()
    await message(invitee, "Hallo").filter(has_text="1 Likes").wait_for()
    await invitee.goto(invitee.page.url.split("#")[0])
    assert await hallo.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert "1 Likes" in await hallo.inner_text()
    await invitee.snap("invitee-liked")

    # The sender: the answer and its file, who has seen the greeting ("Gezien door").
    await journey.goto(journey.page.url.split("#")[0])
    assert "Hoi" in await journey.text()
    async with journey.page.expect_download() as download_info:
        await message(journey, "Hoi").get_by_role("link", name="verslag.txt").click()
    download = await download_info.value
    assert download.suggested_filename == "verslag.txt"
    saved = tmp_path / "downloaded.txt"
    await download.save_as(str(saved))
    assert saved.read_text(encoding="utf-8") == "Het verslag van het overleg.\n"
    await journey.snap("sender-sees-answer")
    async with journey.page.expect_navigation():
        await message(journey, "Hallo").get_by_role("link", name=re.compile("^Gezien door")).click()
    await journey.checked()
    assert await journey.heading() == "Gezien door"
    assert "Persoon X" in await journey.page.get_by_test_id("seen-by").inner_text()
    await journey.snap("seen-by")
    await journey.click_link("Terug naar het gesprek")

    # Forward the answer to another conversation ("Doorsturen").
    found = re.search(r"/messages/([^/?#]+)", journey.page.url)
    assert found
    first_id = found.group(1)
    await start_conversation(journey, "Overleg intern")
    await journey.goto(f"/messages/{first_id}")
    async with journey.page.expect_navigation():
        await message(journey, "Hoi").get_by_role("link", name="Doorsturen").click()
    await journey.checked()
    await journey.submit("Doorsturen")
    assert "Kies het gesprek waarnaar u het bericht doorstuurt." in await journey.text()
    await journey.snap("forward-refused")
    await journey.page.get_by_label(re.compile("^Overleg intern")).check()
    await journey.submit("Doorsturen")
    assert await journey.heading() == "Overleg intern"
    forwarded = message(journey, "Hoi")
    assert "Doorgestuurd bericht van Persoon X" in await forwarded.inner_text()
    assert "verslag.txt" in await forwarded.inner_text()

    # The list: newest activity first, the other party, the last message.
    await journey.goto("/messages")
    titles = await journey.page.locator(".zp-conversation__title").all_inner_texts()
    assert titles[:2] == ["Overleg intern", "IT Vlaardingen"]
    assert "Persoon X: Hoi" in await journey.page.locator("#conversation-" + first_id).inner_text()
    await journey.snap("conversation-list")

    # Search ("Zoeken") in one's own conversations.
    await journey.fill({"Zoeken in uw berichten": "hoi"})
    await journey.submit("Zoeken")
    results = journey.page.locator(".zp-search-results__item")
    assert await results.count() == 2
    assert {"IT Vlaardingen", "Overleg intern"} == set(
        await journey.page.locator(".zp-search-results__link").all_inner_texts()
    )
    assert await journey.page.locator("mark").first.inner_text() == "Hoi"
    await journey.snap("search")
    await journey.fill({"Zoeken in uw berichten": "nergens-te-vinden"})
    await journey.submit("Zoeken")
    assert "Geen berichten gevonden." in await journey.text()


async def _chat_with(journey: Journey) -> tuple[str, str, str, str, str]:
    """A chat between a staff member and a person of the organisation, made through the API
    as their own front end would: (thread id, staff e-mail, staff password, person e-mail,
    person password)."""
    stack = journey.stack
    staff = await create_staff_member(stack)
    person = await create_member(stack, staff.organisation_id)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        staff_auth = {"Authorization": f"Bearer {await login(api, staff.email)}"}
        created = await api.post(
            "/api/v1/threads", json={"kind": "chat", "subject": "Live overleg", "body": "Welkom"}, headers=staff_auth
        )
        assert created.status_code == 201, created.text
        thread_id = created.json()["id"]
        invited = await api.post(
            "/api/v1/invitations", json={"email": person.email, "thread_id": thread_id}, headers=staff_auth
        )
        assert invited.status_code == 201, invited.text
        [mail] = await outbox_messages(stack, person.email)
        token = link_in(mail, "/invitations/").rsplit("/", 1)[1]
        person_auth = {"Authorization": f"Bearer {await login(api, person.email, person.password)}"}
        accepted = await api.post(f"/api/v1/invitations/{token}/accept", headers=person_auth)
        assert accepted.status_code == 200, accepted.text

        async def joined() -> bool:
            return (await api.get(f"/api/v1/threads/{thread_id}", headers=person_auth)).status_code == 200

        await wait_until(joined, within=20, what="the person joined the chat")
    return thread_id, staff.email, staff.password, person.email, person.password


async def test_a_message_a_like_and_a_read_receipt_arrive_in_another_browser_without_reload(journey: Journey) -> None:
    thread_id, staff_email, staff_password, person_email, person_password = await _chat_with(journey)
    await journey.log_in(staff_email, staff_password)
    reader = await journey.another("reader")
    await reader.log_in(person_email, person_password)
    await reader.goto("/messages")
    # Marks the page: a reload would lose it.
    await reader.page.evaluate("() => { window.zpNotReloaded = true; }")

    # The conversation list takes the new message in place.
    await journey.goto(f"/messages/{thread_id}")
    await journey.fill({"Uw bericht": "Eerste live bericht"})
    await journey.submit("Verzenden")
    await reader.page.locator("#conversation-" + thread_id, has_text="Eerste live bericht").wait_for()
    assert await reader.page.evaluate("() => window.zpNotReloaded === true"), "the list was reloaded"
    await reader.checked()
    await reader.snap("list-updated-live", again=False)

    # The open conversation takes the next message in place, and says so to a screen reader.
    await reader.goto(f"/messages/{thread_id}")
    await reader.page.evaluate("() => { window.zpNotReloaded = true; }")
    await journey.page.evaluate("() => { window.zpNotReloaded = true; }")
    await journey.fill({"Uw bericht": "Tweede live bericht"})
    await journey.submit("Verzenden")
    await journey.page.evaluate("() => { window.zpNotReloaded = true; }")
    await message(reader, "Tweede live bericht").wait_for()
    assert await reader.page.evaluate("() => window.zpNotReloaded === true"), "the conversation was reloaded"
    await reader.page.locator("#live-status", has_text="Nieuw bericht van Test Medewerker").wait_for(state="attached")

    # The reader had it open: the sender's page shows it seen, without a reload.
    await message(journey, "Tweede live bericht").filter(has_text="Gezien door (1)").wait_for()

    # A like reaches the sender's open page.
    await message(reader, "Tweede live bericht").get_by_role("button", name="Like").click()
    await message(journey, "Tweede live bericht").filter(has_text="1 Likes").wait_for()
    assert await journey.page.evaluate("() => window.zpNotReloaded === true"), "the sender's page was reloaded"
    await journey.checked()
    await reader.checked()
    await journey.snap("sender-updated-live", again=False)
    await reader.snap("reader-updated-live", again=False)


async def test_the_messenger_works_without_the_sites_script(journey: Journey, tmp_path: Path) -> None:
    """Every page of the messenger is complete without the site's script: a like is a form,
    a file goes with the message, forwarding and searching are pages of their own."""
    staff = await create_staff_member(journey.stack)
    await journey.context.route("**/static/js/*", lambda route: route.abort())
    await journey.log_in(staff.email, staff.password)
    notes = await start_conversation(journey, "Notities", "Eerste notitie")
    first = message(journey, "Eerste notitie")
    assert "0 Likes" in await first.inner_text()
    async with journey.page.expect_navigation():
        await first.get_by_role("button", name="Like").click()
    await journey.checked()
    assert await first.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert "1 Likes" in await first.inner_text()
    async with journey.page.expect_navigation():
        await first.get_by_role("button", name="Like").click()
    await journey.checked()
    assert "0 Likes" in await first.inner_text()

    await journey.submit("Verzenden")
    assert "Typ een bericht of kies een bestand." in await journey.field_error("Uw bericht")
    await journey.snap("empty-message-refused")
    report = tmp_path / "rapport.txt"
    report.write_text("Notitie bij het overleg.\n", encoding="utf-8")
    await journey.page.set_input_files("#field-files", str(report))
    await journey.submit("Verzenden")
    assert "rapport.txt" in await journey.text()

    await start_conversation(journey, "Archief")
    await journey.goto(f"/messages/{notes}")
    async with journey.page.expect_navigation():
        await message(journey, "rapport.txt").get_by_role("link", name="Doorsturen").click()
    await journey.checked()
    await journey.snap("forward")
    await journey.page.get_by_label(re.compile("^Archief")).check()
    await journey.submit("Doorsturen")
    assert await journey.heading() == "Archief"
    assert "rapport.txt" in await journey.text()

    await journey.goto("/messages/search?q=notitie")
    assert "Notities" in await journey.page.locator(".zp-search-results__link").all_inner_texts()
