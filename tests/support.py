"""Helpers the contract and end-to-end tests share: test data through the owning service's
own use cases (contract tests), organisations and their staff through the public paths —
the operator command and invitations (end-to-end tests) — and reading the development
outbox."""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
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

from contacts.adapters.events import event_codec as contacts_event_codec
from contacts.adapters.unit_of_work import SqlContactsUnitOfWork
from contacts.domain.themes import Theme
from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.accounts import Account, AccountStatus, OrganisationKind, Role
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
    #: The organisation's administrator, when the member was onboarded through the public
    #: paths (:func:`onboard_staff_member`), to invite colleagues or change the policy.
    administrator: Administrator | None = None
    #: Mails their address received while they were onboarded (the invitation, and a
    #: sign-in code where the policy asked for one): a test's own mails come after these.
    mails: int = 0


async def create_staff_member(
    stack: Stack,
    *,
    organisation_name: str | None = None,
    roles: frozenset[Role] = frozenset({Role.STAFF}),
    kind: str = "other",
) -> StaffMember:
    """An organisation of ``kind`` and one staff account with ``roles``, written through
    identity's own use cases (contract tests; the end-to-end tests onboard organisations
    through the public paths: :func:`onboard_organisation`)."""
    engine = create_engine(stack.database_urls["identity"], pool_size=1)
    try:
        session_factory = create_session_factory(engine)
        codec = event_codec()

        def uow() -> IdentityUnitOfWork:
            return IdentityUnitOfWork(session_factory, codec)

        name = organisation_name or f"Gemeente Test {uuid.uuid4().hex[:6]}"
        organisation = await do_create_organisation(uow, name, OrganisationKind(kind))
        email = f"medewerker-{uuid.uuid4().hex[:8]}@test.example"
        # A cheap hash keeps tests fast; production parameters are tested in the unit tests.
        account = await do_create_account(
            uow,
            PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024),
            email=email,
            display_name="Test Medewerker",
            password=PASSWORD,
            organisation_id=organisation.id,
            roles=roles,
        )
    finally:
        await engine.dispose()
    return StaffMember(account.id, organisation.id, organisation.name, email)


# --- organisations and staff through the public paths -------------------------------------


@dataclass(frozen=True)
class Administrator:
    """An organisation's administrator, onboarded as a real one is: the operator command
    made the organisation and mailed the invitation; the administrator made an account with
    it and signed in with the e-mail code (administrators always use a second factor)."""

    account_id: str
    organisation_id: str
    organisation_name: str
    email: str
    access_token: str
    refresh_token: str
    password: str = PASSWORD


#: Names an invitee types in; none of them is part of :data:`PASSWORD` (a password may not
#: contain one's own name).
_FIRST_NAME, _LAST_NAME = "Anna", "Collega"
#: The name others see of everyone onboarded through the public paths.
ONBOARDED_NAME = f"{_FIRST_NAME} {_LAST_NAME}"


async def operator_command(stack: Stack, *args: str) -> tuple[int, str, str]:
    """``zorgpost-identity organisations <args>`` against the stack's identity database, as
    an operator runs it (``docker compose run --rm identity organisations ...``): (exit
    status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "identity",
        "organisations",
        *args,
        env=stack.env_for("identity"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _invitation_token(message: dict[str, Any]) -> str:
    found = re.search(r"/invitations/([A-Za-z0-9_-]{20,})", message["text"])
    assert found, "no invitation link in the mail"
    return found.group(1)


async def _mails_to(stack: Stack, to: str) -> int:
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        return len((await outbox.get("/api/messages", params={"to": to})).json())


async def _complete_login(
    api: httpx.AsyncClient, stack: Stack, email: str, login: dict[str, Any], mails_before: int
) -> dict[str, Any]:
    """Tokens from a login answer: a second-factor challenge (an e-mail or SMS code; the
    code comes in the next mail to ``email``) is answered with the code."""
    if "access_token" in login:
        return login
    assert login["method"] == "email", login
    code = code_in((await wait_for_messages(stack, email, count=mails_before + 1, timeout=20.0))[0])
    verified = await api.post("/api/v1/auth/login/verify", json={"challenge_id": login["challenge_id"], "code": code})
    assert verified.status_code == 200, verified.text
    tokens: dict[str, Any] = verified.json()
    return tokens


async def accept_invitation_with_new_account(
    api: httpx.AsyncClient, stack: Stack, email: str, *, password: str = PASSWORD
) -> dict[str, Any]:
    """Opens the newest invitation mailed to ``email``, makes the account there and signs in
    (an e-mail code where one is asked): the tokens and the account id."""
    mail = (await wait_for_messages(stack, email, timeout=20.0))[0]
    token = _invitation_token(mail)
    view = await api.get(f"/api/v1/invitations/{token}")
    assert view.status_code == 200, view.text
    mails_before = await _mails_to(stack, email)
    made = await api.post(
        f"/api/v1/invitations/{token}/account",
        json={
            "first_name": _FIRST_NAME,
            "last_name": _LAST_NAME,
            "password": password,
            "password_confirmation": password,
            "terms_version": view.json()["terms_version"],
            "privacy_version": view.json()["privacy_version"],
        },
    )
    assert made.status_code == 201, made.text
    accepted = made.json()
    tokens = await _complete_login(api, stack, email, accepted["login"], mails_before)
    return {**tokens, "account_id": accepted["account_id"]}


async def onboard_organisation(
    stack: Stack,
    *,
    name: str | None = None,
    kind: str = "municipality",
    password_preset: str = "asvs",
    second_factor: str = "none",
) -> Administrator:
    """A new organisation through the public paths: the operator command creates it and
    invites its first administrator, who makes an account from the mail and signs in."""
    organisation_name = name or f"Gemeente Test {uuid.uuid4().hex[:6]}"
    email = f"beheerder-{uuid.uuid4().hex[:8]}@test.example"
    status, out, err = await operator_command(
        stack,
        "create",
        "--name",
        organisation_name,
        "--kind",
        kind,
        "--password-preset",
        password_preset,
        "--second-factor",
        second_factor,
        "--admin-email",
        email,
        "--json",
    )
    assert status == 0, err
    created = json.loads(out)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        tokens = await accept_invitation_with_new_account(api, stack, email)
    return Administrator(
        tokens["account_id"], created["id"], organisation_name, email, tokens["access_token"], tokens["refresh_token"]
    )


async def invite_staff_member(
    stack: Stack, administrator: Administrator, *, roles: Sequence[str] = ("staff",), password: str = PASSWORD
) -> StaffMember:
    """A colleague the administrator invites with ``roles`` (POST /organisation/staff), who
    makes an account from the mail."""
    email = f"medewerker-{uuid.uuid4().hex[:8]}@test.example"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        invited = await api.post(
            "/api/v1/organisation/staff",
            json={"email": email, "roles": list(roles)},
            headers=_bearer(administrator.access_token),
        )
        assert invited.status_code == 201, invited.text
        tokens = await accept_invitation_with_new_account(api, stack, email, password=password)
    return StaffMember(
        tokens["account_id"],
        administrator.organisation_id,
        administrator.organisation_name,
        email,
        password,
        administrator,
        await _mails_to(stack, email),
    )


async def change_security_policy(stack: Stack, administrator: Administrator, **changes: Any) -> dict[str, Any]:
    """The administrator changes the organisation's security policy (PUT
    /organisation/security-policy): the current one with ``changes``."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        current = await api.get("/api/v1/organisation/security-policy", headers=_bearer(administrator.access_token))
        assert current.status_code == 200, current.text
        body = {key: value for key, value in current.json().items() if key not in ("organisation_id", "password_rules")}
        changed = await api.put(
            "/api/v1/organisation/security-policy",
            json={**body, **changes},
            headers=_bearer(administrator.access_token),
        )
        assert changed.status_code == 200, changed.text
        policy: dict[str, Any] = changed.json()
    return policy


async def onboard_staff_member(
    stack: Stack,
    *,
    organisation_name: str | None = None,
    kind: str = "municipality",
    password_preset: str = "asvs",
    second_factor: str = "none",
    roles: Sequence[str] = ("staff",),
) -> StaffMember:
    """A new organisation (:func:`onboard_organisation`) and one colleague its administrator
    invited with ``roles``: what an end-to-end test needs where it used to write rows."""
    administrator = await onboard_organisation(
        stack, name=organisation_name, kind=kind, password_preset=password_preset, second_factor=second_factor
    )
    return await invite_staff_member(stack, administrator, roles=roles)


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
    """The session's PostgreSQL with a NATS server the test may kill and start again on the
    same port and store (an :class:`~zorgpost_devstack.infra.Infrastructure`); a stack's own
    broker cannot be restarted like that."""

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


# --------------------------------------------------------------------------- the e-counter
async def add_themes(stack: Stack, department: StaffMember, *names: str) -> list[str]:
    """Themes kept by ``department`` (put in contacts' database, as the demo data does:
    the catalogue has no API of its own); answers their ids."""
    engine = create_engine(stack.database_urls["contacts"], pool_size=1)
    ids = [f"{name.lower()}-{uuid.uuid4().hex[:6]}" for name in names]
    try:
        async with SqlContactsUnitOfWork(create_session_factory(engine), contacts_event_codec()) as uow:
            for theme_id, name in zip(ids, names, strict=True):
                await uow.themes.save(
                    Theme(
                        theme_id, name, name, department.organisation_id, department.organisation_name, f"Team {name}"
                    )
                )
            await uow.commit()
    finally:
        await engine.dispose()
    return ids


async def supervise(stack: Stack, department_id: str, organisation_id: str, *themes: str) -> None:
    """The operator links a department to an organisation it supervises in ``themes``
    (``zorgpost-identity organisations supervise``; again: sets the link's themes), as the
    e-counter's reach needs; without ``themes`` the link ends."""
    if themes:
        args = ["supervise", department_id, organisation_id, *(arg for theme in themes for arg in ("--theme", theme))]
    else:
        args = ["unsupervise", department_id, organisation_id]
    status, _, err = await operator_command(stack, *args)
    assert status == 0, err
