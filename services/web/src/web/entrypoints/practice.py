"""The practice side of the portal ("back office", seeds 4 and 5) for a practitioner: the
week's agenda with who booked which time, opening hours added as a schedule so that
patients see free times, and the repeat-prescription requests to handle (ready: the
patient gets a mail; rejected with an answer).

Only practitioners are offered these pages; the gateway and the portal service decide
again on every call (capability ``practise_care``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from web.domain.moments import parse_moment
from web.entrypoints.context import NotAllowed, Page, get_signed_in_page
from web.entrypoints.paths import segment
from web.forms import Form, checked
from web.service.ports import GatewayError
from zorgpost_kit import calendar

router = APIRouter(prefix="/practice")

#: 0 = Monday … 6 = Sunday, as the portal numbers the days of a schedule.
WEEKDAYS = range(7)
SCHEDULE_FIELDS = {
    "from_date": "practice.schedule.from_date",
    "to_date": "practice.schedule.to_date",
    "weekdays": "practice.schedule.weekdays",
    "start_time": "practice.schedule.start_time",
    "end_time": "practice.schedule.end_time",
    "slot_minutes": "practice.schedule.slot_minutes",
    "location": "practice.schedule.location",
}
ANSWER_FIELDS = {"answer": "practice.prescriptions.answer"}


async def get_practitioner_page(page: Annotated[Page, Depends(get_signed_in_page)]) -> Page:
    """A practitioner (what the menu offers; the portal decides again on each call)."""
    if not page.account.is_practitioner:
        raise NotAllowed
    return page


PractitionerPage = Annotated[Page, Depends(get_practitioner_page)]


def week_start(value: str, today: date) -> date:
    """The Monday of the week a ``YYYY-MM-DD`` falls in (this week when absent or unreadable)."""
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


def chosen_weekdays(values: dict[str, str]) -> list[int]:
    """The days ticked on the schedule form (one checkbox per day: ``weekday-0`` …)."""
    return [day for day in WEEKDAYS if checked(values, f"weekday-{day}")]


def schedule_body(values: dict[str, str], form: Form) -> dict[str, Any] | None:
    """The schedule as the portal takes it, or None with the form's field errors."""
    weekdays = chosen_weekdays(values)
    if not weekdays:
        form.error("weekdays", "practice.schedule.choose_day")
    for name in ("from_date", "to_date", "start_time", "end_time"):
        if not values.get(name, "").strip():
            form.error(name, "form.required")
    minutes = values.get("slot_minutes", "").strip()
    if not minutes.isdigit():
        form.error("slot_minutes", "practice.schedule.whole_minutes")
    if form.failed:
        return None
    return {
        "from_date": values["from_date"].strip(),
        "to_date": values["to_date"].strip(),
        "weekdays": weekdays,
        "start_time": values["start_time"].strip(),
        "end_time": values["end_time"].strip(),
        "slot_minutes": int(minutes),
        "location": values.get("location", "").strip(),
    }


def _local_day(moment: str) -> str:
    return parse_moment(moment).astimezone(calendar.ZONE).date().isoformat()


# --------------------------------------------------------------------------- agenda


@router.get("")
async def agenda(page: PractitionerPage, week: str = "") -> Response:
    """ "Agenda": the week's times, free or booked with the patient's name."""
    monday = week_start(week, calendar.today())
    sunday = monday + timedelta(days=6)
    slots = await page.portal_api(
        "GET", "/portal/practice/agenda", params={"from": monday.isoformat(), "to": sunday.isoformat()}
    )
    days: dict[str, list[dict[str, Any]]] = {(monday + timedelta(days=n)).isoformat(): [] for n in range(7)}
    for slot in slots:
        days.setdefault(_local_day(slot["start"]), []).append(slot)
    return await page.render(
        "pages/practice_agenda.html.j2",
        days={day: listed for day, listed in days.items() if listed},
        monday=monday.isoformat(),
        sunday=sunday.isoformat(),
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
    )


async def _schedule_page(page: Page, form: Form, *, status: int = 200) -> Response:
    return await page.render("pages/practice_schedule.html.j2", status=status, form=form, weekdays=list(WEEKDAYS))


@router.get("/schedules/new")
async def schedule_form(page: PractitionerPage) -> Response:
    today = calendar.today()
    defaults = {
        "from_date": today.isoformat(),
        "to_date": (today + timedelta(days=28)).isoformat(),
        "slot_minutes": "10",
    }
    return await _schedule_page(page, page.new_form(SCHEDULE_FIELDS, defaults))


@router.post("/schedules/new")
async def add_schedule(page: PractitionerPage) -> Response:
    """ "Spreekuren": opening hours on chosen days become free times for patients."""
    values = await page.form()
    form = page.new_form(SCHEDULE_FIELDS, values)
    body = schedule_body(values, form)
    if body is None:
        return await _schedule_page(page, form, status=422)
    try:
        added = await page.portal_api("POST", "/portal/practice/schedules", json=body)
    except GatewayError as error:
        form.take(error)
        return await _schedule_page(page, form, status=error.status)
    page.flash("success", "practice.schedule.added", count=added["slots_added"])
    return await page.redirect(f"/practice?week={body['from_date']}")


# --------------------------------------------------------------------------- repeat prescriptions


async def _request(page: Page, request_id: str) -> dict[str, Any]:
    """One request still to handle, or the not-found page."""
    listed = await page.portal_api("GET", "/portal/practice/prescription-requests", params={"status": "requested"})
    for item in listed["items"]:
        if item["id"] == request_id:
            found: dict[str, Any] = item
            return found
    raise GatewayError(404, "prescription_request_not_found", "Prescription request not found.")


@router.get("/prescriptions")
async def prescriptions(page: PractitionerPage) -> Response:
    """ "Herhaalrecepten": the requests to handle, soonest ready day first."""
    listed = await page.portal_api("GET", "/portal/practice/prescription-requests", params={"status": "requested"})
    return await page.render("pages/practice_prescriptions.html.j2", requests=listed["items"])


@router.post("/prescriptions/{request_id}/ready")
async def prescription_ready(page: PractitionerPage, request_id: str) -> Response:
    """Ready at the pharmacy: the patient gets a mail (no medicine named in it)."""
    await page.form()
    await page.portal_api("POST", f"/portal/practice/prescription-requests/{segment(request_id)}/ready", json={})
    page.flash("success", "practice.prescriptions.marked_ready")
    return await page.redirect("/practice/prescriptions")


async def _reject_page(page: Page, request: dict[str, Any], form: Form, *, status: int = 200) -> Response:
    return await page.render("pages/practice_prescription_reject.html.j2", status=status, request=request, form=form)


@router.get("/prescriptions/{request_id}/reject")
async def reject_form(page: PractitionerPage, request_id: str) -> Response:
    return await _reject_page(page, await _request(page, request_id), page.new_form(ANSWER_FIELDS))


@router.post("/prescriptions/{request_id}/reject")
async def reject(page: PractitionerPage, request_id: str) -> Response:
    """Rejected with an answer the patient reads in the portal."""
    values = await page.form()
    form = page.new_form(ANSWER_FIELDS, values)
    request = await _request(page, request_id)
    if not values.get("answer", "").strip():
        form.error("answer", "practice.prescriptions.answer_required")
        return await _reject_page(page, request, form, status=422)
    try:
        await page.portal_api(
            "POST",
            f"/portal/practice/prescription-requests/{segment(request_id)}/reject",
            json={"answer": values["answer"].strip()},
        )
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error)
        return await _reject_page(page, request, form, status=error.status)
    page.flash("success", "practice.prescriptions.rejected")
    return await page.redirect("/practice/prescriptions")
