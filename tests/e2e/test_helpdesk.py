"""The technical helpdesk of the "Hulp nodig?" widget (seed 3, 3.3: "Vul uw e-mailadres en
uw vraag in alvorens op 'Verstuur' te klikken"), through the gateway: a question becomes a
ticket that the helpdesk of the department supervising the asker's organisation (it runs
that organisation's e-counter) finds unread in its shared inbox and answers; the address
given gets a confirmation in Dutch (or English) with a link to the ticket and never the
question; bad input is named per field and sends nothing; nobody else reaches the ticket —
not a colleague of the asker, not another organisation; an organisation that no department
supervises has no helpdesk to ask (409)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from support import (
    invite_staff_member,
    login,
    notice_detail,
    onboard_staff_member,
    supervise,
    wait_for_messages,
)

from zorgpost_devstack.stack import Stack

#: The helpdesk's own gateway bucket, refilled so slowly that only its burst counts here.
HELPDESK_BURST = 20
pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(
        extra_env={"gateway": {"HELPDESK_RATE_BURST": str(HELPDESK_BURST), "HELPDESK_RATE_PER_MINUTE": "0.01"}}
    ),
]

QUESTION = "Ik kan geen bijlage toevoegen aan mijn bericht over erkenning."


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def address() -> str:
    return f"vraag-{uuid.uuid4().hex[:8]}@hetanker.example"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(stack: Stack) -> dict[str, Any]:
    asker = await onboard_staff_member(
        stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )
    assert asker.administrator is not None
    colleague = await invite_staff_member(stack, asker.administrator, roles=("staff", "helpdesk"))
    # The department that supervises Het Anker runs its e-counter, and so its helpdesk.
    helpdesk = await onboard_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        kind="government_department",
        roles=("helpdesk",),
    )
    await supervise(stack, helpdesk.organisation_id, asker.organisation_id, "erkenning")
    outsider = await onboard_staff_member(stack, organisation_name=f"Andere Zorg {uuid.uuid4().hex[:4]}")
    return {"asker": asker, "colleague": colleague, "helpdesk": helpdesk, "outsider": outsider}


async def test_a_question_becomes_a_ticket_the_helpdesk_answers_and_a_confirmation_without_it(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    asker = bearer(await login(api, world["asker"].email))
    email = address()
    asked = await api.post("/api/v1/helpdesk/questions", json={"email": email, "question": QUESTION}, headers=asker)
    assert asked.status_code == 201, asked.text
    ticket = asked.json()["id"]
    assert asked.json()["organisation_name"] == world["helpdesk"].organisation_name, "whose helpdesk answers"

    [mail] = await wait_for_messages(stack, email)
    detail = await notice_detail(stack, mail)
    assert detail["subject"] == "Uw vraag aan de technische helpdesk is ontvangen"
    assert f"/threads/{ticket}" in detail["text"]
    assert "bijlage" not in detail["text"] and "bijlage" not in detail["html"], "never the question"

    # The department's helpdesk finds it unread among what the department received, and answers it.
    helpdesk = bearer(await login(api, world["helpdesk"].email))
    inbox = (await api.get("/api/v1/secure-mail-inbox?folder=received", headers=helpdesk)).json()
    [listed] = [item for item in inbox["items"] if item["id"] == ticket]
    assert listed["kind"] == "helpdesk" and listed["subject"] == QUESTION
    thread = (await api.get(f"/api/v1/threads/{ticket}", headers=helpdesk)).json()
    assert [m["body"] for m in thread["messages"]] == [QUESTION]
    answered = await api.post(
        f"/api/v1/threads/{ticket}/messages", json={"body": "Probeer een pdf van hoogstens 20 MiB."}, headers=helpdesk
    )
    assert answered.status_code == 201, answered.text
    seen = (await api.get(f"/api/v1/threads/{ticket}/messages", headers=asker)).json()
    assert seen["items"][0]["body"] == "Probeer een pdf van hoogstens 20 MiB."

    # Someone of another organisation does not reach it, nor does a colleague of the asker
    # (even one with the helpdesk role): a ticket is the asker's and the helpdesk's.
    outsider = bearer(await login(api, world["outsider"].email))
    assert (await api.get(f"/api/v1/threads/{ticket}", headers=outsider)).status_code == 404
    colleague = bearer(await login(api, world["colleague"].email))
    assert (await api.get(f"/api/v1/threads/{ticket}", headers=colleague)).status_code == 404
    theirs = (await api.get("/api/v1/secure-mail-inbox?folder=received", headers=colleague)).json()
    assert all(item["id"] != ticket for item in theirs["items"])


async def test_only_the_helpdesk_role_of_the_department_reaches_a_ticket(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    """The department's other staff work its shared inbox too (its secure mail, its case
    handlers its cases), but a ticket is the helpdesk's: 404, and in none of their lists."""
    department = world["helpdesk"].administrator
    assert department is not None
    word = f"Zoekterm{uuid.uuid4().hex[:8]}"
    asker = bearer(await login(api, world["asker"].email))
    asked = await api.post(
        "/api/v1/helpdesk/questions", json={"email": address(), "question": f"Waar staat {word}?"}, headers=asker
    )
    assert asked.status_code == 201, asked.text
    ticket = asked.json()["id"]

    helpdesk = bearer(await login(api, world["helpdesk"].email))
    found = (await api.get("/api/v1/search", params={"q": word}, headers=helpdesk)).json()
    assert [hit["thread_id"] for hit in found["items"]] == [ticket]
    inbox = (await api.get("/api/v1/secure-mail-inbox?folder=received", headers=helpdesk)).json()
    assert ticket in {item["id"] for item in inbox["items"]} and inbox["unread_threads"] >= 1

    for roles in (("staff",), ("case_handler",), ("staff", "practitioner")):
        member = await invite_staff_member(stack, department, roles=roles)
        other = bearer(await login(api, member.email))
        assert (await api.get(f"/api/v1/threads/{ticket}", headers=other)).status_code == 404, roles
        answer = await api.post(f"/api/v1/threads/{ticket}/messages", json={"body": "Ik ook"}, headers=other)
        assert answer.status_code == 404, roles
        theirs = (await api.get("/api/v1/secure-mail-inbox?folder=received", headers=other)).json()
        assert ticket not in {item["id"] for item in theirs["items"]}, roles
        assert theirs["unread_threads"] == 0, roles
        assert (await api.get("/api/v1/search", params={"q": word}, headers=other)).json()["items"] == [], roles
        listed = (await api.get("/api/v1/threads", headers=other)).json()
        assert ticket not in {item["id"] for item in listed["items"]}, roles


async def test_an_organisation_no_department_supervises_has_no_helpdesk_to_ask(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    outsider = bearer(await login(api, world["outsider"].email))
    email = address()
    question = {"email": email, "question": QUESTION}
    refused = await api.post("/api/v1/helpdesk/questions", json=question, headers=outsider)
    assert refused.status_code == 409 and refused.json()["code"] == "no_helpdesk"
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        assert (await outbox.get("/api/messages", params={"to": email})).json() == [], "no confirmation"


async def test_the_confirmation_is_in_english_when_asked_in_english(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    asker = bearer(await login(api, world["asker"].email))
    email = address()
    asked = await api.post(
        "/api/v1/helpdesk/questions",
        json={"email": email, "question": "Where do I find my sent messages?", "language": "en"},
        headers=asker,
    )
    assert asked.status_code == 201, asked.text
    [mail] = await wait_for_messages(stack, email)
    detail = await notice_detail(stack, mail)
    assert detail["subject"] == "Your question to the technical helpdesk was received"
    assert "sent messages" not in detail["text"]


async def test_bad_input_is_named_per_field_and_nothing_is_sent(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    asker = bearer(await login(api, world["asker"].email))
    refused = await api.post("/api/v1/helpdesk/questions", json={"email": "vraag@", "question": "  "}, headers=asker)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"email", "question"}
    missing = await api.post("/api/v1/helpdesk/questions", json={}, headers=asker)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"email", "question"}
    language = await api.post(
        "/api/v1/helpdesk/questions",
        json={"email": address(), "question": "Vraag", "language": "de"},
        headers=asker,
    )
    assert language.status_code == 422 and [e["field"] for e in language.json()["errors"]] == ["language"]
    anonymous = await api.post("/api/v1/helpdesk/questions", json={"email": address(), "question": "Vraag"})
    assert anonymous.status_code == 401

    helpdesk = bearer(await login(api, world["helpdesk"].email))
    inbox = (await api.get("/api/v1/secure-mail-inbox?folder=received", headers=helpdesk)).json()
    assert all(item["subject"] != "Vraag" for item in inbox["items"]), "nothing was asked"
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        assert (await outbox.get("/api/messages", params={"to": "vraag@"})).json() == []


async def test_an_asker_gets_five_questions_an_hour_then_429(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    assert world["asker"].administrator is not None
    member = await invite_staff_member(stack, world["asker"].administrator, roles=("staff",))
    asker = bearer(await login(api, member.email))
    for n in range(5):
        asked = await api.post(
            "/api/v1/helpdesk/questions", json={"email": address(), "question": f"Vraag {n}"}, headers=asker
        )
        assert asked.status_code == 201, asked.text
    email = address()
    refused = await api.post("/api/v1/helpdesk/questions", json={"email": email, "question": "Nog een"}, headers=asker)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "helpdesk_limit_reached" and int(refused.headers["retry-after"]) > 0
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        assert (await outbox.get("/api/messages", params={"to": email})).json() == [], "no confirmation"


async def test_the_helpdesk_has_a_gateway_bucket_of_its_own_apart_from_the_logins(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    """Last in this module: it empties the helpdesk's bucket for this address."""
    asker = bearer(await login(api, world["asker"].email))
    answer = None
    for _ in range(HELPDESK_BURST + 1):
        answer = await api.post("/api/v1/helpdesk/questions", json={"email": "vraag@", "question": "x"}, headers=asker)
        if answer.status_code == 429:
            break
    assert answer is not None and answer.status_code == 429 and answer.json()["code"] == "too_many_requests"
    # logging in (the login bucket) is not held back by the questions
    for _ in range(3):
        await login(api, world["helpdesk"].email)
