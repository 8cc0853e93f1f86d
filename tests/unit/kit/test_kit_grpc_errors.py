"""Domain errors cross gRPC once, with their details: status_for on the server side,
read_failure on the client side, over a real server on 127.0.0.1 and a real channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
import pytest_asyncio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from identity.domain.errors import InvalidCredentials
from identity.entrypoints.grpc_identity import SERVICE_NAME, IdentityServicer
from identity.service.authentication import ClientInfo, Tokens, check_credentials
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_kit.errors import ResourceExhausted
from zorgpost_kit.grpc_client import RpcFailure, read_failure
from zorgpost_kit.grpc_server import create_server


class TooManyLoginAttempts(ResourceExhausted):
    code = "too_many_login_attempts"
    default_message = "Too many login attempts; try again later."


@dataclass
class ScriptedAuthentication:
    """Answers Login by username, so each test picks the outcome it needs."""

    async def do_login(self, username: str, password: str, client: ClientInfo) -> Tokens:
        check_credentials(username, password)  # as the real use case starts
        if username == "locked@example.nl":
            raise TooManyLoginAttempts(fields={"username": "is temporarily locked"}, retry_after_seconds=90)
        if username == "anna@example.nl" and password == "juist":
            return Tokens(access_token="access", refresh_token="refresh", expires_in=900)
        if username == "crash@example.nl":
            raise RuntimeError("connection to postgresql://identity:S3cret@db failed")
        raise InvalidCredentials()


def login_only_servicer(authentication: object) -> IdentityServicer:
    """The real servicer around a scripted Login; no other collaborator is reached."""
    return IdentityServicer(
        authentication,  # type: ignore[arg-type]
        callers=None,  # type: ignore[arg-type]
        jwks=None,  # type: ignore[arg-type]
        factors=None,  # type: ignore[arg-type]
        resets=None,  # type: ignore[arg-type]
        sessions=None,  # type: ignore[arg-type]
        uow=None,  # type: ignore[arg-type]
    )


@dataclass
class RunningIdentity:
    stub: identity_pb2_grpc.IdentityServiceStub
    health: health_pb2_grpc.HealthStub
    health_servicer: health.aio.HealthServicer


@pytest_asyncio.fixture
async def identity() -> AsyncIterator[RunningIdentity]:
    health_servicer = health.aio.HealthServicer()
    server, port = create_server("127.0.0.1:0", service_names=[SERVICE_NAME], health_servicer=health_servicer)
    servicer = login_only_servicer(ScriptedAuthentication())
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield RunningIdentity(
            identity_pb2_grpc.IdentityServiceStub(channel), health_pb2_grpc.HealthStub(channel), health_servicer
        )
    finally:
        await channel.close()
        await server.stop(None)


async def login_failure(identity: RunningIdentity, username: str, password: str = "x") -> RpcFailure:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await identity.stub.Login(identity_pb2.LoginRequest(username=username, password=password), timeout=5)
    return read_failure(raised.value)


async def test_a_successful_call_answers_normally(identity: RunningIdentity) -> None:
    response = await identity.stub.Login(
        identity_pb2.LoginRequest(username="anna@example.nl", password="juist"), timeout=5
    )

    assert response.tokens.access_token == "access"


async def test_every_missing_field_arrives_as_a_field_violation(identity: RunningIdentity) -> None:
    failure = await login_failure(identity, username="  ", password="")

    assert failure.code is grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "invalid_argument"
    assert failure.fields == {"username": "is required", "password": "is required"}
    assert failure.retry_after_seconds is None


async def test_wrong_credentials_arrive_as_unauthenticated_with_their_reason(identity: RunningIdentity) -> None:
    failure = await login_failure(identity, "anna@example.nl", "fout")

    assert failure.code is grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_credentials"
    assert failure.message == "The username or password is incorrect."
    assert failure.fields == {}


async def test_a_rate_limit_arrives_with_its_fields_and_retry_after(identity: RunningIdentity) -> None:
    failure = await login_failure(identity, "locked@example.nl")

    assert failure == RpcFailure(
        code=grpc.StatusCode.RESOURCE_EXHAUSTED,
        message="Too many login attempts; try again later.",
        reason="too_many_login_attempts",
        fields={"username": "is temporarily locked"},
        retry_after_seconds=90,
    )


async def test_an_unexpected_error_is_a_server_failure_without_details(identity: RunningIdentity) -> None:
    failure = await login_failure(identity, "crash@example.nl")

    assert failure.code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL)
    assert failure.reason is None
    assert failure.fields == {}


async def test_an_unexpected_error_does_not_reveal_its_text(identity: RunningIdentity) -> None:
    failure = await login_failure(identity, "crash@example.nl")

    assert "S3cret" not in failure.message
    assert "RuntimeError" not in failure.message


async def test_the_health_service_answers_for_the_server_and_the_service(identity: RunningIdentity) -> None:
    await identity.health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)

    overall = await identity.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    service = await identity.health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=5)

    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert service.status == health_pb2.HealthCheckResponse.SERVING


async def test_the_health_service_reports_a_service_that_stopped_serving(identity: RunningIdentity) -> None:
    await identity.health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.NOT_SERVING)

    answer = await identity.health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=5)

    assert answer.status == health_pb2.HealthCheckResponse.NOT_SERVING


class SlowAuthentication:
    async def do_login(self, username: str, password: str, client: ClientInfo) -> Tokens:
        await asyncio.sleep(5)
        return Tokens(access_token="late", refresh_token="late", expires_in=900)


async def test_a_call_without_deadline_is_cut_off_at_the_servers_default() -> None:
    server, port = create_server("127.0.0.1:0", service_names=[SERVICE_NAME], default_deadline_seconds=0.3)
    servicer = login_only_servicer(SlowAuthentication())
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            started = asyncio.get_running_loop().time()
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.Login(identity_pb2.LoginRequest(username="anna@example.nl", password="juist"))
            assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert asyncio.get_running_loop().time() - started < 3
    finally:
        await server.stop(None)
