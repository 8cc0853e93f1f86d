"""``zorgpost-gateway serve|healthcheck``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from gateway.app import create_app
from gateway.config import Settings
from zorgpost_kit.http_process import exit_with_health, serve_http
from zorgpost_kit.logging import configure_logging
from zorgpost_kit.process import die_with_parent


def main(argv: Sequence[str] | None = None) -> None:
    die_with_parent()
    parser = argparse.ArgumentParser(prog="zorgpost-gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the public HTTP API until SIGTERM/SIGINT")
    commands.add_parser("healthcheck", help="exit 0 when GET /healthz answers 200")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("gateway", level=settings.log_level, json=settings.log_json)
    if args.command == "healthcheck":
        exit_with_health(settings.http_host, settings.http_port)
    serve_http(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


if __name__ == "__main__":
    main()
