"""The operator's commands: ``zorgpost-notifications deliveries list-failed | redrive``.

They work on the database directly (no running service needed); a running service picks
re-driven deliveries up within a second. Output shows masked recipients and failure
reasons only, never a notice's parameters (they may hold codes or tokens).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import TextIO

from notifications.adapters.unit_of_work import SqlNotificationsUnitOfWork
from notifications.config import Settings
from notifications.domain.model import Delivery, mask_recipient
from notifications.service.deliveries import do_redrive, do_redrive_all, list_failed
from notifications.service.ports import UnitOfWorkFactory
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.errors import DomainError
from zorgpost_kit.events import EventCodec

COMMAND = "deliveries"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"zorgpost-notifications {COMMAND}")
    commands = parser.add_subparsers(dest="action", required=True)
    listing = commands.add_parser("list-failed", help="list dead letters (failed deliveries), oldest first")
    listing.add_argument("--limit", type=int, default=100)
    redrive = commands.add_parser("redrive", help="queue failed deliveries again with fresh attempts")
    which = redrive.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", dest="delivery_id", help="one delivery")
    which.add_argument("--all", action="store_true", help="every failed delivery that can still be sent")
    return parser


def _line(delivery: Delivery) -> str:
    return "\t".join(
        [
            delivery.id,
            delivery.created_at.isoformat(timespec="seconds"),
            delivery.template,
            delivery.channel,
            mask_recipient(delivery.recipient) or "-",
            f"attempts={delivery.attempts}",
            delivery.failure_reason,
        ]
    )


async def run(
    args: argparse.Namespace, uow_factory: UnitOfWorkFactory, out: TextIO, err: TextIO
) -> int:
    """Runs one parsed ``deliveries`` command; returns the exit status (0 ok, 1 refused)."""
    if args.action == "list-failed":
        failed = await list_failed(uow_factory, limit=args.limit)
        for delivery in failed:
            print(_line(delivery), file=out)
        print(f"{len(failed)} failed deliveries", file=err)
        return 0
    if args.all:
        redriven, left = await do_redrive_all(uow_factory)
        for delivery in redriven:
            print(f"requeued\t{_line(delivery)}", file=out)
        for delivery in left:
            print(f"left\t{_line(delivery)}\t(no address or expired)", file=out)
        print(f"{len(redriven)} requeued, {len(left)} left as failed", file=err)
        return 0
    try:
        delivery = await do_redrive(uow_factory, args.delivery_id)
    except DomainError as error:
        print(f"not requeued: {error.message}", file=err)
        return 1
    print(f"requeued\t{_line(delivery)}", file=out)
    return 0


def main(argv: Sequence[str], settings: Settings, out: TextIO, err: TextIO) -> int:
    # Parsed before connecting: --help and usage errors need no database.
    args = _parser().parse_args(argv)

    async def with_database() -> int:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            session_factory = create_session_factory(engine)
            return await run(args, lambda: SqlNotificationsUnitOfWork(session_factory, EventCodec()), out, err)
        finally:
            await engine.dispose()

    return asyncio.run(with_database())
