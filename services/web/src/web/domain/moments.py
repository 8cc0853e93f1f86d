"""How a page says when something happened and how big a file is, as people say it:
"een paar seconden geleden", "gisteren om 14:05", "1,2 MB" (seed 1 shows conversations that
way). Times are read on the Dutch clock (Europe/Amsterdam), whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from zorgpost_kit.calendar import ZONE

#: (Dutch, English) for each way of saying it; ``{n}``, ``{time}`` and ``{date}`` are filled in.
PHRASES: dict[str, tuple[str, str]] = {
    "seconds": ("een paar seconden geleden", "a few seconds ago"),
    "minute": ("een minuut geleden", "a minute ago"),
    "minutes": ("{n} minuten geleden", "{n} minutes ago"),
    "today": ("vandaag om {time}", "today at {time}"),
    "yesterday": ("gisteren om {time}", "yesterday at {time}"),
    "date": ("{date} om {time}", "{date} at {time}"),
}
MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def describe_day(day: date, language: str) -> str:
    """A day as the seed says it: "dinsdag 9 november 2022" ("Tuesday 9 November 2022")."""
    words = "en" if language == "en" else "nl"
    return f"{WEEKDAYS[words][day.weekday()]} {day.day} {MONTH_NAMES[words][day.month - 1]} {day.year}"


def describe_month(year: int, month: int, language: str) -> str:
    """ "december 2026" ("December 2026")."""
    return f"{MONTH_NAMES['en' if language == 'en' else 'nl'][month - 1]} {year}"


def parse_moment(value: str | datetime) -> datetime:
    """An aware datetime from the gateway's ISO text (``Z`` or an offset)."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a moment needs its zone")
    return moment


def describe_moment(at: datetime, now: datetime, language: str) -> str:
    """Recent moments relative to ``now``, later ones by day and clock time."""
    index = 1 if language == "en" else 0
    age = now - at
    if age < timedelta(minutes=1):
        return PHRASES["seconds"][index]
    if age < timedelta(minutes=2):
        return PHRASES["minute"][index]
    if age < timedelta(hours=1):
        return PHRASES["minutes"][index].format(n=int(age.total_seconds() // 60))
    local, today = at.astimezone(ZONE), now.astimezone(ZONE).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return PHRASES["today"][index].format(time=clock)
    if local.date() == today - timedelta(days=1):
        return PHRASES["yesterday"][index].format(time=clock)
    month = MONTHS["en" if index else "nl"][local.month - 1]
    day = f"{local.day} {month}" if local.year == today.year else f"{local.day} {month} {local.year}"
    return PHRASES["date"][index].format(date=day, time=clock)


def describe_size(size: int, language: str) -> str:
    """Bytes as kB or MB, with the decimal comma in Dutch."""
    if size < 1000:
        text = f"{size} B"
    elif size < 1_000_000:
        text = f"{size / 1000:.0f} kB"
    else:
        text = f"{size / 1_000_000:.1f} MB"
    return text if language == "en" else text.replace(".", ",")
