"""One clock and one calendar for every rule that depends on the date.

People in Zorgpost live by the Dutch calendar: a birthday, and so an age limit, starts at
midnight in Amsterdam, not in UTC (between 22:00/23:00 UTC and midnight the two disagree
about the day). Every age rule, date check and (later) working-day rule asks this module,
in the services and in their tests alike, so the two can never count differently.

Time itself stays in UTC (``utcnow``); only the *day* is Amsterdam's. Use cases take a
:data:`Clock` (default :func:`utcnow`) so tests can pin "now" with :class:`SettableClock`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: The calendar of every day-based rule (birthdays, ages, and working days to come).
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
