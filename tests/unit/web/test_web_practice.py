"""The practice pages' own rules: a week starts on Monday whatever day is asked (and this
week when the address has no readable day), and the schedule form becomes the portal's
body with the ticked days as numbers, or field errors naming the fields left wrong."""

from __future__ import annotations

from datetime import date

from web.entrypoints.practice import SCHEDULE_FIELDS, schedule_body, week_start
from web.forms import Form


def test_a_week_starts_on_the_monday_of_the_day_asked() -> None:
    today = date(2026, 12, 3)  # a Thursday
    assert week_start("2026-12-06", today) == date(2026, 11, 30)
    assert week_start("2026-11-30", today) == date(2026, 11, 30)
    assert week_start("", today) == date(2026, 11, 30)
    assert week_start("not-a-day", today) == date(2026, 11, 30)


def test_a_filled_in_schedule_becomes_the_portals_body() -> None:
    form = Form("nl", SCHEDULE_FIELDS)
    values = {
        "from_date": "2026-12-01",
        "to_date": "2026-12-31",
        "weekday-0": "on",
        "weekday-3": "on",
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": " 10 ",
        "location": " Spreekkamer 1 ",
    }
    assert schedule_body(values, form) == {
        "from_date": "2026-12-01",
        "to_date": "2026-12-31",
        "weekdays": [0, 3],
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": 10,
        "location": "Spreekkamer 1",
    }
    assert not form.failed


def test_a_schedule_without_days_or_whole_minutes_names_those_fields() -> None:
    form = Form("nl", SCHEDULE_FIELDS)
    values = {
        "from_date": "2026-12-01",
        "to_date": "",
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": "7.5",
    }
    assert schedule_body(values, form) is None
    assert set(form.errors) == {"weekdays", "to_date", "slot_minutes"}
    assert form.errors["weekdays"] == ["Vink ten minste één dag aan."]
    assert [item.anchor for item in form.summary()] == ["#field-to-date", "#field-weekdays", "#field-slot-minutes"]
