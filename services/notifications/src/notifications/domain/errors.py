"""Notifications' error taxonomy: one class per condition, each with a stable code."""

from __future__ import annotations

from zorgpost_kit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied


class InvalidPreferences(InvalidArgument):
    code = "invalid_preferences"
    default_message = "The notification preferences have invalid fields."


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"
    default_message = "Delivery not found."


class CannotRedrive(FailedPrecondition):
    """Only a failed delivery that could still be sent goes back in the queue."""

    code = "cannot_redrive"


class AccountHoldersOnly(PermissionDenied):
    """A guest's token (one secure e-mail) has no account to keep preferences for."""

    code = "account_holders_only"
    default_message = "Only someone with an account has notification preferences."
