"""Each organisation's security policy: password rules, second factor, lifetimes, lockout.

The password presets are the three the seeds show as checklists, plus the default for a new
organisation, which follows OWASP ASVS 5: length over composition, common and breached
passwords refused. :func:`check_password` returns *every* rule a password breaks, so a form
can show the checklist the seeds show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from importlib.resources import files

from identity.domain.errors import PasswordRejected
from zorgpost_kit.events import DomainEvent


class PasswordPreset(StrEnum):
    #: OWASP ASVS 5: 12 to 128 characters, no composition rules, no common passwords.
    ASVS = "asvs"
    #: Seed 1 (secure messenger): 8+, a lower-case letter, an upper-case letter, a digit, a special character.
    MESSENGER = "messenger"
    #: Seed 4 (youth mental-health portal): 12+, one special character from the seed's list.
    CLIENT_PORTAL = "client-portal"
    #: Seed 5 (GP portal): 10+, upper-case and lower-case letters, 2 digits.
    GP_PORTAL = "gp-portal"


class SecondFactor(StrEnum):
    NONE = "none"
    SMS = "sms"
    TOTP = "totp"
    EMAIL = "email"
    #: Any second factor the account has enrolled, but one is required.
    ANY = "any"


#: The special characters seed 4 lists.
CLIENT_PORTAL_SPECIALS = frozenset("!%&@#$^*?_-~")


@dataclass(frozen=True)
class PasswordRule:
    """One line of the checklist: a stable code and the text a person reads (nl, en)."""

    code: str
    nl: str
    en: str


@dataclass(frozen=True)
class PasswordPolicy:
    preset: PasswordPreset
    min_length: int
    max_length: int = 128
    lower: bool = False
    upper: bool = False
    digits: int = 0
    special: bool = False
    #: When set, the special character must be one of these.
    allowed_specials: frozenset[str] | None = None
    refuse_common: bool = False

    @classmethod
    def for_preset(cls, preset: PasswordPreset) -> PasswordPolicy:
        return _PRESETS[preset]

    def rules(self) -> list[PasswordRule]:
        """The checklist of this policy, in the order a form shows it."""
        rules = [
            PasswordRule(
                "min_length",
                f"Gebruik tenminste {self.min_length} karakters",
                f"Use at least {self.min_length} characters",
            ),
            PasswordRule(
                "max_length",
                f"Gebruik hoogstens {self.max_length} karakters",
                f"Use at most {self.max_length} characters",
            ),
        ]
        if self.lower:
            rules.append(PasswordRule("lower", "Gebruik tenminste 1 kleine letter", "Use at least 1 lower-case letter"))
        if self.upper:
            rules.append(PasswordRule("upper", "Gebruik tenminste 1 hoofdletter", "Use at least 1 upper-case letter"))
        if self.digits:
            rules.append(
                PasswordRule(
                    "digits",
                    f"Gebruik tenminste {self.digits} {'cijfer' if self.digits == 1 else 'cijfers'}",
                    f"Use at least {self.digits} {'digit' if self.digits == 1 else 'digits'}",
                )
            )
        if self.special:
            if self.allowed_specials:
                shown = " ".join(sorted(self.allowed_specials))
                rules.append(
                    PasswordRule(
                        "special",
                        f"Gebruik tenminste 1 speciaal teken uit: {shown}",
                        f"Use at least 1 special character from: {shown}",
                    )
                )
            else:
                rules.append(
                    PasswordRule("special", "Gebruik tenminste 1 speciaal teken", "Use at least 1 special character")
                )
        if self.refuse_common:
            rules.append(
                PasswordRule(
                    "not_common",
                    "Kies geen veelgebruikt of gelekt wachtwoord",
                    "Do not use a common or breached password",
                )
            )
        rules.append(
            PasswordRule(
                "not_personal",
                "Gebruik niet uw naam of e-mailadres",
                "Do not use your name or e-mail address",
            )
        )
        return rules


_PRESETS: dict[PasswordPreset, PasswordPolicy] = {
    PasswordPreset.ASVS: PasswordPolicy(PasswordPreset.ASVS, min_length=12, refuse_common=True),
    PasswordPreset.MESSENGER: PasswordPolicy(
        PasswordPreset.MESSENGER, min_length=8, lower=True, upper=True, digits=1, special=True
    ),
    PasswordPreset.CLIENT_PORTAL: PasswordPolicy(
        PasswordPreset.CLIENT_PORTAL, min_length=12, special=True, allowed_specials=CLIENT_PORTAL_SPECIALS
    ),
    PasswordPreset.GP_PORTAL: PasswordPolicy(PasswordPreset.GP_PORTAL, min_length=10, lower=True, upper=True, digits=2),
}


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (see the header of ``common_passwords.txt`` for its source)."""
    text = (files("identity.domain") / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _is_special(character: str) -> bool:
    return not character.isalnum() and not character.isspace()


def check_password(policy: PasswordPolicy, password: str, *, personal: tuple[str, ...] = ()) -> list[PasswordRule]:
    """Every rule of ``policy`` that ``password`` breaks (empty: the password is fine).

    ``personal`` holds words the password must not be or contain: names, the e-mail
    address and its local part, the username (compared case-insensitively, words of 4+
    characters only, so a short name does not forbid half the alphabet).
    """
    broken: list[PasswordRule] = []
    rules = {rule.code: rule for rule in policy.rules()}
    length = len(password)
    if length < policy.min_length:
        broken.append(rules["min_length"])
    if length > policy.max_length:
        broken.append(rules["max_length"])
    if policy.lower and not any(c.islower() for c in password):
        broken.append(rules["lower"])
    if policy.upper and not any(c.isupper() for c in password):
        broken.append(rules["upper"])
    if policy.digits and sum(c.isdigit() for c in password) < policy.digits:
        broken.append(rules["digits"])
    if policy.special:
        allowed = policy.allowed_specials
        if not any((c in allowed) if allowed else _is_special(c) for c in password):
            broken.append(rules["special"])
    lowered = password.lower()
    if policy.refuse_common and lowered in common_passwords():
        broken.append(rules["not_common"])
    words = {w.lower() for value in personal for w in (value, *value.replace("@", " ").split()) if len(w) >= 4}
    if any(word in lowered for word in words):
        broken.append(rules["not_personal"])
    return broken


@dataclass(frozen=True)
class SecurityPolicy:
    """Everything an organisation decides about how its people sign in."""

    password: PasswordPolicy = field(default_factory=lambda: PasswordPolicy.for_preset(PasswordPreset.ASVS))
    second_factor: SecondFactor = SecondFactor.NONE
    #: Lifetime of one-time codes sent by SMS or e-mail.
    code_lifetime: timedelta = timedelta(minutes=10)
    #: From this many consecutive failures on, each further attempt waits longer.
    lockout_threshold: int = 5
    lockout_step: timedelta = timedelta(seconds=60)
    lockout_max: timedelta = timedelta(minutes=15)
    #: Never more than this many failures in an hour, whatever the waits.
    max_failures_per_hour: int = 100
    #: Seed 4: a secret question is asked as an extra check during password reset.
    secret_question: bool = False

    def lockout_wait(self, consecutive_failures: int) -> timedelta:
        """How long the next attempt must wait: nothing below the threshold, then
        ``step × (failures − threshold + 1)``, at most ``lockout_max``."""
        if consecutive_failures < self.lockout_threshold:
            return timedelta(0)
        steps = consecutive_failures - self.lockout_threshold + 1
        wait: timedelta = self.lockout_step * steps
        return min(wait, self.lockout_max)


def check_new_password(
    policy: PasswordPolicy,
    password: str,
    *,
    field: str,
    personal: tuple[str, ...] = (),
    language: str = "nl",
    previous: str | None = None,
) -> None:
    """Raises :class:`PasswordRejected` naming every broken rule, one entry per rule as
    ``<field>.<rule code>`` with the rule's text in ``language`` (a form shows them all as
    the seeds' checklist); returns when the password is acceptable. ``previous`` is the
    password being replaced, which the new one may not repeat."""
    broken = check_password(policy, password, personal=personal)
    if previous is not None and password == previous:
        broken.append(NOT_PREVIOUS)
    if broken:
        raise PasswordRejected(
            fields={f"{field}.{rule.code}": (rule.en if language == "en" else rule.nl) for rule in broken}
        )


NOT_PREVIOUS = PasswordRule(
    "not_previous", "Kies een ander wachtwoord dan het huidige", "Choose a password other than the current one"
)


@dataclass(frozen=True, kw_only=True)
class SecurityPolicyChanged(DomainEvent):
    """An administrator (or the operator: ``changed_by_account_id`` empty) replaced the policy."""

    organisation_id: str
    password_preset: str
    second_factor: str
    changed_by_account_id: str
