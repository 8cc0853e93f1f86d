"""The gateway answers every failure as application/problem+json (RFC 9457): gRPC statuses
from the services map to HTTP once, with the fields they name; invalid request bodies name
the JSON field; anything unexpected is a 500 that reveals nothing."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from gateway.problems import install_problem_handlers
from gateway.routes.secure_mail import SecureMailIn
from identity.domain.errors import InvalidCredentials
from zorgpost_kit.auth import NotPermitted
from zorgpost_kit.db import DatabaseUnavailable
from zorgpost_kit.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from zorgpost_kit.grpc_server import CATEGORY_TO_GRPC, STATUS_DETAILS_KEY, status_for
from zorgpost_kit.roles import Capability

with warnings.catch_warnings():
    # Starlette's TestClient warns about its httpx backend on import; not our concern here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PROBLEM_JSON = "application/problem+json"


def failed_call(error: DomainError) -> grpc.aio.AioRpcError:
    """What a stub raises when the service's interceptor refused the call with ``error``."""
    status = status_for(error)
    return grpc.aio.AioRpcError(
        CATEGORY_TO_GRPC[error.category],
        grpc.aio.Metadata(),
        grpc.aio.Metadata((STATUS_DETAILS_KEY, status.SerializeToString())),
        details=error.message,
    )


def bare_failure(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    """A failure without rich details: a crash in the service, or the channel itself."""
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details=details)


class Recipient(BaseModel):
    email: str
    path: str = Field(min_length=1)


class ForwardIn(BaseModel):
    recipient: Recipient


FAILURES: dict[str, Exception] = {}


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/fail/{case}")
    async def fail(case: str) -> None:
        raise FAILURES[case]

    @app.post("/secure-mails")
    async def send(body: SecureMailIn) -> dict[str, str]:
        return {"recipient_email": body.recipient_email}

    @app.post("/forwards")
    async def forward(body: ForwardIn) -> dict[str, str]:
        return {"to": body.recipient.email}

    @app.get("/threads")
    async def threads(limit: int = 20) -> dict[str, int]:
        return {"limit": limit}

    @app.get("/me")
    async def me() -> None:
        raise HTTPException(401, "Log in to continue.", headers={"WWW-Authenticate": 'Bearer realm="zorgpost"'})

    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def answer_to(client: TestClient, failure: Exception) -> tuple[int, dict[str, Any], Any]:
    FAILURES["current"] = failure
    response = client.get("/fail/current")
    assert response.headers["content-type"] == PROBLEM_JSON
    return response.status_code, response.json(), response.headers


# --- gRPC status → HTTP -------------------------------------------------------------------


def test_invalid_fields_become_422_naming_every_field(client: TestClient) -> None:
    error = InvalidArgument(
        "Invalid fields: recipient_email, subject.",
        fields={"recipient_email": "is not a valid e-mail address", "subject": "is required"},
    )

    status, body, _ = answer_to(client, failed_call(error))

    assert status == 422
    assert body == {
        "type": "urn:zorgpost:problem:invalid_argument",
        "title": "Ongeldige invoer",
        "status": 422,
        "detail": "Invalid fields: recipient_email, subject.",
        "code": "invalid_argument",
        "errors": [
            {"field": "recipient_email", "message": "is not a valid e-mail address"},
            {"field": "subject", "message": "is required"},
        ],
    }


def test_wrong_credentials_become_401_with_the_services_reason(client: TestClient) -> None:
    status, body, _ = answer_to(client, failed_call(InvalidCredentials()))

    assert status == 401
    assert body["code"] == "invalid_credentials"
    assert body["type"] == "urn:zorgpost:problem:invalid_credentials"
    assert body["detail"] == "The username or password is incorrect."
    assert "errors" not in body


def test_a_rate_limit_becomes_429_with_retry_after(client: TestClient) -> None:
    status, body, headers = answer_to(client, failed_call(ResourceExhausted(retry_after_seconds=90)))

    assert status == 429
    assert headers["Retry-After"] == "90"
    assert body["code"] == "resource_exhausted"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotPermitted(Capability.SEND_SECURE_MAIL), 403, "not_permitted"),
        (NotFound(), 404, "not_found"),
        (AlreadyExists("An account with this e-mail address exists."), 409, "already_exists"),
        (FailedPrecondition("The invitation has expired."), 409, "failed_precondition"),
        (Unavailable(), 503, "unavailable"),
    ],
)
def test_each_error_category_has_its_http_status(
    client: TestClient, error: DomainError, status: int, code: str
) -> None:
    answered, body, _ = answer_to(client, failed_call(error))

    assert (answered, body["status"], body["code"]) == (status, status, code)
    assert body["detail"] == error.message


@pytest.mark.parametrize(
    "failure",
    [
        bare_failure(grpc.StatusCode.INTERNAL, "Traceback: psycopg.OperationalError password=S3cret"),
        bare_failure(grpc.StatusCode.UNKNOWN, "Unexpected <class 'KeyError'>: 'S3cret'"),
        bare_failure(grpc.StatusCode.DATA_LOSS, "disk S3cret"),
    ],
    ids=["internal", "unknown", "data loss"],
)
def test_a_service_crash_becomes_500_without_internals(client: TestClient, failure: grpc.aio.AioRpcError) -> None:
    status, body, _ = answer_to(client, failure)

    assert status == 500
    assert body["code"] == "internal_error"
    assert "S3cret" not in str(body)
    assert failure.details() not in str(body)


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED], ids=["unavailable", "deadline"]
)
def test_an_unreachable_service_becomes_503(client: TestClient, code: grpc.StatusCode) -> None:
    status, body, headers = answer_to(
        client, bare_failure(code, "failed to connect to all addresses; ipv4:10.0.3.7:50052")
    )

    assert status == 503
    assert body["code"] == "service_unavailable"
    assert "10.0.3.7" not in str(body)
    assert int(headers["Retry-After"]) >= 1


def test_a_service_whose_database_is_down_becomes_503_with_its_retry_after(client: TestClient) -> None:
    status, body, headers = answer_to(client, failed_call(DatabaseUnavailable()))

    assert (status, body["code"]) == (503, "temporarily_unavailable")
    assert headers["Retry-After"] == "2"


def test_a_plain_bug_in_the_gateway_is_a_500_without_its_text(client: TestClient) -> None:
    FAILURES["bug"] = KeyError("S3cret-session-key")

    response = client.get("/fail/bug")

    assert response.status_code == 500
    assert "S3cret" not in response.text


# --- HTTP errors and request validation ---------------------------------------------------


def test_an_http_401_keeps_its_challenge_header(client: TestClient) -> None:
    response = client.get("/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="zorgpost"'
    assert response.json()["code"] == "unauthenticated"


def test_an_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "not_found"


def test_an_invalid_body_is_a_422_naming_the_json_fields(client: TestClient) -> None:
    response = client.post("/secure-mails", json={"subject": "Uw aanvraag", "body": "x" * 200_001})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["code"] == "invalid_argument"
    assert [error["field"] for error in problem["errors"]] == ["recipient_email", "body"]
    assert "recipient_email" in problem["detail"]


def test_a_nested_body_field_is_named_by_its_json_path(client: TestClient) -> None:
    response = client.post("/forwards", json={"recipient": {"email": 42, "path": "x"}})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["recipient.email"]


def test_an_invalid_query_parameter_is_named(client: TestClient) -> None:
    response = client.get("/threads", params={"limit": "veel"})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [error["field"] for error in response.json()["errors"]] == ["limit"]


def test_a_json_field_called_path_is_named_too(client: TestClient) -> None:
    response = client.post("/forwards", json={"recipient": {"email": "anna@example.nl", "path": ""}})

    assert [error["field"] for error in response.json()["errors"]] == ["recipient.path"]


def test_a_body_that_is_not_json_names_no_made_up_field(client: TestClient) -> None:
    response = client.post(
        "/secure-mails", content=b"{recipient_email: anna", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body"]
