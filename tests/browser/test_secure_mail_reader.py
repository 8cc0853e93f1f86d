"""The outside recipient of a secure e-mail, who has no account, in a browser (seed 2): the
notice's "Bericht lezen" link, "Toegangscode aanvragen" (by SMS when the sender gave a
mobile number, otherwise by mail), the code that opens the mail by itself once complete
(no enter needed; a button without JavaScript), reading and downloading, "Beantwoorden"
with a file and "Verzenden", the sender finding the answer in the shared inbox, and a
later visit that asks for a new code; the web's log never shows the link's token;
"Sluiten" forgets the access. A withdrawn mail's link says it no longer works."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from browser_support import Journey, code_in, link_in, outbox_messages
from support import create_staff_member, login, unique_mobile

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: The smallest file the messaging service takes as a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class SentMail:
    staff_email: str
    staff_password: str
    thread_id: str
    recipient: str
    mobile: str | None
    link: str


async def send_secure_mail(stack: Stack, *, mobile: str | None, with_file: bool = False) -> SentMail:
    """A staff member sends a secure mail (and a file after it) through the API; answers the
    mail and the "Bericht lezen" link of its notice."""
    staff = await create_staff_member(stack, organisation_name=f"Gemeente Haarlemmermeer {uuid.uuid4().hex[:4]}")
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        auth = {"Authorization": f"Bearer {await login(api, staff.email)}"}
        sent = await api.post(
            "/api/v1/secure-mails",
            json={
                "recipient_email": recipient,
                "recipient_mobile": mobile,
                "subject": "Uw aanvraag huishoudelijke hulp",
                "body": "Uw aanvraag is toegekend.",
            },
            headers=auth,
        )
        assert sent.status_code == 201, sent.text
        thread_id = sent.json()["thread_id"]
        if with_file:
            added = await api.post(
                f"/api/v1/threads/{thread_id}/messages",
                data={"body": "De beschikking staat in de bijlage."},
                files={"files": ("beschikking.pdf", PDF, "application/pdf")},
                headers=auth,
            )
            assert added.status_code == 201, added.text
    # The first notice's link (a later message may bring a notice with a fresh link too).
    notice = (await outbox_messages(stack, recipient))[-1]
    return SentMail(staff.email, staff.password, thread_id, recipient, mobile, link_in(notice, "/secure-mail/"))


async def request_code(reader: Journey) -> None:
    assert await reader.heading() == "Beveiligd bericht lezen"
    await reader.submit("Toegangscode aanvragen")
    assert await reader.heading() == "Toegangscode invullen"


async def type_code(reader: Journey, code: str) -> None:
    """Types the code and waits for the page it opens by itself: no enter, no button."""
    async with reader.page.expect_navigation():
        await reader.field("Toegangscode").fill(code)
    await reader.checked()


def wrong(code: str) -> str:
    return "".join(str((int(digit) + 1) % 10) for digit in code)


async def test_the_recipient_asks_a_code_by_sms_reads_downloads_answers_and_needs_a_new_code_later(
    journey: Journey, tmp_path: Path
) -> None:
    mobile = unique_mobile()
    mail = await send_secure_mail(journey.stack, mobile=mobile, with_file=True)

    reader = journey
    await reader.goto(mail.link)
    await reader.snap("reader-start")
    await request_code(reader)
    assert "per sms" in await reader.page.get_by_test_id("code-sent").inner_text()
    assert mobile not in await reader.text(), "the number is shown partly hidden"
    await reader.snap("reader-code")
    [sms] = await outbox_messages(journey.stack, mobile)
    code = code_in(sms)
    assert "Uw aanvraag" not in sms["text"], "the code message carries no content"

    await type_code(reader, wrong(code))
    assert "klopt niet" in await reader.field_error("Toegangscode")
    await reader.snap("reader-code-wrong")
    await type_code(reader, code)
    assert await reader.heading() == "Uw aanvraag huishoudelijke hulp"
    assert "Uw aanvraag is toegekend." in await reader.text()
    await reader.snap("reader-mail")

    async with reader.page.expect_download() as download_info:
        await reader.page.get_by_role("link", name="beschikking.pdf").click()
    saved = tmp_path / "beschikking.pdf"
    await (await download_info.value).save_as(str(saved))
    assert saved.read_bytes() == PDF

    # "Beantwoorden", a file, "Verzenden" (the button at the top of the form).
    await reader.page.get_by_role("link", name="Beantwoorden").first.click()
    await reader.page.wait_for_url("**/reply")
    await reader.checked()
    await reader.snap("reader-reply")
    await reader.fill({"Uw bericht": "Dank u wel, hierbij mijn paspoort."})
    answer = tmp_path / "paspoort.pdf"
    answer.write_bytes(PDF)
    await reader.page.set_input_files("#field-files", str(answer))
    async with reader.page.expect_navigation():
        await reader.page.get_by_role("button", name="Verzenden").first.click()
    await reader.checked()
    assert "Uw bericht is verzonden." in await reader.text()
    assert "paspoort.pdf" in await reader.text()
    await reader.snap("reader-answered")

    # The sender finds the answer in the shared inbox; the mail can no longer be withdrawn.
    sender = await journey.another("sender")
    await sender.log_in(mail.staff_email, mail.staff_password)
    await sender.goto("/staff/inbox")
    assert "Uw aanvraag huishoudelijke hulp" in await sender.text()
    await sender.goto(f"/staff/inbox/{mail.thread_id}")
    assert "Dank u wel, hierbij mijn paspoort." in await sender.text()
    assert "Geopend door de ontvanger" in await sender.page.get_by_test_id("mail-state").inner_text()
    assert not await sender.page.get_by_role("button", name="Bericht intrekken").count()

    # A later visit, in another browser: a new code each time.
    later = await journey.another("later")
    await later.goto(mail.link)
    await request_code(later)
    messages = await outbox_messages(journey.stack, mobile, count=2)
    new_code = code_in(messages[0])
    await type_code(later, new_code)
    assert "Dank u wel, hierbij mijn paspoort." in await later.text()

    # The web's log names every page the reader opened, never the link's secret.
    token = mail.link.rsplit("/secure-mail/", 1)[1]
    logged = (journey.stack.log_dir / "web.log").read_text(encoding="utf-8", errors="replace")
    assert "/secure-mail/[redacted]/code" in logged
    assert token not in logged


async def test_without_a_mobile_number_the_code_comes_by_mail_and_opens_with_the_button_without_the_script(
    journey: Journey,
) -> None:
    mail = await send_secure_mail(journey.stack, mobile=None)
    reader = await journey.another("reader-without-script")
    # The site's own script never arrives (axe, which the test runs in the page, still does).
    await reader.context.route("**/static/js/*", lambda route: route.abort())
    try:
        await reader.goto(mail.link)
        await request_code(reader)
        assert "per e-mail gestuurd naar b***@example.org" in await reader.page.get_by_test_id("code-sent").inner_text()
        messages = await outbox_messages(journey.stack, mail.recipient, count=2)
        code = code_in(messages[0])
        await reader.field("Toegangscode").fill(code)
        await reader.submit("Bericht openen")
        assert await reader.heading() == "Uw aanvraag huishoudelijke hulp"
        await reader.snap("reader-mail-without-script")
        # "Sluiten": this browser forgets the access; the link asks for a code again.
        await reader.submit("Sluiten")
        assert await reader.heading() == "Beveiligd bericht lezen"
        assert "Het bericht is gesloten." in await reader.text()
    finally:
        await reader.context.unroute("**/static/js/*")


async def test_the_link_of_a_withdrawn_mail_says_it_no_longer_works(journey: Journey) -> None:
    mail = await send_secure_mail(journey.stack, mobile=None)
    sender = await journey.another("sender")
    await sender.log_in(mail.staff_email, mail.staff_password)
    await sender.goto(f"/staff/inbox/{mail.thread_id}")
    await sender.submit("Bericht intrekken")

    await journey.goto(mail.link)
    await journey.submit("Toegangscode aanvragen")
    assert await journey.heading() == "Deze link werkt niet (meer)"
    await journey.snap("reader-withdrawn", again=False)
