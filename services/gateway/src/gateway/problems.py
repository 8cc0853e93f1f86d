"""Errors as RFC 9457 problem details (``application/problem+json``), in one place.

gRPC statuses from the services map here to HTTP exactly once; the field violations they
carry become ``errors: [{"field", "message"}]``. Request bodies FastAPI itself refuses get
the same shape. Anything else is a bug: a plain 500 without internals.
"""

from __future__ import annotations

import re
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zorgpost_kit.errors import DomainError
from zorgpost_kit.grpc_client import read_failure
from zorgpost_kit.grpc_server import CATEGORY_TO_GRPC
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 503,
}

#: Refusals whose status is more precise than their category's: a file too large is 413,
#: a file of a type not allowed (or not what it claims) 415, though both are invalid arguments.
STATUS_BY_REASON = {"attachment_too_large": 413, "unsupported_attachment_type": 415}

#: Retry-After of a 503 whose cause named no delay of its own.
DEFAULT_RETRY_AFTER_SECONDS = 1

TITLES = {
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Conflict",
    422: "Ongeldige invoer",
    413: "Te groot",
    415: "Bestandstype niet toegestaan",
    429: "Te veel pogingen",
    500: "Interne fout",
    503: "Dienst tijdelijk niet beschikbaar",
}


def problem(
    status: int,
    *,
    code: str,
    detail: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:zorgpost:problem:{code}",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [{"field": field, "message": message} for field, message in errors.items()]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _from_rpc_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, grpc.aio.AioRpcError)
    failure = read_failure(error)
    status = GRPC_TO_HTTP.get(failure.code)
    if status is None:
        # INTERNAL, UNKNOWN …: the service had a bug; its text is not for the client.
        log.error("service_call_failed", grpc_code=failure.code.name)
        return problem(500, code="internal_error", detail="Er ging iets mis. Probeer het later opnieuw.")
    headers = {"Retry-After": str(failure.retry_after_seconds)} if failure.retry_after_seconds is not None else None
    if failure.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED) and failure.reason is None:
        # The service is unreachable or too slow: worth another try in a moment.
        return problem(
            503,
            code="service_unavailable",
            detail="Probeer het over enkele ogenblikken opnieuw.",
            headers={"Retry-After": str(DEFAULT_RETRY_AFTER_SECONDS)},
        )
    status = STATUS_BY_REASON.get(failure.reason or "", status)
    return problem(
        status,
        code=failure.reason or failure.code.name.lower(),
        detail=failure.message,
        errors=failure.fields,
        headers=headers,
    )


def _field_name(item: dict[str, Any]) -> str:
    """("body", "recipient_email") → "recipient_email"; ("query", "to") → "to"; a body that
    is not JSON at all → "body" (its location ends in a character offset, not a field)."""
    location = tuple(item.get("loc", ()))
    if item.get("type") == "json_invalid":
        return "body"
    if location and location[0] in ("body", "query", "path", "header", "cookie"):
        location = location[1:]
    return ".".join(str(part) for part in location) or "body"


def _field_message(item: dict[str, Any]) -> str:
    """Pydantic's refusal in the words the services use for the same problem ("is required",
    "is longer than 200 characters"), so a front end translates one vocabulary whichever
    side refused the field."""
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return "is required"
    if kind == "string_too_short":
        return f"use at least {context.get('min_length')} characters"
    if kind == "string_too_long":
        return f"is longer than {context.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return "contains characters that are not allowed"
    if kind == "literal_error":
        return f"must be one of: {context.get('expected', '')}".replace("'", "")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "is out of range"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "json_invalid":
        return "is not valid JSON"
    return str(item.get("msg", "is not valid"))


def _from_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors: dict[str, str] = {}
    for item in error.errors():
        errors.setdefault(_field_name(item), _field_message(item))
    return problem(422, code="invalid_argument", detail=f"Invalid fields: {', '.join(errors)}.", errors=errors)


class ProblemException(StarletteHTTPException):
    """A refusal the gateway itself decides, with its machine-readable problem code."""

    def __init__(self, status_code: int, *, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code


def _allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document gives the request's path (Starlette would name only
    those of the first route that matched). Where a literal path and one with a parameter
    both match (``/me/sessions/revoke-others``, ``/me/sessions/{session_id}``), the literal
    one is the path's own."""
    matching: list[tuple[int, set[str]]] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        if re.fullmatch(pattern, request.url.path):
            matching.append((template.count("{"), {method.upper() for method in operations}))
    fewest = min((parameters for parameters, _ in matching), default=0)
    return sorted({method for parameters, methods in matching if parameters == fewest for method in methods})


def _from_http_exception(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        # FastAPI's answer to a body it cannot even decode: invalid input like any other.
        return problem(
            422, code="invalid_argument", detail="Invalid fields: body.", errors={"body": "is not valid JSON"}
        )
    code = error.code if isinstance(error, ProblemException) else None
    code = code or {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "error")
    headers = dict(error.headers) if error.headers else None
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    return problem(error.status_code, code=code, detail=str(error.detail), headers=headers)


def _from_domain_error(_request: Request, error: Exception) -> JSONResponse:
    """A refusal raised in the gateway's own process (the kit's token checks): the same
    category → status mapping as for the services' answers."""
    assert isinstance(error, DomainError)
    status = GRPC_TO_HTTP[CATEGORY_TO_GRPC[error.category]]
    headers = {"Retry-After": str(error.retry_after_seconds)} if error.retry_after_seconds is not None else None
    return problem(status, code=error.code, detail=error.message, errors=error.fields, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(grpc.aio.AioRpcError, _from_rpc_error)
    app.add_exception_handler(RequestValidationError, _from_validation_error)
    app.add_exception_handler(StarletteHTTPException, _from_http_exception)
    app.add_exception_handler(DomainError, _from_domain_error)
