"""``make bench``: speed and memory of the secure-mail flow on this machine.

Starts its own stack (embedded PostgreSQL and NATS in a temporary folder, every service,
the gateway and the outbox), then measures:

* login latency through the gateway (argon2id at production parameters included);
* POST /api/v1/secure-mails latency, sequential and with concurrent senders, and throughput;
* end-to-end notice latency: from the POST to the mail being in the outbox;
* resident memory of every process after the load.

Figures are printed as a table and written to ``.bench/results.json``. Nothing here is a
pass/fail test: targets are judged by reading the numbers (see the README); ``targets``
says for each whether this run met it. Timings belong here, never in a functional test
(a loaded machine would make that flaky).
"""

from __future__ import annotations

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


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="zorgpost-bench-") as tmp:
        infra = EmbeddedInfrastructure(Path(tmp) / "infra").start()
        stack = Stack(infra, StackConfig(data_dir=Path(tmp) / "stack", log_level="WARNING"))
        try:
            started = time.perf_counter()
            stack.up()
            startup = round(time.perf_counter() - started, 2)
            results = asyncio.run(_measure(stack))
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
