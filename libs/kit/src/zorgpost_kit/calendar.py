"""One clock and one calendar for every rule that depends on the date.

People in Zorgpost live by the Dutch calendar: a birthday, and so an age limit, starts at
midnight in Amsterdam, not in UTC (between 22:00/23:00 UTC and midnight the two disagree
about the day). Every age rule, date check and working-day rule asks this module, in the
services and in their tests alike, so the two can never count differently.

Working days are Monday to Friday except the Dutch public holidays (PyPI ``holidays``,
country NL: New Year, Good Friday, Easter Monday, King's Day, Liberation Day in the years
it is a day off, Ascension Day, Whit Monday, Christmas).

Time itself stays in UTC (``utcnow``); only the *day* is Amsterdam's. Use cases take a
:data:`Clock` (default :func:`utcnow`) so tests can pin "now" with :class:`SettableClock`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

#: The calendar of every day-based rule (birthdays, ages, working days).
ZONE = ZoneInfo("Europe/Amsterdam")

#: What use cases call for "now": an aware datetime in UTC.
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The Amsterdam calendar day of an aware ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(ZONE).date()


def today(clock: Clock = utcnow) -> date:
    """Today in the Netherlands, by ``clock``."""
    return local_date(clock())


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``. Someone born on 29 February gets a year older
    on 1 March in a year without one."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday(born: date, age: int) -> date:
    """The first day on which someone born on ``born`` is ``age`` (1 March for a 29 February
    birthday in a year without one)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def latest_birth_date_for_age(age: int, day: date) -> date:
    """The latest birth date of someone who is at least ``age`` on ``day``: everyone born
    on or before it is. (On 28 February of a year without 29 February, someone born on 29
    February ``age`` years earlier is not yet ``age``: they turn it on 1 March.)"""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February, ``age`` years back in a year without one
        return date(day.year - age, 2, 28)


def birth_date_for_age(age: int, day: date, *, days_younger: int = 0) -> date:
    """A birth date of someone who is exactly ``age`` on ``day`` and had that birthday
    today (``days_younger`` > 0: born that many days later, so the birthday is still to
    come). What tests and demo data use to make a person of a given age."""
    return latest_birth_date_for_age(age, day) + timedelta(days=days_younger)


# --- working days ------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=[year]))


def is_public_holiday(day: date) -> bool:
    """A Dutch public holiday (Sundays that are one, such as Easter Sunday, included)."""
    return day in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday, unless a Dutch public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day after ``day`` (never ``day`` itself)."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``count`` >= 0; 0 is ``day`` itself)."""
    if count < 0:
        raise ValueError("count must not be negative")
    for _ in range(count):
        day = next_working_day(day)
    return day


#: Repeat prescriptions asked for before this time (Amsterdam) are ready a working day sooner.
PRESCRIPTION_CUTOFF = time(12, 0)


def prescription_ready_on(requested_at: datetime) -> date:
    """The day a repeat prescription asked for at ``requested_at`` can be collected (seed 5:
    "Recepten aangevraagd vóór 12 uur, zijn de volgende werkdag af te halen").

    - on a working day before 12:00 Amsterdam time: the next working day;
    - on a working day at or after 12:00: the working day after that;
    - on a weekend or public holiday: the practice handles it on the next working day, so
      it is ready the working day after that one (as if asked for that morning).
    """
    local = requested_at.astimezone(ZONE) if requested_at.tzinfo is not None else None
    if local is None:
        raise ValueError("prescription_ready_on needs an aware datetime")
    day = local.date()
    if not is_working_day(day):
        return add_working_days(next_working_day(day), 1)
    return add_working_days(day, 1 if local.time() < PRESCRIPTION_CUTOFF else 2)


def local_datetime(day: date, at: time) -> datetime:
    """The aware moment of wall-clock time ``at`` on ``day`` in Amsterdam (in UTC)."""
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


class SettableClock:
    """A clock a test pins and moves: ``clock = SettableClock(moment)``; ``clock.advance(...)``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or utcnow()
        if self.now.tzinfo is None:
            raise ValueError("a clock tells aware time")

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def today(self) -> date:
        return local_date(self.now)
