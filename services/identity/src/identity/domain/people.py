"""The personal details a person gives when an account is made for or by them, checked
the same way wherever an account is made (invitation, practice-made account,
self-registration) or changed (profile), and the password they choose, checked against
their organisation's policy.

Names and usernames are printed in notices sent under an organisation's name, so they are
single lines without anything a mail client would turn into a link
(:func:`zorgpost_kit.validation.check_name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from identity.domain.policy import PasswordPolicy, check_password
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_mobile, check_name, looks_like_link

LANGUAGES = ("nl", "en")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def display_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def check_username(value: str, errors: FieldErrors) -> str | None:
    """Optional: lower-cased, 3–64 of a–z 0–9 . _ -, starting with a letter or digit, and
    not a domain name (``zorg.nl``) a notice would show as a link."""
    username = value.strip().lower()
    if not username:
        return None
    if not _USERNAME.match(username) or "@" in username:
        errors.add("username", "use 3 to 64 characters: letters, digits, '.', '_' or '-'")
    elif looks_like_link(username):
        errors.add("username", "must not look like a web address")
    return username


def check_birth_date(value: str, errors: FieldErrors, *, today: date, field: str = "birth_date") -> date | None:
    """An ISO date (YYYY-MM-DD) in the past and after 1900."""
    if not value.strip():
        errors.add(field, "is required")
        return None
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, "is not a date (YYYY-MM-DD)")
        return None
    if born > today or born.year < 1900:
        errors.add(field, "is not a possible birth date")
        return None
    return born


def check_language(value: str, errors: FieldErrors, *, default: str = "nl") -> str:
    language = value.strip().lower() or default
    if language not in LANGUAGES:
        errors.add("language", "must be 'nl' or 'en'")
    return language


def check_country(value: str, errors: FieldErrors) -> str:
    country = value.strip().upper()
    if not _COUNTRY.match(country):
        errors.add("country", "must be a two-letter country code (ISO 3166-1), e.g. NL")
    return country


@dataclass(frozen=True)
class PersonDetails:
    """Checked and normalised details of a person (e-mail lower-cased, mobile E.164)."""

    first_name: str
    last_name: str
    email: str
    mobile: str | None
    birth_date: date | None

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name)


def check_person_details(
    errors: FieldErrors,
    *,
    first_name: str,
    last_name: str,
    email: str,
    mobile: str,
    birth_date: str,
    today: date,
    mobile_required: bool,
    birth_date_required: bool,
) -> PersonDetails:
    """Checks every field at once; the caller raises ``errors`` when any is bad."""
    first = check_name(first_name, "first_name", errors)
    last = check_name(last_name, "last_name", errors)
    address = check_email(email, "email", errors).lower()
    number = check_mobile(mobile, "mobile", errors)
    if mobile_required and not mobile.strip():
        errors.add("mobile", "is required")
    born = check_birth_date(birth_date, errors, today=today) if birth_date_required or birth_date.strip() else None
    return PersonDetails(first, last, address, number, born)


def check_chosen_password(
    policy: PasswordPolicy,
    password: str,
    confirmation: str,
    errors: FieldErrors,
    *,
    personal: tuple[str, ...],
    language: str,
) -> None:
    """Records every rule of the organisation's policy the password breaks, one entry per
    rule as ``password.<rule code>`` (the shape :func:`identity.domain.policy.check_new_password`
    uses, so a form shows the seeds' checklist), and a confirmation that differs."""
    for rule in check_password(policy, password, personal=personal):
        errors.add(f"password.{rule.code}", rule.en if language == "en" else rule.nl)
    if password != confirmation:
        errors.add("password_confirmation", "does not match the password")
