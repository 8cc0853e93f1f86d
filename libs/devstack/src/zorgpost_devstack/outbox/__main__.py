"""Command line: `python -m zorgpost_devstack.outbox` / `zorgpost-outbox`.

Runs until SIGINT or SIGTERM, then stops both servers and exits with status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from zorgpost_kit.process import die_with_parent

from .server import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_HTTP_PORT,
    DEFAULT_SMTP_PORT,
    DevOutbox,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zorgpost-outbox",
        description="Development outbox: keeps every mail and SMS Zorgpost sends.",
    )
    parser.add_argument("--smtp-host", default=DEFAULT_HOST)
    parser.add_argument("--smtp-port", type=int, default=DEFAULT_SMTP_PORT, help="0: any free port")
    parser.add_argument("--http-host", default=DEFAULT_HOST)
    parser.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT, help="0: any free port")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    return parser


async def _run(outbox: DevOutbox) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Installed before start-up so a signal during start-up still leads to a clean stop.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    async with outbox:
        print(
            f"Zorgpost ontwikkel-outbox: SMTP op {outbox.smtp_host}:{outbox.smtp_port},"
            f" web en API op {outbox.http_url} (gegevens in {outbox.data_dir})",
            flush=True,
        )
        await stopping.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the outbox until SIGINT/SIGTERM; returns the process exit status."""
    die_with_parent()
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Keep the console to the start line and one line per stored message.
    for noisy in ("uvicorn", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    outbox = DevOutbox(
        args.data_dir,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        http_host=args.http_host,
        http_port=args.http_port,
    )
    try:
        asyncio.run(_run(outbox))
    except OSError as error:  # e.g. port 1025 or 8025 already taken
        print(f"zorgpost-outbox: kan niet starten: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
