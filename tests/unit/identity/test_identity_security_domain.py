"""Identity's security rules without infrastructure: code hashing, the lockout arithmetic,
which second factor a login asks for, TOTP steps, recovery codes, the password checklist
and how devices are named."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest

from identity.domain.accounts import Account, Role
from identity.domain.codes import CodeHasher, CodePurpose, generate_code, normalise_code
from identity.domain.errors import PasswordRejected
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy, check_new_password
from identity.domain.rate_limits import retry_after_seconds
from identity.domain.second_factors import (
    FactorMethod,
    choose_method,
    hash_recovery_code,
    matching_totp_step,
    new_recovery_codes,
)
from identity.domain.throttle import LoginThrottle, normalise_login_name
from identity.service.sessions import describe_user_agent

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- one-time codes -------------------------------------------------------------------------


def test_codes_are_six_digits_and_vary() -> None:
    codes = {generate_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 190


def test_a_code_hash_is_bound_to_key_purpose_and_subject() -> None:
    hasher = CodeHasher(b"k" * 32)
    base = hasher.hash(CodePurpose.LOGIN, "challenge-1", "123456")
    assert hasher.hash(CodePurpose.LOGIN, "challenge-1", " 123-456 ") == base  # as people type it
    assert hasher.hash(CodePurpose.REGISTRATION, "challenge-1", "123456") != base
    assert hasher.hash(CodePurpose.LOGIN, "challenge-2", "123456") != base
    assert CodeHasher(b"x" * 32).hash(CodePurpose.LOGIN, "challenge-1", "123456") != base
    assert "123456" not in base


def test_a_short_code_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CodeHasher(b"short")


def test_normalise_code_drops_spaces_and_dashes() -> None:
    assert normalise_code(" 12 34-56 ") == "123456"


# --- lockout ----------------------------------------------------------------------------------

POLICY = SecurityPolicy()  # from the 5th failure 60 s × n, at most 15 min, 100 an hour


def _fail(throttle: LoginThrottle, times: int, now: datetime = NOW) -> list[bool]:
    return [throttle.do_record_failure(POLICY, now) for _ in range(times)]


def test_four_failures_cost_nothing_the_fifth_a_minute() -> None:
    throttle = LoginThrottle("anna@example.nl", NOW)
    assert _fail(throttle, 4) == [False] * 4
    assert throttle.wait(NOW) == timedelta(0)
    assert throttle.do_record_failure(POLICY, NOW) is True  # the lock starts: tell the owner
    assert throttle.wait(NOW) == timedelta(seconds=60)


def test_the_wait_grows_with_each_failure_up_to_fifteen_minutes() -> None:
    throttle = LoginThrottle("anna@example.nl", NOW)
    now = NOW
    waits = []
    for _ in range(25):
        throttle.do_record_failure(POLICY, now)
        waits.append(throttle.wait(now))
        now += throttle.wait(now)
    assert waits[4:7] == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=180)]
    assert max(waits) == timedelta(minutes=15)


def test_the_owner_is_told_once_per_run_of_failures() -> None:
    throttle = LoginThrottle("anna@example.nl", NOW)
    _fail(throttle, 5)
    assert throttle.do_record_failure(POLICY, NOW + timedelta(seconds=1)) is False  # during the lock
    later = NOW + timedelta(minutes=5)  # after the wait: a further failure locks again, silently
    assert throttle.do_record_failure(POLICY, later) is False
    assert throttle.wait(later) == timedelta(seconds=180)


def test_never_more_than_the_hourly_maximum() -> None:
    policy = SecurityPolicy(lockout_threshold=1000, max_failures_per_hour=100)
    throttle = LoginThrottle("anna@example.nl", NOW)
    for minute in range(100):
        throttle.do_record_failure(policy, NOW + timedelta(seconds=30 * minute))
    last = NOW + timedelta(seconds=30 * 99)
    assert throttle.wait(last) == NOW + timedelta(hours=1) - last
    # The next hour starts afresh.
    assert throttle.wait(NOW + timedelta(hours=1)) == timedelta(0)


def test_success_forgives_the_failures() -> None:
    throttle = LoginThrottle("anna@example.nl", NOW)
    _fail(throttle, 4)
    throttle.do_record_success()
    assert _fail(throttle, 4) == [False] * 4


def test_login_names_are_throttled_as_typed_but_normalised() -> None:
    assert normalise_login_name("  Anna@Example.NL ") == "anna@example.nl"
    assert normalise_login_name("anna\x00@example.nl") == "anna@example.nl"


def test_retry_after_rounds_up() -> None:
    assert retry_after_seconds(timedelta(seconds=0.2)) == 1
    assert retry_after_seconds(timedelta(seconds=59.01)) == 60


# --- which factor -----------------------------------------------------------------------------


def _account(*, mobile: str | None = "+31612345678") -> Account:
    return Account(
        id="a",
        email="a@example.nl",
        display_name="A",
        password_hash="h",
        organisation_id="o",
        roles=frozenset({Role.PERSON}),
        mobile=mobile,
        birth_date=date(1990, 1, 1),
    )


@pytest.mark.parametrize(
    ("required", "confirmed", "mobile", "expected"),
    [
        (SecondFactor.NONE, set(), "+31612345678", None),
        (SecondFactor.NONE, {FactorMethod.TOTP}, None, FactorMethod.TOTP),
        (SecondFactor.NONE, {FactorMethod.SMS, FactorMethod.EMAIL}, "+31612345678", FactorMethod.SMS),
        (SecondFactor.SMS, set(), "+31612345678", FactorMethod.SMS),
        (SecondFactor.SMS, set(), None, FactorMethod.EMAIL),
        (SecondFactor.EMAIL, {FactorMethod.TOTP}, None, FactorMethod.EMAIL),
        (SecondFactor.TOTP, {FactorMethod.TOTP}, None, FactorMethod.TOTP),
        (SecondFactor.TOTP, set(), None, FactorMethod.EMAIL),
        (SecondFactor.ANY, set(), None, FactorMethod.EMAIL),
        (SecondFactor.ANY, {FactorMethod.SMS}, "+31612345678", FactorMethod.SMS),
    ],
)
def test_choose_method(
    required: SecondFactor, confirmed: set[FactorMethod], mobile: str | None, expected: FactorMethod | None
) -> None:
    assert choose_method(required, _account(mobile=mobile), frozenset(confirmed)) is expected


def test_totp_accepts_one_step_of_drift_and_names_the_step() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    assert matching_totp_step(secret, totp.at(NOW), NOW) == step
    assert matching_totp_step(secret, totp.at(NOW - timedelta(seconds=30)), NOW) == step - 1
    assert matching_totp_step(secret, totp.at(NOW + timedelta(seconds=30)), NOW) == step + 1
    assert matching_totp_step(secret, totp.at(NOW + timedelta(seconds=90)), NOW) is None
    assert matching_totp_step(secret, "abcdef", NOW) is None


def test_recovery_codes_are_distinct_and_hash_as_typed() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert hash_recovery_code(code.upper().replace("-", " ")) == hash_recovery_code(code)


# --- password checklist -----------------------------------------------------------------------


def test_every_broken_rule_is_named_with_its_field() -> None:
    with pytest.raises(PasswordRejected) as rejected:
        check_new_password(
            PasswordPolicy.for_preset(PasswordPreset.MESSENGER), "abc", field="new_password", previous="abc"
        )
    assert rejected.value.fields == {
        "new_password.min_length": "Gebruik tenminste 8 karakters",
        "new_password.upper": "Gebruik tenminste 1 hoofdletter",
        "new_password.digits": "Gebruik tenminste 1 cijfer",
        "new_password.special": "Gebruik tenminste 1 speciaal teken",
        "new_password.not_previous": "Kies een ander wachtwoord dan het huidige",
    }


def test_the_checklist_speaks_english_to_english_readers() -> None:
    with pytest.raises(PasswordRejected) as rejected:
        check_new_password(PasswordPolicy.for_preset(PasswordPreset.ASVS), "short", field="password", language="en")
    assert rejected.value.fields == {"password.min_length": "Use at least 12 characters"}


def test_an_acceptable_password_passes() -> None:
    check_new_password(PasswordPolicy.for_preset(PasswordPreset.GP_PORTAL), "Huisarts2026xx", field="new_password")


# --- devices ----------------------------------------------------------------------------------


def test_devices_are_named_from_the_user_agent() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
    assert describe_user_agent(firefox) == ("Firefox 120.0 on Linux", "Firefox 120.0", "Linux", False)
    assert describe_user_agent("") == ("Unknown device", "", "", False)
    assert describe_user_agent("curl/8.0")[0] == "curl 8.0 on Other"
