"""Logging in with a second factor through the gateway, as a new user does it: the SMS
code from the phone, the e-mail code from the inbox (both read from the development
outbox), and an authenticator app enrolled from the QR code."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest
from support import (
    StaffMember,
    code_in,
    create_member,
    login,
    newest_code,
    onboard_staff_member,
    unique_mobile,
    wait_for_messages,
)

from identity.domain.policy import SecondFactor
from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _practice(stack: Stack, second_factor: SecondFactor) -> StaffMember:
    return await onboard_staff_member(
        stack,
        organisation_name=f"Huisartsenpraktijk {uuid.uuid4().hex[:6]}",
        kind="gp_practice",
        second_factor=second_factor.value,
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _challenge(api: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await api.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"challenge_id", "method"}, body
    return body


async def test_a_patient_logs_in_with_the_sms_code_from_their_phone(api: httpx.AsyncClient, stack: Stack) -> None:
    practice = await _practice(stack, SecondFactor.SMS)
    patient = await create_member(stack, practice.organisation_id, mobile=unique_mobile())
    assert patient.mobile is not None

    challenge = await _challenge(api, patient.email, patient.password)
    assert challenge["method"] == "sms"
    [sms] = await wait_for_messages(stack, patient.mobile, count=1, timeout=15.0)
    assert sms["channel"] == "sms" and sms["to"] == patient.mobile
    code = code_in(sms)

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": wrong}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "incorrect_code"
    assert refused.json()["errors"] == [{"field": "code", "message": "is not correct"}]

    verified = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": code}
    )
    assert verified.status_code == 200, verified.text
    tokens = verified.json()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    me = await api.get("/api/v1/me", headers=_bearer(tokens["access_token"]))
    assert me.json()["id"] == patient.account_id

    # The completed challenge cannot be used again, not even with the right code.
    again = await api.post("/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": code})
    assert (again.status_code, again.json()["code"]) == (401, "login_challenge_ended")


async def test_the_sms_code_can_be_sent_again_and_only_the_new_one_works(api: httpx.AsyncClient, stack: Stack) -> None:
    practice = await _practice(stack, SecondFactor.SMS)
    patient = await create_member(stack, practice.organisation_id, mobile=unique_mobile())
    assert patient.mobile is not None
    challenge = await _challenge(api, patient.email, patient.password)
    first = await newest_code(stack, patient.mobile, count=1)

    resent = await api.post("/api/v1/auth/login/resend", json={"challenge_id": challenge["challenge_id"]})
    assert resent.json() == challenge
    second = await newest_code(stack, patient.mobile, count=2)

    if first != second:
        old = await api.post(
            "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": first}
        )
        assert old.status_code == 422
    new = await api.post("/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": second})
    assert new.status_code == 200


async def test_a_person_logs_in_with_the_code_mailed_to_them(api: httpx.AsyncClient, stack: Stack) -> None:
    organisation = await _practice(stack, SecondFactor.EMAIL)
    person = await create_member(stack, organisation.organisation_id)

    challenge = await _challenge(api, person.email, person.password)
    assert challenge["method"] == "email"
    code = await newest_code(stack, person.email, count=1)

    verified = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": code}
    )
    assert verified.status_code == 200, verified.text
    assert (await api.get("/api/v1/me", headers=_bearer(verified.json()["access_token"]))).status_code == 200


async def test_staff_enrol_an_authenticator_app_and_log_in_with_it(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    headers = _bearer(await login(api, staff.email))
    assert (await api.get("/api/v1/me/second-factors", headers=headers)).json() == {
        "factors": [],
        "recovery_codes_left": 0,
    }

    # A session alone may not add a factor: the password is asked for.
    without = await api.post(
        "/api/v1/me/second-factors", json={"method": "totp", "password": "niet-het-wachtwoord"}, headers=headers
    )
    assert (without.status_code, without.json()["code"]) == (422, "wrong_password")
    started = await api.post(
        "/api/v1/me/second-factors", json={"method": "totp", "password": staff.password}, headers=headers
    )
    assert started.status_code == 201, started.text
    enrolment = started.json()
    assert enrolment["provisioning_uri"].startswith("otpauth://totp/")
    assert "issuer=Zorgpost" in enrolment["provisioning_uri"]
    assert base64.b64decode(enrolment["qr_png_base64"]).startswith(b"\x89PNG\r\n\x1a\n")
    totp = pyotp.parse_uri(enrolment["provisioning_uri"])
    assert isinstance(totp, pyotp.TOTP)
    now = datetime.now(UTC)

    # Until confirmed, the factor does not count: logins still answer tokens at once.
    assert (
        "access_token"
        in (await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})).json()
    )

    confirmed = await api.post("/api/v1/me/second-factors/totp/confirm", json={"code": totp.at(now)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    recovery_codes = confirmed.json()["recovery_codes"]
    assert len(recovery_codes) == len(set(recovery_codes)) == 10
    listed = (await api.get("/api/v1/me/second-factors", headers=headers)).json()
    assert listed == {"factors": [{"method": "totp", "confirmed": True}], "recovery_codes_left": 10}
    # A running session cannot swap the app that now protects the account.
    again = await api.post(
        "/api/v1/me/second-factors", json={"method": "totp", "password": staff.password}, headers=headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "second_factor_already_enrolled")

    challenge = await _challenge(api, staff.email, staff.password)
    assert challenge["method"] == "totp"
    # The code that confirmed the app is spent; the app's next code works, once.
    replay = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": totp.at(now)}
    )
    assert (replay.status_code, replay.json()["code"]) == (422, "incorrect_code")
    next_code = totp.at(now + timedelta(seconds=30))
    verified = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": next_code}
    )
    assert verified.status_code == 200, verified.text

    second = await _challenge(api, staff.email, staff.password)
    replayed = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": second["challenge_id"], "code": next_code}
    )
    assert (replayed.status_code, replayed.json()["code"]) == (422, "incorrect_code")
    # A lost phone: a recovery code stands in, once.
    recovered = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": second["challenge_id"], "code": recovery_codes[0]}
    )
    assert recovered.status_code == 200
    third = await _challenge(api, staff.email, staff.password)
    reused = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": third["challenge_id"], "code": recovery_codes[0]}
    )
    assert reused.status_code == 422


async def test_a_person_confirms_sms_as_their_own_second_factor(api: httpx.AsyncClient, stack: Stack) -> None:
    organisation = await onboard_staff_member(stack)  # its policy asks for no second factor
    person = await create_member(stack, organisation.organisation_id, mobile=unique_mobile())
    assert person.mobile is not None
    headers = _bearer(await login(api, person.email))

    started = await api.post(
        "/api/v1/me/second-factors", json={"method": "sms", "password": person.password}, headers=headers
    )
    assert started.status_code == 201
    assert started.json()["qr_png_base64"] is None
    code = await newest_code(stack, person.mobile, count=1)
    confirmed = await api.post("/api/v1/me/second-factors/sms/confirm", json={"code": code}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text

    # From now on this account is asked for an SMS code, although its organisation is not.
    challenge = await _challenge(api, person.email, person.password)
    assert challenge["method"] == "sms"
    login_code = await newest_code(stack, person.mobile, count=2)
    verified = await api.post(
        "/api/v1/auth/login/verify", json={"challenge_id": challenge["challenge_id"], "code": login_code}
    )
    assert verified.status_code == 200
