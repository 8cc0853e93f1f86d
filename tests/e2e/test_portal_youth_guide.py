"""Seed 4 (the youth mental-health client portal) through the gateway: the agreement every
party must approve before a trajectory starts, and the end of care that ends portal access
(portal → identity, end to end); the dossier (about me and its change request, consents
with their history, reports and documents to approve, uploads), the diary, questionnaires,
care messages and the dashboard's "since the previous login"; and switching to a child's
portal by the Dutch age rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from journeys_e2e import bearer, fields
from journeys_support import years_ago
from portal_e2e import PDF, Client, Practice, files, login_again, new_client, open_practice, publish, register
from support import Member, assert_notice, notice_detail, wait_for_messages, wait_until

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _kind_en_meer(stack: Stack, api: httpx.AsyncClient) -> Practice:
    return await open_practice(stack, api, "Kind & meer", PasswordPreset.CLIENT_PORTAL)


async def _delegate(api: httpx.AsyncClient, practice: Practice, parent: Client, person: Client) -> dict[str, Any]:
    """The practice asks; a person of 12 or older consents from their own account."""
    asked = await api.post(
        "/api/v1/delegations",
        json={"delegate_account_id": parent.account_id, "person_account_id": person.account_id},
        headers=practice.headers,
    )
    assert asked.status_code == 201, asked.text
    delegation: dict[str, Any] = asked.json()
    if delegation["status"] == "awaiting_consent":
        consented = await api.post(
            f"/api/v1/delegations/{delegation['id']}/consent", json={"accept": True}, headers=person.headers
        )
        delegation = consented.json()
    assert delegation["status"] == "active"
    return delegation


async def _act_as(api: httpx.AsyncClient, parent: Client, person_id: str) -> dict[str, str]:
    switched = await api.post("/api/v1/me/act-as", json={"person_id": person_id}, headers=parent.headers)
    assert switched.status_code == 200, switched.text
    return bearer(switched.json()["access_token"])


async def _start(api: httpx.AsyncClient, practice: Practice, person_id: str, title: str) -> dict[str, Any]:
    started = await api.post(
        "/api/v1/portal/practice/trajectories",
        data={"person_id": person_id, "title": title},
        files=files("overeenkomst.pdf", PDF, "application/pdf"),
        headers=practice.headers,
    )
    assert started.status_code == 201, started.text
    body: dict[str, Any] = started.json()
    return body


async def _trajectory(api: httpx.AsyncClient, practice: Practice, trajectory_id: str) -> dict[str, Any]:
    found = (await api.get("/api/v1/portal/practice/trajectories", headers=practice.headers)).json()
    return next(t for t in found if t["id"] == trajectory_id)


async def _parties_known(api: httpx.AsyncClient, practice: Practice, trajectory_id: str, count: int) -> None:
    """The portal learns of delegations from identity's events: wait until it did."""

    async def known() -> bool:
        return len((await _trajectory(api, practice, trajectory_id))["parties"]) == count

    await wait_until(known, within=20.0, what="the parties of the agreement known")


async def _mail_titled(stack: Stack, to: str, subject: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        found[:] = [m for m in await wait_for_messages(stack, to) if m["subject"] == subject]
        return bool(found)

    await wait_until(arrived, within=20.0, what=f"a mail {subject!r} to {to}")
    return await notice_detail(stack, found[0])


# ----------------------------------------------------------------------------- the agreement gate
async def test_the_agreement_gate_and_the_end_of_care_end_to_end(stack: Stack, api: httpx.AsyncClient) -> None:
    practice = await _kind_en_meer(stack, api)
    parent = await new_client(stack, api, practice, "Olga", 41)
    jip = await new_client(stack, api, practice, "Jip", 13)
    await _delegate(api, practice, parent, jip)

    trajectory = await _start(api, practice, jip.account_id, "Behandeling angstklachten")
    assert trajectory["status"] == "awaiting_agreement"
    await _parties_known(api, practice, trajectory["id"], 2)
    parties = {p["role"]: p for p in (await _trajectory(api, practice, trajectory["id"]))["parties"]}
    assert (parties["client"]["account_id"], parties["parent"]["account_id"]) == (jip.account_id, parent.account_id)
    # Both are told the agreement is ready, without what it says.
    for who in (jip, parent):
        notice = await _mail_titled(stack, who.email, "De overeenkomst staat voor u klaar")
        assert_notice(
            notice,
            subject="De overeenkomst staat voor u klaar",
            organisation=practice.staff.organisation_name,
            language="nl",
            link=f"{stack.web_url}/portal/documents",
            absent=["Behandeling angstklachten", "angst"],
        )

    documents = (await api.get("/api/v1/portal/documents", params={"kind": "document"}, headers=jip.headers)).json()
    [agreement] = documents["items"]
    assert (agreement["kind"], agreement["title"], agreement["pending"]) == ("agreement", "De overeenkomst", True)
    assert (await api.get("/api/v1/portal/dashboard", headers=jip.headers)).json()["awaiting_my_approval"] == 1

    # The parent approves in Jip's portal, as the parent: the trajectory still waits for Jip.
    for_jip = await _act_as(api, parent, jip.account_id)
    seen_by_parent = (await api.get("/api/v1/portal/documents", headers=for_jip)).json()["items"][0]
    assert seen_by_parent["pending"] is True
    approved = await api.post(f"/api/v1/portal/documents/{agreement['id']}/approve", headers=for_jip)
    assert [a["approved_by"] for a in approved.json()["approvals"]] == [parent.account_id]
    assert (await _trajectory(api, practice, trajectory["id"]))["status"] == "awaiting_agreement"
    still = (await api.get("/api/v1/portal/documents", headers=jip.headers)).json()["items"][0]
    assert still["pending"] is True, "the parent's approval is not Jip's"

    first = await api.post(f"/api/v1/portal/documents/{agreement['id']}/approve", headers=jip.headers)
    again = await api.post(f"/api/v1/portal/documents/{agreement['id']}/approve", headers=jip.headers)
    assert first.json()["approvals"] == again.json()["approvals"], "an approval keeps its first time"
    active = await _trajectory(api, practice, trajectory["id"])
    assert active["status"] == "active" and active["activated_at"] is not None
    assert all(party["approved_at"] for party in active["parties"])
    log = (await api.get("/api/v1/portal/actions", headers=jip.headers)).json()["items"]
    approvals = [(a["actor_id"], a["on_behalf"]) for a in log if a["action"] == "document.approved"]
    assert approvals == [(jip.account_id, False), (parent.account_id, True)]
    assert any(a["action"] == "trajectory.activated" for a in log)
    mine = (await api.get("/api/v1/portal/trajectories", headers=jip.headers)).json()
    assert [(t["id"], t["status"]) for t in mine] == [(trajectory["id"], "active")]

    # A second trajectory keeps the portal open when the first ends; the last one closes it.
    second = await _start(api, practice, jip.account_id, "Vervolg")
    ended = await api.post(
        f"/api/v1/portal/practice/trajectories/{trajectory['id']}/end", json={"reason": "Doelen bereikt"},
        headers=practice.headers,
    )  # fmt: skip
    assert ended.json()["status"] == "ended"
    twice = await api.post(f"/api/v1/portal/practice/trajectories/{trajectory['id']}/end", headers=practice.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "trajectory_ended")
    await login_again(api, jip)
    await api.post(f"/api/v1/portal/practice/trajectories/{second['id']}/end", headers=practice.headers)

    async def access_ended() -> bool:
        login = await api.post("/api/v1/auth/login", json={"username": jip.email, "password": jip.member.password})
        return login.status_code == 401

    await wait_until(access_ended, within=20.0, what="Jip's login refused after the last trajectory ended")
    assert (await api.get("/api/v1/me", headers=jip.headers)).status_code == 401
    by_me = (await api.get("/api/v1/me/delegations", headers=parent.headers)).json()["by_me"]
    assert [(d["status"], d["end_reason"]) for d in by_me] == [("ended", "access_ended")]


# ----------------------------------------------------------------------------- the dossier
async def test_the_dossier_diary_questionnaire_messages_and_what_is_new_since_the_last_login(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    practice = await _kind_en_meer(stack, api)
    parent = await new_client(stack, api, practice, "Olga", 41)
    jip = await new_client(stack, api, practice, "Jip", 13)
    await _delegate(api, practice, parent, jip)
    first_visit = (await api.get("/api/v1/portal/dashboard", headers=jip.headers)).json()
    assert first_visit["since"] is None and first_visit["security"] == {
        "second_factor": False,
        "secret_question": False,
    }

    # About me, and a change request the practice accepts.
    me = (await api.get("/api/v1/portal/about-me", headers=jip.headers)).json()
    assert (me["first_name"], me["email"]) == ("Jip", jip.email)
    unknown = await api.post(
        "/api/v1/portal/change-requests", json={"changes": {"shoe_size": "42"}}, headers=jip.headers
    )
    assert fields(unknown) == {"changes.shoe_size"}
    bad = await api.post("/api/v1/portal/change-requests", json={"changes": {"phone": "nope"}}, headers=jip.headers)
    assert fields(bad) == {"changes.phone"}
    asked = await api.post(
        "/api/v1/portal/change-requests", json={"changes": {"phone": "06 12345678"}, "note": "Nieuw nummer"},
        headers=jip.headers,
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    accepted = await api.post(
        f"/api/v1/portal/practice/change-requests/{asked.json()['id']}/accept", headers=practice.headers
    )
    assert accepted.json()["status"] == "accepted"
    assert (await api.get("/api/v1/portal/about-me", headers=jip.headers)).json()["phone"] == "+31612345678"

    # Consents: the practice's defaults, then every change kept with its time and who made it.
    await api.put(
        "/api/v1/portal/practice/consent-items",
        json={"items": [
            {"code": "huisarts", "label_nl": "Informatie delen met de huisarts", "label_en": "Share with the GP",
             "default_granted": True},
            {"code": "school", "label_nl": "Contact met school", "label_en": "Contact with school",
             "default_granted": False},
        ]},
        headers=practice.headers,
    )  # fmt: skip
    defaults = (await api.get("/api/v1/portal/consents", headers=jip.headers)).json()
    assert [(c["code"], c["granted"], c["is_default"]) for c in defaults] == [
        ("huisarts", True, True),
        ("school", False, True),
    ]
    for_jip = await _act_as(api, parent, jip.account_id)
    await api.put("/api/v1/portal/consents/school", json={"granted": True}, headers=jip.headers)
    changed = await api.put("/api/v1/portal/consents/school", json={"granted": False}, headers=for_jip)
    school = changed.json()
    assert (school["granted"], school["is_default"]) == (False, False)
    assert [(d["granted"], d["on_behalf"]) for d in school["history"]] == [(False, True), (True, False)]
    assert school["history"][0]["decided_at"] >= school["history"][1]["decided_at"]
    unknown = await api.put("/api/v1/portal/consents/nonsense", json={"granted": True}, headers=jip.headers)
    assert unknown.status_code == 404
    seen_by_practice = (
        await api.get(f"/api/v1/portal/practice/clients/{jip.account_id}/consents", headers=practice.headers)
    ).json()
    assert len(next(c for c in seen_by_practice if c["code"] == "school")["history"]) == 2

    # Reports to approve and documents of one's own.
    report = await publish(api, practice, jip.account_id, "report", "Verslag intakegesprek", approval=True)
    listed = (await api.get("/api/v1/portal/documents", params={"kind": "report"}, headers=jip.headers)).json()
    assert [(d["id"], d["pending"]) for d in listed["items"]] == [(report["id"], True)]
    downloaded = await api.get(listed["items"][0]["download_url"], headers=jip.headers)
    assert (downloaded.content, downloaded.headers["content-disposition"][:11]) == (PDF, "attachment;")
    ok = await api.post(f"/api/v1/portal/documents/{report['id']}/approve", headers=jip.headers)
    assert ok.json()["pending"] is False and ok.json()["approvals"][0]["approved_by_name"] == "Jip Test"
    plain = await publish(api, practice, jip.account_id, "document", "Informatie")
    refused = await api.post(f"/api/v1/portal/documents/{plain['id']}/approve", headers=jip.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "no_approval_asked")
    uploaded = await api.post(
        "/api/v1/portal/documents",
        data={"title": "Verslag school"},
        files=files("school.pdf", PDF, "application/pdf"),
        headers=jip.headers,
    )
    assert (uploaded.status_code, uploaded.json()["source"]) == (201, "client")
    fake = await api.post(
        "/api/v1/portal/documents",
        data={"title": "Niet echt"},
        files=files("rapport.pdf", b"MZ\x90\x00this is a program", "application/pdf"),
        headers=jip.headers,
    )
    assert fake.status_code == 415
    sneaky = await api.post(
        "/api/v1/portal/documents",
        data={"title": "Pad"},
        files=files("../../etc/passwd.pdf", PDF, "application/pdf"),
        headers=jip.headers,
    )
    assert sneaky.status_code == 422

    # The diary: each author's own notes; shared ones reach the practice.
    await api.post("/api/v1/portal/diary", json={"body": "Alleen voor mij"}, headers=jip.headers)
    shared = (
        await api.post("/api/v1/portal/diary", json={"body": "Voor Kim", "shared": True}, headers=jip.headers)
    ).json()
    await api.post("/api/v1/portal/diary", json={"body": "Notitie van moeder"}, headers=for_jip)
    assert [e["body"] for e in (await api.get("/api/v1/portal/diary", headers=for_jip)).json()["items"]] == [
        "Notitie van moeder"
    ]
    assert (
        await api.put(f"/api/v1/portal/diary/{shared['id']}", json={"body": "x"}, headers=for_jip)
    ).status_code == 404
    practice_view = (
        await api.get(f"/api/v1/portal/practice/clients/{jip.account_id}/diary", headers=practice.headers)
    ).json()
    assert [e["body"] for e in practice_view["items"]] == ["Voor Kim"]

    # A questionnaire: drafts are the client's own, the practice sees the submitted answers.
    sent = await api.post(
        f"/api/v1/portal/practice/clients/{jip.account_id}/questionnaires",
        json={
            "title": "Hoe gaat het deze week?",
            "questions": [
                {"id": "stemming", "kind": "scale", "text": "Hoe voel je je?", "scale_min": 1, "scale_max": 10},
                {"id": "slaap", "kind": "choice", "text": "Hoe slaap je?", "options": ["goed", "slecht"]},
                {"id": "extra", "kind": "text", "text": "Nog iets?", "required": False},
            ],
        },
        headers=practice.headers,
    )
    assert sent.status_code == 201, sent.text
    questionnaire_id = sent.json()["id"]
    answers = f"/api/v1/portal/questionnaires/{questionnaire_id}/answers"
    wrong = await api.put(answers, json={"answers": {"stemming": "11", "slaap": "matig"}}, headers=jip.headers)
    assert fields(wrong) == {"answers.stemming", "answers.slaap"}
    draft = await api.put(answers, json={"answers": {"stemming": "7"}}, headers=jip.headers)
    assert (draft.json()["status"], draft.json()["answers"]) == ("open", {"stemming": "7"})
    incomplete = await api.put(answers, json={"answers": {"stemming": "7"}, "submit": True}, headers=jip.headers)
    assert fields(incomplete) == {"answers.slaap"}
    practice_questionnaire = f"/api/v1/portal/practice/questionnaires/{questionnaire_id}"
    assert (await api.get(practice_questionnaire, headers=practice.headers)).json()["answers"] == {}
    done = await api.put(
        answers, json={"answers": {"stemming": "7", "slaap": "goed"}, "submit": True}, headers=jip.headers
    )
    assert done.json()["status"] == "submitted"
    assert (await api.get(practice_questionnaire, headers=practice.headers)).json()["answers"] == {
        "stemming": "7",
        "slaap": "goed",
    }
    late = await api.put(answers, json={"answers": {"stemming": "1"}}, headers=jip.headers)
    assert (late.status_code, late.json()["code"]) == (409, "questionnaire_submitted")
    questionnaire_mail = await _mail_titled(stack, parent.email, "Er staat een vragenlijst voor u klaar")
    assert "Hoe voel je je" not in questionnaire_mail["text"] + questionnaire_mail["html"]

    # Care messages: Jip writes, the practitioner answers.
    thread = await api.post(
        "/api/v1/portal/care-messages", json={"subject": "Afspraak", "body": "Kan het later?"}, headers=jip.headers
    )
    assert (thread.status_code, thread.json()["kind"]) == (201, "care")
    care = (
        await api.get("/api/v1/portal/practice/econsults", params={"kind": "care"}, headers=practice.headers)
    ).json()["items"]
    assert [t["id"] for t in care] == [thread.json()["id"]]
    await api.post(
        f"/api/v1/threads/{thread.json()['id']}/messages", json={"body": "Ja hoor"}, headers=practice.headers
    )
    assert (await api.get("/api/v1/portal/messages", headers=jip.headers)).json()["items"][0]["state"] == "open"
    # The parent writes in Jip's portal: the message is Jip's, and the log names the parent.
    by_parent = await api.post(
        "/api/v1/portal/care-messages", json={"subject": "Vraag van moeder", "body": "Mag ik bellen?"}, headers=for_jip
    )
    assert by_parent.json()["participants"][0]["account_id"] == jip.account_id

    async def logged_for_jip() -> bool:
        log = (await api.get("/api/v1/portal/actions", headers=jip.headers)).json()["items"]
        return any(a["action"] == "message.sent" and a["actor_id"] == parent.account_id for a in log)

    await wait_until(logged_for_jip, within=20.0, what="the parent's message in Jip's action log")

    # A new login: what happened since the previous one.
    await login_again(api, jip)

    async def dashboard_counts_the_answer() -> bool:
        board = (await api.get("/api/v1/portal/dashboard", headers=jip.headers)).json()
        return bool(board["activity"]["new_messages"] == 1)

    await wait_until(dashboard_counts_the_answer, within=20.0, what="the practitioner's answer counted as new")
    board = (await api.get("/api/v1/portal/dashboard", headers=jip.headers)).json()
    assert board["since"] is not None
    assert board["activity"] == {
        "new_documents": 1,
        "new_reports": 1,
        "appointments_held": 0,
        "new_messages": 1,
        "new_diary_notes": 2,
        "new_results": 0,
        "new_questionnaires": 1,
    }
    # The same session keeps its "since"; the parent in Jip's portal has a "since" of their own.
    assert (await api.get("/api/v1/portal/dashboard", headers=jip.headers)).json()["since"] == board["since"]
    parents_view = (await api.get("/api/v1/portal/dashboard", headers=for_jip)).json()
    assert (parents_view["on_behalf"], parents_view["security"], parents_view["person_id"]) == (
        True,
        None,
        jip.account_id,
    )


# ----------------------------------------------------------------------------- switching by age
async def test_switching_to_a_childs_portal_follows_the_age_rules_and_so_does_the_agreement(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    practice = await _kind_en_meer(stack, api)
    parent = await new_client(stack, api, practice, "Olga", 41)
    # Sam (10): no account of his own; the practice grants the parent at once.
    sam = await api.post(
        "/api/v1/delegations",
        json={
            "delegate_account_id": parent.account_id,
            "child": {"first_name": "Sam", "last_name": "Test", "birth_date": years_ago(10, days=-30).isoformat()},
        },
        headers=practice.headers,
    )
    assert (sam.status_code, sam.json()["status"]) == (201, "active")
    sam_id = sam.json()["person"]["account_id"]
    await register(
        api, practice, Member(sam_id, practice.staff.organisation_id, "", None), "Sam", years_ago(10, days=-30)
    )
    # Jip (13) and Noor (16) have their own accounts and must consent first.
    jip = await new_client(stack, api, practice, "Jip", 13)
    noor = await new_client(stack, api, practice, "Noor", 16)
    for person, kind in ((jip, "parental"), (noor, "consented")):
        asked = await api.post(
            "/api/v1/delegations",
            json={"delegate_account_id": parent.account_id, "person_account_id": person.account_id},
            headers=practice.headers,
        )
        assert (asked.json()["status"], asked.json()["kind"]) == ("awaiting_consent", kind)
        early = await api.post("/api/v1/me/act-as", json={"person_id": person.account_id}, headers=parent.headers)
        assert early.status_code == 404, "no switching before the person consented"
        await api.post(
            f"/api/v1/delegations/{asked.json()['id']}/consent", json={"accept": True}, headers=person.headers
        )

    portals = (await api.get("/api/v1/me/delegations", headers=parent.headers)).json()["by_me"]
    assert {d["person"]["account_id"] for d in portals} == {sam_id, jip.account_id, noor.account_id}
    preferred = await api.put("/api/v1/me/preferred-portal", json={"person_id": sam_id}, headers=parent.headers)
    assert preferred.json()["preferred_person_id"] == sam_id
    for person_id in (sam_id, jip.account_id, noor.account_id):
        board = (await api.get("/api/v1/portal/dashboard", headers=await _act_as(api, parent, person_id))).json()
        assert (board["person_id"], board["on_behalf"]) == (person_id, True)

    # Who approves an agreement follows the same ages: a parent for Sam (10), Jip and the
    # parent for Jip (13), Noor alone from 16 (a proxy she chose is no parent with authority).
    expected = {sam_id: {"parent"}, jip.account_id: {"client", "parent"}, noor.account_id: {"client"}}
    started = {person_id: await _start(api, practice, person_id, "Traject") for person_id in expected}
    for person_id, roles in expected.items():
        await _parties_known(api, practice, started[person_id]["id"], len(roles))
        parties = (await _trajectory(api, practice, started[person_id]["id"]))["parties"]
        assert {p["role"] for p in parties} == roles
        assert all(p["account_id"] == parent.account_id for p in parties if p["role"] == "parent")
    # Sam's trajectory starts with the parent's approval alone.
    for_sam = await _act_as(api, parent, sam_id)
    agreement = started[sam_id]["agreement_document_id"]
    assert (await api.post(f"/api/v1/portal/documents/{agreement}/approve", headers=for_sam)).status_code == 200
    assert (await _trajectory(api, practice, started[sam_id]["id"]))["status"] == "active"
    # Noor's needs Noor: her proxy's approval does not count.
    for_noor = await _act_as(api, parent, noor.account_id)
    noors = started[noor.account_id]
    await api.post(f"/api/v1/portal/documents/{noors['agreement_document_id']}/approve", headers=for_noor)
    assert (await _trajectory(api, practice, noors["id"]))["status"] == "awaiting_agreement"
    await api.post(f"/api/v1/portal/documents/{noors['agreement_document_id']}/approve", headers=noor.headers)
    assert (await _trajectory(api, practice, noors["id"]))["status"] == "active"


async def test_a_parent_in_a_childs_portal_reaches_only_the_portals_conversations(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    """Acting for Jip is for his portal: his care messages with the practice, not the chats,
    secure mail or e-counter cases his own account takes part in, nor his live feed."""
    practice = await _kind_en_meer(stack, api)
    parent = await new_client(stack, api, practice, "Olga", 41)
    jip = await new_client(stack, api, practice, "Jip", 13)
    await _delegate(api, practice, parent, jip)
    care = await api.post(
        "/api/v1/portal/care-messages", json={"subject": "Afspraak", "body": "Kan het later?"}, headers=jip.headers
    )
    assert care.status_code == 201, care.text
    chat = await api.post("/api/v1/threads", json={"subject": "Prive", "body": "Alleen van mij"}, headers=jip.headers)
    assert chat.status_code == 201, chat.text

    for_jip = await _act_as(api, parent, jip.account_id)
    listed = (await api.get("/api/v1/threads", headers=for_jip)).json()["items"]
    assert [t["id"] for t in listed] == [care.json()["id"]]
    assert (await api.get(f"/api/v1/threads/{care.json()['id']}", headers=for_jip)).status_code == 200
    hidden = await api.get(f"/api/v1/threads/{chat.json()['id']}", headers=for_jip)
    assert hidden.status_code == 404
    answered = await api.post(
        f"/api/v1/threads/{chat.json()['id']}/messages", json={"body": "namens Jip"}, headers=for_jip
    )
    assert answered.status_code == 404
    started = await api.post("/api/v1/threads", json={"subject": "Nieuw", "body": "namens Jip"}, headers=for_jip)
    assert started.status_code in (403, 409), started.text
    mailed = await api.post(
        "/api/v1/secure-mails/to-organisation", json={"subject": "Nieuw", "body": "namens Jip"}, headers=for_jip
    )
    assert (mailed.status_code, mailed.json()["code"]) == (403, "not_for_delegates")
    found = (await api.get("/api/v1/search", params={"q": "alleen"}, headers=for_jip)).json()["items"]
    assert found == []
    stream = await api.get("/api/v1/events", headers=for_jip)
    assert (stream.status_code, stream.json()["code"]) == (403, "not_for_delegates")
    # Jip himself still has both, and finds his own words.
    assert len((await api.get("/api/v1/threads", headers=jip.headers)).json()["items"]) == 2
    own = (await api.get("/api/v1/search", params={"q": "alleen"}, headers=jip.headers)).json()["items"]
    assert len(own) == 1
