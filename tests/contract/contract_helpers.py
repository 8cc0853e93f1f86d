"""Helpers the contract tests share: starting a few real service processes, logging in over
gRPC, accounts of other kinds, reading refusals, reading JetStream and counting rows."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import grpc
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from support import PASSWORD, StaffMember, fetch, identity_uow

from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import KeyEncryption, SigningKeyStore
from identity.config import Settings as IdentitySettings
from identity.domain.accounts import Role
from identity.service.accounts import do_create_account
from zorgpost.events.v1 import identity_events_pb2
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_devstack.stack import OUTBOX, Stack
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.grpc_client import RpcFailure, read_failure

#: Deadline of every call a contract test makes.
RPC_TIMEOUT = 10.0


# --------------------------------------------------------------------------- processes
def start_services(stack: Stack, services: Iterable[str], *, outbox: bool = False, timeout: float = 60.0) -> Stack:
    """Migrates and starts only ``services`` (and the development outbox), then waits until
    each answers SERVING. The processes start together; only the waiting is sequential."""
    names = list(services)
    stack.migrate(names)
    if outbox:
        stack.start(OUTBOX)
    for name in names:
        stack.start(name)
    for name in names:
        stack.wait_serving(name, timeout=timeout)
    if outbox:
        _wait_http_ok(f"{stack.outbox_url}/healthz", timeout)
    return stack


def _wait_http_ok(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
            time.sleep(0.1)


# --------------------------------------------------------------------------- accounts and tokens
@dataclass(frozen=True)
class Person:
    account_id: str
    email: str
    password: str = PASSWORD


async def create_person(stack: Stack) -> Person:
    """A citizen account (role person, no organisation), through identity's own use case."""
    engine, uow = identity_uow(stack)
    email = f"burger-{uuid.uuid4().hex[:8]}@test.example"
    try:
        account = await do_create_account(
            uow,
            # A cheap hash keeps tests fast, as in support.create_staff_member.
            PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024),
            email=email,
            display_name="Test Burger",
            password=PASSWORD,
            organisation_id=None,
            roles=frozenset({Role.PERSON}),
        )
    finally:
        await engine.dispose()
    return Person(account.id, email)


async def login(stack: Stack, username: str, password: str = PASSWORD) -> identity_pb2.TokenPair:
    """Identity's Login over gRPC. An account asked for an e-mail or SMS code (an
    administrator always is) completes the login with the code identity stored in its outbox
    for the notice, as the person would type it from the mail."""
    async with grpc.aio.insecure_channel(stack.grpc_address("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        response = await stub.Login(
            identity_pb2.LoginRequest(username=username, password=password), timeout=RPC_TIMEOUT
        )
        if response.WhichOneof("result") == "challenge":
            code = await login_code_in_outbox(stack, username)
            response = await stub.VerifyLoginChallenge(
                identity_pb2.VerifyLoginChallengeRequest(challenge_id=response.challenge.challenge_id, code=code),
                timeout=RPC_TIMEOUT,
            )
    assert response.WhichOneof("result") == "tokens", response
    return response.tokens


async def login_code_in_outbox(stack: Stack, email: str) -> str:
    """The newest login code identity issued to ``email`` (its event, not yet a mail)."""
    rows = await fetch(
        stack.database_urls["identity"],
        "SELECT payload FROM outbox_events WHERE subject = 'identity.one_time_code.issued' "
        "ORDER BY created_at DESC LIMIT 50",
    )
    for row in rows:
        event = identity_events_pb2.OneTimeCodeIssued.FromString(row["payload"])
        if event.recipient.email == email.lower() and event.purpose == "login":
            return event.code
    raise AssertionError(f"no login code for {email} in identity's outbox")


async def access_token(stack: Stack, account: StaffMember | Person) -> str:
    return (await login(stack, account.email, account.password)).access_token


def resign_with_foreign_key(token: str, *, kid: str | None = None) -> str:
    """The same claims and key id, signed with an Ed25519 key identity never published."""
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    return jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid or header["kid"]})


# --------------------------------------------------------------------------- refusals
async def signed_by_identity(stack: Stack, claims: dict[str, object]) -> str:
    """A token with ``claims`` (issuer and audience added) signed with identity's active key,
    loaded from the stack's identity database as identity itself loads it: for tokens
    identity would not issue through its API (a guest's, one without a name claim)."""
    engine = create_engine(stack.database_urls["identity"], pool_size=1)
    try:
        settings = IdentitySettings(database_url=stack.database_urls["identity"])
        keys = SigningKeyStore(
            create_session_factory(engine), KeyEncryption(settings.signing_key_encryption_key.get_secret_value())
        )
        await keys.load()
        key = keys.active
    finally:
        await engine.dispose()
    payload = {"iss": settings.token_issuer, "aud": settings.token_audience, **claims}
    return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


async def refused(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    """The error a call failed with (the test fails when it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def refusal(call: Awaitable[object]) -> RpcFailure:
    """The decoded rich status (code, reason, field violations) of a refused call."""
    return read_failure(await refused(call))


def status_details(error: grpc.aio.AioRpcError) -> bytes | None:
    """The serialized google.rpc.Status a refusal carried, byte for byte."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return bytes(value)
    return None


# --------------------------------------------------------------------------- standard services
async def health_status(channel: grpc.aio.Channel, service: str) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT)
    return int(response.status)


async def reflected_services(channel: grpc.aio.Channel) -> set[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    names: set[str] = set()
    async for response in stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=RPC_TIMEOUT
    ):
        names.update(service.name for service in response.list_services_response.service)
    return names


async def reflected_file_names(channel: grpc.aio.Channel, symbol: str) -> set[str]:
    """Names of the .proto files reflection sends for ``symbol`` (what grpcurl needs)."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    names: set[str] = set()
    async for response in stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol)]), timeout=RPC_TIMEOUT
    ):
        for raw in response.file_descriptor_response.file_descriptor_proto:
            names.add(descriptor_pb2.FileDescriptorProto.FromString(raw).name)
    return names


# --------------------------------------------------------------------------- JetStream
async def stream_messages(
    js: JetStreamContext,
    stream: str,
    subject: str,
    match: Callable[[Msg], bool],
    *,
    count: int = 1,
    within: float = 10.0,
    settle: float = 0.0,
) -> list[Msg]:
    """Messages of ``stream`` on ``subject`` (read from its start with an ephemeral pull
    consumer) that satisfy ``match``, once there are at least ``count``.

    ``settle`` keeps reading that long after, so a late duplicate is seen too.
    """
    subscription = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT, inactive_threshold=10.0),
    )
    found: list[Msg] = []
    deadline = time.monotonic() + within
    settle_until: float | None = None
    try:
        while True:
            try:
                batch = await subscription.fetch(100, timeout=0.3)
            except TimeoutError:  # nats' own TimeoutError, or asyncio's when the deadline ran out
                batch = []
            for message in batch:
                await message.ack()
                if match(message):
                    found.append(message)
            now = time.monotonic()
            if len(found) >= count:
                if settle_until is None:
                    settle_until = now + settle
                if now >= settle_until:
                    return found
            elif now > deadline:
                raise AssertionError(f"{len(found)} of {count} matching message(s) on {subject} after {within} s")
    finally:
        await subscription.unsubscribe()


def jwks_keys(jwks_json: str) -> list[dict[str, str]]:
    keys: list[dict[str, str]] = json.loads(jwks_json)["keys"]
    return keys
