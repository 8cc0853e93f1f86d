"""One calendar for every day-based rule: today is Amsterdam's day, ages count whole
years (29 February birthdays on 1 March in other years), and a clock a test can pin."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from zorgpost_kit import calendar


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # Summer time (UTC+2): from 22:00 UTC it is tomorrow in Amsterdam.
        (datetime(2026, 6, 1, 21, 59, tzinfo=UTC), date(2026, 6, 1)),
        (datetime(2026, 6, 1, 22, 0, tzinfo=UTC), date(2026, 6, 2)),
        # Winter time (UTC+1): from 23:00 UTC.
        (datetime(2026, 1, 15, 22, 59, tzinfo=UTC), date(2026, 1, 15)),
        (datetime(2026, 1, 15, 23, 0, tzinfo=UTC), date(2026, 1, 16)),
        # Any aware moment counts, whatever its own zone.
        (datetime(2026, 6, 1, 20, 30, tzinfo=timezone(timedelta(hours=-4))), date(2026, 6, 2)),
    ],
)
def test_the_day_is_amsterdams(moment: datetime, day: date) -> None:
    assert calendar.local_date(moment) == day
    assert calendar.today(lambda: moment) == day


def test_a_naive_moment_has_no_day() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar.local_date(datetime(2026, 6, 1, 12))


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 6, 2), date(2026, 6, 1), 15),
        (date(2010, 6, 2), date(2026, 6, 2), 16),
        (date(2012, 2, 29), date(2027, 2, 28), 14),
        (date(2012, 2, 29), date(2027, 3, 1), 15),
        (date(2012, 2, 29), date(2028, 2, 29), 16),
    ],
)
def test_age_counts_whole_years(born: date, day: date, age: int) -> None:
    assert calendar.age_on(born, day) == age


def test_a_birthday_on_29_february_falls_on_1_march_in_a_common_year() -> None:
    assert calendar.birthday(date(2084, 2, 29), 16) == date(2100, 3, 1)
    assert calendar.birthday(date(2012, 2, 29), 16) == date(2028, 2, 29)


@pytest.mark.parametrize("day", [date(2026, 6, 2), date(2028, 2, 29), date(2116, 2, 29), date(2027, 3, 1)])
@pytest.mark.parametrize("age", [12, 16])
def test_a_birth_date_for_an_age_is_exactly_that_age_and_a_day_later_is_younger(day: date, age: int) -> None:
    born = calendar.birth_date_for_age(age, day)
    assert calendar.age_on(born, day) == age
    assert calendar.age_on(calendar.birth_date_for_age(age, day, days_younger=1), day) == age - 1
    # Everyone born on or before the latest birth date is at least that age.
    assert calendar.latest_birth_date_for_age(age, day) == born


def test_a_settable_clock_is_pinned_and_moved_by_the_test() -> None:
    clock = calendar.SettableClock(datetime(2026, 6, 1, 21, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 6, 1)

    clock.advance(timedelta(hours=1))

    assert clock() == datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert clock.today() == date(2026, 6, 2)
    with pytest.raises(ValueError, match="aware"):
        calendar.SettableClock(datetime(2026, 6, 1))


# --- working days and the repeat-prescription cut-off --------------------------------------


def _amsterdam(day: date, hour: int, minute: int = 0) -> datetime:
    return calendar.local_datetime(day, time(hour, minute))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),  # a Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 27), False),  # King's Day
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2026, 12, 25), False),  # Christmas
        (date(2027, 1, 1), False),  # New Year
        (date(2026, 12, 24), True),
    ],
)
def test_working_days_skip_weekends_and_dutch_public_holidays(day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_the_next_working_day_jumps_over_a_long_weekend() -> None:
    assert calendar.next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)  # Thursday → Tuesday after Easter
    assert calendar.next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)  # Friday → Monday
    assert calendar.add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert calendar.add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 11, 27), -1)


@pytest.mark.parametrize(
    ("requested", "ready"),
    [
        # Friday before noon: Monday; from noon: Tuesday.
        (_amsterdam(date(2026, 11, 27), 11, 59), date(2026, 11, 30)),
        (_amsterdam(date(2026, 11, 27), 12, 0), date(2026, 12, 1)),
        # An ordinary Tuesday.
        (_amsterdam(date(2026, 12, 1), 9, 0), date(2026, 12, 2)),
        (_amsterdam(date(2026, 12, 1), 17, 0), date(2026, 12, 3)),
        # The Thursday before Good Friday and Easter Monday.
        (_amsterdam(date(2026, 4, 2), 11, 0), date(2026, 4, 7)),
        (_amsterdam(date(2026, 4, 2), 13, 0), date(2026, 4, 8)),
        # The day before Ascension Day (Thursday 14 May 2026).
        (_amsterdam(date(2026, 5, 13), 10, 0), date(2026, 5, 15)),
        # Weekend and holiday requests are handled on the next working day: ready the day after.
        (_amsterdam(date(2026, 11, 28), 9, 0), date(2026, 12, 1)),
        (_amsterdam(date(2026, 11, 29), 23, 0), date(2026, 12, 1)),
        (_amsterdam(date(2026, 12, 25), 10, 0), date(2026, 12, 29)),
    ],
)
def test_a_repeat_prescription_is_ready_by_the_noon_cut_off_in_working_days(requested: datetime, ready: date) -> None:
    assert calendar.prescription_ready_on(requested) == ready


def test_the_cut_off_is_amsterdams_noon_not_utcs() -> None:
    # 11:30 UTC on a winter Friday is 12:30 in Amsterdam: past the cut-off.
    assert calendar.prescription_ready_on(datetime(2026, 11, 27, 11, 30, tzinfo=UTC)) == date(2026, 12, 1)
    # 10:30 UTC in summer is 12:30 in Amsterdam too.
    assert calendar.prescription_ready_on(datetime(2026, 6, 5, 10, 30, tzinfo=UTC)) == date(2026, 6, 9)
    assert calendar.prescription_ready_on(datetime(2026, 6, 5, 9, 59, tzinfo=UTC)) == date(2026, 6, 8)
    with pytest.raises(ValueError):
        calendar.prescription_ready_on(datetime(2026, 6, 5, 9, 0))
