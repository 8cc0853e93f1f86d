"""Password reset by e-mail link through the gateway, as a person who forgot it does:
the mail from the development outbox, then (where it applies) the SMS code and the
secret question, then the new password checked against the organisation's rules."""

from __future__ import annotations

import uuid

import httpx
import pytest
from support import (
    StaffMember,
    change_security_policy,
    code_in,
    create_member,
    onboard_staff_member,
    reset_token_in,
    set_secret_question,
    unique_mobile,
    wait_for_messages,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEW_PASSWORD = "Nieuw-en-lang-genoeg-2026"


async def _reset_mail(api: httpx.AsyncClient, stack: Stack, email: str, *, mails_before: int = 0) -> str:
    requested = await api.post("/api/v1/auth/password-reset", json={"email": email})
    assert requested.status_code == 202
    messages = await wait_for_messages(stack, email, count=mails_before + 1, timeout=15.0)
    [mail] = [m for m in messages if "/password-reset/" in m["text"]]
    return reset_token_in(mail)


async def test_the_answer_never_reveals_whether_an_account_exists(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    known = await api.post("/api/v1/auth/password-reset", json={"email": staff.email})
    unknown = await api.post("/api/v1/auth/password-reset", json={"email": f"niemand-{uuid.uuid4().hex[:6]}@x.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    await wait_for_messages(stack, staff.email, count=staff.mails + 1, timeout=15.0)


async def test_reset_without_second_factor(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    token = await _reset_mail(api, stack, staff.email, mails_before=staff.mails)
    old_session = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
    old_refresh = old_session.json()["refresh_token"]

    opened = await api.post("/api/v1/auth/password-reset/open", json={"token": token})
    assert opened.status_code == 200
    requirements = opened.json()
    assert (requirements["second_factor"], requirements["secret_question"]) == (None, None)
    assert [rule["code"] for rule in requirements["password_rules"]] == [
        "min_length",
        "max_length",
        "not_common",
        "not_personal",
    ]

    # The default (ASVS) rules: every broken one is named at once, nothing is changed.
    weak = await api.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "password"})
    assert weak.status_code == 422
    assert weak.json()["code"] == "password_rejected"
    assert {error["field"] for error in weak.json()["errors"]} == {"new_password.min_length", "new_password.not_common"}

    done = await api.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204
    old = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
    assert old.status_code == 401
    new = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": NEW_PASSWORD})
    assert new.status_code == 200
    # Every session of before the reset has ended; the link works once.
    assert (await api.post("/api/v1/auth/refresh", json={"refresh_token": old_refresh})).status_code == 401
    again = await api.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert (again.status_code, again.json()["code"]) == (409, "password_reset_invalid")
    # The owner is told that the password changed.
    await wait_for_messages(stack, staff.email, count=staff.mails + 2, timeout=15.0)


async def _gp_practice(stack: Stack, *, secret_question: bool = False) -> StaffMember:
    staff = await onboard_staff_member(
        stack,
        organisation_name=f"Huisartsenpraktijk {uuid.uuid4().hex[:6]}",
        kind="gp_practice",
        password_preset="gp-portal",
        second_factor="sms",
    )
    if secret_question:
        assert staff.administrator is not None
        await change_security_policy(stack, staff.administrator, secret_question=True)
    return staff


async def test_reset_with_the_sms_code_of_the_second_factor(api: httpx.AsyncClient, stack: Stack) -> None:
    practice = await _gp_practice(stack)
    patient = await create_member(stack, practice.organisation_id, mobile=unique_mobile())
    assert patient.mobile is not None
    token = await _reset_mail(api, stack, patient.email)

    opened = (await api.post("/api/v1/auth/password-reset/open", json={"token": token})).json()
    assert opened["second_factor"] == "sms"
    [sms] = await wait_for_messages(stack, patient.mobile, count=1, timeout=15.0)
    code = code_in(sms)

    # Seed 5's rules: 10+, upper, lower, 2 digits; the form lists every broken one.
    weak = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "kort1", "code": code}
    )
    assert weak.status_code == 422
    assert {e["field"] for e in weak.json()["errors"]} == {
        "new_password.min_length",
        "new_password.upper",
        "new_password.digits",
    }
    assert "Gebruik tenminste 2 cijfers" in {e["message"] for e in weak.json()["errors"]}
    without_code = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Huisarts2026xx"}
    )
    assert (without_code.status_code, without_code.json()["errors"]) == (
        422,
        [{"field": "code", "message": "is required"}],
    )
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Huisarts2026xx", "code": wrong}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "incorrect_code")

    done = await api.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Huisarts2026xx", "code": code}
    )
    assert done.status_code == 204, done.text
    challenge = await api.post("/api/v1/auth/login", json={"username": patient.email, "password": "Huisarts2026xx"})
    assert challenge.json()["method"] == "sms"


async def test_reset_asks_the_secret_question_where_the_organisation_wants_it(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    practice = await _gp_practice(stack, secret_question=True)
    client = await create_member(stack, practice.organisation_id, mobile=unique_mobile())
    assert client.mobile is not None
    await set_secret_question(stack, client.account_id, "Naam van uw eerste huisdier?", "Bello")
    token = await _reset_mail(api, stack, client.email)

    opened = (await api.post("/api/v1/auth/password-reset/open", json={"token": token})).json()
    assert opened["secret_question"] == "Naam van uw eerste huisdier?"
    code = code_in((await wait_for_messages(stack, client.mobile, count=1, timeout=15.0))[0])
    body = {"token": token, "new_password": "Huisarts2026yy", "code": code}

    wrong = await api.post("/api/v1/auth/password-reset/confirm", json=body | {"secret_answer": "Max"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "incorrect_secret_answer")
    # The failed attempt did not use up the SMS code; the right answer (any case) passes.
    done = await api.post("/api/v1/auth/password-reset/confirm", json=body | {"secret_answer": "  bello "})
    assert done.status_code == 204, done.text
