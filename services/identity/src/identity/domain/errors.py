"""Identity's error taxonomy: one class per condition, each with a stable code."""

from __future__ import annotations

from zorgpost_kit.errors import NotFound, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """Wrong password and unknown account are deliberately indistinguishable."""

    code = "invalid_credentials"
    default_message = "The username or password is incorrect."


class InvalidRefreshToken(Unauthenticated):
    code = "invalid_refresh_token"
    default_message = "The session has ended; log in again."


class SessionEnded(Unauthenticated):
    code = "session_ended"
    default_message = "The session has ended; log in again."


class AccountNotFound(NotFound):
    code = "account_not_found"
    default_message = "Account not found."
