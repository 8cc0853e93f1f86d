"""The e-counter (seed 3) in a browser: a contact person confirms by the link mailed to
them (once: the link then says it no longer works), and a message of the department's case
handler reaches the organisation — the notice's link opens it after signing in, with its
reference, history and who is told — is answered there, and the answer is read back at the
department under the same reference."""

from __future__ import annotations

import uuid

import httpx
import pytest
from browser_support import (
    Journey,
    add_contact_person,
    confirm_contact_person,
    link_in,
    outbox_messages,
)
from support import add_themes, create_staff_member, login, supervise

from zorgpost_kit.roles import Role

#: The department writes to organisations through its case handlers.
CASE_HANDLER = frozenset({Role.CASE_HANDLER})

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_contact_person_confirms_by_the_mailed_link_once(journey: Journey) -> None:
    stack = journey.stack
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=CASE_HANDLER,
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    [erkenning] = await add_themes(stack, department, "Erkenning")
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning)
    email = f"contact-{uuid.uuid4().hex[:8]}@hetanker.example"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        auth = _bearer(await login(api, anker.email))
        contact_id = await add_contact_person(api, auth, email, [erkenning])
        [mail] = await outbox_messages(stack, email)
        link = link_in(mail, "/contact-persons/confirm/")

        await journey.goto(link)
        assert await journey.heading() == "Bevestig dat u contactpersoon bent"
        await journey.snap("contact-confirm")
        listed = (await api.get("/api/v1/organisation/contacts", headers=auth)).json()
        assert [p["confirmed"] for p in listed if p["id"] == contact_id] == [False], "opening the link confirms nothing"

        await journey.submit("Gegevens bevestigen")
        assert await journey.heading() == "Bevestiging in orde"
        await journey.snap("contact-confirmed", again=False)
        listed = (await api.get("/api/v1/organisation/contacts", headers=auth)).json()
        assert [p["confirmed"] for p in listed if p["id"] == contact_id] == [True]

    await journey.goto(link)
    await journey.submit("Gegevens bevestigen")
    assert await journey.heading() == "Deze bevestigingslink werkt niet"
    await journey.snap("contact-confirm-used", again=False)


async def test_the_departments_message_is_read_from_its_notice_and_answered_by_the_organisation(
    journey: Journey,
) -> None:
    stack = journey.stack
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=CASE_HANDLER,
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    [erkenning] = await add_themes(stack, department, "Erkenning")
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning)
    title = f"Vraag over uw erkenning {uuid.uuid4().hex[:4]}"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        # The organisation's staff member is its confirmed contact person for the theme.
        await add_contact_person(api, _bearer(await login(api, anker.email)), anker.email, [erkenning])
        await confirm_contact_person(stack, api, anker.email)
        sent = await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": erkenning,
                "title": title,
                "body": "Stuur het inspectieverslag mee.",
                "organisation_id": anker.organisation_id,
            },
            headers=_bearer(await login(api, department.email)),
        )
        assert sent.status_code == 201, sent.text
    reference = sent.json()["reference"]

    mails = await outbox_messages(stack, anker.email, count=2)
    notice = next(mail for mail in mails if "e-loket" in mail["subject"])
    assert "e-loket" in notice["subject"] and "inspectieverslag" not in notice["text"]
    await journey.goto(link_in(notice, "/ecounter/messages/"))
    assert await journey.heading() == "Inloggen"
    await journey.page.locator("#field-username").fill(anker.email)
    await journey.page.locator("#field-password").fill(anker.password)
    await journey.submit()
    assert await journey.heading() == title
    page = await journey.text()
    assert reference in page and "Stuur het inspectieverslag mee." in page and "Inkomend bericht" in page
    assert anker.email in await journey.page.get_by_test_id("told").inner_text()
    await journey.snap("ecounter-message")

    await journey.submit("Verzenden")
    assert await journey.field_error("Tekst"), "an empty answer is named at its field"
    await journey.snap("ecounter-reply-refused", again=False)
    await journey.fill({"Tekst": "Het verslag volgt deze week."})
    await journey.submit("Verzenden")
    assert f"Uw antwoord onder referentienummer {reference} is verstuurd naar Team Erkenning" in await journey.text()
    assert "Uitgaand bericht" in await journey.text()

    await journey.goto("/ecounter?box=sent")
    assert title in await journey.text() and reference in await journey.text()
    await journey.snap("ecounter-sent")

    handler = await journey.another("department")
    await handler.log_in(department.email, department.password)
    await handler.goto("/ecounter")
    assert await handler.page.get_by_test_id("ecounter-item").count() == 1
    await handler.click_link(title)
    assert await handler.heading() == title
    assert "Het verslag volgt deze week." in await handler.text() and reference in await handler.text()
    await handler.snap("ecounter-department")
