"""A database that cannot be reached is an outage the caller can wait out, never a bug:
every service's gRPC server answers UNAVAILABLE with RetryInfo (the gateway: 503 with
Retry-After), while any other failure still answers INTERNAL without details."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import grpc
import pytest
import pytest_asyncio
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy import text

from zorgpost_devstack.postgres import free_port
from zorgpost_kit.db import DatabaseUnavailable, create_engine, database_unavailable
from zorgpost_kit.grpc_client import read_failure
from zorgpost_kit.grpc_server import create_server


async def _query_a_closed_port() -> Exception:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/zorgpost", pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return error
    finally:
        await engine.dispose()
    raise AssertionError("a closed port answered")


def _wrapped(original: Exception, *, invalidated: bool = False) -> sqlalchemy_errors.DBAPIError:
    """What SQLAlchemy raises around a driver's error."""
    wrapper = sqlalchemy_errors.DBAPIError("SELECT 1", None, original, connection_invalidated=invalidated)
    wrapper.__cause__ = original
    return wrapper


async def test_a_database_that_refuses_connections_is_unavailable() -> None:
    unavailable = database_unavailable(await _query_a_closed_port())

    assert isinstance(unavailable, DatabaseUnavailable)
    assert unavailable.retry_after_seconds is not None and unavailable.retry_after_seconds >= 1


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), invalidated=True),
        _wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients already")),
        sqlalchemy_errors.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
    ids=["cannot connect now", "shut down", "connection lost", "no slot", "pool timeout", "reset"],
)
def test_every_way_of_not_reaching_the_database_is_unavailable(error: Exception) -> None:
    assert isinstance(database_unavailable(error), DatabaseUnavailable)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value")),
        _wrapped(asyncpg.exceptions.UndefinedColumnError("column x does not exist")),
        KeyError("organisation_id"),
        FileNotFoundError(2, "No such file or directory"),
    ],
    ids=["constraint", "bad SQL", "key error", "file"],
)
def test_other_failures_stay_bugs(error: Exception) -> None:
    assert database_unavailable(error) is None


# --- over a real gRPC server ---------------------------------------------------------------

Behaviour = Callable[[], Awaitable[bytes]]


@pytest_asyncio.fixture
async def call() -> AsyncIterator[Callable[[Behaviour], Awaitable[grpc.aio.AioRpcError]]]:
    """Calls a method whose handler does ``behaviour`` on a server built by the kit."""
    behaviours: list[Behaviour] = []

    async def handle(_request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
        return await behaviours[-1]()

    server, port = create_server("127.0.0.1:0")
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("test.Probe", {"Call": grpc.unary_unary_rpc_method_handler(handle)}),)
    )
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    method = channel.unary_unary("/test.Probe/Call")

    async def failing_call(behaviour: Behaviour) -> grpc.aio.AioRpcError:
        behaviours.append(behaviour)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await method(b"", timeout=10)
        return raised.value

    try:
        yield failing_call
    finally:
        await channel.close()
        await server.stop(None)


async def test_a_handler_whose_database_is_down_answers_unavailable_with_retry_info(
    call: Callable[[Behaviour], Awaitable[grpc.aio.AioRpcError]],
) -> None:
    async def use_the_database() -> bytes:
        raise await _query_a_closed_port()

    failure = read_failure(await call(use_the_database))

    assert failure.code is grpc.StatusCode.UNAVAILABLE
    assert failure.reason == "temporarily_unavailable"
    assert failure.retry_after_seconds == 2
    assert "127.0.0.1" not in failure.message


async def test_a_handler_with_a_bug_still_answers_internal(
    call: Callable[[Behaviour], Awaitable[grpc.aio.AioRpcError]],
) -> None:
    async def crash() -> bytes:
        raise RuntimeError("postgresql://identity:S3cret@db")

    failure = read_failure(await call(crash))

    assert failure.code is grpc.StatusCode.INTERNAL
    assert "S3cret" not in failure.message
