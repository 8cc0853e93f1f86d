"""``make run``: the whole of Zorgpost on this machine, with no Docker.

Starts a real PostgreSQL (one database per service) and NATS with JetStream, the
development outbox, the five services, the gateway and the web front end; applies
migrations; loads the demo data (idempotent); prints where everything is. Ctrl-C (or
SIGTERM) stops the web front end and the gateway, then
the services (each drains its consumers and outbox), then the outbox, NATS and PostgreSQL.
Data stays under ``.data/`` between runs.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from zorgpost_devstack.infra import EmbeddedInfrastructure
from zorgpost_devstack.stack import Stack, StackConfig

DEMO_LOGINS = [
    ("Gemeente Vlaardingen (medewerker)", "medewerker@vlaardingen.example", "ZorgpostDemo!2026"),
    ("Huisartsenpraktijk De Linde (medewerker)", "medewerker@delinde.example", "ZorgpostDemo!2026"),
    ("Patiënt De Linde (sms-code)", "patient@delinde.example", "ZorgpostDemo!2026"),
    ("Kind & meer (medewerker)", "medewerker@kindenmeer.example", "ZorgpostDemo!2026"),
    ("Ouder bij Kind & meer", "ouder@kindenmeer.example", "ZorgpostDemo!2026"),
    ("Jongere (13) bij Kind & meer", "jongere@kindenmeer.example", "ZorgpostDemo!2026"),
]


class _Stop(Exception):
    pass


def _raise_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def load_config(path: Path) -> tuple[StackConfig, int, int]:
    with path.open("rb") as file:
        raw = tomllib.load(file)
    ports = raw.get("ports", {})
    config = StackConfig(
        data_dir=Path(raw.get("data_dir", ".data")).resolve(),
        gateway_port=ports.get("gateway", 8080),
        web_port=ports.get("web", 8000),
        outbox_http_port=ports.get("outbox_http", 8025),
        outbox_smtp_port=ports.get("outbox_smtp", 1025),
        grpc_ports=dict(raw.get("grpc_ports", {})),
    )
    return config, int(ports.get("postgres", 55432)), int(ports.get("nats", 4222))


def _ports_in_use(config: StackConfig, postgres_port: int, nats_port: int) -> list[int]:
    ports = [
        postgres_port,
        nats_port,
        config.gateway_port,
        config.web_port,
        config.outbox_http_port,
        config.outbox_smtp_port,
        *config.grpc_ports.values(),
    ]
    taken = []
    for port in ports:
        if port is None:
            continue
        with socket.socket() as probe:
            if probe.connect_ex((config.host, port)) == 0:
                taken.append(port)
    return taken


def run(config_path: Path) -> int:
    started = time.monotonic()
    config, postgres_port, nats_port = load_config(config_path)
    taken = _ports_in_use(config, postgres_port, nats_port)
    if taken:
        print(
            f"Poort(en) {', '.join(map(str, taken))} al in gebruik: draait Zorgpost al? "
            f"Stop het eerst, of kies andere poorten in {config_path}.",
            file=sys.stderr,
        )
        return 2
    # Both set explicitly: a launcher started in the background inherits an ignored SIGINT.
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    infra = EmbeddedInfrastructure(config.data_dir, postgres_port=postgres_port, nats_port=nats_port)
    stack: Stack | None = None
    try:
        print("Zorgpost start: PostgreSQL en NATS …", flush=True)
        infra.start()
        stack = Stack(infra, config)
        print("Migraties en demogegevens …", flush=True)
        stack.migrate()
        stack.run_command("identity", "seed-demo")
        stack.run_command("messaging", "seed-demo")
        stack.run_command("portal", "seed-demo")
        stack.run_command("contacts", "seed-demo")
        print("Diensten starten …", flush=True)
        stack.start_all()
        stack.wait_ready()
        _print_welcome(stack, time.monotonic() - started)
        while True:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} is gestopt (exit {process.returncode}); zie {stack.log_dir / (name + '.log')}")
                    return 1
            time.sleep(0.5)
    except _Stop:
        print("\nZorgpost stopt …", flush=True)
        return 0
    finally:
        # Ctrl-C again must not cut the orderly stop short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stack is not None:
            stack.stop_all()
        infra.stop()
        print("Gestopt.", flush=True)


def _print_welcome(stack: Stack, seconds: float) -> None:
    lines = [
        "",
        f"Zorgpost draait (klaar in {seconds:.1f} s). Stoppen: Ctrl-C.",
        "",
        f"  Zorgpost (web)        {stack.web_url}   <- open dit in uw browser",
        f"  API (gateway)         {stack.gateway_url}/api/v1   (OpenAPI: {stack.gateway_url}/openapi.json)",
        f"  Gereed?               {stack.gateway_url}/readyz",
        f"  Ontwikkel-outbox      {stack.outbox_url}   (alle mail en sms)",
        f"  SMTP van de outbox    {stack.config.host}:{stack.config.outbox_smtp_port}",
        f"  Logboeken             {stack.log_dir}",
        "",
        "  Demo-accounts:",
        *[f"    {who:<36} {user:<34} {password}" for who, user, password in DEMO_LOGINS],
        "",
    ]
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zorgpost-dev", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="start everything until Ctrl-C")
    run_parser.add_argument("--config", type=Path, default=Path("deploy/launcher.toml"))
    args = parser.parse_args(argv)
    sys.exit(run(args.config))


if __name__ == "__main__":
    main()
