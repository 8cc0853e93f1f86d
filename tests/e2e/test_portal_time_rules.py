"""The portal's time rules at the moments that matter, whatever the hour the test runs: the
portal is given a clock (ZORGPOST_PORTAL_CLOCK_START, development and tests only) that starts
at a chosen moment and runs on from there. A repeat prescription asked for on a Friday before
noon is ready on Monday, after noon on Tuesday; before Christmas the holidays are skipped;
an appointment can be cancelled online until exactly 24 hours before."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
import pytest
from portal_e2e import Client, Practice, add_slot, new_client, open_practice, whole_minute

from identity.domain.policy import PasswordPreset
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

FRIDAY = date(2026, 11, 27)
CHRISTMAS_EVE = date(2026, 12, 24)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return calendar.local_datetime(day, time(hour, minute))


pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.stack(extra_env={"portal": {"CLOCK_START": _at(FRIDAY, 11).isoformat()}}),
]


def set_portal_clock(stack: Stack, moment: datetime) -> None:
    """Restarts the portal with its clock starting at ``moment`` (unless it already started
    there: it has run on for minutes at most since)."""
    if stack.config.extra_env.get("portal", {}).get("CLOCK_START") == moment.isoformat():
        return
    stack.stop("portal")
    # A new dict: the module's marker keeps the clock it named.
    stack.config.extra_env["portal"] = {**stack.config.extra_env.get("portal", {}), "CLOCK_START": moment.isoformat()}
    stack.start("portal")
    stack.wait_serving("portal")
    # The gateway's channel reconnects on its own schedule: ready once it sees the portal again.
    stack.wait_ready()


async def _patient_with_chronic_medication(stack: Stack, api: httpx.AsyncClient) -> tuple[Practice, Client, str]:
    gp = await open_practice(stack, api, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    petra = await new_client(stack, api, gp, "Petra", 52)
    added = await api.post(
        f"/api/v1/portal/practice/clients/{petra.account_id}/medications",
        json={"name": "Metformine 500 mg", "chronic": True},
        headers=gp.headers,
    )
    return gp, petra, added.json()["id"]


async def _ready_on(api: httpx.AsyncClient, petra: Client, medication_id: str) -> date:
    made = await api.post(
        "/api/v1/portal/prescription-requests", json={"medication_ids": [medication_id]}, headers=petra.headers
    )
    assert made.status_code == 201, made.text
    return date.fromisoformat(made.json()["ready_on"])


@pytest.mark.parametrize(
    ("moment", "ready"),
    [
        (_at(FRIDAY, 11), date(2026, 11, 30)),  # Friday before noon → Monday
        (_at(FRIDAY, 12, 30), date(2026, 12, 1)),  # Friday after noon → Tuesday
        (_at(CHRISTMAS_EVE, 11), date(2026, 12, 28)),  # Christmas and the weekend skipped → Monday
        (_at(CHRISTMAS_EVE, 13), date(2026, 12, 29)),  # after noon → Tuesday
    ],
    ids=["friday-before-noon", "friday-after-noon", "christmas-eve-morning", "christmas-eve-afternoon"],
)
async def test_the_noon_cut_off_in_working_days(
    stack: Stack, api: httpx.AsyncClient, moment: datetime, ready: date
) -> None:
    set_portal_clock(stack, moment)
    _, petra, medication_id = await _patient_with_chronic_medication(stack, api)
    assert await _ready_on(api, petra, medication_id) == ready


async def test_cancelling_online_ends_24_hours_before_the_appointment(stack: Stack, api: httpx.AsyncClient) -> None:
    now = _at(FRIDAY, 9)
    set_portal_clock(stack, now)
    gp = await open_practice(stack, api, "Huisartsenpraktijk De Linde", PasswordPreset.GP_PORTAL)
    petra = await new_client(stack, api, gp, "Petra", 52)
    # The portal's clock runs on from 11:00: slots at 24 h + 10 min and 24 h - 10 min ahead.
    just_in_time = await add_slot(api, gp, whole_minute(now + timedelta(hours=24, minutes=10)))
    too_late = await add_slot(api, gp, whole_minute(now + timedelta(hours=23, minutes=50)))
    ids = []
    for slot in (just_in_time, too_late):
        booked = await api.post("/api/v1/portal/appointments", json={"slot_id": slot["id"]}, headers=petra.headers)
        assert booked.status_code == 201, booked.text
        ids.append(booked.json()["id"])
    listed = (await api.get("/api/v1/portal/appointments", headers=petra.headers)).json()["items"]
    assert [(a["id"], a["cancellable"]) for a in listed] == [(ids[1], False), (ids[0], True)]

    refused = await api.delete(f"/api/v1/portal/appointments/{ids[1]}", headers=petra.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "too_late_to_cancel")
    assert (await api.delete(f"/api/v1/portal/appointments/{ids[0]}", headers=petra.headers)).status_code == 204
    # A slot that has begun is no longer offered, nor bookable.
    passed = await api.post(
        "/api/v1/portal/practice/slots",
        json={"start": (now - timedelta(hours=1)).isoformat(), "end": now.isoformat()},
        headers=gp.headers,
    )
    assert passed.status_code == 422
