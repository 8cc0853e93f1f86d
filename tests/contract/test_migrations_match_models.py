"""Every service's migrations build exactly the tables its code declares (columns, types,
server defaults, indexes; the kit's outbox and inbox included), and undo cleanly."""

from __future__ import annotations

import importlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from zorgpost_devstack.infra import SERVICES_WITH_DATABASE
from zorgpost_kit.db import kit_metadata
from zorgpost_kit.migrations import _not_a_kit_table, alembic_config, upgrade_to_head


def _in_thread(function: Any, *args: Any) -> Any:
    # Alembic's env runs its own event loop; keep it off the test's loop.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args).result()


async def _inspect(url: str, check: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(check)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASE)
async def test_migrations_match_the_models_and_downgrade_to_nothing(infra, service: str) -> None:  # type: ignore[no-untyped-def]
    url = infra.create_database(f"m{uuid.uuid4().hex[:10]}_{service}")
    metadata: MetaData = importlib.import_module(f"{service}.adapters.orm").metadata

    _in_thread(upgrade_to_head, service, url)

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": _not_a_kit_table, "compare_type": True, "compare_server_default": True},
        )
        return list(compare_metadata(context, metadata))

    def kit_differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda obj, name, type_, *_: type_ != "table" or name in kit_metadata.tables,
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        return list(compare_metadata(context, kit_metadata))

    assert await _inspect(url, differences) == []
    assert await _inspect(url, kit_differences) == []

    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    assert set(kit_metadata.tables) <= await _inspect(url, tables)

    _in_thread(command.downgrade, alembic_config(service, url), "base")
    assert await _inspect(url, tables) == {"alembic_version"}
    _in_thread(upgrade_to_head, service, url)
    assert set(metadata.tables) <= await _inspect(url, tables)


async def test_migrate_adds_the_indexes_the_kit_gained_after_a_services_first_migration(infra) -> None:  # type: ignore[no-untyped-def]
    url = infra.create_database(f"m{uuid.uuid4().hex[:10]}_contacts")
    _in_thread(upgrade_to_head, "contacts", url)
    kit_indexes = {index.name for table in kit_metadata.tables.values() for index in table.indexes}
    # A database whose kit tables were created before the retention indexes existed.
    retention_indexes = {"ix_outbox_events_published", "ix_inbox_events_processed_at"}
    assert retention_indexes <= kit_indexes

    async def drop(connection: Any) -> None:
        for name in retention_indexes:
            await connection.execute(text(f"DROP INDEX {name}"))

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await drop(connection)
    finally:
        await engine.dispose()

    def indexes(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        return {index["name"] for table in kit_metadata.tables for index in inspector.get_indexes(table)}

    assert not retention_indexes & await _inspect(url, indexes)
    _in_thread(upgrade_to_head, "contacts", url)
    assert kit_indexes <= await _inspect(url, indexes)


async def test_messaging_keys_earlier_feed_rows_of_cases_and_tickets_by_kind_and_back(infra) -> None:  # type: ignore[no-untyped-def]
    """Feed rows written before the keys carried the kind would still reach every staff
    member of the organisation: migrating keys them by kind, and undoing it restores them."""
    url = infra.create_database(f"m{uuid.uuid4().hex[:10]}_messaging")
    config = alembic_config("messaging", url)
    _in_thread(command.upgrade, config, "0004")
    department, organisation, handler = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    case, ticket, mail = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    before = [
        (case, f"organisation:{department}"),
        (case, f"organisation:{organisation}"),
        (case, f"staff:{department}:{handler}"),
        (case, f"account:{handler}"),
        (ticket, f"organisation:{department}"),
        (ticket, f"staff:{department}:{handler}"),
        (mail, f"organisation:{department}"),
        (mail, f"staff:{department}:{handler}"),
    ]

    async def seed(connection: Any) -> None:
        for thread_id, kind in ((case, "org_case"), (ticket, "helpdesk"), (mail, "secure_mail")):
            await connection.execute(
                text("INSERT INTO threads (id, kind, subject, created_at) VALUES (:id, :kind, 's', now())"),
                {"id": thread_id, "kind": kind},
            )
        for thread_id, reader in before:
            await connection.execute(
                text(
                    "INSERT INTO activity (reader, kind, thread_id, occurred_at)"
                    " VALUES (:reader, 'message.sent', :thread_id, now())"
                ),
                {"reader": reader, "thread_id": thread_id},
            )

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await seed(connection)
    finally:
        await engine.dispose()

    def readers(connection: Connection) -> list[tuple[str, str]]:
        rows = connection.execute(text("SELECT thread_id, reader FROM activity ORDER BY position"))
        return [(row[0], row[1]) for row in rows]

    _in_thread(command.upgrade, config, "0005")
    assert await _inspect(url, readers) == [
        (case, f"organisation:{department}:org_case"),
        (case, f"organisation:{organisation}:org_case"),
        (case, f"staff:{department}:{handler}:org_case"),
        (case, f"account:{handler}"),
        (ticket, f"organisation:{department}:helpdesk"),
        (ticket, f"staff:{department}:{handler}:helpdesk"),
        (mail, f"organisation:{department}"),
        (mail, f"staff:{department}:{handler}"),
    ]

    _in_thread(command.downgrade, config, "0004")
    assert await _inspect(url, readers) == before
    _in_thread(command.upgrade, config, "0005")
    assert (case, f"staff:{department}:{handler}:org_case") in await _inspect(url, readers)
