"""Browser tests: Debian's Chromium driven by Playwright against one running stack.

One stack serves every browser test (started once, with fresh databases of its own) and
one browser serves the session; each test gets a new browser context (no cookies shared).
Chromium is Debian's ``/usr/bin/chromium``: installed with apt when missing, never
downloaded by Playwright.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, Journey
from playwright.async_api import Browser, async_playwright

from zorgpost_devstack.infra import ContainerInfrastructure, EmbeddedInfrastructure
from zorgpost_devstack.stack import Stack, StackConfig


def _ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"{CHROMIUM} is missing and apt-get is not available to install Debian's chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update"], check=False, env=env, capture_output=True)
    result = subprocess.run([apt, "install", "-y", "chromium"], check=False, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.fail(f"could not install Debian's chromium with apt-get: {result.stderr[-2000:]}")


@pytest.fixture(scope="package")
def browser_stack(
    infra: EmbeddedInfrastructure | ContainerInfrastructure, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One stack for every browser test module (as make_module_stack makes them, with
    fresh databases and the per-IP login limit lifted: every browser logs in from
    127.0.0.1); each test makes its own organisations and people in it."""
    name = uuid.uuid4().hex[:10]
    config = StackConfig(
        data_dir=tmp_path_factory.mktemp("browser-stack"),
        database_prefix=f"b{name}_",
        extra_env={"gateway": {"AUTH_RATE_BURST": "100000", "AUTH_RATE_PER_MINUTE": "100000"}},
        own_nats=True,
    )
    stack = Stack(infra, config)
    try:
        yield stack.up()
    finally:
        stack.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of every journey (nl and en, desktop and phone) land here."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    _ensure_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def journey(
    browser: Browser, browser_stack: Stack, screenshot_dir: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Journey]:
    """A person at a fresh browser (own cookies), Dutch unless a test switches."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    journey = Journey(browser_stack, context, page, screenshot_dir / request.node.name)
    try:
        yield journey
    finally:
        await journey.close()
