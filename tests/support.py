"""Helpers the contract and end-to-end tests share: test data through the owning service's
own use cases, and reading the development outbox."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.model import Role
from identity.service.accounts import do_create_account, do_create_organisation
from zorgpost_devstack.stack import Stack
from zorgpost_kit.db import create_engine, create_session_factory

PASSWORD = "Test-Wachtwoord-2026!"


@dataclass(frozen=True)
class StaffMember:
    account_id: str
    organisation_id: str
    organisation_name: str
    email: str
    password: str = PASSWORD


async def create_staff_member(stack: Stack, *, organisation_name: str | None = None) -> StaffMember:
    """An organisation and one staff account in the stack's identity database."""
    engine = create_engine(stack.database_urls["identity"], pool_size=1)
    try:
        session_factory = create_session_factory(engine)
        codec = event_codec()

        def uow() -> IdentityUnitOfWork:
            return IdentityUnitOfWork(session_factory, codec)

        name = organisation_name or f"Gemeente Test {uuid.uuid4().hex[:6]}"
        organisation = await do_create_organisation(uow, name)
        email = f"medewerker-{uuid.uuid4().hex[:8]}@test.example"
        # A cheap hash keeps tests fast; production parameters are tested in the unit tests.
        account = await do_create_account(
            uow,
            PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024),
            email=email,
            display_name="Test Medewerker",
            password=PASSWORD,
            organisation_id=organisation.id,
            roles=frozenset({Role.STAFF}),
        )
    finally:
        await engine.dispose()
    return StaffMember(account.id, organisation.id, organisation.name, email)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def wait_for_messages(
    stack: Stack, to: str, *, count: int = 1, timeout: float = 10.0, settle: float = 0.0
) -> list[dict[str, Any]]:
    """The outbox's messages to ``to`` once there are at least ``count`` (newest first).

    ``settle`` keeps watching that long after, so a duplicate arriving late is seen too.
    """
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as client:
        while True:
            messages: list[dict[str, Any]] = (await client.get("/api/messages", params={"to": to})).json()
            if len(messages) >= count:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(messages)} of {count} message(s) to {to} after {timeout} s")
            await asyncio.sleep(0.1)
        if settle:
            await asyncio.sleep(settle)
            messages = (await client.get("/api/messages", params={"to": to})).json()
    return messages


def identity_uow(stack: Stack) -> tuple[Any, Any]:
    """(engine, unit-of-work factory) on the stack's identity database; dispose the engine."""
    engine = create_engine(stack.database_urls["identity"], pool_size=20)
    session_factory = create_session_factory(engine)
    codec = event_codec()

    def uow() -> IdentityUnitOfWork:
        return IdentityUnitOfWork(session_factory, codec)

    return engine, uow
