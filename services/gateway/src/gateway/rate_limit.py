"""Per-client-IP rate limit on the routes that check a secret: an in-process token bucket.

It covers /api/v1/auth/*, every other route that logs a person in with a password
(``POST /api/v1/invitations/{token}/login``) and secure-mail access (asking for and typing
an access code, /api/v1/secure-mail-access/*): one bucket per address across all of them,
so no second door allows more guesses than the first. A question to the technical helpdesk
(``POST /api/v1/helpdesk/questions``) has a bucket of its own per address (it mails an address
the caller types, and must not use up colleagues' logins behind the same address); messaging
caps it per account and per mailed address as well.

Each gateway instance limits on its own (N instances allow N times the rate): this guards
against one address guessing passwords across many accounts; the per-account lockout,
kept in identity's database, is what holds across instances.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response

from gateway.config import Settings
from gateway.problems import problem

#: Paths the limit applies to: everything under this prefix …
AUTH_PREFIX = "/api/v1/auth/"
#: … and the other routes that take a password or a code.
PASSWORD_ROUTES = (
    re.compile(r"/api/v1/invitations/[^/]+/login/?"),
    re.compile(r"/api/v1/secure-mail-access/.*"),
)
#: Routes that mail an address the caller types: a bucket apart from the logins'.
HELPDESK_ROUTE = re.compile(r"/api/v1/helpdesk/questions/?")
#: Buckets kept before full ones are forgotten (a full bucket is the same as none).
MAX_TRACKED_CLIENTS = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class TokenBucketLimiter:
    """``burst`` requests at once per key, refilled at ``rate_per_second``."""

    def __init__(self, *, burst: int, rate_per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._burst = float(burst)
        self._rate = rate_per_second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Takes one token: 0.0 when the request may go ahead, else the seconds to wait."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated_at) * self._rate)
        bucket.updated_at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate

    def _forget_full(self, now: float) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated_at) * self._rate >= self._burst:
                del self._buckets[key]


def is_rate_limited(path: str) -> bool:
    """Whether ``path`` is one of the routes that check a password or an access code."""
    return path.startswith(AUTH_PREFIX) or any(route.fullmatch(path) for route in PASSWORD_ROUTES)


def install_auth_rate_limit(app: FastAPI, settings: Settings) -> None:
    """Answers 429 ``too_many_requests`` with ``Retry-After`` once a client IP exceeds the
    auth rate on the routes of :func:`is_rate_limited` (behind a proxy, run uvicorn with
    ``--proxy-headers`` so the client's own address is seen)."""
    limiter = TokenBucketLimiter(burst=settings.auth_rate_burst, rate_per_second=settings.auth_rate_per_minute / 60)
    helpdesk = TokenBucketLimiter(
        burst=settings.helpdesk_rate_burst, rate_per_second=settings.helpdesk_rate_per_minute / 60
    )

    @app.middleware("http")
    async def auth_rate_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        bucket = helpdesk if HELPDESK_ROUTE.fullmatch(path) else limiter if is_rate_limited(path) else None
        if bucket is not None:
            wait = bucket.take(request.client.host if request.client else "unknown")
            if wait > 0:
                return problem(
                    429,
                    code="too_many_requests",
                    detail="Te veel pogingen vanaf dit adres; probeer het later opnieuw.",
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
        return await call_next(request)
