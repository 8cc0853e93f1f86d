"""``make bench``: speed and memory of the secure-mail flow on this machine.

Starts its own stack (embedded PostgreSQL and NATS in a temporary folder, every service,
the gateway and the outbox), then measures:

* login latency through the gateway (argon2id at production parameters included);
* POST /api/v1/secure-mails latency, sequential and with concurrent senders, and throughput;
* end-to-end notice latency: from the POST to the mail being in the outbox;
* resident memory of every process after the load;
* list speed against size: a person's conversation list, a thread's messages and the
  organisation's shared inbox with 10 and with 10,000 entries (first page and a page deep
  in by keyset), which should answer alike.

* the e-counter's lists at 100,000 messages of one organisation (received first page, a page
  deep in by keyset, a theme's In/Out, a title filter) and the plan PostgreSQL chooses for
  the page query (``--only ecounter`` for that part alone; target: under 50 ms).

``--only lists`` runs just the list part.

Figures are printed as a table and written to ``.bench/results.json``. Nothing here is a
pass/fail test: targets are judged by reading the numbers (see the README); ``targets``
says for each whether this run met it. Timings belong here, never in a functional test
(a loaded machine would make that flaky).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from support import create_staff_member

from zorgpost_devstack.infra import EmbeddedInfrastructure
from zorgpost_devstack.stack import Stack, StackConfig

#: A notice is in the recipient's mailbox within this long after the secure mail was sent (p95).
NOTICE_TARGET_SECONDS = 5.0

LOGINS = 20
SEQUENTIAL_MAILS = 50
CONCURRENT_MAILS = 200
CONCURRENCY = 20


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def _measure(stack: Stack) -> dict[str, Any]:
    staff = await create_staff_member(stack)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
        # Logins go through the production hasher: the demo-style account below uses it.
        login_times = []
        for _ in range(LOGINS):
            started = time.perf_counter()
            response = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
            login_times.append(time.perf_counter() - started)
            assert response.status_code == 200
        results["login"] = _percentiles(login_times)
        token = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        async def send(recipient: str) -> float:
            started = time.perf_counter()
            reply = await api.post(
                "/api/v1/secure-mails",
                json={"recipient_email": recipient, "subject": "Bench", "body": "Inhoud"},
                headers=headers,
            )
            assert reply.status_code == 201, reply.text
            return time.perf_counter() - started

        tag = uuid.uuid4().hex[:6]
        sequential: list[float] = []
        end_to_end: list[float] = []
        async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=10.0) as outbox:
            for i in range(SEQUENTIAL_MAILS):
                recipient = f"seq-{tag}-{i}@bench.example"
                started = time.perf_counter()
                sequential.append(await send(recipient))
                while not (await outbox.get("/api/messages", params={"to": recipient})).json():
                    await asyncio.sleep(0.005)
                end_to_end.append(time.perf_counter() - started)
        results["post_secure_mail_sequential"] = _percentiles(sequential)
        results["notice_end_to_end"] = _percentiles(end_to_end)
        results["targets"] = {
            f"notice_end_to_end_p95_within_{NOTICE_TARGET_SECONDS:g}s": results["notice_end_to_end"]["p95_ms"]
            <= NOTICE_TARGET_SECONDS * 1000
        }

        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def limited(i: int) -> float:
            async with semaphore:
                return await send(f"par-{tag}-{i}@bench.example")

        started = time.perf_counter()
        concurrent = await asyncio.gather(*(limited(i) for i in range(CONCURRENT_MAILS)))
        elapsed = time.perf_counter() - started
        results["post_secure_mail_concurrent"] = {
            **_percentiles(list(concurrent)),
            "concurrency": CONCURRENCY,
            "throughput_per_s": round(CONCURRENT_MAILS / elapsed, 1),
        }
        # How long until the last of the burst's notices is in the outbox.
        async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=10.0) as outbox:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                count = sum(1 for m in (await outbox.get("/api/messages")).json() if f"par-{tag}-" in m["to"])
                if count >= CONCURRENT_MAILS:
                    break
                await asyncio.sleep(0.1)
        results["burst_all_notices_delivered_s"] = round(time.perf_counter() - started, 2)
    results["rss_mib"] = {name: _rss_mib(process.pid) for name, process in stack.processes.items()}
    return results


LIST_SIZES = (10, 10_000)
LIST_SAMPLES = 30


async def _bulk_conversations(stack: Stack, account_id: str, organisation_id: str, count: int) -> None:
    """``count`` conversations for one staff member, each with one message, and a shared-inbox
    row of their organisation on each (received), straight into messaging's tables."""
    connection = await asyncpg.connect(stack.database_urls["messaging"].replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            """
            WITH t AS (
                INSERT INTO threads (id, kind, subject, organisation_id, organisation_name, created_by, created_at,
                                     last_seq, last_activity_at)
                SELECT gen_random_uuid()::text, 'secure_mail', 'Bench ' || i, $2, 'Bench', $1,
                       now() - make_interval(secs => i), 1, now() - make_interval(secs => i)
                FROM generate_series(1, $3) AS i
                RETURNING id, created_at
            ), m AS (
                INSERT INTO messages (id, thread_id, seq, sender_participant_id, sender_kind, sender_name,
                                      sender_account_id, body, created_at)
                SELECT gen_random_uuid()::text, t.id, 1, 'bench', 'guest', 'Bench', NULL, 'bericht ' || t.id,
                       t.created_at
                FROM t
            ), o AS (
                INSERT INTO participants (id, thread_id, kind, organisation_id, display_name, joined_at,
                                          last_activity_at, last_received_at, unread_count)
                SELECT gen_random_uuid()::text, t.id, 'organisation', $2, 'Bench', t.created_at, t.created_at,
                       t.created_at, 1
                FROM t
            )
            INSERT INTO participants (id, thread_id, kind, account_id, organisation_id, display_name, joined_at,
                                      last_activity_at)
            SELECT gen_random_uuid()::text, t.id, 'account', $1, $2, 'Bench', t.created_at, t.created_at FROM t
            """,
            account_id,
            organisation_id,
            count,
        )
        await connection.execute(
            "UPDATE threads SET last_message_id = m.id FROM messages m WHERE m.thread_id = threads.id "
            "AND threads.created_by = $1",
            account_id,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _bulk_messages(stack: Stack, thread_id: str, count: int) -> None:
    connection = await asyncpg.connect(stack.database_urls["messaging"].replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            """
            INSERT INTO messages (id, thread_id, seq, sender_participant_id, sender_kind, sender_name, body, created_at)
            SELECT gen_random_uuid()::text, $1, i + 1, 'bench', 'guest', 'Bench', 'bericht ' || i,
                   now() - make_interval(secs => $2 - i)
            FROM generate_series(1, $2) AS i
            """,
            thread_id,
            count,
        )
        await connection.execute("UPDATE threads SET last_seq = $2 + 1 WHERE id = $1", thread_id, count)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _timed_alike(
    api: httpx.AsyncClient, requests: dict[int, tuple[str, dict[str, str], dict[str, Any]]]
) -> dict[int, dict[str, float]]:
    """The same request against each size, in alternation, so machine load hits both alike."""
    samples: dict[int, list[float]] = {size: [] for size in requests}
    for _ in range(LIST_SAMPLES):
        for size, (url, headers, params) in requests.items():
            started = time.perf_counter()
            response = await api.get(url, headers=headers, params=params)
            samples[size].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return {size: _percentiles(values) for size, values in samples.items()}


async def _measure_lists(stack: Stack) -> dict[str, Any]:
    """The same lists at 10 and at 10,000 entries: keyset paging on matching indexes keeps
    them alike (an OFFSET or a sort without an index would grow with the size)."""
    setups: dict[int, dict[str, Any]] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
        for size in LIST_SIZES:
            staff = await create_staff_member(stack)
            await _bulk_conversations(stack, staff.account_id, staff.organisation_id, size)
            login = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            first = (await api.get("/api/v1/threads", headers=headers, params={"limit": 20})).json()
            thread = (
                await api.post("/api/v1/threads", json={"subject": "Lang gesprek", "body": "begin"}, headers=headers)
            ).json()
            await _bulk_messages(stack, thread["id"], size)
            opened = (await api.get(f"/api/v1/threads/{thread['id']}", headers=headers, params={"limit": 50})).json()
            deep = opened["older_cursor"]
            for _ in range(3):  # a page well into the older messages (with 10 there is none)
                if not deep:
                    break
                page = (
                    await api.get(
                        f"/api/v1/threads/{thread['id']}/messages",
                        headers=headers,
                        params={"cursor": deep, "limit": 50},
                    )
                ).json()
                deep = page["next_cursor"] or deep
            messages = f"/api/v1/threads/{thread['id']}/messages"
            setups[size] = {
                "conversations_first_page": ("/api/v1/threads", headers, {"limit": 20}),
                "conversations_next_page": (
                    "/api/v1/threads",
                    headers,
                    {"limit": 20, "cursor": first["next_cursor"] or ""},
                ),
                "inbox_first_page": ("/api/v1/secure-mail-inbox", headers, {"limit": 20}),
                "messages_latest": (messages, headers, {"limit": 50}),
                "messages_deep_page": (messages, headers, {"limit": 50, "cursor": deep or ""}),
            }
        results: dict[str, Any] = {}
        for name in setups[LIST_SIZES[0]]:
            timed = await _timed_alike(api, {size: setups[size][name] for size in LIST_SIZES})
            results[name] = {str(size): figures for size, figures in timed.items()}
    return results


#: The e-counter: messages of one organisation, and the page target (server time, p95).
ECOUNTER_MESSAGES = 100_000
ECOUNTER_TARGET_MS = 50.0


async def _bulk_ecounter(stack: Stack, organisation_id: str, count: int) -> None:
    """``count`` received e-counter entries of one organisation, over ``count // 100``
    org_case threads, straight into messaging's tables."""
    connection = await asyncpg.connect(stack.database_urls["messaging"].replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            """
            WITH t AS (
                INSERT INTO threads (id, kind, subject, organisation_id, organisation_name, created_by, created_at,
                                     last_seq, last_activity_at)
                SELECT gen_random_uuid()::text, 'org_case', 'Bench ' || i, $1, 'Bench', NULL, now(), 0, now()
                FROM generate_series(1, $2 / 100) AS i
                RETURNING id
            ), numbered AS (
                SELECT id, row_number() OVER () AS n FROM t
            )
            INSERT INTO ecounter_entries (id, organisation_id, box, thread_id, message_id, theme_id, theme_name,
                                          reference, title, sender_name, sender_organisation_name,
                                          counterpart_name, status, sent_at)
            SELECT gen_random_uuid()::text, $1, CASE WHEN j % 3 = 0 THEN 'sent' ELSE 'received' END, numbered.id,
                   gen_random_uuid()::text, CASE WHEN j % 2 = 0 THEN 'erkenning' ELSE 'subsidies' END, 'Thema',
                   '2026-' || lpad(numbered.n::text, 6, '0'), 'Bericht ' || numbered.n || '-' || j,
                   'Bench (Departement)', 'Departement', 'Departement', 'new',
                   now() - make_interval(secs => numbered.n * 100 + j)
            FROM numbered, generate_series(1, 100) AS j
            """,
            organisation_id,
            count,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _explain_ecounter(stack: Stack, organisation_id: str) -> dict[str, Any]:
    """The plans of the first page of "received" (the repository's ``ecounter_entries_page``)
    and of a title filter: which index each uses and how long PostgreSQL took."""
    queries = {
        "received_first_page": (
            "AND box = 'received' ORDER BY sent_at DESC, id DESC LIMIT 6",
            "ix_ecounter_entries_box",
        ),
        "title_filter": (
            "AND box = 'received' AND title ILIKE '%Bericht 500-%' ORDER BY sent_at DESC, id DESC LIMIT 6",
            "ix_ecounter_entries_title_trgm",
        ),
    }
    connection = await asyncpg.connect(stack.database_urls["messaging"].replace("postgresql+asyncpg", "postgresql"))
    plans: dict[str, Any] = {}
    try:
        for name, (condition, index) in queries.items():
            rows = await connection.fetch(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM ecounter_entries WHERE organisation_id = $1 " + condition,
                organisation_id,
            )
            plan = json.loads(rows[0][0])[0]
            plans[name] = {
                "uses_" + index: index in json.dumps(plan["Plan"]),
                "execution_ms": round(plan["Execution Time"], 3),
            }
    finally:
        await connection.close()
    return plans


async def _measure_ecounter(stack: Stack) -> dict[str, Any]:
    staff = await create_staff_member(stack)
    await _bulk_ecounter(stack, staff.organisation_id, ECOUNTER_MESSAGES)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30.0) as api:
        login = await api.post("/api/v1/auth/login", json={"username": staff.email, "password": staff.password})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        url = "/api/v1/ecounter/messages"
        cursor = ""
        for _ in range(200):  # page 200: a thousand messages in, by keyset
            cursor = (await api.get(url, headers=headers, params={"box": "received", "cursor": cursor})).json()[
                "next_cursor"
            ]
        cases = {
            "received_first_page": {"box": "received"},
            "received_page_200": {"box": "received", "cursor": cursor},
            "theme_in_out": {"theme_id": "erkenning"},
            "title_filter": {"box": "received", "title": "Bericht 500-"},
        }
        results: dict[str, Any] = {}
        for name, params in cases.items():
            samples = []
            for _ in range(LIST_SAMPLES):
                started = time.perf_counter()
                response = await api.get(url, headers=headers, params=params)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            results[name] = _percentiles(samples)
    results["plans"] = await _explain_ecounter(stack, staff.organisation_id)
    results["messages"] = ECOUNTER_MESSAGES
    results["target_ms"] = ECOUNTER_TARGET_MS
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["lists", "ecounter"], help="run one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zorgpost-bench-") as tmp:
        infra = EmbeddedInfrastructure(Path(tmp) / "infra").start()
        stack = Stack(infra, StackConfig(data_dir=Path(tmp) / "stack", log_level="WARNING"))
        try:
            started = time.perf_counter()
            stack.up()
            startup = round(time.perf_counter() - started, 2)
            results = {} if args.only else asyncio.run(_measure(stack))
            if args.only != "ecounter":
                results["lists_by_size"] = asyncio.run(_measure_lists(stack))
            if args.only in (None, "ecounter"):
                results["ecounter_lists"] = asyncio.run(_measure_ecounter(stack))
            results["stack_startup_s"] = startup
        finally:
            stack.stop_all()
            infra.stop()
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
