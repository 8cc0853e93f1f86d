"""The e-counter's messages with files (seed 3, 3.1.1.2 B and 3.1.2.2 B: "eventuele bijlages
toevoegen") and the message's contacts changed for this message only (3.1.1.2 E), through
the gateway: a new message and a reply take a multipart form with the same fields as the
JSON form plus ``files``, under the file rules of every conversation; a refusal names the
field and stores nothing; the files show in the message's history and download for both
sides and nobody else."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from support import add_themes, create_member, create_staff_member, login, supervise

from zorgpost_devstack.stack import Stack
from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="module")

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a6f1c1d70000000049454e44ae426082"
)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def own_contact(**changes: Any) -> dict[str, Any]:
    return {
        "first_name": "Els",
        "last_name": "Peeters",
        "email": f"els-{uuid.uuid4().hex[:8]}@hetanker.example",
        "phone": "+3225533501",
        **changes,
    }


def fields_of(message: dict[str, Any]) -> dict[str, Any]:
    """The JSON form's fields as a multipart form's text parts."""
    form: dict[str, Any] = {name: value for name, value in message.items() if isinstance(value, str)}
    form["contacts"] = json.dumps(message.get("contacts", []))
    form["removed_contact_ids"] = message.get("removed_contact_ids", [])
    return form


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(stack: Stack) -> dict[str, Any]:
    department = await create_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        roles=frozenset({Role.CASE_HANDLER}),
        kind="government_department",
    )
    anker = await create_staff_member(stack, organisation_name=f"Het Anker {uuid.uuid4().hex[:4]}")
    other = await create_staff_member(stack, organisation_name=f"Andere Zorg {uuid.uuid4().hex[:4]}")
    [subsidies] = await add_themes(stack, department, "Subsidies")
    await supervise(stack, department.organisation_id, anker.organisation_id, subsidies)
    return {"department": department, "anker": anker, "other": other, "theme": subsidies}


async def test_a_new_message_and_its_reply_carry_files_that_both_sides_download(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    department = bearer(await login(api, world["department"].email))
    other = bearer(await login(api, world["other"].email))
    message = {
        "theme_id": world["theme"],
        "title": "Aanvraag subsidie",
        "body": "De begroting zit in bijlage.",
        "contacts": [own_contact()],
    }
    sent = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of(message),
        files=[
            ("files", ("begroting.txt", b"Begroting 2026\n", "text/plain")),
            ("files", ("logo.png", PNG, "image/png")),
        ],
        headers=anker,
    )
    assert sent.status_code == 201, sent.text
    thread_id, reference = sent.json()["id"], sent.json()["reference"]
    assert sent.json()["received_by"].startswith("Team Subsidies")

    case = (await api.get(f"/api/v1/ecounter/messages/{thread_id}", headers=department)).json()
    [first] = case["history"]
    assert sorted((a["file_name"], a["content_type"]) for a in first["attachments"]) == [
        ("begroting.txt", "text/plain"),
        ("logo.png", "image/png"),
    ]
    [download] = [a["download_url"] for a in first["attachments"] if a["file_name"] == "begroting.txt"]
    assert download.startswith(f"/api/v1/threads/{thread_id}/attachments/")
    got = await api.get(download, headers=department)
    assert got.status_code == 200 and got.content == b"Begroting 2026\n"
    assert (await api.get(download, headers=anker)).status_code == 200
    assert (await api.get(download, headers=other)).status_code == 404

    answered = await api.post(
        f"/api/v1/ecounter/messages/{thread_id}/replies",
        data={"body": "Ontvangen, zie bevestiging."},
        files=[("files", ("bevestiging.txt", b"Ontvangen\n", "text/plain"))],
        headers=department,
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["reference"] == reference
    history = (await api.get(f"/api/v1/ecounter/messages/{thread_id}", headers=anker)).json()["history"]
    assert [sorted(a["file_name"] for a in item["attachments"]) for item in history] == [
        ["begroting.txt", "logo.png"],
        ["bevestiging.txt"],
    ]
    # The JSON form is as it was: no files.
    plain = await api.post(f"/api/v1/ecounter/messages/{thread_id}/replies", json={"body": "Dank u."}, headers=anker)
    assert plain.status_code == 201, plain.text


async def test_bad_input_in_a_form_is_named_and_nothing_is_sent(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    fresh = await create_staff_member(stack, organisation_name=f"Nieuw Huis {uuid.uuid4().hex[:4]}")
    await supervise(stack, world["department"].organisation_id, fresh.organisation_id, world["theme"])
    token = bearer(await login(api, fresh.email))
    message = {"theme_id": world["theme"], "title": "Vraag", "body": "Tekst", "contacts": [own_contact()]}

    # A file whose content is not what its name says, and one of a type not allowed.
    lying = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of(message),
        files=[("files", ("foto.png", b"%PDF-1.4 not a png", "image/png"))],
        headers=token,
    )
    assert lying.status_code in (415, 422), lying.text
    assert [e["field"] for e in lying.json()["errors"]] == ["files[0]"]
    program = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of(message),
        files=[("files", ("run.exe", b"MZ\x90\x00binary", "application/octet-stream"))],
        headers=token,
    )
    assert program.status_code in (415, 422) and program.json()["errors"][0]["field"] == "files[0]"

    # Missing and malformed fields of the form are named as the JSON form names them.
    empty = await api.post(
        "/api/v1/ecounter/messages",
        data={"theme_id": world["theme"], "title": "Vraag", "contacts": "[{"},
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=token,
    )
    assert empty.status_code == 422
    assert {e["field"] for e in empty.json()["errors"]} == {"contacts"}
    missing = await api.post(
        "/api/v1/ecounter/messages",
        data={"theme_id": world["theme"], "contacts": json.dumps([own_contact(email="els@")])},
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=token,
    )
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"title", "body"}
    bad_contact = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of({**message, "contacts": [own_contact(email="els@", phone="12")]}),
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=token,
    )
    assert bad_contact.status_code == 422
    assert {e["field"] for e in bad_contact.json()["errors"]} >= {"contacts[0].email", "contacts[0].phone"}
    # Without a contact for the theme: 409, also with files.
    no_contact = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of({**message, "contacts": []}),
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=token,
    )
    assert no_contact.status_code == 409 and no_contact.json()["code"] == "no_contact_for_theme"
    unsupported = await api.post(
        "/api/v1/ecounter/messages", content=b"theme_id=x", headers={**token, "content-type": "text/plain"}
    )
    assert unsupported.status_code == 415

    listed = await api.get("/api/v1/ecounter/messages?box=sent", headers=token)
    assert listed.json()["items"] == [], "nothing was sent"


async def test_a_reply_of_someone_outside_is_refused_before_its_files_are_read(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    other = bearer(await login(api, world["other"].email))
    sent = await api.post(
        "/api/v1/ecounter/messages",
        json={"theme_id": world["theme"], "title": "Vraag", "body": "Tekst", "contacts": [own_contact()]},
        headers=anker,
    )
    assert sent.status_code == 201, sent.text
    refused = await api.post(
        f"/api/v1/ecounter/messages/{sent.json()['id']}/replies",
        data={"body": "Ik hoor hier niet"},
        files=[("files", ("a.txt", b"a" * 1024, "text/plain"))],
        headers=other,
    )
    assert refused.status_code == 404


async def test_a_new_message_of_someone_without_the_right_is_refused_before_its_files_are_read(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    person = await create_member(stack, world["anker"].organisation_id)
    message = {"theme_id": world["theme"], "title": "Vraag", "body": "Tekst", "contacts": [own_contact()]}
    refused = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of(message),
        files=[("files", ("a.txt", b"a" * 1024, "text/plain"))],
        headers=bearer(await login(api, person.email)),
    )
    assert refused.status_code == 403, refused.text
    # an organisation's staff (not the department's case handlers) write to no other organisation
    anker = bearer(await login(api, world["anker"].email))
    elsewhere = await api.post(
        "/api/v1/ecounter/messages",
        data=fields_of({**message, "organisation_id": world["other"].organisation_id}),
        files=[("files", ("a.txt", b"a" * 1024, "text/plain"))],
        headers=anker,
    )
    assert elsewhere.status_code == 403, elsewhere.text


async def test_a_form_part_too_deep_or_a_file_without_a_name_is_named(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    message = {"theme_id": world["theme"], "title": "Vraag", "body": "Tekst"}
    deep = await api.post(
        "/api/v1/ecounter/messages",
        data={**message, "contacts": "[" * 100_000},
        files=[("files", ("a.txt", b"a", "text/plain"))],
        headers=anker,
    )
    assert deep.status_code == 422, deep.text
    assert [e["field"] for e in deep.json()["errors"]] == ["contacts"]
    nameless = await api.post(
        "/api/v1/ecounter/messages",
        data={**message, "contacts": json.dumps([own_contact()])},
        files=[("files", (None, b"geen bestand", "text/plain"))],  # a part without a file name
        headers=anker,
    )
    assert nameless.status_code == 422, nameless.text
    assert [e["field"] for e in nameless.json()["errors"]] == ["files"]


async def test_a_standard_contact_changed_for_this_message_only_keeps_their_address(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    standard = own_contact(first_name="Jan", last_name="Janssens")
    added = await api.post(
        "/api/v1/organisation/contacts", json={**standard, "theme_ids": [world["theme"]]}, headers=anker
    )
    assert added.status_code == 201, added.text
    sent = await api.post(
        "/api/v1/ecounter/messages",
        json={
            "theme_id": world["theme"],
            "title": "Met gewijzigde contactpersoon",
            "body": "Tekst",
            # Changed for this message: taken off it and added with the new phone number.
            "removed_contact_ids": [added.json()["id"]],
            "contacts": [{**standard, "phone": "+3225533599"}],
        },
        headers=anker,
    )
    assert sent.status_code == 201, sent.text
    case = (await api.get(f"/api/v1/ecounter/messages/{sent.json()['id']}", headers=anker)).json()
    mine = [
        (c["email"], c["phone"], c["standard"], c["excluded"])
        for c in case["contacts"]
        if c["email"] == standard["email"]
    ]
    assert sorted(mine) == sorted(
        [(standard["email"], standard["phone"], True, True), (standard["email"], "+3225533599", False, False)]
    )
    # The organisation's contact person itself is unchanged.
    persons = (await api.get("/api/v1/organisation/contacts", headers=anker)).json()
    assert [p["phone"] for p in persons if p["email"] == standard["email"]] == [standard["phone"]]
    # As a new standard contact the address stays taken.
    taken = await api.post(
        "/api/v1/ecounter/messages",
        json={
            "theme_id": world["theme"],
            "title": "Nog eens",
            "body": "Tekst",
            "removed_contact_ids": [added.json()["id"]],
            "contacts": [{**standard, "standard": True}],
        },
        headers=anker,
    )
    assert taken.status_code == 422 and [e["field"] for e in taken.json()["errors"]] == ["contacts[0].email"]
