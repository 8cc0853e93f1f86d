"""What the browser tests share: a person at a browser going through Zorgpost's pages,
with every page visited checked by axe-core and screenshots in both languages at desktop
and phone width."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Locator, Page
from support import wait_for_messages, wait_until

from zorgpost_devstack.stack import Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: The WCAG 2.1 A and AA rules of axe-core; a violation of impact serious or critical fails.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
DEMO_PASSWORD = "Test-Wachtwoord-2026!"


@cache
def axe_source() -> str:
    """axe-core as bundled by the axe-playwright-python package (MPL-2.0)."""
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


class Journey:
    """One person's browser tab. Every navigation goes through :meth:`goto` or
    :meth:`submit`, which check the page that opens."""

    def __init__(self, stack: Stack, context: BrowserContext, page: Page, shots: Path) -> None:
        self.stack = stack
        self.context = context
        self.page = page
        self.shots = shots
        self.visited: list[str] = []
        self._others: list[Journey] = []

    @property
    def web(self) -> str:
        return self.stack.web_url

    async def another(self, who: str, *, language: str = "nl") -> Journey:
        """Another person at a browser of their own (no cookies shared)."""
        browser = self.context.browser
        assert browser is not None
        context = await browser.new_context(viewport=DESKTOP, locale="nl-NL" if language == "nl" else "en-GB")
        context.set_default_timeout(20_000)
        other = Journey(self.stack, context, await context.new_page(), self.shots.parent / f"{self.shots.name}-{who}")
        self._others.append(other)
        return other

    async def close(self) -> None:
        for other in self._others:
            await other.close()
        await self.context.close()

    async def click_link(self, name: str) -> None:
        """Follows a link in the page's main part by its visible text."""
        async with self.page.expect_navigation():
            await self.page.locator("main").get_by_role("link", name=name, exact=True).first.click()
        await self.checked()

    # ------------------------------------------------------------------ moving around
    async def goto(self, path_or_url: str) -> Any:
        url = path_or_url if path_or_url.startswith("http") else self.web + path_or_url
        response = await self.page.goto(url)
        await self.checked()
        return response

    async def submit(self, button: str | None = None, *, form: str = "main form") -> None:
        """Clicks a submit button (by its visible name, or the first in ``form``) and waits
        for the page it leads to."""
        locator = (
            self.page.locator("main").get_by_role("button", name=button, exact=True)
            if button
            else self.page.locator(f"{form} button[type=submit]").first
        )
        async with self.page.expect_navigation():
            await locator.click()
        await self.checked()

    def field(self, label: str) -> Locator:
        """A form control by its label as a person reads it (a required field's label ends
        in an asterisk)."""
        return self.page.get_by_label(re.compile("^" + re.escape(label) + r"( \*)?$"))

    async def fill(self, fields: dict[str, str]) -> None:
        """Fills fields by their label text."""
        for label, value in fields.items():
            await self.field(label).fill(value)

    async def checked(self) -> None:
        """No serious or critical accessibility violation, and never a raw server error."""
        body = await self.page.content()
        assert "Traceback" not in body and "Internal Server Error" not in body, self.page.url
        await self.page.evaluate(axe_source())
        result = await self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v.get("impact") in FAILING_IMPACTS
        ]
        assert not bad, f"accessibility violations on {self.page.url}: {bad}"
        self.visited.append(self.page.url)

    # ------------------------------------------------------------------ reading the page
    async def heading(self) -> str:
        return (await self.page.locator("h1").first.inner_text()).strip()

    async def text(self) -> str:
        return await self.page.locator("main").inner_text()

    async def field_error(self, label: str) -> str:
        """The error message shown next to a field (found by its label)."""
        field = self.field(label)
        described = await field.get_attribute("aria-describedby") or ""
        assert await field.get_attribute("aria-invalid") == "true", f"{label} is not marked invalid"
        messages = []
        for element_id in described.split():
            if "-error-" in element_id:
                messages.append(await self.page.locator(f"#{element_id}").inner_text())
        return " ".join(messages)

    async def error_summary_links(self) -> list[str]:
        summary = self.page.locator(".zp-error-summary")
        assert await summary.is_visible()
        return [await link.get_attribute("href") or "" for link in await summary.locator("a").all()]

    # ------------------------------------------------------------------ screenshots
    async def snap(self, name: str, *, again: bool = True) -> None:
        """The page as it is now (its language, desktop and phone width) and, when it can
        be fetched again (``again``: not the answer to a form), in the other language."""
        self.shots.mkdir(parents=True, exist_ok=True)
        language = await self.page.locator("html").get_attribute("lang") or "nl"
        await self._both_widths(self.page, f"{name}-{language}")
        if not again or await self.page.locator("[data-focus-on-load]").count():
            return
        other = "en" if language == "nl" else "nl"
        second = await self.context.new_page()
        try:
            await self.set_language(other)
            await second.goto(self.page.url)
            await self._both_widths(second, f"{name}-{other}")
        finally:
            await self.set_language(language)
            await second.close()

    async def _both_widths(self, page: Page, name: str) -> None:
        size = page.viewport_size or DESKTOP
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.set_viewport_size(viewport)
            await page.screenshot(path=str(self.shots / f"{name}-{label}.png"), full_page=True)
        await page.set_viewport_size(size)

    async def set_language(self, language: str) -> None:
        await self.context.add_cookies([{"name": "zorgpost_lang", "value": language, "url": self.web}])

    # ------------------------------------------------------------------ people
    async def log_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        await self.goto("/login")
        await self.page.locator("#field-username").fill(username)
        await self.page.locator("#field-password").fill(password)
        await self.submit()


# ---------------------------------------------------------------------- conversations


async def start_conversation(journey: Journey, subject: str, first_message: str = "") -> str:
    """Starts a conversation through the page; answers its id."""
    await journey.goto("/messages")
    await journey.click_link("Nieuw gesprek")
    await journey.fill({"Onderwerp": subject, "Eerste bericht": first_message})
    await journey.submit("Gesprek starten")
    assert await journey.heading() == subject
    found = re.search(r"/messages/([^/?#]+)", journey.page.url)
    assert found, journey.page.url
    return found.group(1)


async def invite_into_conversation(journey: Journey, email: str) -> None:
    await journey.fill({"E-mailadres van de genodigde": email})
    await journey.submit("Uitnodiging versturen")
    assert f"De uitnodiging is verstuurd naar {email}" in await journey.text()


# ---------------------------------------------------------------------- the outbox


async def outbox_messages(stack: Stack, to: str, *, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
    """The outbox's messages to ``to`` (newest first), once there are ``count``; a browser
    journey is slower than an API test, hence the longer default."""
    return await wait_for_messages(stack, to, count=count, timeout=timeout)


def link_in(message: dict[str, Any], path: str) -> str:
    """The first link ``…{path}…`` in a mail's text."""
    found = re.search(r"https?://\S*" + re.escape(path) + r"[^\s)>\"]*", message["text"])
    assert found, f"no link {path} in: {message['text']}"
    return found.group(0)


def code_in(message: dict[str, Any]) -> str:
    found = re.search(r"\b(\d{6})\b", message["text"])
    assert found, message["text"]
    return found.group(1)


async def log_in_with_email_code(journey: Journey, email: str, password: str = DEMO_PASSWORD) -> None:
    """Logs in someone whose login asks for the code by e-mail (an administrator's always
    does, until they set up another second factor): the newest code from the outbox."""
    before = len(await outbox_messages(journey.stack, email, count=0))
    await journey.log_in(email, password)
    newest = (await outbox_messages(journey.stack, email, count=before + 1))[0]
    await journey.field("Code").fill(code_in(newest))
    await journey.submit()


# ---------------------------------------------------------------------- the e-counter (seed 3)


async def add_contact_person(api: httpx.AsyncClient, auth: dict[str, str], email: str, theme_ids: list[str]) -> str:
    """A contact person of the caller's organisation (unconfirmed; mailed a confirmation)."""
    added = await api.post(
        "/api/v1/organisation/contacts",
        json={
            "first_name": "Jan",
            "last_name": "Janssens",
            "email": email,
            "phone": "+32 2 553 35 00",
            "theme_ids": theme_ids,
        },
        headers=auth,
    )
    assert added.status_code == 201, added.text
    contact_id: str = added.json()["id"]
    return contact_id


async def confirm_contact_person(stack: Stack, api: httpx.AsyncClient, email: str) -> None:
    """Follows the newest confirmation mail to ``email`` through the API (as its link's page
    does); the address may have had other mail before."""
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        mails = await wait_for_messages(stack, email)
        found[:] = [mail for mail in mails if "/contact-persons/confirm/" in mail["text"]]
        return bool(found)

    await wait_until(arrived, within=20.0, what=f"a contact person confirmation mail to {email}")
    token = link_in(found[0], "/contact-persons/confirm/").rsplit("/", 1)[1]
    confirmed = await api.post("/api/v1/contact-persons/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text


# ---------------------------------------------------------------------- work not merged yet
