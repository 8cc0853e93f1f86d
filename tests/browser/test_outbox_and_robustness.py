"""The development outbox shows each mail as its recipient sees it and its links lead into
Zorgpost; the site protects its forms and sessions (CSRF, HttpOnly cookies, a strict
Content-Security-Policy); a gateway that is down gives a friendly page; a restart of the
web front end logs nobody out."""

from __future__ import annotations

import uuid

import httpx
import pytest
from browser_support import Journey, outbox_messages
from support import create_chat, create_member, create_staff_member, login, wait_until

from zorgpost_devstack.stack import GATEWAY, WEB, Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_outbox_shows_the_mail_as_sent_and_its_button_opens_the_journey(journey: Journey) -> None:
    stack = journey.stack
    staff = await create_staff_member(stack)
    invitee = f"outbox-{uuid.uuid4().hex[:8]}@zorg.example"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        token = await login(api, staff.email)
        response = await api.post(
            "/api/v1/invitations",
            json={"email": invitee, "thread_id": await create_chat(stack, staff.email)},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
    [mail] = await outbox_messages(stack, invitee)

    # The overview refreshes itself (a developer's tool watching for mail): not a page of
    # Zorgpost's own, so axe checks the message page below, not this one.
    await journey.page.goto(f"{stack.outbox_url}/?to={invitee}")
    await journey.page.get_by_role("link", name=mail["subject"]).click()
    await journey.page.wait_for_url(f"**/messages/{mail['id']}")
    await journey.checked()
    assert await journey.page.locator("h2", has_text="Tekstversie").is_visible()
    assert "/invitations/" in await journey.page.locator("pre").inner_text()
    frame = journey.page.frame_locator("iframe")
    assert await journey.page.locator("iframe").get_attribute("sandbox") is not None
    await journey.snap("outbox-mail")

    async with journey.page.expect_navigation():
        await frame.get_by_role("link", name="Uitnodiging openen").click()
    await journey.checked()
    assert journey.page.url.startswith(f"{stack.web_url}/invitations/")
    assert await journey.heading() == "Registratieproces"


async def test_forms_need_their_csrf_token_and_sessions_stay_out_of_reach_of_scripts(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    response = await journey.goto("/login")
    headers = await response.all_headers()
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    await journey.log_in(staff.email, staff.password)

    cookies = {cookie["name"]: cookie for cookie in await journey.context.cookies()}
    session = cookies["zorgpost_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert await journey.page.evaluate("document.cookie") == ""
    assert await journey.page.evaluate("JSON.stringify(Object.keys(localStorage))") == "[]"
    assert "eyJ" not in await journey.page.content(), "no token in the page"

    forged = await journey.context.request.post(f"{journey.web}/logout", form={"csrf_token": "forged"})
    assert forged.status == 403
    assert "Formulier verlopen" in await forged.text()
    other_site = await journey.context.request.post(
        f"{journey.web}/logout", form={"csrf_token": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status == 403
    await journey.goto("/staff")
    assert await journey.heading() == "Organisatie", "still signed in after the refused forms"


async def _wait_healthy(url: str, timeout: float = 60.0) -> None:
    async with httpx.AsyncClient(timeout=2.0) as client:

        async def healthy() -> bool:
            try:
                return (await client.get(url)).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_until(healthy, within=timeout, interval=0.2, what=f"{url} healthy")


async def test_a_gateway_that_is_down_gives_a_friendly_page_and_a_web_restart_logs_nobody_out(
    journey: Journey,
) -> None:
    stack: Stack = journey.stack
    staff = await create_staff_member(stack)
    person = await create_member(stack, staff.organisation_id)
    await journey.log_in(person.email, person.password)

    stack.stop(WEB)
    stack.start(WEB)
    await _wait_healthy(f"{stack.web_url}/healthz")
    await journey.goto("/me/profile")
    assert await journey.heading() == "Profielinstellingen", "the session outlived the restart"

    stack.stop(GATEWAY)
    try:
        response = await journey.goto("/me/profile")
        assert response.status == 503
        assert await journey.heading() == "Zorgpost is even niet bereikbaar"
        assert "Traceback" not in await journey.page.content()
        await journey.snap("gateway-down", again=False)
    finally:
        stack.start(GATEWAY)
        await _wait_healthy(f"{stack.gateway_url}/readyz")
    await journey.goto("/me/profile")
    assert await journey.heading() == "Profielinstellingen"
