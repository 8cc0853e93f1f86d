"""Seed 2 through the gateway, done as its outside recipient does it, reading the development
outbox like them: a staff member sends a secure mail; the recipient gets "Nieuw bericht van
…" with "Bericht lezen", asks for an access code (by SMS, the sender gave a mobile number;
by mail otherwise), opens the mail, reads it, replies with a PDF; the staff member is told
and finds the reply in the organisation's inbox; a later message tells the recipient again
and its link opens the mail again with a new code.

Also the code's rules (wrong, reused, expired, used up after five tries, replaced by a new
one, three an hour, 16 at once) and what a guest token reaches: its own thread, nothing else anywhere."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest
from journeys_support import token_after
from support import (
    ONBOARDED_NAME,
    StaffMember,
    code_in,
    execute,
    login,
    onboard_staff_member,
    settled_messages,
    wait_for_messages,
    wait_until,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

PDF = b"%PDF-1.4\n" + b"1 0 obj <<>> endobj\n" * 20 + b"%%EOF\n"
SECRET_BODY = "Uw aanvraag huishoudelijke hulp is toegekend; BSN 123456782."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def staff(stack: Stack) -> StaffMember:
    return await onboard_staff_member(stack, organisation_name=f"Gemeente Haarlemmermeer {uuid.uuid4().hex[:4]}")


async def send_mail(
    api: httpx.AsyncClient, staff: StaffMember, recipient: str, *, mobile: str = "", body: str = SECRET_BODY
) -> str:
    """The staff member sends a secure mail; answers its thread id."""
    payload = {"recipient_email": recipient, "subject": "Uw aanvraag", "body": body}
    if mobile:
        payload["recipient_mobile"] = mobile
    sent = await api.post("/api/v1/secure-mails", json=payload, headers=bearer(await login(api, staff.email)))
    assert sent.status_code == 201, sent.text
    thread_id: str = sent.json()["thread_id"]
    return thread_id


async def read_link(stack: Stack, recipient: str, *, count: int = 1) -> str:
    """The token of the "Bericht lezen" link in the newest notice to ``recipient``."""
    notices = [m for m in await wait_for_messages(stack, recipient, count=count) if "/secure-mail/" in m["text"]]
    return token_after("/secure-mail/", notices[0]["text"])


async def ask_code(api: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await api.post(f"/api/v1/secure-mail-access/{token}/code")
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _is_code(message: dict[str, Any]) -> bool:
    return message["channel"] == "sms" or "toegangscode" in message["subject"]


async def newest_code(stack: Stack, to: str, *, count: int) -> str:
    """The access code of the ``count``-th code message (mail or SMS) to ``to``."""
    codes: list[dict[str, Any]] = []

    async def arrived() -> bool:
        codes[:] = [m for m in await wait_for_messages(stack, to) if _is_code(m)]
        return len(codes) >= count

    await wait_until(arrived, within=15.0, what=f"{count} access code(s) to {to}")
    return code_in(codes[0])


async def open_mail(api: httpx.AsyncClient, token: str, code: str) -> httpx.Response:
    return await api.post(f"/api/v1/secure-mail-access/{token}/open", json={"code": code})


# --------------------------------------------------------------------------- the journey
async def test_the_recipient_reads_replies_with_a_pdf_and_is_told_of_the_next_message(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    mobile = f"+3161{uuid.uuid4().int % 10**7:07d}"
    thread_id = await send_mail(api, staff, recipient, mobile=mobile)

    # Step 1-2: the notice, without the content, with "Bericht lezen".
    [notice] = await wait_for_messages(stack, recipient)
    assert notice["subject"] == f"Zorgpost Secure e-mail – Nieuw bericht van {staff.organisation_name}"
    assert "Bericht lezen" in notice["text"] and SECRET_BODY not in notice["text"]
    token = token_after("/secure-mail/", notice["text"])

    # Step 3: the code comes by SMS (the sender gave the mobile number), valid 15 minutes.
    sent = await ask_code(api, token)
    assert (sent["channel"], sent["destination"]) == ("sms", mobile[:4] + "*" * (len(mobile) - 6) + mobile[-2:])
    [sms] = await wait_for_messages(stack, mobile)
    assert sms["channel"] == "sms" and re.fullmatch(r"Uw Zorgpost-code is \d{6}\. Geldig tot \d\d:\d\d\.", sms["text"])

    # Step 4-5: the code opens the mail.
    opened = await open_mail(api, token, code_in(sms))
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900
    mail = body["thread"]
    assert (mail["id"], mail["subject"]) == (thread_id, "Uw aanvraag")
    [first] = mail["messages"]
    assert (first["body"], first["sender"]["display_name"]) == (SECRET_BODY, ONBOARDED_NAME)
    assert first["attachments"] == []
    assert first["id"] and first["sent_at"]
    guest = bearer(body["access_token"])
    assert (await api.get(f"/api/v1/threads/{thread_id}", headers=guest)).json()["messages"][0]["body"] == SECRET_BODY

    # Step 6: the reply, with a PDF.
    reply = await api.post(
        f"/api/v1/threads/{thread_id}/messages",
        data={"body": "Hierbij de kopie van mijn paspoort."},
        files=[("files", ("paspoort.pdf", PDF, "application/pdf"))],
        headers=guest,
    )
    assert reply.status_code == 201, reply.text
    [attachment] = reply.json()["attachments"]
    assert (await api.get(attachment["download_url"], headers=guest)).content == PDF

    # The staff member who sent it is told (without the content) …
    # (After the mails of their own onboarding.)
    notices = await settled_messages(stack, staff.email, count=staff.mails + 1)
    assert len(notices) == staff.mails + 1
    told = notices[0]
    assert told["subject"] == f"Zorgpost – Nieuw bericht van {recipient}"
    assert f"/threads/{thread_id}" in told["text"] and "paspoort" not in told["text"]
    # … and finds the reply, unread, in the organisation's inbox, with the PDF.
    staff_token = await login(api, staff.email)
    inbox = (await api.get("/api/v1/secure-mail-inbox", params={"folder": "sent"}, headers=bearer(staff_token))).json()
    [item] = [i for i in inbox["items"] if i["id"] == thread_id]
    assert (item["unread_count"], item["opened_by_recipient"]) == (1, True)
    thread = (await api.get(f"/api/v1/threads/{thread_id}", headers=bearer(staff_token))).json()
    assert [m["body"] for m in thread["messages"]] == [SECRET_BODY, "Hierbij de kopie van mijn paspoort."]
    staff_copy = await api.get(thread["messages"][1]["attachments"][0]["download_url"], headers=bearer(staff_token))
    assert staff_copy.content == PDF
    # Opened, so it can no longer be withdrawn.
    withdrawn = await api.post(f"/api/v1/secure-mails/{thread_id}/withdraw", headers=bearer(staff_token))
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (409, "already_opened")

    # A later message tells the recipient again, with a link that opens it with a new code.
    later = await api.post(
        f"/api/v1/threads/{thread_id}/messages", json={"body": "Dank u wel, ontvangen."}, headers=bearer(staff_token)
    )
    assert later.status_code == 201, later.text
    second_notice = [m for m in await settled_messages(stack, recipient, count=2) if "/secure-mail/" in m["text"]]
    assert len(second_notice) == 2, "one notice per message"
    new_token = token_after("/secure-mail/", second_notice[0]["text"])
    assert new_token != token and "Dank u wel" not in second_notice[0]["text"]
    await ask_code(api, new_token)
    again = await open_mail(api, new_token, await newest_code(stack, mobile, count=2))
    assert again.status_code == 200, again.text
    assert [m["body"] for m in again.json()["thread"]["messages"]][-1] == "Dank u wel, ontvangen."


async def test_without_a_mobile_number_the_code_comes_by_mail(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    await send_mail(api, staff, recipient)
    token = await read_link(stack, recipient)

    assert (await ask_code(api, token))["channel"] == "email"

    [code_mail] = [m for m in await wait_for_messages(stack, recipient, count=2) if "toegangscode" in m["subject"]]
    assert code_mail["subject"] == "Zorgpost Secure e-mail – Uw toegangscode"
    assert (await open_mail(api, token, code_in(code_mail))).status_code == 200


# --------------------------------------------------------------------------- the code's rules
async def _an_hour_passes(stack: Stack) -> None:
    """For the limits of access codes: their windows of the hour started an hour ago."""
    await execute(
        stack.database_urls["identity"],
        "UPDATE rate_counters SET window_started_at = window_started_at - interval '1 hour'"
        " WHERE limit_name IN ('access_codes_per_guest', 'access_codes_per_destination')",
    )


async def test_a_wrong_reused_or_expired_code_is_401_and_five_wrong_tries_429(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    await send_mail(api, staff, recipient)
    token = await read_link(stack, recipient)

    await ask_code(api, token)
    code = await newest_code(stack, recipient, count=1)
    wrong = "000000" if code != "000000" else "111111"
    refused = await open_mail(api, token, wrong)
    assert (refused.status_code, refused.json()["code"]) == (401, "incorrect_access_code")
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["code"]
    assert (await open_mail(api, token, code)).status_code == 200
    reused = await open_mail(api, token, code)
    assert (reused.status_code, reused.json()["code"]) == (401, "access_code_no_longer_valid")

    # Five wrong tries use the code up: even the right one is refused then.
    await ask_code(api, token)
    code = await newest_code(stack, recipient, count=2)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert (await open_mail(api, token, wrong)).status_code == 401
    used_up = await open_mail(api, token, code)
    assert (used_up.status_code, used_up.json()["code"]) == (429, "too_many_code_attempts")

    # A new code replaces the old one; three codes an hour, then the recipient waits.
    await ask_code(api, token)
    older = await newest_code(stack, recipient, count=3)
    fourth = await api.post(f"/api/v1/secure-mail-access/{token}/code")
    assert (fourth.status_code, fourth.json()["code"]) == (429, "too_many_requests")
    assert int(fourth.headers["retry-after"]) > 0
    await _an_hour_passes(stack)
    await ask_code(api, token)
    newer = await newest_code(stack, recipient, count=4)
    if older != newer:
        assert (await open_mail(api, token, older)).status_code == 401
    assert (await open_mail(api, token, newer)).status_code == 200

    # Fifteen minutes later a code no longer opens anything.
    await ask_code(api, token)
    late = await newest_code(stack, recipient, count=5)
    await execute(
        stack.database_urls["identity"],
        "UPDATE one_time_codes SET expires_at = now() - interval '1 second' WHERE purpose = 'secure_mail_access'",
    )
    expired = await open_mail(api, token, late)
    assert (expired.status_code, expired.json()["code"]) == (401, "access_code_no_longer_valid")


async def test_of_16_simultaneous_tries_with_the_right_code_exactly_one_opens_the_mail(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    await send_mail(api, staff, recipient)
    token = await read_link(stack, recipient)
    await ask_code(api, token)
    code = await newest_code(stack, recipient, count=1)

    answers = await asyncio.gather(*(open_mail(api, token, code) for _ in range(16)))

    assert sorted(a.status_code for a in answers) == [200] + [401] * 15


async def test_a_link_that_does_not_work_is_404_and_a_missing_code_422(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    recipient = f"burger-{uuid.uuid4().hex[:8]}@example.org"
    thread_id = await send_mail(api, staff, recipient)
    token = await read_link(stack, recipient)
    withdrawn = await api.post(
        f"/api/v1/secure-mails/{thread_id}/withdraw", headers=bearer(await login(api, staff.email))
    )
    assert withdrawn.status_code == 200

    for link in (token, "geen-geldige-link", "x" * 300):
        for answer in (
            await api.post(f"/api/v1/secure-mail-access/{link}/code"),
            await open_mail(api, link, "123456"),
        ):
            assert (answer.status_code, answer.json()["code"]) == (404, "read_link_not_found")
    missing = await api.post(f"/api/v1/secure-mail-access/{token}/open", json={})
    assert missing.status_code == 422 and [e["field"] for e in missing.json()["errors"]] == ["code"]
    # Nothing was sent for any of them.
    assert len(await wait_for_messages(stack, recipient)) == 1


# --------------------------------------------------------------------------- what a guest token reaches
async def test_a_guest_token_reaches_its_own_thread_and_nothing_else_anywhere(
    api: httpx.AsyncClient, stack: Stack, staff: StaffMember
) -> None:
    staff_token = await login(api, staff.email)
    mine, theirs = f"a-{uuid.uuid4().hex[:8]}@example.org", f"b-{uuid.uuid4().hex[:8]}@example.org"
    thread_a = await send_mail(api, staff, mine)
    thread_b = await send_mail(api, staff, theirs)
    with_file = await api.post(
        f"/api/v1/threads/{thread_b}/messages",
        data={"body": "Bijlage voor B"},
        files=[("files", ("b.pdf", PDF, "application/pdf"))],
        headers=bearer(staff_token),
    )
    b_file = with_file.json()["attachments"][0]
    token = await read_link(stack, mine)
    await ask_code(api, token)
    guest = bearer((await open_mail(api, token, await newest_code(stack, mine, count=1))).json()["access_token"])

    # Thread B, its messages and its file do not exist for this token.
    assert (await api.get(f"/api/v1/threads/{thread_b}", headers=guest)).status_code == 404
    reply_to_b = await api.post(f"/api/v1/threads/{thread_b}/messages", json={"body": "x"}, headers=guest)
    assert reply_to_b.status_code == 404
    assert (await api.get(b_file["download_url"], headers=guest)).status_code == 404
    b_file_via_a = f"/api/v1/threads/{thread_a}/attachments/{b_file['id']}"
    assert (await api.get(b_file_via_a, headers=guest)).status_code == 404

    # Every route that takes a token, walked from the OpenAPI: 404, except reading, paging,
    # marking read, replying to and downloading from its own thread.
    allowed = {
        ("get", "/api/v1/threads/{thread_id}"),
        ("get", "/api/v1/threads/{thread_id}/messages"),
        ("post", "/api/v1/threads/{thread_id}/read"),
        ("post", "/api/v1/threads/{thread_id}/messages"),
        ("get", "/api/v1/threads/{thread_id}/attachments/{attachment_id}"),
    }
    paths = (await api.get("/openapi.json")).json()["paths"]
    values = {"thread_id": thread_a, "attachment_id": b_file["id"]}
    swept = 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            if not operation.get("security") or (method, path) in allowed:
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)
            kwargs: dict[str, Any] = {"json": {}} if method in ("post", "put", "patch") else {}
            answer = await api.request(method.upper(), url, headers=guest, **kwargs)
            assert answer.status_code == 404, f"{method.upper()} {path}: {answer.status_code} {answer.text[:200]}"
            swept += 1
    assert swept >= 40, swept
    # The token itself still works where it should.
    assert (await api.get(f"/api/v1/threads/{thread_a}", headers=guest)).status_code == 200
