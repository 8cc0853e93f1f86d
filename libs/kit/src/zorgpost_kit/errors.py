"""The shape every service's error taxonomy takes.

A service defines one class per condition, subclassing the category that says how callers
should react (``class InvitationExpired(FailedPrecondition): code = "invitation_expired"``).
The category is translated once per transport: to a gRPC status by
:mod:`zorgpost_kit.grpc_server`, and from that status to HTTP by the gateway. Anything that
is not a :class:`DomainError` is a bug and surfaces as INTERNAL / 500 without details.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class Category(StrEnum):
    """How a caller should react; each maps to exactly one gRPC code and HTTP status."""

    INVALID_ARGUMENT = "invalid_argument"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    FAILED_PRECONDITION = "failed_precondition"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    UNAVAILABLE = "unavailable"


class DomainError(Exception):
    """An expected failure a caller can act on.

    ``code`` is a stable machine-readable reason (``"invalid_email"``); ``fields`` maps each
    offending request field to a human-readable description, so a form can show every
    problem at once; ``retry_after_seconds`` tells a rate-limited caller when to retry.
    """

    category: ClassVar[Category]
    code: ClassVar[str]
    default_message: ClassVar[str] = ""

    def __init__(
        self,
        message: str = "",
        *,
        fields: dict[str, str] | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        self.message = message or self.default_message or self.code.replace("_", " ")
        self.fields = dict(fields or {})
        self.retry_after_seconds = retry_after_seconds
        super().__init__(self.message)


class InvalidArgument(DomainError):
    category = Category.INVALID_ARGUMENT
    code = "invalid_argument"
    default_message = "The request has invalid fields."


class Unauthenticated(DomainError):
    category = Category.UNAUTHENTICATED
    code = "unauthenticated"
    default_message = "Authentication is required."


class PermissionDenied(DomainError):
    category = Category.PERMISSION_DENIED
    code = "permission_denied"
    default_message = "You may not do this."


class NotFound(DomainError):
    category = Category.NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class AlreadyExists(DomainError):
    category = Category.ALREADY_EXISTS
    code = "already_exists"


class FailedPrecondition(DomainError):
    category = Category.FAILED_PRECONDITION
    code = "failed_precondition"


class ResourceExhausted(DomainError):
    category = Category.RESOURCE_EXHAUSTED
    code = "resource_exhausted"
    default_message = "Too many attempts; try again later."


class Unavailable(DomainError):
    category = Category.UNAVAILABLE
    code = "unavailable"
    default_message = "A service this request needs is unavailable; try again."


class FieldErrors:
    """Collects every invalid field of a request, so one answer names them all.

    >>> errors = FieldErrors()
    >>> errors.add("recipient_email", "not a valid e-mail address")
    >>> errors.raise_if_any()  # raises InvalidArgument naming recipient_email
    """

    def __init__(self) -> None:
        self._fields: dict[str, str] = {}

    def add(self, field: str, problem: str) -> None:
        # The first problem of a field is the one to fix first; later ones would repeat it.
        self._fields.setdefault(field, problem)

    def __bool__(self) -> bool:
        return bool(self._fields)

    def raise_if_any(self, error: type[InvalidArgument] = InvalidArgument) -> None:
        if self._fields:
            names = ", ".join(self._fields)
            raise error(f"Invalid fields: {names}.", fields=self._fields)
