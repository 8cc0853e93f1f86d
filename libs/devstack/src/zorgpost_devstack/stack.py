"""Runs the Zorgpost processes (outbox, five services, gateway, web) on given infrastructure.

The same supervisor serves ``make run`` and the tests: the tests start, kill and restart
single processes through it, exactly as an operator's crash would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from zorgpost_devstack.infra import SERVICES_WITH_DATABASE, Broker, Infrastructure
from zorgpost_devstack.postgres import free_port

GATEWAY = "gateway"
OUTBOX = "outbox"
#: The web front end: a client of the gateway's HTTP API, with a database of its own
#: (browser sessions) but no gRPC and no events.
WEB = "web"


@dataclass
class StackConfig:
    """Ports and places. ``None`` ports are picked free at start (tests)."""

    data_dir: Path
    host: str = "127.0.0.1"
    gateway_port: int | None = None
    web_port: int | None = None
    outbox_smtp_port: int | None = None
    outbox_http_port: int | None = None
    grpc_ports: dict[str, int | None] = field(default_factory=dict)
    #: Database name per service; the default is ``zorgpost_<service>``.
    database_prefix: str = "zorgpost_"
    environment: str = "development"
    log_level: str = "INFO"
    #: Extra settings per service, e.g. {"notifications": {"SMTP_PORT": "2525"}}.
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    #: A NATS server of the stack's own (tests: several stacks share one infrastructure)
    #: instead of the infrastructure's (``make run``).
    own_nats: bool = False

    def resolve_ports(self) -> None:
        self.gateway_port = self.gateway_port or free_port()
        self.web_port = self.web_port or free_port()
        self.outbox_smtp_port = self.outbox_smtp_port or free_port()
        self.outbox_http_port = self.outbox_http_port or free_port()
        for service in SERVICES_WITH_DATABASE:
            self.grpc_ports[service] = self.grpc_ports.get(service) or free_port()

#: Tells a child to end itself when the supervisor dies (see zorgpost_kit.process).
DIE_WITH_PARENT_ENV = "ZORGPOST_DIE_WITH_PARENT"


class Stack:
    def __init__(self, infra: Infrastructure, config: StackConfig) -> None:
        config.resolve_ports()
        self.infra = infra
        self.config = config
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_dir = config.data_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.database_urls = {
            service: infra.create_database(f"{config.database_prefix}{service}")
            for service in (*SERVICES_WITH_DATABASE, WEB)
        }
        self.broker: Broker | None = infra.start_nats(config.data_dir / "nats") if config.own_nats else None

    # ------------------------------------------------------------------ addresses
    @property
    def nats_url(self) -> str:
        return self.broker.url if self.broker is not None else self.infra.nats_url

    @property
    def gateway_url(self) -> str:
        return f"http://{self.config.host}:{self.config.gateway_port}"

    @property
    def web_url(self) -> str:
        """Where people open Zorgpost; every link in a notice points here."""
        return f"http://{self.config.host}:{self.config.web_port}"

    @property
    def outbox_url(self) -> str:
        return f"http://{self.config.host}:{self.config.outbox_http_port}"

    def grpc_address(self, service: str) -> str:
        return f"{self.config.host}:{self.config.grpc_ports[service]}"

    # ------------------------------------------------------------------ environment
    def env_for(self, service: str) -> dict[str, str]:
        """The settings of one process, as its environment variables."""
        prefix = f"ZORGPOST_{service.upper()}_"
        values: dict[str, str] = {"ENVIRONMENT": self.config.environment, "LOG_LEVEL": self.config.log_level}
        if service == GATEWAY:
            values.update(HTTP_HOST=self.config.host, HTTP_PORT=str(self.config.gateway_port))
            for other in SERVICES_WITH_DATABASE:
                values[f"{other.upper()}_ADDRESS"] = self.grpc_address(other)
        elif service == WEB:
            values.update(
                HTTP_HOST=self.config.host,
                HTTP_PORT=str(self.config.web_port),
                GATEWAY_URL=self.gateway_url,
                DATABASE_URL=self.database_urls[WEB],
                PUBLIC_URL=self.web_url,
            )
        else:
            values.update(
                DATABASE_URL=self.database_urls[service],
                NATS_URL=self.nats_url,
                GRPC_ADDRESS=self.grpc_address(service),
                IDENTITY_ADDRESS=self.grpc_address("identity"),
            )
        if service == "identity":
            # Invitations go into messaging's conversations; secure-mail access resolves its read links.
            values.update(MESSAGING_ADDRESS=self.grpc_address("messaging"))
        if service == "messaging":
            # Attachments (filesystem blob store) live beside the stack's other data.
            values.update(DATA_DIR=str(self.config.data_dir / "messaging"))
            # The e-counter asks contacts for a theme and its contact persons.
            values.update(CONTACTS_ADDRESS=self.grpc_address("contacts"))
        if service == "notifications":
            values.update(
                SMTP_HOST=self.config.host,
                SMTP_PORT=str(self.config.outbox_smtp_port),
                SMS_OUTBOX_URL=f"{self.outbox_url}/api/sms",
                PUBLIC_URL=self.web_url,
            )
        values.update(self.config.extra_env.get(service, {}))
        env = {key: value for key, value in os.environ.items() if not key.startswith("ZORGPOST_")}
        env.update({prefix + key: value for key, value in values.items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    # ------------------------------------------------------------------ commands
    def _command(self, service: str, *args: str) -> list[str]:
        return [sys.executable, "-m", service, *args]

    def run_command(self, service: str, *args: str, timeout: float = 120.0) -> None:
        """Runs a one-off command of a service (migrate, seed-demo) and waits for it."""
        log = self.log_dir / f"{service}-{args[0]}.log"
        with log.open("ab") as out:
            result = subprocess.run(
                self._command(service, *args),
                env=self.env_for(service),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"{service} {' '.join(args)} failed (exit {result.returncode}); see {log}")

    def migrate(self, services: Iterable[str] = (*SERVICES_WITH_DATABASE, WEB)) -> None:
        """Applies every service's migrations, in parallel (they are separate databases)."""
        with ThreadPoolExecutor(max_workers=6) as pool:
            for future in [pool.submit(self.run_command, service, "migrate") for service in services]:
                future.result()

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Starts one long-running process: a service, the gateway, the web front end or the outbox."""
        if name in self.processes and self.processes[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        if name == OUTBOX:
            command = [
                sys.executable,
                "-m",
                "zorgpost_devstack.outbox",
                "--smtp-host",
                self.config.host,
                "--smtp-port",
                str(self.config.outbox_smtp_port),
                "--http-host",
                self.config.host,
                "--http-port",
                str(self.config.outbox_http_port),
                "--data-dir",
                str(self.config.data_dir / "outbox"),
            ]
            env = dict(os.environ)
        else:
            command = self._command(name, "serve")
            env = self.env_for(name)
        out = (self.log_dir / f"{name}.log").open("ab")
        # No preexec_fn: Python code between fork and exec can deadlock or abort in a parent
        # that runs gRPC threads (the tests). A new session keeps Ctrl-C for the launcher,
        # which stops the children in order; the children end themselves if it dies.
        env[DIE_WITH_PARENT_ENV] = str(os.getpid())
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        self.processes[name] = process
        return process

    def stop(self, name: str, *, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait: the process drains (in-flight calls, consumers, outbox)."""
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return process.returncode if process else None
        process.terminate()
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL: a crash, with no chance to clean up."""
        process = self.processes.get(name)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def start_all(self) -> None:
        self.start(OUTBOX)
        for service in SERVICES_WITH_DATABASE:
            self.start(service)
        self.start(GATEWAY)
        self.start(WEB)

    def up(self, timeout: float = 120.0) -> Stack:
        """Migrates, starts everything and waits until the gateway is ready."""
        self.migrate()
        self.start_all()
        self.wait_ready(timeout)
        return self

    def stop_all(self) -> None:
        """The web front end and the gateway first (no new requests), then the services
        together, then the outbox."""
        self.stop(WEB)
        self.stop(GATEWAY)
        with ThreadPoolExecutor(max_workers=5) as pool:
            list(pool.map(self.stop, [s for s in SERVICES_WITH_DATABASE if s in self.processes]))
        self.stop(OUTBOX)

    def close(self) -> None:
        """Stops every process (killing what does not stop) and the stack's own NATS, also
        when stopping a process fails."""
        try:
            self.stop_all()
        finally:
            for name in list(self.processes):
                self.kill(name)
            if self.broker is not None:
                self.broker.stop()

    # ------------------------------------------------------------------ readiness
    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until the gateway's /readyz is 200 (every service SERVING), and the web front end
        and the outbox answer."""
        deadline = time.monotonic() + timeout
        last = ""
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                self._raise_if_exited()
                try:
                    ready = client.get(f"{self.gateway_url}/readyz")
                    outbox = client.get(f"{self.outbox_url}/healthz") if OUTBOX in self.processes else None
                    web = client.get(f"{self.web_url}/healthz") if WEB in self.processes else None
                    if (
                        ready.status_code == 200
                        and (outbox is None or outbox.status_code == 200)
                        and (web is None or web.status_code == 200)
                    ):
                        return
                    last = ready.text
                except httpx.HTTPError as error:
                    last = type(error).__name__
                time.sleep(0.2)
        raise TimeoutError(f"the stack was not ready within {timeout:.0f} s (last: {last}); logs in {self.log_dir}")

    def wait_serving(self, service: str, timeout: float = 60.0) -> None:
        """Until one service's gRPC health check says SERVING."""
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.grpc_address(service)) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                self._raise_if_exited()
                try:
                    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
                    if response.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.2)
        raise TimeoutError(f"{service} was not SERVING within {timeout:.0f} s; see {self.log_dir / (service + '.log')}")

    def _raise_if_exited(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir / (name + '.log')}")
