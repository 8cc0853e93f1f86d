"""Account security through the gateway: lockout after repeated failures and its release,
logging out, the devices a person is signed in on (seed 1, "Apparaten"), the forced
password change after a temporary password, what a person (not staff) may not do, and the
organisation's security policy."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from support import (
    change_security_policy,
    create_member,
    login,
    onboard_staff_member,
    wait_for_messages,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _attempt(api: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await api.post("/api/v1/auth/login", json={"username": username, "password": password})


async def _until_not_locked(api: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """The first answer to a login that is not 429 (the wait is over), within 15 s."""
    async with asyncio.timeout(15.0):
        while (answer := await _attempt(api, username, password)).status_code == 429:
            await asyncio.sleep(0.1)
    return answer


# --------------------------------------------------------------------------- lockout
async def test_wrong_password_and_unknown_account_get_identical_answers(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    wrong = await _attempt(api, staff.email, "niet-goed")
    unknown = await _attempt(api, f"niemand-{uuid.uuid4().hex[:6]}@test.example", "niet-goed")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content


async def test_repeated_failures_lock_the_account_until_the_wait_is_over(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    assert staff.administrator is not None
    await change_security_policy(stack, staff.administrator, lockout_threshold=3, lockout_step_seconds=2)
    for _ in range(3):
        assert (await _attempt(api, staff.email, "niet-goed")).status_code == 401
    locked = await _attempt(api, staff.email, staff.password)
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["code"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) in (1, 2)
    # The owner gets a security notice that the account was locked.
    notice = (await wait_for_messages(stack, staff.email, count=staff.mails + 1, timeout=15.0))[0]
    assert notice["channel"] == "email"

    # Tries during the wait are not heard (they neither count nor extend it): the right
    # password is tried until the wait is over, within a bound far beyond Retry-After.
    assert (await _until_not_locked(api, staff.email, staff.password)).status_code == 200


async def test_a_locked_account_and_a_locked_unknown_name_answer_alike(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)  # the default policy: a wait from the 5th failure
    unknown = f"niemand-{uuid.uuid4().hex[:6]}@test.example"
    for _ in range(5):
        for name in (staff.email, unknown):
            await _attempt(api, name, "niet-goed")
    known_locked = await _attempt(api, staff.email, staff.password)
    unknown_locked = await _attempt(api, unknown, staff.password)
    assert known_locked.status_code == unknown_locked.status_code == 429
    assert known_locked.content == unknown_locked.content
    assert abs(int(known_locked.headers["Retry-After"]) - int(unknown_locked.headers["Retry-After"])) <= 1


# --------------------------------------------------------------------------- logout
async def test_after_logout_the_refresh_token_is_dead(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    tokens = (await _attempt(api, staff.email, staff.password)).json()

    logout = await api.post("/api/v1/auth/logout", headers=_bearer(tokens["access_token"]))
    assert logout.status_code == 204

    refresh = await api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert refresh.headers["content-type"] == "application/problem+json"
    # Identity refuses the access token of the ended session at once, too.
    assert (await api.get("/api/v1/me", headers=_bearer(tokens["access_token"]))).status_code == 401
    # Another login works as before: logging out locked nothing.
    assert (await _attempt(api, staff.email, staff.password)).status_code == 200


# --------------------------------------------------------------------------- roles
async def test_a_person_who_is_not_staff_cannot_send_secure_mail(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    person = await create_member(stack, staff.organisation_id)
    token = await login(api, person.email, person.password)

    sent = await api.post(
        "/api/v1/secure-mails",
        json={"recipient_email": "iemand@example.org", "subject": "Hallo", "body": "Vertrouwelijk"},
        headers=_bearer(token),
    )

    assert sent.status_code == 403
    assert sent.headers["content-type"] == "application/problem+json"


# --------------------------------------------------------------------------- devices
async def test_a_person_sees_their_devices_and_signs_one_out(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    login_body = {"username": staff.email, "password": staff.password}
    laptop = (await api.post("/api/v1/auth/login", json=login_body, headers={"User-Agent": FIREFOX})).json()
    # (The session the member made when accepting the invitation ends first.)
    await api.post("/api/v1/me/sessions/revoke-others", headers=_bearer(laptop["access_token"]))
    phone = (await api.post("/api/v1/auth/login", json=login_body, headers={"User-Agent": IPHONE})).json()

    listed = await api.get("/api/v1/me/sessions", headers=_bearer(laptop["access_token"]) | {"User-Agent": FIREFOX})
    assert listed.status_code == 200
    sessions = {s["device"]: s for s in listed.json()}
    assert set(sessions) == {"Firefox 120.0 on Linux", "Mobile Safari 17.1 on iOS 17.1"}
    assert sessions["Firefox 120.0 on Linux"]["current"] is True
    assert sessions["Mobile Safari 17.1 on iOS 17.1"]["current"] is False
    assert sessions["Mobile Safari 17.1 on iOS 17.1"]["mobile"] is True
    assert sessions["Firefox 120.0 on Linux"]["ip_address"] == "127.0.0.1"
    assert sessions["Firefox 120.0 on Linux"]["last_seen_at"]

    phone_id = sessions["Mobile Safari 17.1 on iOS 17.1"]["id"]
    revoked = await api.delete(f"/api/v1/me/sessions/{phone_id}", headers=_bearer(laptop["access_token"]))
    assert revoked.status_code == 204
    # The phone is signed out at once: its refresh token and (at identity) its access token.
    assert (await api.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})).status_code == 401
    assert (await api.get("/api/v1/me", headers=_bearer(phone["access_token"]))).status_code == 401
    assert len((await api.get("/api/v1/me/sessions", headers=_bearer(laptop["access_token"]))).json()) == 1
    again = await api.delete(f"/api/v1/me/sessions/{phone_id}", headers=_bearer(laptop["access_token"]))
    assert (again.status_code, again.json()["code"]) == (404, "session_not_found")


async def test_someone_elses_session_cannot_be_revoked(api: httpx.AsyncClient, stack: Stack) -> None:
    anna = await onboard_staff_member(stack)
    bert = await onboard_staff_member(stack)
    anna_token = await login(api, anna.email)
    bert_token = await login(api, bert.email)
    # (The session bert made when accepting the invitation ends first.)
    await api.post("/api/v1/me/sessions/revoke-others", headers=_bearer(bert_token))
    [bert_session] = (await api.get("/api/v1/me/sessions", headers=_bearer(bert_token))).json()
    refused = await api.delete(f"/api/v1/me/sessions/{bert_session['id']}", headers=_bearer(anna_token))
    assert refused.status_code == 404
    assert (await api.get("/api/v1/me", headers=_bearer(bert_token))).status_code == 200


async def test_sign_out_everywhere_else(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await onboard_staff_member(stack)
    mine = await login(api, staff.email)
    # (The session the member made when accepting the invitation ends first.)
    await api.post("/api/v1/me/sessions/revoke-others", headers=_bearer(mine))
    others = [await login(api, staff.email) for _ in range(2)]
    response = await api.post("/api/v1/me/sessions/revoke-others", headers=_bearer(mine))
    assert response.json() == {"revoked": 2}
    assert [s["current"] for s in (await api.get("/api/v1/me/sessions", headers=_bearer(mine))).json()] == [True]
    for token in others:
        assert (await api.get("/api/v1/me", headers=_bearer(token))).status_code == 401


# --------------------------------------------------------------------------- forced change
async def test_a_temporary_password_must_be_changed_before_anything_else(api: httpx.AsyncClient, stack: Stack) -> None:
    practice = await onboard_staff_member(
        stack,
        organisation_name=f"Kind en meer {uuid.uuid4().hex[:6]}",
        kind="youth_care_practice",
        password_preset="client-portal",
    )
    client = await create_member(stack, practice.organisation_id, must_change_password=True, password="Tijdelijk-9xQ")
    earlier = await login(api, client.email, client.password)
    token = await login(api, client.email, client.password)
    headers = _bearer(token)

    me = await api.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["password_change_required"] is True
    for method, path in (
        ("GET", "/api/v1/me/sessions"),
        ("GET", "/api/v1/portal/dashboard"),
        ("GET", "/api/v1/organisation/profile"),
        ("POST", "/api/v1/me/second-factors"),
    ):
        refused = await api.request(method, path, headers=headers, json={"method": "totp"})
        assert (refused.status_code, refused.json()["code"]) == (403, "password_change_required"), path

    # Seed 4's rules: 12+ with one of ! % & @ # $ ^ * ? _ - ~ — every broken rule is named.
    weak = await api.post(
        "/api/v1/me/password", json={"current_password": client.password, "new_password": "kort"}, headers=headers
    )
    assert weak.status_code == 422
    assert weak.json()["code"] == "password_rejected"
    assert [e["field"] for e in weak.json()["errors"]] == ["new_password.min_length", "new_password.special"]
    special = next(e["message"] for e in weak.json()["errors"] if e["field"] == "new_password.special")
    assert all(character in special for character in "!%&@#$^*?_-~")
    wrong = await api.post(
        "/api/v1/me/password",
        json={"current_password": "niet-goed", "new_password": "Een-veel-langer-wachtwoord!"},
        headers=headers,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_password")

    changed = await api.post(
        "/api/v1/me/password",
        json={"current_password": client.password, "new_password": "Een-veel-langer-wachtwoord!"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    fresh = _bearer(changed.json()["access_token"])
    assert (await api.get("/api/v1/me", headers=fresh)).json()["password_change_required"] is False
    assert (await api.get("/api/v1/me/sessions", headers=fresh)).status_code == 200
    # Other sessions ended; the owner is told by mail.
    assert (await api.get("/api/v1/me", headers=_bearer(earlier))).status_code == 401
    await wait_for_messages(stack, client.email, count=1, timeout=15.0)
    relogin = await api.post(
        "/api/v1/auth/login", json={"username": client.email, "password": "Een-veel-langer-wachtwoord!"}
    )
    assert (await api.get("/api/v1/me/sessions", headers=_bearer(relogin.json()["access_token"]))).status_code == 200


# --------------------------------------------------------------------------- policy
async def test_administrators_read_their_organisations_security_policy(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await onboard_staff_member(stack)
    assert staff.administrator is not None
    headers = _bearer(staff.administrator.access_token)
    policy = (await api.get("/api/v1/organisation/security-policy", headers=headers)).json()
    assert policy["password_preset"] == "asvs"
    assert policy["second_factor"] == "none"
    assert (policy["lockout_threshold"], policy["lockout_step_seconds"], policy["lockout_max_seconds"]) == (5, 60, 900)
    assert policy["max_failures_per_hour"] == 100

    await change_security_policy(stack, staff.administrator, password_preset="messenger")
    rules = (await api.get("/api/v1/organisation/security-policy", headers=headers)).json()["password_rules"]
    assert [rule["nl"] for rule in rules][:2] == ["Gebruik tenminste 8 karakters", "Gebruik hoogstens 128 karakters"]
    assert "Gebruik tenminste 1 speciaal teken" in [rule["nl"] for rule in rules]

    # A member of staff without the administrator's role, and a person, are refused.
    person = await create_member(stack, staff.organisation_id)
    for email in (staff.email, person.email):
        refused = await api.get("/api/v1/organisation/security-policy", headers=_bearer(await login(api, email)))
        assert refused.status_code == 403


async def test_administrators_change_their_organisations_security_policy(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await onboard_staff_member(stack)
    assert staff.administrator is not None
    headers = _bearer(staff.administrator.access_token)
    staff_headers = _bearer(await login(api, staff.email))
    current = (await api.get("/api/v1/organisation/security-policy", headers=headers)).json()
    changes = {key: current[key] for key in current if key not in ("organisation_id", "password_rules")}
    person = await create_member(stack, staff.organisation_id)
    person_headers = _bearer(await login(api, person.email))  # before the policy asks for a code

    refused = await api.put(
        "/api/v1/organisation/security-policy",
        headers=headers,
        json={**changes, "password_preset": "weak", "second_factor": "carrier-pigeon", "code_lifetime_seconds": 5},
    )
    assert refused.status_code == 422
    assert {error["field"] for error in refused.json()["errors"]} == {
        "password_preset",
        "second_factor",
        "code_lifetime_seconds",
    }
    assert (await api.get("/api/v1/organisation/security-policy", headers=headers)).json() == current

    saved = await api.put(
        "/api/v1/organisation/security-policy",
        headers=headers,
        json={**changes, "password_preset": "gp-portal", "second_factor": "email", "secret_question": True},
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["password_preset"], saved.json()["second_factor"]) == ("gp-portal", "email")
    assert "Gebruik tenminste 2 cijfers" in [rule["nl"] for rule in saved.json()["password_rules"]]

    # The next login follows the new policy: an e-mail code is asked for.
    again = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
    assert again.status_code == 200
    assert again.json()["method"] == "email"

    for refused_headers in (person_headers, staff_headers):
        forbidden = await api.put("/api/v1/organisation/security-policy", headers=refused_headers, json=changes)
        assert forbidden.status_code == 403
