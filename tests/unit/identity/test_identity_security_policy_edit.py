"""Staff change their organisation's security policy: every bad field named, safe bounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from identity.domain.policy import PasswordPreset, SecondFactor
from identity.service.security_policy import SecurityPolicyDraft, check_security_policy
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument

#: An administrator of the practice: the one role that manages its security policy.
STAFF = Principal("a1", "a1", "s1", "org-1", "Huisartsenpraktijk De Linde", frozenset({"admin"}))
DRAFT = SecurityPolicyDraft(
    password_preset="gp-portal",
    second_factor="sms",
    code_lifetime_seconds=600,
    lockout_threshold=5,
    lockout_step_seconds=60,
    lockout_max_seconds=900,
    max_failures_per_hour=100,
    secret_question=False,
)


def test_a_valid_draft_becomes_the_policy_of_the_callers_organisation() -> None:
    organisation_id, policy = check_security_policy(STAFF, DRAFT)
    assert organisation_id == "org-1"
    assert policy.password.preset is PasswordPreset.GP_PORTAL
    assert policy.second_factor is SecondFactor.SMS
    assert (policy.code_lifetime, policy.lockout_max) == (timedelta(minutes=10), timedelta(minutes=15))


def test_every_invalid_field_is_named_at_once() -> None:
    bad = replace(
        DRAFT,
        password_preset="simple",
        second_factor="fax",
        code_lifetime_seconds=10,
        lockout_threshold=1,
        max_failures_per_hour=100_000,
    )
    with pytest.raises(InvalidArgument) as raised:
        check_security_policy(STAFF, bad)
    assert set(raised.value.fields) == {
        "password_preset",
        "second_factor",
        "code_lifetime_seconds",
        "lockout_threshold",
        "max_failures_per_hour",
    }


def test_the_longest_wait_cannot_be_shorter_than_one_step() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_security_policy(STAFF, replace(DRAFT, lockout_step_seconds=1200, lockout_max_seconds=600))
    assert set(raised.value.fields) == {"lockout_max_seconds"}


def test_only_administrators_change_a_policy() -> None:
    person = Principal("p1", "p1", "s2", "org-1", "Huisartsenpraktijk De Linde", frozenset({"person"}))
    colleague = Principal("s1", "s1", "s3", "org-1", "Huisartsenpraktijk De Linde", frozenset({"staff"}))
    for caller in (person, colleague):
        with pytest.raises(NotPermitted):
            check_security_policy(caller, DRAFT)
