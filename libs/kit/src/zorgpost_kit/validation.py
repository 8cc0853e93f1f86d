"""Field checks every service uses, so an address or number is judged the same everywhere.

Each ``check_*`` returns the normalised value and records a problem under the field's name
in a :class:`zorgpost_kit.errors.FieldErrors`, so one answer can name every bad field.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from zorgpost_kit.errors import FieldErrors

#: Numbers without a country code are Dutch.
DEFAULT_REGION = "NL"
_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def check_required(errors: FieldErrors, **values: str) -> None:
    """Records "is required" under the name of every empty (or blank) value."""
    for field, value in values.items():
        if not value.strip():
            errors.add(field, "is required")


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


# --- single-line text that a notice prints ------------------------------------------------
#
# Names, usernames and subjects appear in mails and SMS that Zorgpost sends under a real
# organisation's name. A line break would let someone write their own paragraph into such a
# notice, and a web address would let them put their own link there: neither belongs in a
# name. So a single-line field refuses every control or format character (line breaks,
# tabs, bidi overrides, zero-width characters) and anything a mail client turns into a link.

#: Unicode categories refused in a single line: controls, format characters (bidi
#: overrides, zero-width joiners), line and paragraph separators.
_NOT_IN_A_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})
#: Characters some clients read as the dot of a domain name.
_DOT_LOOKALIKES = str.maketrans({"\u3002": ".", "\uff61": ".", "\uff0e": "."})
#: Generic top-level domains a mail client links without a scheme ("zorg.com"). Every
#: two-letter (country) domain counts too.
_GENERIC_TLDS = frozenset(
    """com net org info biz name pro app dev xyz online site shop store top club link click
    live life world email space website web tech cloud page blog news vip win bid loan work
    men mobi asia tel travel jobs icu buzz fun host press today support help care health
    clinic hospital doctor dental amsterdam frl brussels vlaanderen gent""".split()
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://|\b(?:mailto|tel|sms|callto|javascript|data|file):")
_WWW = re.compile(r"\bwww\d{0,3}\.")
_EMAIL_LIKE = re.compile(r"[^\s@]@[^\s@]+\.[^\s@]")
_IP_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
#: Labels of any script (``zörg.nl`` links too), then the top-level domain.
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_DOMAIN = re.compile(rf"(?<![\w.-]){_LABEL}(?:\.{_LABEL})*\.([a-z]{{2,63}})\b")


def looks_like_link(value: str) -> bool:
    """True for text a mail client would turn into a link: a scheme (``https://``,
    ``mailto:``), ``www.``, an e-mail address, an IP address, or a domain name with a
    country or common generic top-level domain (``zorg.nl``, ``win-nu.com``)."""
    text = unicodedata.normalize("NFKC", value).translate(_DOT_LOOKALIKES).casefold()
    if _SCHEME.search(text) or _WWW.search(text) or _EMAIL_LIKE.search(text) or _IP_ADDRESS.search(text):
        return True
    return any(len(tld) == 2 or tld in _GENERIC_TLDS for tld in _DOMAIN.findall(text))


def is_single_line(value: str) -> bool:
    """False when ``value`` holds a control or format character or a line separator."""
    return not any(unicodedata.category(character) in _NOT_IN_A_LINE for character in value)


def check_single_line(value: str, field: str, errors: FieldErrors, *, max_length: int, required: bool = True) -> str:
    """Text of one line that a notice may print (a subject, a display name): trimmed, at
    most ``max_length`` characters, no control characters, nothing link-like."""
    text = value.strip()
    if not text:
        if required:
            errors.add(field, "is required")
    elif len(text) > max_length:
        errors.add(field, f"is longer than {max_length} characters")
    elif not is_single_line(text):
        errors.add(field, "contains characters that are not allowed (line breaks, control characters)")
    elif looks_like_link(text):
        errors.add(field, "must not contain a web address or e-mail address")
    return text


#: Longest first name, last name or display name.
NAME_MAX_LENGTH = 100


def check_name(
    value: str, field: str, errors: FieldErrors, *, max_length: int = NAME_MAX_LENGTH, required: bool = True
) -> str:
    """A person's or organisation's name, as :func:`check_single_line`."""
    return check_single_line(value, field, errors, max_length=max_length, required=required)
