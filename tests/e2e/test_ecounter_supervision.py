"""The e-counter follows supervision (identity's links: a government department oversees
an organisation in named themes), walked through the gateway with bad input:

- a department's case handler starts a message only to an organisation it supervises — any
  other is refused exactly as one that does not exist, naming ``organisation_id`` — and only
  in a theme of that link (naming ``theme_id``); nothing is sent;
- the department's staff see an organisation's contacts for a theme only where the
  department supervises it in that theme (404 otherwise);
- a case of one department is 404 on every route for a case handler of another, and in
  nobody else's lists;
- an organisation writes only in a theme a department supervises it in (422 naming
  ``theme_id`` otherwise: nobody could read the message);
- an organisation is offered only the themes it is supervised in (the theme list, the start
  page's tasks, the themes of a new contact person: 422 naming ``theme_ids[i]`` otherwise),
  a department its own; a contact person keeps a theme whose supervision ended;
- while identity cannot say who supervises whom, the themes, tasks and new contact persons
  are an error (503), never "no themes";
- once a link ends, the department no longer starts messages, answers (409
  ``not_supervised``, nor does the organisation; before a byte of a file is read) or sees
  the contacts, and the case's history stays readable.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from support import (
    StaffMember,
    add_themes,
    invite_staff_member,
    login,
    onboard_staff_member,
    supervise,
    wait_until,
)

from zorgpost_devstack.stack import Stack
from zorgpost_kit.roles import Role

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEW_MESSAGES = "/api/v1/ecounter/messages"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def own_contact() -> dict[str, str]:
    return {
        "first_name": "Piet",
        "last_name": "Eigen",
        "email": f"eigen-{uuid.uuid4().hex[:8]}@zorg.example",
        "phone": "+32 2 553 35 02",
    }


def fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


async def care_organisation(stack: Stack, name: str) -> StaffMember:
    return await onboard_staff_member(
        stack, organisation_name=f"{name} {uuid.uuid4().hex[:4]}", kind="care_organisation"
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(stack: Stack) -> dict[str, Any]:
    department = await onboard_staff_member(
        stack,
        organisation_name=f"Departement Zorg {uuid.uuid4().hex[:4]}",
        kind="government_department",
        roles=(Role.CASE_HANDLER,),
    )
    assert department.administrator is not None
    colleague = await invite_staff_member(stack, department.administrator, roles=(Role.STAFF,))
    second = await onboard_staff_member(
        stack,
        organisation_name=f"Inspectie {uuid.uuid4().hex[:4]}",
        kind="government_department",
        roles=(Role.CASE_HANDLER,),
    )
    anker = await care_organisation(stack, "Het Anker")
    other = await care_organisation(stack, "Andere Zorg")
    erkenning, subsidies = await add_themes(stack, department, "Erkenning", "Subsidies")
    [toezicht] = await add_themes(stack, second, "Toezicht")
    # The department supervises Het Anker in "Erkenning" only; nobody supervises "other";
    # the second department supervises nobody here.
    await supervise(stack, department.organisation_id, anker.organisation_id, erkenning)
    return {
        "department": department,
        "colleague": colleague,
        "second": second,
        "anker": anker,
        "other": other,
        "erkenning": erkenning,
        "subsidies": subsidies,
        "toezicht": toezicht,
    }


async def test_a_department_starts_messages_only_to_organisations_it_supervises_in_the_linked_themes(
    api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    department = bearer(await login(api, world["department"].email))
    title = f"Toezicht {uuid.uuid4().hex[:6]}"
    message = {"theme_id": world["erkenning"], "title": title, "body": "Inhoud"}

    unsupervised = await api.post(
        NEW_MESSAGES, json={**message, "organisation_id": world["other"].organisation_id}, headers=department
    )
    nonexistent = await api.post(
        NEW_MESSAGES, json={**message, "organisation_id": str(uuid.uuid4())}, headers=department
    )
    outside_the_link = await api.post(
        NEW_MESSAGES,
        json={**message, "theme_id": world["subsidies"], "organisation_id": world["anker"].organisation_id},
        headers=department,
    )

    assert unsupervised.status_code == 422 and fields(unsupervised) == {"organisation_id"}
    # An organisation the department does not supervise is answered as one that does not exist.
    assert unsupervised.json()["errors"] == nonexistent.json()["errors"]
    assert outside_the_link.status_code == 422 and fields(outside_the_link) == {"theme_id"}
    assert "supervise" in outside_the_link.json()["errors"][0]["message"]
    # Another department's case handler does not reach Het Anker either, not even in its own theme.
    second = bearer(await login(api, world["second"].email))
    foreign = await api.post(
        NEW_MESSAGES,
        json={**message, "theme_id": world["toezicht"], "organisation_id": world["anker"].organisation_id},
        headers=second,
    )
    assert foreign.status_code == 422 and fields(foreign) == {"organisation_id"}
    # Nothing was sent; within the link it is.
    sent = (await api.get(NEW_MESSAGES, params={"box": "sent", "title": title}, headers=department)).json()
    assert sent["items"] == []
    allowed = await api.post(
        NEW_MESSAGES, json={**message, "organisation_id": world["anker"].organisation_id}, headers=department
    )
    assert allowed.status_code == 201, allowed.text
    anker = bearer(await login(api, world["anker"].email))
    received = (await api.get(NEW_MESSAGES, params={"box": "received", "title": title}, headers=anker)).json()
    assert [item["id"] for item in received["items"]] == [allowed.json()["id"]]


async def test_the_department_sees_contacts_only_of_organisations_it_supervises_in_the_linked_themes(
    api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    added = await api.post(
        "/api/v1/organisation/contacts", json={**own_contact(), "theme_ids": [world["erkenning"]]}, headers=anker
    )
    assert added.status_code == 201, added.text
    handler = bearer(await login(api, world["department"].email))
    colleague = bearer(await login(api, world["colleague"].email))
    second = bearer(await login(api, world["second"].email))

    def contacts_of(organisation: str, theme: str, token: dict[str, str]) -> Any:
        return api.get(
            f"/api/v1/ecounter/themes/{theme}/contacts",
            params={"organisation_id": world[organisation].organisation_id},
            headers=token,
        )

    linked = await contacts_of("anker", world["erkenning"], handler)
    assert linked.status_code == 200 and len(linked.json()["contact_persons"]) >= 1
    # A colleague of the department who handles no cases reads none of its cases, nor whom
    # they reach: no names, phone numbers or addresses of the organisation's contacts.
    refused = await contacts_of("anker", world["erkenning"], colleague)
    assert refused.status_code == 403, refused.text
    assert "contact_persons" not in refused.json()
    # A theme outside the link, an organisation not supervised, another department: 404.
    assert (await contacts_of("anker", world["subsidies"], handler)).status_code == 404
    assert (await contacts_of("other", world["erkenning"], handler)).status_code == 404
    assert (await contacts_of("anker", world["toezicht"], second)).status_code == 404
    assert (await contacts_of("anker", world["erkenning"], second)).status_code == 404
    # The organisation's own staff see their own.
    own = await api.get(f"/api/v1/ecounter/themes/{world['erkenning']}/contacts", headers=anker)
    assert own.status_code == 200 and len(own.json()["contact_persons"]) >= 1


async def test_a_case_handler_of_another_department_reaches_no_case_of_this_one(
    api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    sent = await api.post(
        NEW_MESSAGES,
        json={"theme_id": world["erkenning"], "title": "Vraag", "body": "Geheim", "contacts": [own_contact()]},
        headers=anker,
    )
    assert sent.status_code == 201, sent.text
    thread_id, reference = sent.json()["id"], sent.json()["reference"]
    department = bearer(await login(api, world["department"].email))
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=department)).status_code == 200

    second = bearer(await login(api, world["second"].email))
    other = bearer(await login(api, world["other"].email))
    for outsider in (second, other):
        for path in (
            f"/api/v1/threads/{thread_id}",
            f"/api/v1/threads/{thread_id}/messages",
            f"/api/v1/ecounter/messages/{thread_id}",
        ):
            assert (await api.get(path, headers=outsider)).status_code == 404, path
        replied = await api.post(f"{NEW_MESSAGES}/{thread_id}/replies", json={"body": "Hallo"}, headers=outsider)
        assert replied.status_code == 404
        posted = await api.post(f"/api/v1/threads/{thread_id}/messages", json={"body": "Hallo"}, headers=outsider)
        assert posted.status_code == 404
        listed = (await api.get(NEW_MESSAGES, params={"reference": reference}, headers=outsider)).json()
        assert listed["items"] == []


async def test_an_organisation_writes_only_in_a_theme_a_department_supervises_it_in(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    alone = await care_organisation(stack, "Eenzaam Huis")
    token = bearer(await login(api, alone.email))
    message = {"theme_id": world["erkenning"], "title": "Vraag", "body": "Inhoud", "contacts": [own_contact()]}

    nobody = await api.post(NEW_MESSAGES, json=message, headers=token)
    assert nobody.status_code == 422 and fields(nobody) == {"theme_id"}
    assert "nobody could read" in nobody.json()["errors"][0]["message"]
    # Het Anker is supervised, but not in "Subsidies" nor by the second department.
    anker = bearer(await login(api, world["anker"].email))
    for theme in (world["subsidies"], world["toezicht"]):
        refused = await api.post(NEW_MESSAGES, json={**message, "theme_id": theme}, headers=anker)
        assert refused.status_code == 422 and fields(refused) == {"theme_id"}, refused.text
    assert (await api.get(NEW_MESSAGES, params={"box": "sent"}, headers=token)).json()["items"] == []
    # Nothing was made on the way either: the message's standard contact would have been.
    assert (await api.get("/api/v1/organisation/contacts", headers=token)).json() == []

    await supervise(stack, world["department"].organisation_id, alone.organisation_id, world["erkenning"])
    assert (await api.post(NEW_MESSAGES, json=message, headers=token)).status_code == 201


async def test_once_the_link_ends_the_department_no_longer_writes_answers_or_sees_contacts(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    overseen = await care_organisation(stack, "Toezichthuis")
    department_id = world["department"].organisation_id
    await supervise(stack, department_id, overseen.organisation_id, world["erkenning"])
    department = bearer(await login(api, world["department"].email))
    message = {
        "theme_id": world["erkenning"],
        "title": "Vraag",
        "body": "Inhoud",
        "organisation_id": overseen.organisation_id,
    }
    sent = await api.post(NEW_MESSAGES, json=message, headers=department)
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["id"]
    contacts = f"/api/v1/ecounter/themes/{world['erkenning']}/contacts"
    params = {"organisation_id": overseen.organisation_id}
    assert (await api.get(contacts, params=params, headers=department)).status_code == 200

    await supervise(stack, department_id, overseen.organisation_id)

    answer = await api.post(f"{NEW_MESSAGES}/{thread_id}/replies", json={"body": "Nog iets"}, headers=department)
    assert answer.status_code == 409 and answer.json()["code"] == "not_supervised"
    # Refused before its files are read: a file that would be refused itself is never looked at.
    with_file = await api.post(
        f"{NEW_MESSAGES}/{thread_id}/replies",
        data={"body": "Nog iets"},
        files=[("files", ("run.exe", b"MZ\x90\x00binary", "application/octet-stream"))],
        headers=department,
    )
    assert with_file.status_code == 409 and with_file.json()["code"] == "not_supervised", with_file.text
    again = await api.post(NEW_MESSAGES, json=message, headers=department)
    assert again.status_code == 422 and fields(again) == {"organisation_id"}
    assert (await api.get(contacts, params=params, headers=department)).status_code == 404
    # The history stays readable to both sides.
    case = await api.get(f"{NEW_MESSAGES}/{thread_id}", headers=department)
    assert case.status_code == 200 and [h["entry"]["box"] for h in case.json()["history"]] == ["sent"]
    theirs = bearer(await login(api, overseen.email))
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=theirs)).status_code == 200
    # Nor does the organisation answer into a case nobody on the other side may take up.
    late = await api.post(f"{NEW_MESSAGES}/{thread_id}/replies", json={"body": "Ons antwoord"}, headers=theirs)
    assert late.status_code == 409 and late.json()["code"] == "not_supervised"
    late_file = await api.post(
        f"{NEW_MESSAGES}/{thread_id}/replies",
        data={"body": "Ons antwoord"},
        files=[("files", ("run.exe", b"MZ\x90\x00binary", "application/octet-stream"))],
        headers=theirs,
    )
    assert late_file.status_code == 409 and late_file.json()["code"] == "not_supervised", late_file.text


def theme_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [theme["id"] for theme in response.json()]


async def test_an_organisation_is_offered_only_the_themes_it_is_supervised_in(
    api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    anker = bearer(await login(api, world["anker"].email))
    other = bearer(await login(api, world["other"].email))
    department = bearer(await login(api, world["department"].email))
    second = bearer(await login(api, world["second"].email))
    themes = "/api/v1/ecounter/themes"
    tasks = "/api/v1/ecounter/tasks"

    # Het Anker: "Erkenning" only — not "Subsidies" (outside the link), not the second
    # department's "Toezicht" (it does not supervise Het Anker).
    offered = await api.get(themes, headers=anker)
    assert theme_ids(offered) == [world["erkenning"]]
    assert {"id", "name"} <= set(offered.json()[0])
    assert {task["theme_id"] for task in (await api.get(tasks, headers=anker)).json()} <= {world["erkenning"]}
    # Supervised by nobody: nothing offered, no task.
    assert theme_ids(await api.get(themes, headers=other)) == []
    assert (await api.get(tasks, headers=other)).json() == []
    # A department sees the catalogue it keeps (and has no tasks in it).
    assert sorted(theme_ids(await api.get(themes, headers=department))) == sorted(
        [world["erkenning"], world["subsidies"]]
    )
    assert theme_ids(await api.get(themes, headers=second)) == [world["toezicht"]]
    assert (await api.get(tasks, headers=department)).json() == []

    # A contact person is named only for themes offered; every other one is named, nothing saved.
    person = {**own_contact(), "theme_ids": [world["erkenning"], world["subsidies"], world["toezicht"]]}
    refused = await api.post("/api/v1/organisation/contacts", json=person, headers=anker)
    assert refused.status_code == 422 and fields(refused) == {"theme_ids[1]", "theme_ids[2]"}, refused.text
    nobody = await api.post(
        "/api/v1/organisation/contacts", json={**person, "theme_ids": [world["erkenning"]]}, headers=other
    )
    assert nobody.status_code == 422 and fields(nobody) == {"theme_ids[0]"}
    for token in (anker, other):
        listed = (await api.get("/api/v1/organisation/contacts", headers=token)).json()
        assert person["email"] not in [p["email"] for p in listed]


async def test_a_contact_person_keeps_a_theme_whose_supervision_ended_and_the_task_goes(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    house = await care_organisation(stack, "Het Baken")
    department_id = world["department"].organisation_id
    await supervise(stack, department_id, house.organisation_id, world["erkenning"], world["subsidies"])
    token = bearer(await login(api, house.email))
    both = [world["erkenning"], world["subsidies"]]
    assert theme_ids(await api.get("/api/v1/ecounter/themes", headers=token)) == both
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=token)).json()
    assert [task["theme_id"] for task in tasks] == both
    person = {**own_contact(), "theme_ids": both}
    added = await api.post("/api/v1/organisation/contacts", json=person, headers=token)
    assert added.status_code == 201, added.text

    # The department now supervises Het Baken in "Erkenning" only.
    await supervise(stack, department_id, house.organisation_id, world["erkenning"])

    assert theme_ids(await api.get("/api/v1/ecounter/themes", headers=token)) == [world["erkenning"]]
    tasks = (await api.get("/api/v1/ecounter/tasks", headers=token)).json()
    assert [task["theme_id"] for task in tasks] == [world["erkenning"]]
    # The person keeps "Subsidies" through a change of their other details...
    changed = await api.put(
        f"/api/v1/organisation/contacts/{added.json()['id']}",
        json={**person, "phone": "+32 2 553 35 09"},
        headers=token,
    )
    assert changed.status_code == 200 and changed.json()["theme_ids"] == both, changed.text
    # ...but nobody is named for it anew.
    again = await api.post("/api/v1/organisation/contacts", json={**own_contact(), "theme_ids": both}, headers=token)
    assert again.status_code == 422 and fields(again) == {"theme_ids[1]"}


async def test_while_identity_is_down_the_themes_are_an_error_never_none(
    stack: Stack, api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # Last in the module: identity is stopped, and started again before the end.
    anker = bearer(await login(api, world["anker"].email))
    assert theme_ids(await api.get("/api/v1/ecounter/themes", headers=anker)) == [world["erkenning"]]
    person = {**own_contact(), "theme_ids": [world["erkenning"]]}

    stack.kill("identity")
    try:
        # The token is still good (its keys are kept); what is supervised cannot be known.
        themes = await api.get("/api/v1/ecounter/themes", headers=anker)
        tasks = await api.get("/api/v1/ecounter/tasks", headers=anker)
        added = await api.post("/api/v1/organisation/contacts", json=person, headers=anker)
    finally:
        stack.start("identity")
    assert themes.status_code == 503, themes.text
    assert tasks.status_code == 503, tasks.text
    assert added.status_code == 503, added.text

    async def answers_again() -> bool:
        try:
            return (await api.get("/api/v1/ecounter/themes", headers=anker)).status_code == 200
        except httpx.HTTPError:
            return False

    await wait_until(answers_again, within=60.0, interval=0.5, what="identity back")
    listed = (await api.get("/api/v1/organisation/contacts", headers=anker)).json()
    assert person["email"] not in [p["email"] for p in listed], "nothing was saved"
