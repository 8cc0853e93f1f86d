"""The e-counter (seed 3) walked through the gateway, section by section of the manual,
with every "Let op" tried with bad input and the mails read in the development outbox:

- 2.1.1 organisation data: a malformed e-mail or URL is refused per field, nothing saved;
- 2.1.2.1–2.1.2.5 contact persons: all fields required and named, the address unique in
  the organisation; unconfirmed until the mailed link is followed; a change mails the
  changed fields, a new address unconfirms (confirmation to the new, notice to the old);
  removal mails a notice; a start-page task per theme without a confirmed contact;
- 3.1.1–3.1.3 messages: a reference number kept by every reply, 409 without a contact for
  the theme, who is told of the department's messages, received/sent lists with filters and
  paging, a theme's In/Out, history, per-message contacts; another organisation gets 404.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from support import (
    add_themes,
    invite_staff_member,
    login,
    notice_detail,
    onboard_organisation,
    onboard_staff_member,
    supervise,
    wait_for_messages,
)

from zorgpost_devstack.stack import Stack
from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="module")

REFERENCE = re.compile(r"^\d{4}-\d{6}$")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def confirmation_token(detail: dict[str, Any]) -> str:
    match = re.search(r"/contact-persons/confirm/([A-Za-z0-9_-]+)", detail["text"])
    assert match, detail["text"]
    return match.group(1)


def address() -> str:
    return f"contact-{uuid.uuid4().hex[:8]}@hetanker.example"


def contact(email: str, theme_ids: list[str], **changes: Any) -> dict[str, Any]:
    return {
        "first_name": "Jan",
        "last_name": "Janssens",
        "email": email,
        "phone": "+32 2 553 35 00",
        "theme_ids": theme_ids,
        **changes,
    }


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(stack: Stack) -> dict[str, Any]:
    # The department's side of the e-counter is its case handlers'.
    department = await onboard_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        kind="government_department",
        roles=(Role.CASE_HANDLER,),
    )
    anker = await onboard_staff_member(
        stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    other = await onboard_staff_member(
        stack, organisation_name=f"Andere Zorg {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    themes = await add_themes(stack, department, "Erkenning", "Subsidies")
    # The department reaches Het Anker in both themes; "other" it does not supervise.
    await supervise(stack, department.organisation_id, anker.organisation_id, *themes)
    return {"department": department, "anker": anker, "other": other, "themes": themes}


# ----------------------------------------------------------------------------- 2.1.1
async def test_2_1_1_organisation_data_refuses_a_malformed_email_and_url_and_saves_nothing(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    # The organisation's data is kept by its administrator (signed in with the second step).
    token = (
        await onboard_organisation(stack, name=f"Het Anker {uuid.uuid4().hex[:4]}", kind="care_organisation")
    ).access_token
    good = {
        "email": "info@hetanker.be",
        "phone": "+32 2 553 35 00",
        "website": "https://hetanker.be",
        "visiting_address": "",
        "postal_address": "",
    }
    assert (await api.put("/api/v1/organisation/profile", json=good, headers=bearer(token))).status_code == 200

    bad = {**good, "email": "info@", "website": "hetanker"}
    refused = await api.put("/api/v1/organisation/profile", json=bad, headers=bearer(token))

    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} >= {"email", "website"}
    kept = (await api.get("/api/v1/organisation/profile", headers=bearer(token))).json()
    assert kept["email"] == "info@hetanker.be" and kept["website"] == "https://hetanker.be"


# ----------------------------------------------------------------------------- 2.1.2.1 – 2.1.2.5
async def test_2_1_2_1_every_missing_or_malformed_field_is_named_and_the_address_is_unique(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    token = await login(api, world["anker"].email)
    erkenning = world["themes"][0]
    empty = await api.post(
        "/api/v1/organisation/contacts",
        json={"first_name": "", "last_name": "", "email": "x@", "phone": "12", "theme_ids": ["geen-thema"]},
        headers=bearer(token),
    )
    assert empty.status_code == 422
    assert {e["field"] for e in empty.json()["errors"]} >= {"first_name", "last_name", "email", "phone"}

    email = address()
    added = await api.post("/api/v1/organisation/contacts", json=contact(email, [erkenning]), headers=bearer(token))
    assert added.status_code == 201, added.text
    assert added.json()["confirmed"] is False
    again = await api.post(
        "/api/v1/organisation/contacts", json=contact(email.upper(), [erkenning]), headers=bearer(token)
    )
    assert again.status_code == 422 and [e["field"] for e in again.json()["errors"]] == ["email"]
    listed = (await api.get("/api/v1/organisation/contacts", headers=bearer(token))).json()
    assert [p["email"] for p in listed].count(email) == 1
    # The confirmation mail, without care content.
    [mail] = await wait_for_messages(stack, email)
    detail = await notice_detail(stack, mail)
    assert "contactpersoon" in detail["subject"] and "/contact-persons/confirm/" in detail["text"]


async def test_2_1_2_1_a_contact_without_an_account_that_works_the_ecounter_is_shown_without_access(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # A contact person needs e-counter access to read the messages they are told of:
    # identity says whose address is a colleague's who works the e-counter.
    anker = await onboard_staff_member(
        stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    erkenning = world["themes"][0]
    await supervise(stack, world["department"].organisation_id, anker.organisation_id, erkenning)
    token = await login(api, anker.email)
    colleague = await api.post(
        "/api/v1/organisation/contacts", json=contact(anker.email.upper(), [erkenning]), headers=bearer(token)
    )
    outsider = await api.post(
        "/api/v1/organisation/contacts", json=contact(address(), [erkenning]), headers=bearer(token)
    )
    # Someone else's staff member has no access to this organisation's e-counter.
    foreigner = await api.post(
        "/api/v1/organisation/contacts", json=contact(world["other"].email, [erkenning]), headers=bearer(token)
    )

    assert colleague.status_code == 201 and colleague.json()["has_ecounter_access"] is True
    assert outsider.status_code == 201 and outsider.json()["has_ecounter_access"] is False
    assert foreigner.status_code == 201 and foreigner.json()["has_ecounter_access"] is False
    listed = {p["id"]: p for p in (await api.get("/api/v1/organisation/contacts", headers=bearer(token))).json()}
    assert listed[colleague.json()["id"]]["has_ecounter_access"] is True
    assert listed[outsider.json()["id"]]["has_ecounter_access"] is False


async def test_2_1_2_2_a_contact_counts_once_confirmed_by_the_mailed_link(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    token = await login(api, world["anker"].email)
    subsidies = world["themes"][1]
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=bearer(token))).json()
    assert subsidies in [t["theme_id"] for t in tasks]
    email = address()
    person = (
        await api.post("/api/v1/organisation/contacts", json=contact(email, [subsidies]), headers=bearer(token))
    ).json()
    # 2.1.2.5: unconfirmed, the task stays.
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=bearer(token))).json()
    assert subsidies in [t["theme_id"] for t in tasks]

    link = confirmation_token(await notice_detail(stack, (await wait_for_messages(stack, email))[0]))
    confirmed = await api.post("/api/v1/contact-persons/confirm", json={"token": link})

    assert confirmed.status_code == 200 and confirmed.json()["contact_person_id"] == person["id"]
    listed = {p["id"]: p for p in (await api.get("/api/v1/organisation/contacts", headers=bearer(token))).json()}
    assert listed[person["id"]]["confirmed"] is True
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=bearer(token))).json()
    assert subsidies not in [t["theme_id"] for t in tasks]
    assert (await api.post("/api/v1/contact-persons/confirm", json={"token": link})).status_code == 404


async def test_2_1_2_3_a_change_is_mailed_and_a_new_address_is_confirmed_again(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    token = await login(api, world["anker"].email)
    erkenning = world["themes"][0]
    old = address()
    person = (
        await api.post("/api/v1/organisation/contacts", json=contact(old, [erkenning]), headers=bearer(token))
    ).json()
    link = confirmation_token(await notice_detail(stack, (await wait_for_messages(stack, old))[0]))
    await api.post("/api/v1/contact-persons/confirm", json={"token": link})

    bad = await api.put(
        f"/api/v1/organisation/contacts/{person['id']}", json=contact("nope", [erkenning]), headers=bearer(token)
    )
    assert bad.status_code == 422
    changed = await api.put(
        f"/api/v1/organisation/contacts/{person['id']}",
        json=contact(old, [erkenning], phone="+32 3 201 23 45"),
        headers=bearer(token),
    )
    assert changed.status_code == 200 and changed.json()["confirmed"] is True
    mails = await wait_for_messages(stack, old, count=2)
    assert "telefoonnummer" in (await notice_detail(stack, mails[0]))["text"]

    new = address()
    moved = await api.put(
        f"/api/v1/organisation/contacts/{person['id']}", json=contact(new, [erkenning]), headers=bearer(token)
    )
    assert moved.json()["confirmed"] is False
    to_new = await notice_detail(stack, (await wait_for_messages(stack, new))[0])
    assert "/contact-persons/confirm/" in to_new["text"]
    to_old = await notice_detail(stack, (await wait_for_messages(stack, old, count=3))[0])
    assert "e-mailadres" in to_old["subject"] and "/contact-persons/confirm/" not in to_old["text"]
    # The old link is spent; the new one works.
    assert (await api.post("/api/v1/contact-persons/confirm", json={"token": link})).status_code == 404
    confirmed = await api.post("/api/v1/contact-persons/confirm", json={"token": confirmation_token(to_new)})
    assert confirmed.status_code == 200


async def test_2_1_2_4_removal_is_mailed_and_nobody_else_may_remove(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    token = await login(api, world["anker"].email)
    other = await login(api, world["other"].email)
    email = address()
    person = (
        await api.post("/api/v1/organisation/contacts", json=contact(email, world["themes"][:1]), headers=bearer(token))
    ).json()

    assert (await api.delete(f"/api/v1/organisation/contacts/{person['id']}", headers=bearer(other))).status_code == 404
    assert (await api.delete(f"/api/v1/organisation/contacts/{person['id']}", headers=bearer(token))).status_code == 204

    mails = await wait_for_messages(stack, email, count=2)
    assert "geen contactpersoon meer" in (await notice_detail(stack, mails[0]))["subject"]


# ----------------------------------------------------------------------------- 3.1
async def test_3_1_2_a_new_message_needs_a_contact_for_its_theme_and_gets_a_reference(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # A fresh organisation: no contact persons at all.
    fresh = await onboard_staff_member(
        stack, organisation_name=f"Nieuw Huis {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    await supervise(stack, world["department"].organisation_id, fresh.organisation_id, world["themes"][0])
    token = await login(api, fresh.email)
    message = {"theme_id": world["themes"][0], "title": "Vraag over erkenning", "body": "Vertrouwelijke vraag"}

    refused = await api.post("/api/v1/ecounter/messages", json=message, headers=bearer(token))
    assert refused.status_code == 409 and refused.json()["code"] == "no_contact_for_theme"
    assert "contactpersoon" in refused.json()["detail"]
    bad = await api.post(
        "/api/v1/ecounter/messages",
        json={
            **message,
            "title": "",
            "contacts": [{"first_name": "", "last_name": "X", "email": "x@", "phone": "+32 2 553 35 00"}],
        },
        headers=bearer(token),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"title"}
    listed = await api.get("/api/v1/ecounter/messages?box=sent", headers=bearer(token))
    assert listed.json()["items"] == []  # nothing was sent

    own = address()
    sent = await api.post(
        "/api/v1/ecounter/messages",
        json={
            **message,
            "contacts": [
                {
                    "first_name": "Els",
                    "last_name": "Peeters",
                    "email": own,
                    "phone": "+32 2 553 35 01",
                    "standard": True,
                }
            ],
        },
        headers=bearer(token),
    )
    assert sent.status_code == 201, sent.text
    assert (
        REFERENCE.match(sent.json()["reference"])
        and sent.json()["received_by"] == "Team Erkenning (" + world["department"].organisation_name + ")"
    )
    # "Standaard contactpersoon": added to the organisation's contacts, unconfirmed, mailed.
    persons = (await api.get("/api/v1/organisation/contacts", headers=bearer(token))).json()
    assert [(p["email"], p["confirmed"]) for p in persons] == [(own, False)]
    await wait_for_messages(stack, own)


async def test_3_1_1_the_department_answers_under_the_reference_and_the_right_people_are_told(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = await login(api, world["anker"].email)
    department = await login(api, world["department"].email)
    other = await login(api, world["other"].email)
    erkenning = world["themes"][0]
    confirmed, unconfirmed = address(), address()
    for email in (confirmed, unconfirmed):
        await api.post("/api/v1/organisation/contacts", json=contact(email, [erkenning]), headers=bearer(anker))
    link = confirmation_token(await notice_detail(stack, (await wait_for_messages(stack, confirmed))[0]))
    await api.post("/api/v1/contact-persons/confirm", json={"token": link})
    own = address()
    sent = (
        await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": erkenning,
                "title": "Aanvraag erkenning",
                "body": "Geheime inhoud",
                "contacts": [{"first_name": "Piet", "last_name": "Eigen", "email": own, "phone": "+32 2 553 35 02"}],
            },
            headers=bearer(anker),
        )
    ).json()
    thread_id, reference = sent["id"], sent["reference"]

    # The department sees it received, reads it, and answers under the same reference.
    received = (
        await api.get(f"/api/v1/ecounter/messages?box=received&reference={reference}", headers=bearer(department))
    ).json()
    assert [(m["id"], m["status"]) for m in received["items"]] == [(thread_id, "new")]
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(department))).status_code == 200
    answer = await api.post(
        f"/api/v1/ecounter/messages/{thread_id}/replies",
        json={"body": "Antwoord met geheime inhoud"},
        headers=bearer(department),
    )
    assert answer.status_code == 201 and answer.json()["reference"] == reference

    # Told: the confirmed contact and the message's own contact; not the unconfirmed one.
    for email in (confirmed, own):
        mails = await wait_for_messages(stack, email, count=2 if email == confirmed else 1)
        detail = await notice_detail(stack, mails[0])
        assert f"/ecounter/messages/{thread_id}" in detail["text"]
        assert "Geheime" not in detail["text"] + detail["html"] + detail["subject"]
    assert len(await wait_for_messages(stack, unconfirmed)) == 1  # only its confirmation mail

    # Het Anker: received, with history of both; replying keeps the reference.
    inbox = (
        await api.get(f"/api/v1/ecounter/messages?box=received&reference={reference}", headers=bearer(anker))
    ).json()
    assert [m["status"] for m in inbox["items"]] == ["new"]
    case = (await api.get(f"/api/v1/ecounter/messages/{thread_id}", headers=bearer(anker))).json()
    assert [h["entry"]["box"] for h in case["history"]] == ["sent", "received"]
    assert case["history"][1]["body"] == "Antwoord met geheime inhoud"
    # (Earlier tests confirmed other contacts of Het Anker for this theme: they are told too.)
    assert {confirmed, own} <= set(case["told"]) and unconfirmed not in case["told"]
    again = await api.post(
        f"/api/v1/ecounter/messages/{thread_id}/replies", json={"body": "Dank u"}, headers=bearer(anker)
    )
    assert again.json()["reference"] == reference
    statuses = (
        await api.get(f"/api/v1/ecounter/messages?box=received&reference={reference}", headers=bearer(anker))
    ).json()
    assert [m["status"] for m in statuses["items"]] == ["answered"]

    # Per-message contacts: take the confirmed one off this message only.
    standard_id = next(c["id"] for c in case["contacts"] if c["email"] == confirmed)
    await api.post(
        f"/api/v1/ecounter/messages/{thread_id}/replies",
        json={"body": "Zonder Jan", "removed_contact_ids": [standard_id]},
        headers=bearer(anker),
    )
    told = (await api.get(f"/api/v1/ecounter/messages/{thread_id}", headers=bearer(department))).json()["told"]
    assert own in told and confirmed not in told

    # Nobody of another organisation reaches it, whatever the route.
    for path in (f"/api/v1/threads/{thread_id}", f"/api/v1/ecounter/messages/{thread_id}"):
        assert (await api.get(path, headers=bearer(other))).status_code == 404
    refused = await api.post(
        f"/api/v1/ecounter/messages/{thread_id}/replies", json={"body": "Hallo"}, headers=bearer(other)
    )
    assert refused.status_code == 404
    assert (await api.get(f"/api/v1/ecounter/messages?reference={reference}", headers=bearer(other))).json()[
        "items"
    ] == []


async def test_a_case_is_read_by_every_user_of_the_organisation_and_by_the_departments_case_handlers_only(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    """The contract: a case "readable at GET /api/v1/threads/{id} by every user of the
    organisation and by the department's case handlers, 404 for anyone else" — the
    department's other staff, who work its shared inbox, too; and no list, inbox, unread
    count or search of theirs shows it."""
    assert world["department"].administrator is not None and world["anker"].administrator is not None
    word = f"Inspectie{uuid.uuid4().hex[:8]}"
    handler = bearer(await login(api, world["department"].email))
    sent = await api.post(
        "/api/v1/ecounter/messages",
        json={
            "theme_id": world["themes"][1],
            "organisation_id": world["anker"].organisation_id,
            "title": "Aankondiging",
            "body": f"{word} volgende week",
        },
        headers=handler,
    )
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["id"]

    # Every user of Het Anker who works its e-counter, whatever their role, reads and answers it.
    anker_users = [world["anker"]] + [
        await invite_staff_member(stack, world["anker"].administrator, roles=roles)
        for roles in (("practitioner",), ("helpdesk",))
    ]
    for user in anker_users:
        token = bearer(await login(api, user.email))
        assert (await api.get(f"/api/v1/threads/{thread_id}", headers=token)).status_code == 200, user.email
        received = (await api.get("/api/v1/ecounter/messages?box=received", headers=token)).json()
        assert thread_id in {m["id"] for m in received["items"]}
        found = (await api.get("/api/v1/search", params={"q": word}, headers=token)).json()
        assert [hit["thread_id"] for hit in found["items"]] == [thread_id]

    # Another case handler of the department reaches it by every way in.
    colleague = await invite_staff_member(stack, world["department"].administrator, roles=("case_handler",))
    other_handler = bearer(await login(api, colleague.email))
    inbox = (await api.get("/api/v1/secure-mail-inbox?folder=sent", headers=other_handler)).json()
    assert thread_id in {item["id"] for item in inbox["items"]}
    found = (await api.get("/api/v1/search", params={"q": word}, headers=other_handler)).json()
    assert [hit["thread_id"] for hit in found["items"]] == [thread_id]
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=other_handler)).status_code == 200
    assert (await api.get(f"/api/v1/ecounter/messages/{thread_id}", headers=other_handler)).status_code == 200

    # The department's staff without the case handler's role: nowhere.
    for roles in (("staff",), ("helpdesk",), ("staff", "practitioner")):
        member = await invite_staff_member(stack, world["department"].administrator, roles=roles)
        other = bearer(await login(api, member.email))
        assert (await api.get(f"/api/v1/threads/{thread_id}", headers=other)).status_code == 404, roles
        posted = await api.post(f"/api/v1/threads/{thread_id}/messages", json={"body": "Hallo"}, headers=other)
        assert posted.status_code == 404, roles
        for folder in ("received", "sent"):
            theirs = (await api.get(f"/api/v1/secure-mail-inbox?folder={folder}", headers=other)).json()
            assert thread_id not in {item["id"] for item in theirs["items"]}, roles
        assert (await api.get("/api/v1/search", params={"q": word}, headers=other)).json()["items"] == [], roles
        listed = (await api.get("/api/v1/threads", headers=other)).json()
        assert thread_id not in {item["id"] for item in listed["items"]}, roles
        # The e-counter's pages of the department are its case handlers' (403, naming why).
        for path in ("/api/v1/ecounter/messages?box=sent", f"/api/v1/ecounter/messages/{thread_id}"):
            refused = await api.get(path, headers=other)
            assert refused.status_code == 403 and refused.json()["code"] == "not_permitted", (roles, path)
        reply = await api.post(f"/api/v1/ecounter/messages/{thread_id}/replies", json={"body": "Hallo"}, headers=other)
        assert reply.status_code == 403, roles
        started = await api.post("/api/v1/threads", json={"kind": "org_case", "subject": "Eigen zaak"}, headers=other)
        assert started.status_code == 403, roles


async def test_3_1_3_paging_and_filters_on_200_messages_and_the_theme_in_out_list(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    department = await login(api, world["department"].email)
    target = await onboard_staff_member(
        stack, organisation_name=f"Groot Huis {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    await supervise(stack, world["department"].organisation_id, target.organisation_id, *world["themes"])
    token = await login(api, target.email)
    erkenning, subsidies = world["themes"]
    for number in range(200):
        theme = erkenning if number % 2 else subsidies
        response = await api.post(
            "/api/v1/ecounter/messages",
            json={
                "theme_id": theme,
                "title": f"Bericht {number:03d}",
                "body": "Inhoud",
                "organisation_id": target.organisation_id,
            },
            headers=bearer(department),
        )
        assert response.status_code == 201, response.text

    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = (
            await api.get(
                "/api/v1/ecounter/messages", params={"box": "received", "cursor": cursor}, headers=bearer(token)
            )
        ).json()
        pages += 1
        assert len(page["items"]) == 5 or page["next_cursor"] is None
        seen += [m["title"] for m in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert pages == 40 and seen == [f"Bericht {n:03d}" for n in range(199, -1, -1)]

    by_theme = (
        await api.get("/api/v1/ecounter/messages", params={"theme_id": erkenning, "limit": 100}, headers=bearer(token))
    ).json()
    assert len(by_theme["items"]) == 100 and {m["theme_id"] for m in by_theme["items"]} == {erkenning}
    by_title = (
        await api.get("/api/v1/ecounter/messages", params={"title": "bericht 19"}, headers=bearer(token))
    ).json()
    assert [m["title"] for m in by_title["items"]] == [f"Bericht {n}" for n in (199, 198, 197, 196, 195)]
    by_sender = (
        await api.get("/api/v1/ecounter/messages", params={"sender": "departement", "limit": 1}, headers=bearer(token))
    ).json()
    assert len(by_sender["items"]) == 1
    assert (await api.get("/api/v1/ecounter/messages", params={"sender": "niemand"}, headers=bearer(token))).json()[
        "items"
    ] == []
    assert (await api.get("/api/v1/ecounter/messages", params={"box": "sent"}, headers=bearer(token))).json()[
        "items"
    ] == []
    first = by_theme["items"][0]
    by_reference = (
        await api.get("/api/v1/ecounter/messages", params={"reference": first["reference"]}, headers=bearer(token))
    ).json()
    assert [m["id"] for m in by_reference["items"]] == [first["id"]]
    by_status = (
        await api.get("/api/v1/ecounter/messages", params={"status": "new", "limit": 100}, headers=bearer(token))
    ).json()
    assert len(by_status["items"]) == 100
    day = date.fromisoformat(first["sent_at"][:10])
    in_range = (
        await api.get(
            "/api/v1/ecounter/messages",
            params={"sent_from": str(day - timedelta(days=1)), "sent_until": str(day + timedelta(days=1)), "limit": 1},
            headers=bearer(token),
        )
    ).json()
    assert len(in_range["items"]) == 1
    assert (
        await api.get(
            "/api/v1/ecounter/messages",
            params={"sent_from": "2001-01-01", "sent_until": "2001-01-02"},
            headers=bearer(token),
        )
    ).json()["items"] == []
    bad = await api.get(
        "/api/v1/ecounter/messages", params={"sent_from": "gisteren", "cursor": "xyz"}, headers=bearer(token)
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"sent_from"}

    # The theme page: in and out together, with an In/Out filter.
    # (This organisation has no contact for the theme: its reply needs one, as a new message does.)
    path = f"/api/v1/ecounter/messages/{first['id']}/replies"
    assert (await api.post(path, json={"body": "Antwoord"}, headers=bearer(token))).status_code == 409
    with_contact = {
        "body": "Antwoord",
        "contacts": [{"first_name": "Ria", "last_name": "Groot", "email": address(), "phone": "+32 2 553 35 03"}],
    }
    assert (await api.post(path, json=with_contact, headers=bearer(token))).status_code == 201
    both = (
        await api.get("/api/v1/ecounter/messages", params={"theme_id": erkenning, "limit": 2}, headers=bearer(token))
    ).json()
    assert [m["box"] for m in both["items"]] == ["sent", "received"]
    outgoing = (
        await api.get("/api/v1/ecounter/messages", params={"theme_id": erkenning, "box": "sent"}, headers=bearer(token))
    ).json()
    assert [m["reference"] for m in outgoing["items"]] == [first["reference"]]
