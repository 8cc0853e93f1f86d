"""Every notice Zorgpost mails leads to a working page: each notice of the notifications
service's catalogue that carries a link is caused for real (through the gateway, as the
people involved would), rendered by the notifications service, read from the development
outbox, and its link (from the HTML version) followed in the browser by its recipient.

"Nieuw bericht van X" (``new_message``) comes to the staff member when an invitee answers
in their chat; its ``/threads/{id}`` link opens the conversation after signing in.

The e-counter (seed 3): the staff member is made a contact person of their organisation
(``contact_confirmation``, confirmed) and a department's case handler then writes to the
organisation about that theme (``ecounter_message``, "Nieuw bericht van X in het e-loket",
whose link opens the message after signing in). A second contact person's confirmation link
is left unused, so the confirmation page the test opens is the one of a working link. The
staff member's question to the technical helpdesk (``helpdesk_confirmation``) links to its
ticket.

The portal (seeds 4 and 5): a GP practice's patient books a free time and cancels it
(``appointment_booked``, ``appointment_cancelled``), and the practice publishes a document
and a result, marks a repeat prescription ready and sends a questionnaire
(``document_published``, ``result_published``, ``prescription_ready``,
``questionnaire_sent``); each link opens the portal's page after the patient signs in.

The digest of several secure mails (``messages_digest``) is not caused here: it goes out
only after the person's digest window (a minute at the least); its links are the same
``/secure-mail/{token}`` read links whose page ``secure_mail_notice`` opens.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import httpx
import pytest
from browser_support import Journey, add_contact_person, confirm_contact_person, outbox_messages
from journeys_support import token_after, years_ago
from support import (
    PASSWORD,
    add_themes,
    create_member,
    create_staff_member,
    login,
    onboard_organisation,
    supervise,
    unique_mobile,
    wait_until,
)
from test_portal_patient import gp_with_patient

from notifications.domain.notices import CATALOGUE
from zorgpost_devstack.stack import Stack
from zorgpost_kit.roles import Role

#: The department writes to organisations through its case handlers.
CASE_HANDLER = frozenset({Role.CASE_HANDLER})

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: Sent only after a digest window; its links are those of ``secure_mail_notice``.
NOT_CAUSED = {"messages_digest"}
#: What the portal's notices need: a document as a practice publishes it.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ERROR_HEADINGS = {"Pagina niet gevonden", "Er ging iets mis", "Geen toegang", "Formulier verlopen"}


def _template_text(name: str) -> str:
    return (files("notifications") / "templates" / "nl" / name).read_text(encoding="utf-8")


def linked_templates() -> set[str]:
    """The catalogue's notices whose mail carries a link (``link(…)`` in the template)."""
    return {kind.template for kind in CATALOGUE if "link(" in _template_text(f"{kind.template}.html.j2")}


def _subject_pattern(text: str) -> str:
    return ".+".join(re.escape(part) for part in re.split(r"\{\{.*?\}\}", text))


def subject_patterns() -> dict[str, re.Pattern[str]]:
    """Each template's Dutch subject as a pattern (its parameters match anything; a subject
    chosen by ``{% if %}`` matches any of its branches)."""
    patterns = {}
    for kind in CATALOGUE:
        source = _template_text(f"{kind.template}.subject.j2").strip()
        branches = [branch for branch in re.split(r"\{%.*?%\}", source) if branch.strip()]
        if any(not re.sub(r"\{\{.*?\}\}", "", branch).strip() for branch in branches):
            continue  # the one-time code's subject is all words chosen by purpose; it carries no link
        patterns[kind.template] = re.compile("^(" + "|".join(_subject_pattern(b) for b in branches) + ")$")
    return patterns


async def _html(stack: Stack, message_id: str) -> str:
    async with httpx.AsyncClient(base_url=stack.outbox_url) as client:
        detail: dict[str, Any] = (await client.get(f"/api/messages/{message_id}")).json()
    return str(detail["html"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _answer_in_chat(api: httpx.AsyncClient, stack: Stack, staff_auth: dict[str, str], chat_id: str) -> None:
    """A second invitee registers through the invitation, joins ``chat_id`` and writes in it."""
    email = f"deelnemer-{uuid.uuid4().hex[:8]}@zorg.example"
    sent = await api.post("/api/v1/invitations", json={"email": email, "thread_id": chat_id}, headers=staff_auth)
    assert sent.status_code == 201, sent.text
    [mail] = await outbox_messages(stack, email)
    token = token_after("/invitations/", mail["text"])
    view = (await api.get(f"/api/v1/invitations/{token}")).json()
    registered = await api.post(
        f"/api/v1/invitations/{token}/account",
        json={
            "first_name": "Dirk",
            "last_name": "Deelnemer",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "terms_version": view["terms_version"],
            "privacy_version": view["privacy_version"],
        },
    )
    assert registered.status_code == 201, registered.text
    invitee = _bearer(registered.json()["login"]["access_token"])

    async def answered() -> bool:
        # Messaging adds the new participant an event later; until then the chat is unknown.
        response = await api.post(f"/api/v1/threads/{chat_id}/messages", json={"body": "Hoi"}, headers=invitee)
        return response.status_code == 201

    await wait_until(answered, within=20.0, what="the invitee answering in the chat")


async def _cause_portal_notices(stack: Stack) -> tuple[str, str]:
    """A GP practice's patient books and cancels a time; the practice publishes a document
    and a result, marks a repeat prescription ready and sends a questionnaire. Answers the
    patient's address and password."""
    gp = await gp_with_patient(stack)
    patient = gp.patient.account_id
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        token = await login(api, gp.patient.email, gp.patient.password)
    slot = await gp.slot(datetime.now(UTC) + timedelta(days=3))
    booked = await gp.call("POST", "/portal/appointments", token=token, json={"slot_id": slot["id"], "reason": ""})
    await gp.call("DELETE", f"/portal/appointments/{booked['id']}", token=token)
    await gp.call(
        "POST",
        f"/portal/practice/clients/{patient}/documents",
        data={"kind": "document", "title": "Verwijsbrief", "requires_approval": "false"},
        files={"file": ("verwijsbrief.pdf", PDF, "application/pdf")},
    )
    medication = await gp.call(
        "POST",
        f"/portal/practice/clients/{patient}/medications",
        json={"name": "Metformine 500 mg", "dosage": "2x per dag", "chronic": True},
    )
    requested = await gp.call(
        "POST", "/portal/prescription-requests", token=token, json={"medication_ids": [medication["id"]]}
    )
    await gp.call("POST", f"/portal/practice/prescription-requests/{requested['id']}/ready")
    await gp.call(
        "POST",
        f"/portal/practice/clients/{patient}/questionnaires",
        json={"title": "Hoe gaat het?", "questions": [{"kind": "text", "text": "Hoe gaat het met u?"}]},
    )
    await gp.call(
        "POST",
        f"/portal/practice/clients/{patient}/results",
        json={
            "title": "Bloedonderzoek",
            "taken_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "observations": [{"name": "Glucose nuchter", "value": "7.9", "unit": "mmol/L"}],
        },
    )
    await outbox_messages(stack, gp.patient.email, count=6)
    return gp.patient.email, gp.patient.password


async def _cause_every_linked_notice(stack: Stack) -> dict[str, str]:
    """Does what sends each notice; answers recipient address → password (to log in)."""
    staff = await create_staff_member(stack, organisation_name=f"Kind & meer {uuid.uuid4().hex[:4]}")
    people: dict[str, str] = {}
    patient, password = await _cause_portal_notices(stack)
    people[patient] = password
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        staff_auth = _bearer(await login(api, staff.email))

        invitee = f"genodigde-{uuid.uuid4().hex[:8]}@zorg.example"
        chat = await api.post(
            "/api/v1/threads", json={"kind": "chat", "subject": "Overleg", "body": "Welkom"}, headers=staff_auth
        )
        assert chat.status_code == 201, chat.text
        response = await api.post(
            "/api/v1/invitations", json={"email": invitee, "thread_id": chat.json()["id"]}, headers=staff_auth
        )
        assert response.status_code == 201, response.text

        # An organisation's administrator (onboarded by the operator) invites a colleague.
        administrator = await onboard_organisation(stack)
        colleague = f"collega-{uuid.uuid4().hex[:8]}@zorg.example"
        response = await api.post(
            "/api/v1/organisation/staff",
            json={"email": colleague, "roles": ["staff"]},
            headers=_bearer(administrator.access_token),
        )
        assert response.status_code == 201, response.text

        # Someone who joined the chat answers in it: the staff member is told "Nieuw bericht
        # van …", a link to /threads/{id} that must lead into the conversation.
        await _answer_in_chat(api, stack, staff_auth, chat.json()["id"])
        people[staff.email] = PASSWORD

        mail_recipient = f"ontvanger-{uuid.uuid4().hex[:8]}@example.org"
        response = await api.post(
            "/api/v1/secure-mails",
            json={"recipient_email": mail_recipient, "subject": "Uw aanvraag", "body": "Vertrouwelijk"},
            headers=staff_auth,
        )
        assert response.status_code == 201, response.text

        client_email = f"client-{uuid.uuid4().hex[:8]}@client.example"
        born = years_ago(30).isoformat()
        response = await api.post(
            "/api/v1/client-accounts",
            json={"first_name": "Cas", "last_name": "Client", "email": client_email, "birth_date": born},
            headers=staff_auth,
        )
        assert response.status_code == 201, response.text
        [activation] = await outbox_messages(stack, client_email)
        token = re.search(r"/activate/([A-Za-z0-9_-]+)", activation["text"])
        assert token
        assert (await api.post(f"/api/v1/activations/{token.group(1)}", json={"birth_date": born})).status_code == 200

        applicant = f"aanmelder-{uuid.uuid4().hex[:8]}@patient.example"
        response = await api.post(
            "/api/v1/registrations",
            json={
                "first_name": "Ria",
                "last_name": "Aanmelder",
                "email": applicant,
                "mobile": unique_mobile(),
                "birth_date": years_ago(40).isoformat(),
                "organisation_id": staff.organisation_id,
            },
        )
        assert response.status_code == 201, response.text
        approved = await api.post(f"/api/v1/registrations/{response.json()['id']}/approve", headers=staff_auth)
        assert approved.status_code == 200, approved.text

        person = await create_member(stack, staff.organisation_id)
        people[person.email] = person.password
        assert (await api.post("/api/v1/auth/password-reset", json={"email": person.email})).status_code == 202
        person_auth = _bearer(await login(api, person.email, person.password))
        new_password = "Nog-een-wachtwoord-2026"
        changed = await api.post(
            "/api/v1/me/password",
            json={"current_password": person.password, "new_password": new_password},
            headers=person_auth,
        )
        assert changed.status_code == 200, changed.text
        people[person.email] = new_password
        person_auth = _bearer(changed.json()["access_token"])
        new_address = f"nieuw-{uuid.uuid4().hex[:8]}@nieuw.example"
        moved = await api.patch(
            "/api/v1/me/profile", json={"email": new_address, "current_password": new_password}, headers=person_auth
        )
        assert moved.status_code == 200, moved.text
        people[new_address] = new_password

        locked = await create_member(stack, staff.organisation_id)
        people[locked.email] = locked.password
        for _ in range(5):
            await api.post("/api/v1/auth/login", json={"username": locked.email, "password": "fout"})

        parent = await create_member(stack, staff.organisation_id)
        young = await create_member(stack, staff.organisation_id, birth_date=years_ago(13))
        people[parent.email] = parent.password
        people[young.email] = young.password
        granted = await api.post(
            "/api/v1/delegations",
            json={"delegate_account_id": parent.account_id, "person_account_id": young.account_id},
            headers=staff_auth,
        )
        assert granted.status_code == 201, granted.text
        delegation_id = granted.json()["id"]
        young_auth = _bearer(await login(api, young.email, young.password))
        consent = await api.post(
            f"/api/v1/delegations/{delegation_id}/consent", json={"accept": True}, headers=young_auth
        )
        assert consent.status_code == 200, consent.text
        ended = await api.post(f"/api/v1/delegations/{delegation_id}/revoke", headers=young_auth)
        assert ended.status_code == 200, ended.text

        # The parent asks online again (receipt), the practice approves with the child's own
        # account (from 12 the child consents first: the approval is told), and a second
        # request for a younger child is rejected.
        parent_auth = _bearer(await login(api, parent.email, parent.password))
        requested = [
            await api.post(
                "/api/v1/me/access-requests",
                json={
                    "child_first_name": first,
                    "child_last_name": "Persoon",
                    "child_birth_date": born_on.isoformat(),
                    "relation": "parent",
                },
                headers=parent_auth,
            )
            for first, born_on in (("Test", years_ago(13)), ("Kees", years_ago(8)))
        ]
        assert [r.status_code for r in requested] == [201, 201], [r.text for r in requested]
        decided = [
            await api.post(
                f"/api/v1/access-requests/{requested[0].json()['id']}/approve",
                json={"person_account_id": young.account_id},
                headers=staff_auth,
            ),
            await api.post(
                f"/api/v1/access-requests/{requested[1].json()['id']}/reject",
                json={"reason": "Wij kennen dit kind niet."},
                headers=staff_auth,
            ),
        ]
        assert [r.status_code for r in decided] == [200, 200], [r.text for r in decided]

        # The e-counter: the staff member becomes a confirmed contact person for a theme of a
        # department, whose case handler then writes to the organisation about it.
        department = await create_staff_member(
            stack,
            organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
            roles=CASE_HANDLER,
            kind="government_department",
        )
        [theme] = await add_themes(stack, department, "Erkenning")
        # The department reaches the organisation (and runs its helpdesk) as its supervisor.
        await supervise(stack, department.organisation_id, staff.organisation_id, theme)
        await add_contact_person(api, staff_auth, staff.email, [theme])
        await confirm_contact_person(stack, api, staff.email)
        contact = f"contactpersoon-{uuid.uuid4().hex[:8]}@zorg.example"
        await add_contact_person(api, staff_auth, contact, [theme])
        written = await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": theme,
                "title": "Vraag over uw erkenning",
                "body": "Vertrouwelijk",
                "organisation_id": staff.organisation_id,
            },
            headers=_bearer(await login(api, department.email)),
        )
        assert written.status_code == 201, written.text

        # "Hulp nodig?": a question to the technical helpdesk is confirmed by mail, with a link
        # to the ticket that the supervising department's shared inbox answers.
        asked = await api.post(
            "/api/v1/helpdesk/questions",
            json={"email": staff.email, "question": "Waar vind ik mijn verzonden berichten?"},
            headers=staff_auth,
        )
        assert asked.status_code == 201, asked.text

    # Wait for the last notices of each recipient before reading the outbox.
    await outbox_messages(stack, contact, count=1)
    await outbox_messages(stack, young.email, count=3)
    await outbox_messages(stack, parent.email, count=6)
    await outbox_messages(stack, locked.email, count=1)
    await outbox_messages(stack, person.email, count=3)
    await outbox_messages(stack, new_address, count=1)
    await outbox_messages(stack, applicant, count=2)
    await outbox_messages(stack, client_email, count=2)
    await outbox_messages(stack, invitee, count=1)
    await outbox_messages(stack, colleague, count=1)
    await outbox_messages(stack, mail_recipient, count=1)

    async def told(where: str) -> bool:
        subjects = [m["subject"] for m in await outbox_messages(stack, staff.email)]
        return any("Nieuw bericht" in s and ("e-loket" in s) == (where == "e-loket") for s in subjects)

    await wait_until(lambda: told("chat"), within=20.0, what="the staff member told of the answer")
    await wait_until(lambda: told("e-loket"), within=20.0, what="the staff member told of the e-counter message")
    return people


async def test_every_link_in_every_notice_opens_a_working_page(journey: Journey) -> None:
    stack = journey.stack
    people = await _cause_every_linked_notice(stack)
    patterns = subject_patterns()
    wanted = linked_templates() - NOT_CAUSED
    async with httpx.AsyncClient(base_url=stack.outbox_url) as client:
        everything: list[dict[str, Any]] = (await client.get("/api/messages")).json()

    seen: dict[str, str] = {}
    for message in everything:
        if message["channel"] != "email":
            continue
        # (Whitespace normalised: an encoded subject can come back with a doubled space.)
        subject = " ".join(message["subject"].split())
        template = next((name for name, pattern in patterns.items() if pattern.match(subject)), None)
        if template not in wanted or template in seen:
            continue
        hrefs = re.findall(r'href="([^"]+)"', await _html(stack, message["id"]))
        links = [
            href for href in hrefs if href.startswith(stack.web_url) and "/me/notification-preferences" not in href
        ]
        assert links, f"{template}: no link to the site in {hrefs}"
        seen[template] = message["to"]

        reader = await journey.another(template)
        response = await reader.goto(links[0])
        if await reader.heading() == "Inloggen" and message["to"] in people:
            await reader.page.locator("#field-username").fill(message["to"])
            await reader.page.locator("#field-password").fill(people[message["to"]])
            await reader.submit()
            response = None
        assert response is None or response.status < 400, f"{template}: {links[0]} answered {response.status}"
        heading = await reader.heading()
        assert heading not in ERROR_HEADINGS, f"{template}: {links[0]} opened '{heading}'"
        await reader.snap(template)
        await reader.close()

    subjects = sorted({message["subject"] for message in everything})
    assert set(seen) == wanted, f"never caused: {sorted(wanted - set(seen))} (subjects seen: {subjects})"


async def test_the_link_to_the_notice_settings_opens_them(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id)
    await journey.goto("/me/notification-preferences")
    await journey.page.locator("#field-username").fill(person.email)
    await journey.page.locator("#field-password").fill(person.password)
    await journey.submit()
    assert await journey.heading() == "Profielinstellingen"
    assert "E-mailinstellingen" in await journey.text()
