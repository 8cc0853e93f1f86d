"""Alembic, the same way in every service.

Each service keeps its migrations in ``src/<service>/migrations`` with a three-line
``env.py`` that calls :func:`run_env`. :func:`upgrade_to_head` is what ``<service> migrate``
runs; it holds a PostgreSQL advisory lock, so several replicas starting at once migrate one
after the other instead of racing.
"""

from __future__ import annotations

import asyncio
import zlib
from importlib.resources import files

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, inspect, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from zorgpost_kit.db import kit_metadata


def alembic_config(package: str, database_url: str) -> Config:
    """An Alembic config for the migrations folder of ``package`` (e.g. "identity")."""
    config = Config()
    config.set_main_option("script_location", str(files(package) / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(package: str, database_url: str) -> None:
    # "heads": independent branches of one service (two features migrating in parallel)
    # are all applied; a merge revision can join them later.
    command.upgrade(alembic_config(package, database_url), "heads")


def create_kit_tables(connection: Connection) -> None:
    """Creates the outbox and inbox tables; called from each service's first migration."""
    kit_metadata.create_all(connection)


def upgrade_kit_tables(connection: Connection) -> None:
    """Adds the indexes the kit's tables gained after a service's first migration created
    them (e.g. the retention pruner's). Runs at the end of every migration run, under its
    lock; idempotent, additive only (the kit never drops or changes a column this way)."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    for table in kit_metadata.sorted_tables:
        if table.name not in tables:
            continue
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(connection)


def drop_kit_tables(connection: Connection) -> None:
    kit_metadata.drop_all(connection)


def _not_a_kit_table(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate leaves the kit's tables alone: :func:`create_kit_tables` owns them."""
    return not (type_ == "table" and name in kit_metadata.tables)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online migrations only)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None, "sqlalchemy.url is set by alembic_config()"
    lock_id = zlib.crc32(context.config.get_main_option("script_location", "").encode())

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=_not_a_kit_table,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            # Held until the transaction ends: concurrent migrators queue here.
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
            context.run_migrations()
            upgrade_kit_tables(connection)

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
        finally:
            await engine.dispose()

    asyncio.run(run())
