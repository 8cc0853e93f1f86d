"""The OpenAPI document tells the truth about errors: every status a route can answer is
documented, each as ``application/problem+json`` with the shared :class:`Problem` schema.

How a route author documents errors (the pattern every route follows)::

    @router.post("/things/{thing_id}/close", response_model=ThingOut, responses=errors(404, 409))

``errors(...)`` names the statuses particular to the route: the refusals of the service it
calls (404 unknown or not yours, 409 a state that forbids it, 403 a role it needs, 401 wrong
credentials, 429 a service's own throttle). What every route of a kind answers is added here
once, so no route forgets it: 503 (a service or its database is briefly unavailable) on
every route; 422 (invalid input) on every route with parameters or a body, 413 (a body
past the cap, :mod:`gateway.body_limit`) on every route with a body; 401 and 403
(no valid token; a token that only allows changing the password) on every route that needs
a token; 429 on the routes under the per-address login limit (:mod:`gateway.rate_limit`).
Request models mark every field the service needs as required, so ``{}`` is not valid
where the API refuses it, and state in the schema what the service checks of a value
(:func:`line`, :func:`text`, :func:`email`, :func:`date`, :func:`mobile`): the service
checks it and names every bad field at once, the schema lets clients know beforehand.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, BeforeValidator, Field, JsonValue

from gateway.problems import PROBLEM_JSON
from gateway.rate_limit import is_rate_limited

DESCRIPTIONS = {
    401: "Not logged in, or wrong credentials",
    403: "Not allowed (a role, or a token that only allows changing the password)",
    404: "Not found, or not yours to see",
    409: "Conflicts with the current state",
    413: "The request (or a file in it) is larger than the limit",
    415: "A file whose content is not an allowed type, or not the type it claims",
    422: "Invalid input: `errors` names every bad field",
    429: "Too many attempts: wait `Retry-After` seconds",
    503: "Briefly unavailable: try again after `Retry-After` seconds",
}


#: A single line a person types (a name, a subject): not blank, no control characters.
SINGLE_LINE = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"
#: Text of several lines: not blank; line breaks and tabs, but no other control characters.
MULTI_LINE = (
    r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*[^\s\u0000-\u001f\u007f]"
    r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
)
#: Special-use domains (RFC 6761) no mail reaches; addresses there are refused.
EMAIL_DESCRIPTION = (
    "An e-mail address; special-use domains (.test, .local, .localhost, .invalid, .onion, .arpa) are refused."
)


#: How the services' ids look (UUIDs, "thread-…"): printable ASCII.
IDENTIFIER = r"^[!-~]+$"


def identifier(*, max_length: int = 64, required: bool = True, description: str | None = None) -> Any:
    """An id of an object (an account, an organisation, a thread). The gateway itself
    refuses one that cannot be an id, so no service has to look up nonsense."""
    if required:
        return Field(min_length=1, max_length=max_length, pattern=IDENTIFIER, description=description)
    return Field(
        default="",
        max_length=max_length,
        description=description,
        json_schema_extra={"anyOf": [{"pattern": IDENTIFIER}, {"maxLength": 0}]},
    )


#: An id in a path (``/teams/{team_id}``): the gateway refuses one that cannot be an id (422
#: naming it), so no service has to look up nonsense such as a NUL byte.
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER)]


def line(*, max_length: int, description: str | None = None) -> Any:
    """A required single line (names, subjects, ids typed by a person)."""
    return Field(max_length=max_length, description=description, json_schema_extra={"pattern": SINGLE_LINE})


def text(*, max_length: int, description: str | None = None) -> Any:
    """Required text of several lines (a message body)."""
    return Field(max_length=max_length, description=description, json_schema_extra={"pattern": MULTI_LINE})


def email(*, description: str = EMAIL_DESCRIPTION) -> Any:
    """A required e-mail address."""
    return Field(max_length=320, description=description, json_schema_extra={"format": "email"})


def date(*, description: str | None = None) -> Any:
    """A required calendar date, YYYY-MM-DD."""
    return Field(max_length=20, description=description, json_schema_extra={"format": "date"})


def mobile(*, required: bool, description: str | None = None) -> Any:
    """A mobile phone number (``format: mobile``: E.164, or Dutch without country code);
    when not ``required``, "" means none."""
    description = description or "A mobile number: +31612345678, or 0612345678 (Dutch)."
    if required:
        return Field(max_length=40, description=description, json_schema_extra={"format": "mobile"})
    return Field(
        default="",
        max_length=40,
        description=f"{description} Empty: none.",
        json_schema_extra={"anyOf": [{"format": "mobile"}, {"maxLength": 0}]},
    )


def _whole_number(value: Any) -> Any:
    """JSON Schema counts ``190.0`` as an integer: it is taken as 190 (text and booleans stay
    refused: the field is strict)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: A whole number as JSON Schema's ``integer`` means it (``190.0`` is one); with :func:`bounded`.
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


def bounded(low: int, high: int, *, description: str | None = None, default: int | None = None) -> Any:
    """A whole number (annotate the field :data:`WholeNumber`) the service keeps between
    ``low`` and ``high`` (it names every field out of bounds at once); the gateway itself
    refuses what protobuf cannot carry (int32)."""
    extra: dict[str, JsonValue] = {"minimum": low, "maximum": high}
    if default is None:
        return Field(strict=True, ge=-(2**31), le=2**31 - 1, description=description, json_schema_extra=extra)
    return Field(
        default=default, strict=True, ge=-(2**31), le=2**31 - 1, description=description, json_schema_extra=extra
    )


def optional(constraints: dict[str, Any], *, max_length: int, description: str | None = None) -> Any:
    """A field that may be left empty (""), else must meet ``constraints`` (a JSON Schema
    fragment such as ``{"format": "email"}``)."""
    return Field(
        default="",
        max_length=max_length,
        description=description,
        json_schema_extra={"anyOf": [constraints, {"maxLength": 0}]},
    )


class FieldProblem(BaseModel):
    #: The JSON path of the field ("recipient_email", "child.birth_date", "password.digits").
    field: str
    message: str


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details)."""

    type: str = Field(description="urn:zorgpost:problem:<code>")
    title: str
    status: int
    detail: str
    #: Stable and machine-readable ("invitation_expired"); the detail is for people.
    code: str
    errors: list[FieldProblem] = Field(default_factory=list, description="every bad field (422 only)")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: the error statuses particular to it (see the module
    docstring for the ones every route of its kind gets without naming them)."""
    return {status: {"model": Problem, "description": DESCRIPTIONS.get(status, "Error")} for status in statuses}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "Error"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _is_problem(response: dict[str, Any]) -> bool:
    """Whether an error response is a Problem (not an answer of its own, like /readyz's)."""
    schemas = [media.get("schema", {}) for media in response.get("content", {}).values()]
    return not schemas or all(
        schema.get("$ref", "").rsplit("/", 1)[-1] in ("Problem", "HTTPValidationError") for schema in schemas
    )


def _document_errors(schema: dict[str, Any]) -> None:
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            common = {503}
            if operation.get("parameters") or operation.get("requestBody"):
                common.add(422)
            if operation.get("requestBody"):
                common.add(413)
            if operation.get("security"):
                common |= {401, 403}
            if is_rate_limited(path):
                common.add(429)
            for status in sorted(common):
                responses.setdefault(str(status), _problem_response(status))
            for key, response in responses.items():
                if key.isdigit() and int(key) >= 400 and _is_problem(response):
                    # A Problem has its own media type (FastAPI would say application/json,
                    # and its 422 would show FastAPI's own validation schema).
                    response["content"] = _problem_response(int(key))["content"]
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components["FieldProblem"] = components["Problem"].pop("$defs")["FieldProblem"]


def install_openapi(app: FastAPI) -> None:
    """Replaces ``app.openapi`` by FastAPI's document with the errors documented."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            _document_errors(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
