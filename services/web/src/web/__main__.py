"""``zorgpost-web serve [--migrate] | migrate | healthcheck``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from web.bootstrap import create_app
from web.config import Settings
from zorgpost_kit.http_process import exit_with_health, serve_http
from zorgpost_kit.logging import configure_logging
from zorgpost_kit.migrations import upgrade_to_head
from zorgpost_kit.process import die_with_parent


def main(argv: Sequence[str] | None = None) -> None:
    die_with_parent()
    parser = argparse.ArgumentParser(prog="zorgpost-web")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the web front end until SIGTERM/SIGINT")
    serve.add_argument("--migrate", action="store_true", help="apply the session table's migrations first")
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("healthcheck", help="exit 0 when GET /healthz answers 200")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("web", level=settings.log_level, json=settings.log_json)
    if args.command == "healthcheck":
        exit_with_health(settings.http_host, settings.http_port)
    if args.command == "migrate" or getattr(args, "migrate", False):
        upgrade_to_head("web", settings.database_url)
        if args.command == "migrate":
            return
    serve_http(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


if __name__ == "__main__":
    main()
