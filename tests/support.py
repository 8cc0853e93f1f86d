"""Helpers the contract and end-to-end tests share: test data through the owning service's
own use cases, and reading the development outbox."""

from __future__ import annotations

import asyncio
import html
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from nats.js.errors import NotFoundError

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.accounts import Account, AccountStatus, Role
from identity.domain.client_accounts import SecretQuestion, normalise_secret_answer
from identity.domain.policy import SecurityPolicy
from identity.service.accounts import do_create_account, do_create_organisation
from identity.service.security_policy import do_set_security_policy
from zorgpost_devstack.nats_server import NatsServer
from zorgpost_devstack.postgres import free_port
from zorgpost_devstack.stack import Stack, StackConfig
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


async def create_chat(stack: Stack, email: str, password: str = PASSWORD, *, subject: str = "Veilig gesprek") -> str:
    """A chat the account starts through the gateway (what an invitation goes into: one the
    inviting staff member takes part in); answers its thread id."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20.0) as api:
        token = await login(api, email, password)
        response = await api.post(
            "/api/v1/threads", json={"subject": subject}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 201, response.text
    thread_id: str = response.json()["id"]
    return thread_id


# --- security policies, accounts of any kind, codes and links ------------------------------


def identity_uow(stack: Stack) -> tuple[Any, Any]:
    """(engine, unit-of-work factory) on the stack's identity database; dispose the engine."""
    engine = create_engine(stack.database_urls["identity"], pool_size=20)
    session_factory = create_session_factory(engine)
    codec = event_codec()

    def uow() -> IdentityUnitOfWork:
        return IdentityUnitOfWork(session_factory, codec)

    return engine, uow


async def set_security_policy(stack: Stack, organisation_id: str, policy: SecurityPolicy) -> None:
    """Replaces an organisation's security policy through identity's own use case."""
    engine, uow = identity_uow(stack)
    try:
        await do_set_security_policy(uow, organisation_id, policy)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Member:
    """An account of an organisation (staff or person), as a test logs in with it."""

    account_id: str
    organisation_id: str
    email: str
    mobile: str | None
    password: str = PASSWORD


async def create_member(
    stack: Stack,
    organisation_id: str,
    *,
    mobile: str | None = None,
    must_change_password: bool = False,
    role: Role = Role.PERSON,
    password: str = PASSWORD,
    birth_date: date | None = None,
) -> Member:
    """An active account of ``organisation_id`` (with a mobile number, a birth date, or a
    temporary password that must be changed), stored through identity's own repository."""
    engine, uow = identity_uow(stack)
    email = f"persoon-{uuid.uuid4().hex[:8]}@test.example"
    try:
        async with uow() as unit:
            account = Account(
                id=str(uuid.uuid4()),
                email=email,
                display_name="Test Persoon",
                first_name="Test",
                last_name="Persoon",
                password_hash=PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024).hash(password),
                organisation_id=organisation_id,
                roles=frozenset({role}),
                status=AccountStatus.ACTIVE,
                mobile=mobile,
                must_change_password=must_change_password,
                birth_date=birth_date,
            )
            await unit.accounts.add(account)
            await unit.commit()
    finally:
        await engine.dispose()
    return Member(account.id, organisation_id, email, mobile, password)


def unique_mobile() -> str:
    """A Dutch mobile number (E.164) no other test uses."""
    # +3161…: every number in that block is a valid Dutch mobile (+3160…, +3167… are not).
    return f"+3161{uuid.uuid4().int % 10**7:07d}"


def code_in(message: dict[str, Any]) -> str:
    """The 6-digit code a mail or SMS carries."""
    found = re.search(r"\b(\d{6})\b", message["text"])
    assert found, message["text"]
    return found.group(1)


def reset_token_in(message: dict[str, Any]) -> str:
    """The token of the /password-reset/{token} link a mail carries."""
    found = re.search(r"/password-reset/([A-Za-z0-9_\-]+)", message["text"])
    assert found, message["text"]
    return found.group(1)


async def newest_code(stack: Stack, to: str, *, count: int, timeout: float = 15.0) -> str:
    """The code of the ``count``-th message to ``to`` (waits for it)."""
    messages = await wait_for_messages(stack, to, count=count, timeout=timeout)
    return code_in(messages[0])


async def set_secret_question(stack: Stack, account_id: str, question: str, answer: str) -> None:
    """Stores a secret question as the owner would set it (answer hashed, normalised)."""
    engine, uow = identity_uow(stack)
    try:
        async with uow() as unit:
            answer_hash = PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024).hash(normalise_secret_answer(answer))
            await unit.secret_questions.put(SecretQuestion(account_id, question, answer_hash, datetime.now(UTC)))
            await unit.commit()
    finally:
        await engine.dispose()


class OwnNats:
    """The session's PostgreSQL with a NATS server of the test's own (an
    :class:`~zorgpost_devstack.infra.Infrastructure`): for tests that kill NATS or give
    streams settings no other test may see (every other stack shares the session's NATS)."""

    def __init__(self, infra: Any, data_dir: Path) -> None:
        self._infra = infra
        self.nats = NatsServer(data_dir, free_port())

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def create_database(self, name: str) -> str:
        database_url: str = self._infra.create_database(name)
        return database_url

    def start_nats(self, data_dir: Path) -> NatsServer:
        raise NotImplementedError("a stack on OwnNats uses that server")

    def stop(self) -> None:
        self.nats.stop()


@contextmanager
def stack_with_own_nats(infra: Any, data_dir: Path, **config: Any) -> Iterator[tuple[Stack, OwnNats]]:
    """A stack (not started) on :class:`OwnNats`; every process and the NATS server are
    stopped at the end."""
    own = OwnNats(infra, data_dir / "nats")
    own.nats.start()
    stack = Stack(own, StackConfig(data_dir=data_dir / "stack", database_prefix=f"n{uuid.uuid4().hex[:8]}_", **config))
    try:
        yield stack, own
    finally:
        stack.stop_all()
        for name in list(stack.processes):
            stack.kill(name)
        own.stop()


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, within: float = 10.0, interval: float = 0.1, what: str = "condition"
) -> None:
    """Returns once ``check()`` is true; fails the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {within} s")
        await asyncio.sleep(interval)


async def notices_settled(
    stack: Stack, *, outboxes: Sequence[str] = ("identity", "messaging"), streams: Sequence[str] | None = None
) -> bool:
    """True when no notice can still come: every event in the ``outboxes`` of the producing
    services is published, every notifications consumer of the ``streams`` (default: the
    producers' own) has acknowledged all it was given, and no delivery is queued. From then
    on, counting mails in the outbox counts them for good, without a fixed wait.

    A contract test that publishes events itself passes ``outboxes=()`` and the stream."""
    for service in outboxes:
        if await _fetch_value(stack, service, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL"):
            return False
    if await _fetch_value(stack, "notifications", "SELECT count(*) FROM deliveries WHERE status = 'queued'"):
        return False
    client = await nats.connect(stack.nats_url)
    try:
        js = client.jetstream()
        for stream in streams if streams is not None else [service.upper() for service in outboxes]:
            try:
                consumers = await js.consumers_info(stream)
            except NotFoundError:
                continue  # nothing was ever published there
            for consumer in consumers:
                if consumer.name.startswith("notifications-") and (consumer.num_pending or consumer.num_ack_pending):
                    return False
    finally:
        await client.close()
    return True


async def settled_messages(
    stack: Stack,
    to: str,
    *,
    count: int = 1,
    outboxes: Sequence[str] = ("identity", "messaging"),
    streams: Sequence[str] | None = None,
    timeout: float = 20.0,
) -> list[dict[str, Any]]:
    """The outbox's messages to ``to`` once at least ``count`` came and no other notice can
    still come (see :func:`notices_settled`): the place to check "exactly one"."""
    await wait_for_messages(stack, to, count=count, timeout=timeout)

    async def settled() -> bool:
        return await notices_settled(stack, outboxes=outboxes, streams=streams)

    await wait_until(settled, within=timeout, what="every notice settled")
    return await wait_for_messages(stack, to, count=count)


async def notice_detail(stack: Stack, message: dict[str, Any]) -> dict[str, Any]:
    """The outbox's full view of a message: subject, text, html, headers, sender."""
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        detail: dict[str, Any] = (await outbox.get(f"/api/messages/{message['id']}")).json()
    # A subject longer than a header line is folded ("Subject:\r\n …"); the parser in the
    # outbox reads it back with a leading space.
    detail["subject"] = detail["subject"].strip()
    return detail


def assert_notice(
    detail: dict[str, Any],
    *,
    subject: str,
    organisation: str,
    language: str,
    link: str | None = None,
    absent: Sequence[str] = (),
) -> None:
    """A mail notice says what it must: its subject, the organisation it is from, the link
    (in the text and as the HTML's href), in the reader's language; and nothing of
    ``absent`` (care content, or a secret that belongs in another mail)."""
    assert detail["subject"] == subject
    assert organisation in detail["text"]
    assert html.escape(organisation) in detail["html"]
    assert f'<html lang="{language}">' in detail["html"]
    if link is not None:
        assert link in detail["text"]
        assert f'href="{html.escape(link)}"' in detail["html"]
    for leak in absent:
        for part in ("subject", "text", "html"):
            assert leak not in detail[part], f"{leak!r} leaked into the {part}"


# --------------------------------------------------------------------------- PostgreSQL
def plain_dsn(database_url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fetch(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    """The rows of one query on a service's database (``stack.database_urls[service]``)."""
    connection = await asyncpg.connect(plain_dsn(database_url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def fetch_value(database_url: str, query: str, *args: object) -> Any:
    """The first column of the first row of one query (``None`` without a row)."""
    rows = await fetch(database_url, query, *args)
    return rows[0][0] if rows else None


async def execute(database_url: str, statement: str, *args: object) -> None:
    """One statement on a service's database (a test moving time or state on)."""
    connection = await asyncpg.connect(plain_dsn(database_url))
    try:
        await connection.execute(statement, *args)
    finally:
        await connection.close()


async def count_rows(database_url: str, tables: Sequence[str]) -> dict[str, int]:
    """``count(*)`` of each of ``tables`` (fixed names, never input)."""
    return {table: int(await fetch_value(database_url, f"SELECT count(*) FROM {table}")) for table in tables}


async def _fetch_value(stack: Stack, service: str, query: str) -> Any:
    return await fetch_value(stack.database_urls[service], query)
