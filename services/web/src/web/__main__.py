"""``zorgpost-web serve [--migrate] | migrate | healthcheck``."""

from __future__ import annotations

import argparse
import sys
import urllib.request
from collections.abc import Sequence

import uvicorn

from web.bootstrap import create_app
from web.config import Settings
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
        host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
        try:
            with urllib.request.urlopen(f"http://{host}:{settings.http_port}/healthz", timeout=3) as response:
                sys.exit(0 if response.status == 200 else 1)
        except OSError:
            sys.exit(1)
    if args.command == "migrate" or getattr(args, "migrate", False):
        upgrade_to_head("web", settings.database_url)
        if args.command == "migrate":
            return
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # Uvicorn's access log prints the raw path, the secrets of mailed links included; the
        # app logs every request itself without them (zorgpost_kit.access_log).
        access_log=False,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
