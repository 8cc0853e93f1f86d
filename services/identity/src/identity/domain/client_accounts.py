"""Accounts a practice makes for its clients (seed 4).

Staff enter the client's details; the client gets a link, confirms it with their birth
date (a few attempts, then the link is dead and staff must send a new one), and receives
a login name and a temporary password that must be changed at the first login. Young
people get an account of their own from 12; for a younger child the parent's account and
a delegation are the way.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from identity.domain.errors import (
    ActivationBlocked,
    ActivationExpired,
    ActivationUsed,
    TooYoungForOwnAccount,
    WrongBirthDate,
)
from identity.domain.notices import OrganisationNotice
from identity.domain.people import PersonDetails, check_language, check_person_details
from identity.domain.policy import CLIENT_PORTAL_SPECIALS
from zorgpost_kit.calendar import age_on
from zorgpost_kit.errors import FieldErrors

OWN_ACCOUNT_MIN_AGE = 12
ACTIVATION_LIFETIME = timedelta(days=14)
ACTIVATION_MAX_ATTEMPTS = 3
TEMPORARY_PASSWORD_LENGTH = 16


@dataclass(frozen=True)
class PersonForm:
    """A person's details as typed into a form, not yet checked."""

    first_name: str
    last_name: str
    email: str
    mobile: str
    #: YYYY-MM-DD.
    birth_date: str
    language: str = ""


def check_own_account_form(form: PersonForm, *, today: date, mobile_required: bool) -> tuple[PersonDetails, str]:
    """The checked details and language of someone who gets an account of their own:
    every bad field named at once (:class:`InvalidArgument`), then
    :class:`TooYoungForOwnAccount` under 12 (the parent's account and a delegation are
    the way for a younger child)."""
    errors = FieldErrors()
    details = check_person_details(
        errors,
        first_name=form.first_name,
        last_name=form.last_name,
        email=form.email,
        mobile=form.mobile,
        birth_date=form.birth_date,
        today=today,
        mobile_required=mobile_required,
        birth_date_required=True,
    )
    language = check_language(form.language, errors)
    errors.raise_if_any()
    assert details.birth_date is not None
    if age_on(details.birth_date, today) < OWN_ACCOUNT_MIN_AGE:
        raise TooYoungForOwnAccount(fields={"birth_date": "is of a child under 12"})
    return details, language


@dataclass
class ActivationLink:
    """The one link of a practice-made account that is waiting for activation."""

    account_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    failed_attempts: int = 0
    used_at: datetime | None = None

    @property
    def attempts_left(self) -> int:
        return max(ACTIVATION_MAX_ATTEMPTS - self.failed_attempts, 0)

    def check_usable(self, now: datetime) -> None:
        if self.used_at is not None:
            raise ActivationUsed()
        if self.attempts_left == 0:
            raise ActivationBlocked()
        if now >= self.expires_at:
            raise ActivationExpired()

    def confirm(self, given: date, born: date, now: datetime) -> None:
        """Uses the link when ``given`` is the birth date; otherwise counts a failure and
        raises :class:`WrongBirthDate` (the caller stores the count) or, at the last
        attempt, :class:`ActivationBlocked`."""
        self.check_usable(now)
        if given != born:
            self.failed_attempts += 1
            if self.attempts_left == 0:
                raise ActivationBlocked()
            raise WrongBirthDate(fields={"birth_date": f"does not match; {self.attempts_left} attempt(s) left"})
        self.used_at = now


def generate_temporary_password() -> str:
    """16 random characters that satisfy every preset: upper, lower, 2+ digits and a
    special character from seed 4's list, in random order."""
    alphabet = string.ascii_letters + string.digits
    required = [
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.digits),
        secrets.choice(string.digits),
        secrets.choice(sorted(CLIENT_PORTAL_SPECIALS)),
    ]
    rest = [secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH - len(required))]
    characters = required + rest
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def normalise_secret_answer(answer: str) -> str:
    """Answers compare case-insensitively, accent-sensitively, ignoring extra spaces."""
    return " ".join(unicodedata.normalize("NFKC", answer).casefold().split())


@dataclass(frozen=True)
class SecretQuestion:
    """Seed 4's secret question: only ever an extra check during a password reset, never a
    way in. The answer is stored as an argon2id hash of its normalised form."""

    account_id: str
    question: str
    answer_hash: str
    set_at: datetime


@dataclass(frozen=True, kw_only=True)
class ClientAccountCreated(OrganisationNotice):
    """The activation mail with the link goes to the client."""

    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class TemporaryPasswordIssued(OrganisationNotice):
    """After activation: the login name and the temporary password go to the client."""

    login_name: str
    temporary_password: str = field(repr=False)
