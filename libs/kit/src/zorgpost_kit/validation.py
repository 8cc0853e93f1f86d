"""Field checks every service uses, so an address or number is judged the same everywhere.

Each ``check_*`` returns the normalised value and records a problem under the field's name
in a :class:`zorgpost_kit.errors.FieldErrors`, so one answer can name every bad field.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from zorgpost_kit.errors import FieldErrors

#: Numbers without a country code are Dutch.
DEFAULT_REGION = "NL"
_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def check_email(value: str, field: str, errors: FieldErrors, *, required: bool = True) -> str:
    """The normalised address (domain lower-cased), or a problem recorded under ``field``."""
    if not value.strip():
        if required:
            errors.add(field, "is required")
        return value.strip()
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        errors.add(field, f"is not a valid e-mail address: {error}")
        return value


def check_mobile(value: str, field: str, errors: FieldErrors) -> str | None:
    """The number in E.164 (``+31612345678``), None when empty, or a problem under ``field``."""
    if not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        errors.add(field, "is not a phone number")
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        errors.add(field, "is not a valid mobile number")
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_phone(value: str, field: str, errors: FieldErrors) -> str:
    """Any valid phone number in E.164, "" when empty."""
    if not value.strip():
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        errors.add(field, "is not a phone number")
        return value
    if not phonenumbers.is_valid_number(number):
        errors.add(field, "is not a valid phone number")
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


#: Control characters a person never types (line breaks and tabs are allowed). PostgreSQL
#: refuses NUL in text outright, so letting it through would fail the whole request late.
_CONTROL_CHARACTERS = frozenset(chr(code) for code in (*range(0, 32), 127)) - {"\n", "\r", "\t"}


def has_control_characters(value: str) -> bool:
    return any(character in _CONTROL_CHARACTERS for character in value)


def check_text(value: str, field: str, errors: FieldErrors, *, max_length: int, required: bool = True) -> str:
    text = value.strip()
    if not text:
        if required:
            errors.add(field, "is required")
    elif len(text) > max_length:
        errors.add(field, f"is longer than {max_length} characters")
    elif has_control_characters(text):
        errors.add(field, "contains characters that are not allowed")
    return text


def check_url(value: str, field: str, errors: FieldErrors) -> str:
    """An http(s) URL with a host, "" when empty."""
    text = value.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text or has_control_characters(text):
        errors.add(field, "is not a web address (https://…)")
    return text
