"""The per-IP token bucket on /api/v1/auth/*: a burst passes, the next request waits and
is told how long, other addresses and other paths are unaffected, and it refills."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.config import Settings
from gateway.problems import install_problem_handlers
from gateway.rate_limit import TokenBucketLimiter, install_auth_rate_limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_caller_waits_for_the_refill() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(burst=3, rate_per_second=0.5, clock=clock)
    assert [limiter.take("192.0.2.1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("192.0.2.1") == 2.0
    assert limiter.take("198.51.100.7") == 0.0  # another address has its own bucket
    clock.now += 2.0
    assert limiter.take("192.0.2.1") == 0.0
    assert limiter.take("192.0.2.1") > 0


def _app(burst: int) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    install_auth_rate_limit(
        app,
        Settings(
            auth_rate_burst=burst, auth_rate_per_minute=1.0, helpdesk_rate_burst=burst, helpdesk_rate_per_minute=1.0
        ),
    )

    @app.post("/api/v1/auth/login")
    async def login() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/helpdesk/questions")
    async def ask() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/me")
    async def me() -> dict[str, str]:
        return {"status": "ok"}

    return TestClient(app)


def test_the_gateway_answers_429_with_retry_after_on_auth_routes_only() -> None:
    client = _app(burst=2)
    assert [client.post("/api/v1/auth/login").status_code for _ in range(2)] == [200, 200]
    limited = client.post("/api/v1/auth/login")
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "too_many_requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me").status_code == 200


def test_helpdesk_questions_have_a_bucket_apart_from_the_logins() -> None:
    client = _app(burst=2)
    assert [client.post("/api/v1/helpdesk/questions").status_code for _ in range(2)] == [200, 200]
    assert client.post("/api/v1/helpdesk/questions").status_code == 429
    # colleagues behind the same address still log in
    assert [client.post("/api/v1/auth/login").status_code for _ in range(2)] == [200, 200]
