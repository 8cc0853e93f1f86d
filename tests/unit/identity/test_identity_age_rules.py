"""The Dutch age rules of delegations (seed 5): under 12 a parent may be granted access,
12–15 the child consents, 16+ only with explicit consent; parental delegations end on the
16th birthday, also for someone born on 29 February."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from identity.domain.accounts import Account
from identity.domain.client_accounts import OWN_ACCOUNT_MIN_AGE
from identity.domain.delegations import (
    ConsentRule,
    Delegation,
    DelegationKind,
    DelegationStatus,
    EndReason,
    consent_rule,
    sixteen_years_before,
    sixteenth_birthday,
)
from identity.domain.errors import DelegationNotActive, DelegationNotAwaitingConsent
from zorgpost_kit.calendar import age_on

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "rule"),
    [
        (0, ConsentRule.NONE_NEEDED),
        (11, ConsentRule.NONE_NEEDED),
        (12, ConsentRule.CHILD_CONSENTS),
        (15, ConsentRule.CHILD_CONSENTS),
        (16, ConsentRule.PERSON_CONSENTS),
        (45, ConsentRule.PERSON_CONSENTS),
    ],
)
def test_the_consent_rule_follows_the_age_boundaries(age: int, rule: ConsentRule) -> None:
    assert consent_rule(age) is rule


def test_young_people_get_their_own_account_from_twelve() -> None:
    assert OWN_ACCOUNT_MIN_AGE == 12


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2014, 6, 1), date(2026, 5, 31), 11),
        (date(2014, 6, 1), date(2026, 6, 1), 12),
        (date(2010, 2, 28), date(2026, 2, 27), 15),
        (date(2010, 2, 28), date(2026, 2, 28), 16),
        # Born on 29 February: a year older on 1 March when the year has no 29 February …
        (date(2012, 2, 29), date(2027, 2, 28), 14),
        (date(2012, 2, 29), date(2027, 3, 1), 15),
        # … and on 29 February when it has one.
        (date(2012, 2, 29), date(2028, 2, 28), 15),
        (date(2012, 2, 29), date(2028, 2, 29), 16),
    ],
)
def test_age_counts_whole_years_also_for_leap_day_birthdays(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age
    # The account's own rule says the same.
    assert Account("a", "a@x.example", "A", None, None, frozenset(), birth_date=born).age_on(day) == age


@pytest.mark.parametrize(
    ("born", "sixteenth"),
    [
        (date(2010, 6, 1), date(2026, 6, 1)),
        (date(2012, 2, 29), date(2028, 2, 29)),
        (date(2008, 2, 29), date(2024, 2, 29)),
        (date(2011, 2, 28), date(2027, 2, 28)),
    ],
)
def test_the_sixteenth_birthday(born: date, sixteenth: date) -> None:
    assert sixteenth_birthday(born) == sixteenth
    assert age_on(born, sixteenth) == 16


def test_the_sixteenth_birthday_of_a_leap_day_child_in_a_common_year_is_1_march() -> None:
    # 16 years after a leap year is a leap year, except across a century: 2100 is none.
    assert sixteenth_birthday(date(2084, 2, 29)) == date(2100, 3, 1)
    assert age_on(date(2084, 2, 29), date(2100, 2, 28)) == 15
    assert age_on(date(2084, 2, 29), date(2100, 3, 1)) == 16


def test_the_cut_off_for_the_sixteen_job_includes_everyone_turning_sixteen() -> None:
    assert sixteen_years_before(date(2026, 6, 1)) == date(2010, 6, 1)
    assert sixteen_years_before(date(2028, 2, 29)) == date(2012, 2, 29)
    assert sixteen_years_before(date(2116, 2, 29)) == date(2100, 2, 28)


def _request(age: int) -> Delegation:
    return Delegation.request(
        id="d",
        organisation_id="o",
        person_account_id="child",
        delegate_account_id="parent",
        person_age=age,
        created_by="staff",
        now=NOW,
    )


def test_under_twelve_a_delegation_is_active_at_once_and_parental() -> None:
    delegation = _request(11)
    assert delegation.status is DelegationStatus.ACTIVE
    assert delegation.kind is DelegationKind.PARENTAL
    assert delegation.granted_at == NOW


@pytest.mark.parametrize("age", [12, 15])
def test_from_twelve_to_fifteen_the_child_must_consent_and_it_stays_parental(age: int) -> None:
    delegation = _request(age)
    assert delegation.status is DelegationStatus.AWAITING_CONSENT
    assert delegation.kind is DelegationKind.PARENTAL
    assert not delegation.is_active
    delegation.consent(True, NOW)
    assert delegation.is_active


@pytest.mark.parametrize("age", [16, 40])
def test_from_sixteen_only_explicit_consent_and_it_does_not_end_by_age(age: int) -> None:
    delegation = _request(age)
    assert delegation.status is DelegationStatus.AWAITING_CONSENT
    assert delegation.kind is DelegationKind.CONSENTED
    delegation.consent(True, NOW)
    assert not delegation.ends_by_age_on(date(1980, 1, 1), date(2026, 6, 1))


def test_a_declined_delegation_is_never_active_and_cannot_be_answered_twice() -> None:
    delegation = _request(13)
    delegation.consent(False, NOW)
    assert delegation.status is DelegationStatus.DECLINED
    with pytest.raises(DelegationNotAwaitingConsent):
        delegation.consent(True, NOW)


def test_a_parental_delegation_ends_on_the_sixteenth_birthday_not_a_day_before() -> None:
    born = date(2010, 6, 2)
    delegation = _request(11)
    assert not delegation.ends_by_age_on(born, date(2026, 6, 1))
    assert delegation.ends_by_age_on(born, date(2026, 6, 2))


def test_a_leap_day_child_s_parental_delegation_ends_on_1_march_in_a_common_year() -> None:
    delegation = _request(10)
    born = date(2084, 2, 29)
    assert not delegation.ends_by_age_on(born, date(2100, 2, 28))
    assert delegation.ends_by_age_on(born, date(2100, 3, 1))


def test_an_ended_delegation_cannot_end_again() -> None:
    delegation = _request(5)
    delegation.end(EndReason.TURNED_16, NOW)
    assert delegation.status is DelegationStatus.ENDED
    assert delegation.end_reason is EndReason.TURNED_16
    assert not delegation.ends_by_age_on(date(2010, 1, 1), date(2026, 6, 1))
    with pytest.raises(DelegationNotActive):
        delegation.end(EndReason.REVOKED, NOW)
