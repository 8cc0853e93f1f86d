"""The gateway limits login attempts per client address: 429 with Retry-After, as a
problem, whatever the account; other routes are not limited."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.stack(extra_env={"gateway": {"AUTH_RATE_BURST": "5", "AUTH_RATE_PER_MINUTE": "6"}})


async def test_too_many_login_attempts_from_one_address_get_429_with_retry_after(api: httpx.AsyncClient) -> None:
    statuses = []
    for attempt in range(8):
        response = await api.post(
            "/api/v1/auth/login", json={"username": f"iemand{attempt}@test.example", "password": "fout"}
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 10
    assert response.json()["status"] == 429
    # Only the authentication routes are limited.
    assert (await api.get("/readyz")).status_code == 200
