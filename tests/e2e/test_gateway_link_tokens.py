"""The secrets in mailed links (invitations, activations, registrations) through the real
gateway: the invitation's login route checks the link before any password and shares the
per-address login limit, and no link token ends up in any process's log."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from journeys_e2e import bearer, practice, tokens
from journeys_support import token_after
from support import StaffMember, create_member, wait_for_messages, wait_until

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack

#: The login limit of this module's gateway (per client address).
BURST = 5

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(extra_env={"gateway": {"AUTH_RATE_BURST": str(BURST), "AUTH_RATE_PER_MINUTE": "6"}}),
]


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A client with an address of its own (the gateway trusts X-Forwarded-For from
    127.0.0.1), so each test has its own login bucket."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, timeout=15.0, headers={"X-Forwarded-For": address}
    ) as client:
        yield client


async def _wait_for_line(log: Path, text: str, timeout: float = 10.0) -> None:
    async def written() -> bool:
        return text in await asyncio.to_thread(log.read_text, errors="replace")

    await wait_until(written, within=timeout, what=f"{text!r} in {log.name}")


async def _invitation_token(api: httpx.AsyncClient, stack: Stack, staff: StaffMember) -> str:
    staff_token = (await tokens(api, staff.email, staff.password))["access_token"]
    email = f"genodigde-{uuid.uuid4().hex[:6]}@example.org"
    chat = await api.post("/api/v1/threads", json={"subject": "Veilig gesprek"}, headers=bearer(staff_token))
    assert chat.status_code == 201, chat.text
    sent = await api.post(
        "/api/v1/invitations",
        json={"email": email, "thread_id": chat.json()["id"], "language": "nl"},
        headers=bearer(staff_token),
    )
    assert sent.status_code == 201, sent.text
    return token_after("/invitations/", (await wait_for_messages(stack, email))[0]["text"])


async def test_an_unknown_invitation_link_is_refused_before_any_password_is_tried(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    person = await create_member(stack, staff.organisation_id)

    wrong = await api.post(
        f"/api/v1/invitations/{uuid.uuid4().hex}{uuid.uuid4().hex}/login",
        json={"username": person.email, "password": "geraden-wachtwoord"},
    )
    right = await api.post(
        f"/api/v1/invitations/{uuid.uuid4().hex}{uuid.uuid4().hex}/login",
        json={"username": person.email, "password": person.password},
    )

    # The same answer whether the password was right or wrong: nothing to learn from it.
    assert (wrong.status_code, wrong.json()["code"]) == (404, "invitation_not_found")
    assert (right.status_code, right.json()["code"]) == (404, "invitation_not_found")
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_a_used_invitation_link_is_refused_before_any_password_is_tried(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    person = await create_member(stack, staff.organisation_id)
    token = await _invitation_token(api, stack, staff)
    assert (await api.post(f"/api/v1/invitations/{token}/decline")).status_code == 204

    guessed = await api.post(
        f"/api/v1/invitations/{token}/login", json={"username": person.email, "password": "geraden-wachtwoord"}
    )

    assert (guessed.status_code, guessed.json()["code"]) == (409, "invitation_used")


async def test_the_invitation_login_shares_the_login_limit_per_address(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as setup:
        token = await _invitation_token(setup, stack, staff)

    statuses = []
    for attempt in range(BURST + 2):
        response = await api.post(
            f"/api/v1/invitations/{token}/login",
            json={"username": f"iemand{attempt}@test.example", "password": "geraden-wachtwoord"},
        )
        statuses.append(response.status_code)

    assert statuses[:BURST] == [401] * BURST
    assert set(statuses[BURST:]) == {429}
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    # One bucket per address: /auth/login from this address is limited now too.
    login = await api.post("/api/v1/auth/login", json={"username": "iemand@test.example", "password": "x"})
    assert login.status_code == 429


async def test_no_link_token_is_written_to_any_log(api: httpx.AsyncClient, stack: Stack) -> None:
    staff = await practice(stack, "Gemeente Vlaardingen", PasswordPreset.MESSENGER)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as setup:
        invitation = await _invitation_token(setup, stack, staff)
    made_up = f"{uuid.uuid4().hex}{uuid.uuid4().hex}"

    calls = [
        ("GET", f"/api/v1/invitations/{invitation}", None),
        ("POST", f"/api/v1/invitations/{invitation}/account", {"first_name": "A", "dry_run": True}),
        ("POST", f"/api/v1/invitations/{invitation}/decline", None),
        ("GET", f"/api/v1/activations/{made_up}", None),
        ("POST", f"/api/v1/activations/{made_up}", {"birth_date": "2000-01-01"}),
        ("POST", f"/api/v1/register/{made_up}/code", None),
        ("POST", f"/api/v1/register/{made_up}", {"code": "123456"}),
        # No route: the token-like segment is kept out as well.
        ("GET", f"/api/v1/invitations/{made_up}/onbekend", None),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, json=body)
        assert response.status_code < 500, (path, response.text)
    # The gateway logs every request; wait until the last one is written.
    await _wait_for_line(stack.log_dir / "gateway.log", "/api/v1/invitations/[redacted]/onbekend")

    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*.log")}
    for name, text in logs.items():
        assert invitation not in text, name
        assert made_up not in text, name
    assert "/api/v1/invitations/[redacted]/decline" in logs["gateway.log"]
    assert "/api/v1/activations/[redacted]" in logs["gateway.log"]
