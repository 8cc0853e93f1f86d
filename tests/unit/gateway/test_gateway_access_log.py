"""The gateway's access log names every request without the secrets of mailed links."""

from __future__ import annotations

import logging

import pytest
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from gateway.rate_limit import is_rate_limited
from zorgpost_kit.access_log import AccessLogMiddleware

TOKEN = "Zq3v_9x-Kd81LmN0pQrStUvWxYz012345"


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/invitations/{token}/view")
    async def by_token(token: str) -> dict[str, str]:
        return {"ok": token[:1]}

    @router.post("/invitations/{invitation_id}/revoke")
    async def by_id(invitation_id: str) -> dict[str, str]:
        return {"id": invitation_id}

    app = FastAPI()
    app.include_router(router, prefix="/api/v1")
    app.add_middleware(AccessLogMiddleware, logger_name="gateway.access")
    return app


@pytest.fixture
def logged() -> list[dict[str, object]]:
    captured: list[dict[str, object]] = []

    def capture(_logger: object, _method: str, event: dict[str, object]) -> dict[str, object]:
        captured.append(dict(event))
        raise structlog.DropEvent

    structlog.configure(processors=[capture], wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        yield captured
    finally:
        structlog.reset_defaults()


def test_a_token_in_a_routed_path_is_replaced_and_the_rest_kept(logged: list[dict[str, object]]) -> None:
    with TestClient(_app()) as client:
        client.get(f"/api/v1/invitations/{TOKEN}/view?x={TOKEN}")
        client.post("/api/v1/invitations/0b7e0c7c-4b1a-4f38-9d55-1e2f9a6c7d10/revoke")

    assert [(line["method"], line["path"], line["status"]) for line in logged] == [
        ("GET", "/api/v1/invitations/[redacted]/view", 200),
        ("POST", "/api/v1/invitations/0b7e0c7c-4b1a-4f38-9d55-1e2f9a6c7d10/revoke", 200),
    ]
    assert TOKEN not in str(logged)


def test_a_token_in_a_path_no_route_matches_is_replaced_too(logged: list[dict[str, object]]) -> None:
    with TestClient(_app()) as client:
        client.get(f"/api/v1/activations/{TOKEN}/elders")

    assert [(line["path"], line["status"]) for line in logged] == [("/api/v1/activations/[redacted]/elders", 404)]


@pytest.mark.parametrize(
    ("path", "limited"),
    [
        ("/api/v1/auth/login", True),
        ("/api/v1/auth/login/verify", True),
        (f"/api/v1/invitations/{TOKEN}/login", True),
        (f"/api/v1/invitations/{TOKEN}", False),
        (f"/api/v1/invitations/{TOKEN}/account", False),
        ("/api/v1/secure-mails", False),
        (f"/api/v1/secure-mail-access/{TOKEN}/code", True),
        (f"/api/v1/secure-mail-access/{TOKEN}/open", True),
        # It mails an address the caller types: a bucket of its own, not the logins'.
        ("/api/v1/helpdesk/questions", False),
        ("/api/v1/ecounter/messages", False),
    ],
)
def test_every_route_that_takes_a_password_or_an_access_code_shares_the_login_limit(path: str, limited: bool) -> None:
    assert is_rate_limited(path) is limited
