"""Where PostgreSQL and NATS come from: embedded binaries (no Docker) or testcontainers.

Both give the same thing, an :class:`Infrastructure`: a URL per database and the NATS URL.
``make run`` uses the embedded kind with fixed ports and data under ``.data/``; the tests pick
with ``ZORGPOST_TEST_INFRA=embedded|containers`` (default: containers when a Docker engine
answers, else embedded).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import asyncpg

from zorgpost_devstack.nats_server import NatsServer
from zorgpost_devstack.postgres import PostgresServer, free_port

SERVICES_WITH_DATABASE = ("identity", "messaging", "contacts", "notifications", "portal")


class Broker(Protocol):
    """One NATS server (JetStream) and how to stop it."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


class Infrastructure(Protocol):
    @property
    def nats_url(self) -> str: ...

    def start_nats(self, data_dir: Path) -> Broker:
        """A NATS server of its own for one stack. Streams and durable consumers are named
        by service, so two stacks on one server would take each other's events (and a
        stack would be handed the events an earlier one left unconsumed)."""
        ...

    def create_database(self, name: str) -> str:
        """Creates database ``name`` (if missing) and returns its SQLAlchemy async URL."""
        ...

    def stop(self) -> None: ...


class EmbeddedInfrastructure:
    """PostgreSQL and NATS as child processes, data under ``data_dir``."""

    def __init__(self, data_dir: Path, *, postgres_port: int | None = None, nats_port: int | None = None) -> None:
        self.postgres = PostgresServer(data_dir / "postgres", postgres_port or free_port())
        self.nats = NatsServer(data_dir / "nats", nats_port or free_port())

    def start(self) -> EmbeddedInfrastructure:
        self.postgres.start()
        try:
            self.nats.start()
        except BaseException:
            self.postgres.stop()
            raise
        return self

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def start_nats(self, data_dir: Path) -> NatsServer:
        broker = NatsServer(data_dir, free_port())
        broker.start()
        return broker

    def create_database(self, name: str) -> str:
        self.postgres.create_database(name)
        return self.postgres.url(name)

    def stop(self) -> None:
        self.nats.stop()
        self.postgres.stop()


class ContainerInfrastructure:
    """PostgreSQL and NATS (JetStream) containers from testcontainers' modules."""

    def __init__(self) -> None:
        # Imported here: only this path needs Docker and the testcontainers package.
        from testcontainers.community.nats import NatsContainer
        from testcontainers.community.postgres import PostgresContainer

        self._postgres = PostgresContainer(
            "postgres:16-alpine", username="zorgpost", password="zorgpost", dbname="zorgpost", driver="asyncpg"
        )
        self._nats = NatsContainer("nats:2.10-alpine", jetstream=True)

    def start(self) -> ContainerInfrastructure:
        self._postgres.start()
        try:
            self._nats.start()
        except BaseException:
            self._postgres.stop()
            raise
        return self

    @property
    def nats_url(self) -> str:
        return str(self._nats.nats_uri())

    def start_nats(self, data_dir: Path) -> _NatsContainer:
        return _NatsContainer()

    def create_database(self, name: str) -> str:
        host = self._postgres.get_container_host_ip()
        port = int(self._postgres.get_exposed_port(5432))

        async def create() -> None:
            connection = await asyncpg.connect(
                host=host, port=port, user="zorgpost", password="zorgpost", database="zorgpost"
            )
            try:
                if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None:
                    await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        # In a thread of its own: callers may already be inside an event loop (async tests).
        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(asyncio.run, create()).result()
        return f"postgresql+asyncpg://zorgpost:zorgpost@{host}:{port}/{name}"

    def stop(self) -> None:
        self._nats.stop()
        self._postgres.stop()


class _NatsContainer:
    """A NATS (JetStream) container of one stack's own."""

    def __init__(self) -> None:
        from testcontainers.community.nats import NatsContainer

        self._container = NatsContainer("nats:2.10-alpine", jetstream=True)
        self._container.start()

    @property
    def url(self) -> str:
        return str(self._container.nats_uri())

    def stop(self) -> None:
        self._container.stop()


def docker_available() -> bool:
    """True when a Docker engine answers (not merely when the client is installed)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means: no engine to use
        return False


def start_test_infrastructure(tmp_dir: Path) -> EmbeddedInfrastructure | ContainerInfrastructure:
    """The infrastructure the test suite runs on (see the module docstring)."""
    choice = os.environ.get("ZORGPOST_TEST_INFRA") or ("containers" if docker_available() else "embedded")
    if choice == "containers":
        return ContainerInfrastructure().start()
    if choice == "embedded":
        return EmbeddedInfrastructure(tmp_dir / f"infra-{uuid.uuid4().hex[:8]}").start()
    raise ValueError(f"ZORGPOST_TEST_INFRA must be 'embedded' or 'containers', not {choice!r}")
