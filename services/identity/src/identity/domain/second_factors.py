"""Second factors an account has, and which one a login asks for.

SMS and e-mail factors send a one-time code; TOTP (RFC 6238, ``pyotp``) checks a code from
an authenticator app. An enrolled factor is confirmed with a first code before it counts.
Recovery codes, shown once at confirmation and stored hashed, stand in for a lost factor.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp

from identity.domain.accounts import Account, Role
from identity.domain.policy import SecondFactor


class FactorMethod(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    TOTP = "totp"


#: When several are enrolled, a login asks for the strongest.
_PREFERENCE = (FactorMethod.TOTP, FactorMethod.SMS, FactorMethod.EMAIL)
RECOVERY_CODE_COUNT = 10
#: Seconds per TOTP step (RFC 6238 default; what every authenticator app uses).
TOTP_INTERVAL = 30
#: Steps either side of now that are still accepted (clock drift of a phone).
TOTP_DRIFT_STEPS = 1


@dataclass
class EnrolledFactor:
    account_id: str
    method: FactorMethod
    created_at: datetime
    confirmed_at: datetime | None = None
    #: The TOTP secret, sealed (AES-GCM) by the service before it is stored (TOTP only).
    totp_secret_sealed: bytes | None = None
    #: The last TOTP time step accepted: a step is never accepted twice.
    last_totp_step: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def choose_method(required: SecondFactor, account: Account, confirmed: frozenset[FactorMethod]) -> FactorMethod | None:
    """The factor a login (or password reset) of ``account`` asks for, None for none.

    Guarantees: an account with a confirmed factor is always asked for one, whatever the
    organisation requires; an organisation requirement is always met by *some* factor.
    Where the required factor cannot be used yet (TOTP not enrolled, no mobile number for
    SMS), the e-mail code stands in, so the person can still sign in and enrol it. An
    administrator manages everyone's access: whatever the policy says, their login always
    asks for a second factor (the e-mail code until they enrol a stronger one).
    """
    if Role.ADMIN in account.roles and required is SecondFactor.NONE:
        required = SecondFactor.ANY
    if required is SecondFactor.NONE and not confirmed:
        return None
    if required in (SecondFactor.SMS, SecondFactor.TOTP, SecondFactor.EMAIL):
        wanted = FactorMethod(required.value)
        if wanted is FactorMethod.SMS and account.mobile:
            return wanted
        if wanted is FactorMethod.EMAIL or wanted in confirmed:
            return wanted
    for method in _PREFERENCE:
        if method in confirmed and (method is not FactorMethod.SMS or account.mobile):
            return method
    return FactorMethod.EMAIL


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL).provisioning_uri(name=account_name, issuer_name=issuer)


def matching_totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (within the allowed drift) whose code is ``code``, or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like ``k3f9q-2m7xd``: 50 random bits each, readable and typeable."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    # 50 random bits per code: beyond guessing, so a plain hash is enough (no key needed).
    return hashlib.sha256(code.lower().replace(" ", "").replace("-", "").encode()).hexdigest()
