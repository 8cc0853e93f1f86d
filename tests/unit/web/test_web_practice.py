"""The practice pages' own rules: a week starts on Monday whatever day is asked (and this
week when the address has no readable day); the schedule form becomes the portal's body
with the ticked days as numbers, and a lab result's lines become observations (empty lines
skipped, bounds as numbers), or field errors name the fields left wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime

from web.entrypoints.practice import (
    SCHEDULE_FIELDS,
    observations_from,
    result_fields,
    schedule_body,
    taken_at,
    week_start,
)
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


def test_a_results_filled_in_lines_become_observations_and_empty_lines_are_skipped() -> None:
    form = Form("nl", result_fields())
    values = {
        "obs-1-name": "Glucose nuchter",
        "obs-1-value": " 7.9 ",
        "obs-1-unit": "mmol/L",
        "obs-1-reference_low": "4,0",
        "obs-1-reference_high": "6.1",
        "obs-3-name": "Urinekweek",
        "obs-3-value": "negatief",
    }
    assert observations_from(values, form) == [
        {
            "name": "Glucose nuchter",
            "value": "7.9",
            "unit": "mmol/L",
            "reference_low": "4,0",
            "reference_high": "6.1",
        },
        {"name": "Urinekweek", "value": "negatief", "unit": "", "reference_low": "", "reference_high": ""},
    ]
    assert not form.failed


def test_a_line_without_a_value_or_with_a_bound_in_words_is_refused_on_that_line() -> None:
    form = Form("nl", result_fields())
    observations_from({"obs-2-name": "Hemoglobine", "obs-2-reference_high": "hoog"}, form)
    assert form.errors == {
        "obs-2-value": ["Vul dit veld in."],
        "obs-2-reference_high": ["Vul een getal in, bijvoorbeeld 4,0."],
    }
    empty = Form("nl", result_fields())
    assert observations_from({}, empty) == []
    assert list(empty.errors) == ["observations"]


def test_the_moment_taken_is_read_on_the_dutch_clock() -> None:
    form = Form("nl", result_fields())
    moment = taken_at({"taken_on": "2026-07-01", "taken_time": "08:30"}, form)
    assert datetime.fromisoformat(moment) == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)
    assert taken_at({"taken_on": "gisteren"}, form) == ""
    assert list(form.errors) == ["taken_on"]
