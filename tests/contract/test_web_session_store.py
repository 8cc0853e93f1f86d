"""The web front end's session table on a real PostgreSQL: its migration builds exactly
what the code declares and undoes cleanly; state is sealed at rest; a held session makes a
second holder wait (two replicas never rotate one refresh token twice)."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from web.adapters.crypto import StateCipher
from web.adapters.orm import metadata
from web.adapters.session_store import SqlSessionStore
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.migrations import alembic_config, upgrade_to_head


def _in_thread(function: Any, *args: Any) -> Any:
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args).result()


async def test_the_migration_matches_the_table_and_downgrades(infra) -> None:  # type: ignore[no-untyped-def]
    url = infra.create_database(f"w{uuid.uuid4().hex[:10]}_web")
    _in_thread(upgrade_to_head, "web", url)
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:

            def differences(sync: Connection) -> list[Any]:
                return list(compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata))

            assert await connection.run_sync(differences) == []
        _in_thread(command.downgrade, alembic_config("web", url), "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(lambda sync: set(inspect(sync).get_table_names())) == {"alembic_version"}
    finally:
        await engine.dispose()


async def test_sessions_are_sealed_expire_and_are_held_one_at_a_time(infra) -> None:  # type: ignore[no-untyped-def]
    url = infra.create_database(f"w{uuid.uuid4().hex[:10]}_web")
    _in_thread(upgrade_to_head, "web", url)
    engine = create_engine(url, pool_size=4)
    store = SqlSessionStore(create_session_factory(engine), StateCipher("secret"))
    now = datetime.now(UTC)
    try:
        await store.save("s1", {"tokens": {"refresh_token": "refresh-secret"}}, now + timedelta(hours=1))
        await store.save("old", {"x": 1}, now - timedelta(seconds=1))
        assert await store.load("s1", now) == {"tokens": {"refresh_token": "refresh-secret"}}
        assert await store.load("old", now) is None
        async with engine.connect() as connection:
            raw = (await connection.execute(text("SELECT state FROM browser_sessions WHERE id = 's1'"))).scalar_one()
        assert b"refresh-secret" not in raw, "tokens are sealed at rest"
        assert await SqlSessionStore(create_session_factory(engine), StateCipher("other")).load("s1", now) is None

        order: list[str] = []

        async def hold(name: str, pause: float) -> None:
            async with store.locked("s1", now + timedelta(hours=1)) as held:
                order.append(f"{name} in")
                await asyncio.sleep(pause)
                held.replacement = {"holder": name}
                order.append(f"{name} out")

        first = asyncio.create_task(hold("first", 0.5))
        while not order:
            await asyncio.sleep(0.01)
        await hold("second", 0)
        await first
        assert order == ["first in", "first out", "second in", "second out"]
        assert await store.load("s1", now) == {"holder": "second"}

        assert await store.delete_expired(now) == 1
        await store.delete("s1")
        assert await store.load("s1", now) is None
    finally:
        await engine.dispose()
