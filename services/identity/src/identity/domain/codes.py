"""One-time codes: short numeric codes sent by SMS or e-mail and typed back in.

A code is random (``secrets``), stored only as a keyed hash (HMAC-SHA256 with a server key:
a 6-digit code has a million values, so an unkeyed hash would be reversed by trying them
all), bound to a purpose and a subject (the challenge, registration or account it unlocks),
valid for the organisation's ``code_lifetime``, accepted once and refused after
:data:`MAX_ATTEMPTS` wrong tries. Issuing a new code for the same purpose and subject
replaces the old one (a resend). The single use under concurrent redemption is kept by the
repository (a conditional ``UPDATE … RETURNING``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from identity.domain.notices import OrganisationNotice

#: Digits of a code: what an SMS reader types comfortably.
CODE_DIGITS = 6
#: Wrong tries before a code is dead and a new one must be asked for.
MAX_ATTEMPTS = 5


class CodePurpose(StrEnum):
    """What a code unlocks; a code issued for one purpose never unlocks another."""

    LOGIN = "login"
    REGISTRATION = "registration"
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"
    MOBILE_CHANGE = "mobile_change"
    EMAIL_CHANGE = "email_change"
    #: Confirms a second factor being enrolled (the SMS or e-mail address receives codes).
    FACTOR_ENROLMENT = "factor_enrolment"
    #: Opens a secure e-mail for its outside recipient (the subject is the guest participant).
    SECURE_MAIL_ACCESS = "secure_mail_access"


class CodeChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Redemption(StrEnum):
    ACCEPTED = "accepted"
    #: Wrong code; the stored code stays valid for its remaining attempts.
    WRONG = "wrong"
    #: No live code: never issued, used, expired or out of attempts. A new one is needed.
    NO_LIVE_CODE = "no_live_code"


def generate_code(digits: int = CODE_DIGITS) -> str:
    """A uniformly random code of ``digits`` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def normalise_code(code: str) -> str:
    """What a person typed, without the spaces and dashes they add to read it."""
    return "".join(character for character in code if character not in " -").strip()


class CodeHasher:
    """HMAC-SHA256 of purpose, subject and code under a server key.

    Binding purpose and subject into the hash means a stored hash is worthless for any
    other purpose or subject, even if the lookup were wrong.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the code hashing key must be at least 16 bytes")
        self._key = key

    def hash(self, purpose: CodePurpose, subject: str, code: str) -> str:
        message = f"{purpose}\x00{subject}\x00{normalise_code(code)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OneTimeCode:
    """A stored code (its hash); at most one per (purpose, subject)."""

    id: str
    purpose: CodePurpose
    subject: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    max_attempts: int = MAX_ATTEMPTS
    attempts: int = 0
    used_at: datetime | None = None

    def attempts_used_up(self, now: datetime) -> bool:
        """Dead because of wrong tries alone: unused and unexpired, but out of attempts."""
        return self.used_at is None and now < self.expires_at and self.attempts >= self.max_attempts


@dataclass(frozen=True)
class IssuedCode:
    """What issuing tells the caller: where the code went and until when it holds.
    The code itself travels only in the event that sends it."""

    purpose: CodePurpose
    subject: str
    channel: CodeChannel
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class OneTimeCodeIssued(OrganisationNotice):
    """A code to type in was made; notifications sends it by ``channel`` ("sms", "email")."""

    purpose: str
    channel: str
    code: str = field(repr=False)
    expires_at: datetime
