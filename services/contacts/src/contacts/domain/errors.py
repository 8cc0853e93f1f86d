"""Contacts' error taxonomy: one class per condition, with a machine code."""

from __future__ import annotations

from zorgpost_kit.errors import NotFound


class ContactPersonNotFound(NotFound):
    code = "contact_person_not_found"
    default_message = "No such contact person in your organisation."


class ThemeNotFound(NotFound):
    code = "theme_not_found"
    default_message = "No such theme."


class ConfirmationLinkNotValid(NotFound):
    code = "confirmation_link_not_valid"
    default_message = "This confirmation link does not work (any more)."
