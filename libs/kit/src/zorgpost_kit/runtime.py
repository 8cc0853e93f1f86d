"""The life of a service process, the same for every service.

``<service> serve`` connects to PostgreSQL and NATS, lets the service's bootstrap build its
parts, starts the gRPC server, the outbox relay, the retention pruner (published outbox rows
and old inbox rows, see :mod:`zorgpost_kit.retention`), the feed of ended access (identity's
revocations, see :mod:`zorgpost_kit.revocation`: caught up before the service reports
SERVING), the event consumers and any background workers, reports SERVING on the health
service, and on SIGTERM/SIGINT drains in the reverse
order: NOT_SERVING, stop taking calls (in-flight ones finish), stop consumers after their
current message, publish what is left in the outbox, drain NATS, close the database.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.consumer import ConsumerRunner, EventConsumer
from zorgpost_kit.db import UnitOfWork, create_engine, create_session_factory
from zorgpost_kit.grpc_client import create_channel
from zorgpost_kit.grpc_server import create_server
from zorgpost_kit.identity_client import remote_token_verifier
from zorgpost_kit.jetstream import OutboxRelay, connect, ensure_stream
from zorgpost_kit.logging import configure_logging, get_logger
from zorgpost_kit.migrations import upgrade_to_head
from zorgpost_kit.process import die_with_parent
from zorgpost_kit.retention import RetentionPruner
from zorgpost_kit.revocation import RevocationFeed, RevocationList, wait_until_caught_up
from zorgpost_kit.settings import Environment, ServiceSettings

log = get_logger(__name__)


@dataclass
class Infrastructure:
    """What the runtime hands to a service's bootstrap."""

    settings: ServiceSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    nats: NatsClient
    js: JetStreamContext
    #: The outbox relay's loop; a unit of work wakes it after each commit (``on_commit=infra.relay.wake``).
    relay: BackgroundLoop
    #: Channels to other services, closed by the runtime on shutdown.
    channels: list[grpc.aio.Channel] = field(default_factory=list)
    #: Accounts and sessions whose access ended lately: every token verifier of the process
    #: refuses their earlier tokens (kept current by the runtime's revocation feed).
    revocations: RevocationList = field(default_factory=RevocationList)

    def channel(self, address: str) -> grpc.aio.Channel:
        channel = create_channel(address)
        self.channels.append(channel)
        return channel

    def remote_token_verifier(self) -> TokenVerifier:
        """Verifies access tokens with the keys identity publishes (GetJwks over gRPC),
        confirms act-as tokens with identity on every use and refuses revoked ones."""
        return remote_token_verifier(
            self.channel(self.settings.identity_address),
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            timeout=self.settings.rpc_timeout_seconds,
            revocations=self.revocations,
        )


@dataclass
class ServiceParts:
    """What a service's bootstrap builds for the runtime to run."""

    #: (full gRPC service name, function registering the servicer on a server).
    servicers: Sequence[tuple[str, Callable[[grpc.aio.Server], None]]]
    uow_factory: Callable[[], UnitOfWork] | None = None
    consumers: Sequence[EventConsumer[Any, Any]] = ()
    workers: Sequence[BackgroundLoop] = ()
    #: Does this service publish events (and so own a stream)?
    publishes_events: bool = True


Bootstrap = Callable[[Infrastructure], Awaitable[ServiceParts]]


async def serve(settings: ServiceSettings, bootstrap: Bootstrap, *, stop: asyncio.Event | None = None) -> None:
    """Runs the service until SIGTERM/SIGINT (or until ``stop`` is set)."""
    stop = stop or _stop_on_signals()
    name = settings.service_name
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    nats_client = await connect(settings.nats_url, name=name)
    js = nats_client.jetstream()
    relay = OutboxRelay(session_factory, js).background_loop()
    revocations = RevocationList(keep_for=timedelta(seconds=settings.revocation_lookback_seconds))
    infra = Infrastructure(settings, engine, session_factory, nats_client, js, relay, revocations=revocations)
    parts = await bootstrap(infra)
    if parts.publishes_events:
        await ensure_stream(
            js, name, replicas=settings.stream_replicas, max_age_seconds=settings.stream_max_age_seconds
        )

    health_servicer = health.aio.HealthServicer()
    server, port = create_server(
        settings.grpc_address,
        service_names=[service for service, _ in parts.servicers],
        health_servicer=health_servicer,
    )
    for _, register in parts.servicers:
        register(server)
    await server.start()

    pruner = RetentionPruner(
        session_factory,
        outbox_retention=timedelta(seconds=settings.outbox_retention_seconds),
        inbox_retention=timedelta(seconds=settings.inbox_retention_seconds),
    ).background_loop()
    revocation_feed = RevocationFeed(
        js,
        revocations,
        lookback=timedelta(seconds=settings.revocation_lookback_seconds),
        stream_replicas=settings.stream_replicas,
        stream_max_age_seconds=settings.stream_max_age_seconds,
    ).background_loop()
    workers = [relay, pruner, revocation_feed, *parts.workers]
    worker_tasks = [asyncio.create_task(worker.run(), name=worker.name) for worker in workers]
    # A token revoked while this process was down must not work here once it serves.
    if not await wait_until_caught_up(revocations, timeout=settings.revocation_catch_up_seconds):
        log.warning("revocations_not_caught_up", waited_seconds=settings.revocation_catch_up_seconds)
    runner: ConsumerRunner[Any] | None = None
    if parts.consumers:
        assert parts.uow_factory is not None, "consumers need a unit of work"
        runner = ConsumerRunner(
            js,
            parts.uow_factory,
            parts.consumers,
            max_deliver=settings.consumer_max_deliveries,
            ack_wait_seconds=settings.consumer_ack_wait_seconds,
            stream_replicas=settings.stream_replicas,
            stream_max_age_seconds=settings.stream_max_age_seconds,
        )
        await runner.start()

    for service, _ in parts.servicers:
        await health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    log.info("service_started", grpc_port=port, consumers=len(parts.consumers))

    await stop.wait()
    log.info("service_stopping")
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace=5.0)
    if runner is not None:
        await runner.stop()
    for worker in workers:
        worker.stop()
    await asyncio.gather(*worker_tasks, return_exceptions=True)
    for channel in infra.channels:
        await channel.close()
    await nats_client.drain()
    await engine.dispose()
    log.info("service_stopped")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def check_health(address: str, *, timeout: float = 3.0) -> bool:
    """True when the gRPC server at ``address`` reports SERVING."""
    host, _, port = address.rpartition(":")
    if host in ("0.0.0.0", "[::]", ""):
        host = "127.0.0.1"
    async with grpc.aio.insecure_channel(f"{host}:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.aio.AioRpcError:
            return False
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


SeedDemo = Callable[[ServiceSettings], Coroutine[Any, Any, None]]


def service_main(
    settings_type: type[ServiceSettings],
    bootstrap: Bootstrap,
    *,
    package: str,
    seed_demo: SeedDemo | None = None,
    argv: Sequence[str] | None = None,
) -> int:
    """The command line of every service: ``serve [--migrate]``, ``migrate``, ``healthcheck``
    and, where the service has demo data, ``seed-demo`` (development only)."""
    parser = argparse.ArgumentParser(prog=f"zorgpost-{package}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the service until SIGTERM/SIGINT")
    serve_parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("healthcheck", help="exit 0 when the running service reports SERVING")
    if seed_demo is not None:
        commands.add_parser("seed-demo", help="load demo data (development only, idempotent)")
    args = parser.parse_args(argv)

    die_with_parent()
    settings = settings_type()  # type: ignore[call-arg]  # values come from the environment
    configure_logging(package, level=settings.log_level, json=settings.log_json)
    if args.command == "healthcheck":
        return 0 if asyncio.run(check_health(settings.grpc_address)) else 1
    if args.command == "migrate" or (args.command == "serve" and args.migrate):
        upgrade_to_head(package, settings.database_url)
        log.info("migrations_applied")
    if args.command == "seed-demo":
        assert seed_demo is not None
        if settings.environment is not Environment.DEVELOPMENT:
            print("seed-demo runs in development only", file=sys.stderr)
            return 2
        asyncio.run(seed_demo(settings))
    if args.command == "serve":
        asyncio.run(serve(settings, bootstrap))
    return 0
