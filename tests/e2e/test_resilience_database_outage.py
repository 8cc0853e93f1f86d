"""PostgreSQL stops for a few seconds while secure mails are being sent: every request is
either sent (201) or refused as a passing outage (503 with Retry-After), never a 500, and
sending works again by itself once the database is back.

The test stops a PostgreSQL server of its own (the session's is shared by every test)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from support import login, onboard_staff_member, wait_until

from zorgpost_devstack.infra import Broker, ContainerInfrastructure, EmbeddedInfrastructure
from zorgpost_devstack.postgres import PostgresServer, free_port
from zorgpost_devstack.stack import Stack, StackConfig

pytestmark = pytest.mark.slow

#: How long the database stays down.
OUTAGE_SECONDS = 4.0
#: Requests in flight at any moment.
SENDERS = 3


class _OwnPostgres:
    """A PostgreSQL server of this test's own, which it may stop (NATS as every stack's)."""

    def __init__(self, infra: EmbeddedInfrastructure | ContainerInfrastructure, data_dir: Path) -> None:
        self._infra = infra
        self.postgres = PostgresServer(data_dir, free_port())

    @property
    def nats_url(self) -> str:
        return self._infra.nats_url

    def start_nats(self, data_dir: Path) -> Broker:
        return self._infra.start_nats(data_dir)

    def create_database(self, name: str) -> str:
        self.postgres.create_database(name)
        return self.postgres.url(name)

    def stop(self) -> None:
        self.postgres.stop()


@dataclass
class _Answers:
    """Every answer of the stream, in order: (status, Retry-After header, body)."""

    seen: list[tuple[int, str | None, str]] = field(default_factory=list)

    def created(self) -> int:
        return sum(1 for status, _, _ in self.seen if status == 201)


async def _send_until(stop: asyncio.Event, api: httpx.AsyncClient, token: str, answers: _Answers) -> None:
    while not stop.is_set():
        response = await api.post(
            "/api/v1/secure-mails",
            json={
                "recipient_email": f"storing-{uuid.uuid4().hex[:8]}@example.org",
                "subject": "Uw aanvraag",
                "body": "Vertrouwelijke inhoud",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        answers.seen.append((response.status_code, response.headers.get("Retry-After"), response.text[:300]))


async def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    async def holds() -> bool:
        return condition()

    await wait_until(holds, within=timeout, what=what)


async def test_sends_during_a_database_outage_get_503_with_retry_after_never_500(infra, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    own = _OwnPostgres(infra, tmp_path / "postgres")
    await asyncio.to_thread(own.postgres.start)
    stack = Stack(
        own, StackConfig(data_dir=tmp_path / "stack", database_prefix=f"d{uuid.uuid4().hex[:8]}_", own_nats=True)
    )
    try:
        await asyncio.to_thread(stack.up)
        staff = await onboard_staff_member(stack)
        answers = _Answers()
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
            token = await login(api, staff.email)
            senders = [asyncio.create_task(_send_until(stop, api, token, answers)) for _ in range(SENDERS)]
            try:
                await _until(lambda: answers.created() >= 5, 60.0, "sending before the outage")
                before = len(answers.seen)
                await asyncio.to_thread(own.postgres.stop)
                await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for something
                await asyncio.to_thread(own.postgres.start)
                during = len(answers.seen)
                created_back = answers.created()
                await _until(lambda: answers.created() >= created_back + 5, 60.0, "sending after the outage")
            finally:
                stop.set()
                await asyncio.gather(*senders)

        statuses = [status for status, _, _ in answers.seen]
        unexpected = [answer for answer in answers.seen if answer[0] not in (201, 503)]
        assert unexpected == [], unexpected[:3]
        refused = [answer for answer in answers.seen[before:] if answer[0] == 503]
        assert refused, f"no request met the outage ({during - before} sent during it)"
        assert all(retry_after is not None and int(retry_after) >= 1 for _, retry_after, _ in refused)
        assert statuses[-1] == 201
        # Every process lived through it.
        assert all(process.poll() is None for process in stack.processes.values())
    finally:
        await asyncio.to_thread(stack.close)
        await asyncio.to_thread(own.stop)
