"""The practice side of the portal ("back office", seeds 4 and 5) for a practitioner: the
week's agenda with who booked which time, opening hours added as a schedule so that
patients see free times, the repeat-prescription requests to handle (ready: the patient
gets a mail; rejected with an answer), the e-consults to answer (answered in the shared
inbox's conversation page, which closes them for the patient), and the patients with
their trajectories (started with the agreement, ended), documents and reports (published
with a file, for approval or not) and results (a lab result published line by line).

Only practitioners are offered these pages; the gateway and the portal service decide
again on every call (capability ``practise_care``)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from web.domain.moments import parse_moment
from web.entrypoints.context import NotAllowed, Page, get_signed_in_page
from web.entrypoints.conversation import download
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
SLOT_FIELDS = {
    "day": "practice.slot.day",
    "start_time": "practice.schedule.start_time",
    "end_time": "practice.schedule.end_time",
    "location": "practice.schedule.location",
}
ANSWER_FIELDS = {"answer": "practice.prescriptions.answer"}
DOCUMENT_FIELDS = {
    "kind": "practice.document.kind",
    "doc_title": "practice.document.title",
    "requires_approval": "practice.document.requires_approval",
    "files": "practice.document.file",
}
DOCUMENT_KINDS = ("document", "report")
END_FIELDS = {"reason": "practice.trajectory.end_reason"}
TRAJECTORY_FIELDS = {"trajectory_title": "practice.trajectory.title", "files": "practice.trajectory.agreement"}
#: How many observations (lines of a lab result) the form offers; empty lines are skipped.
OBSERVATION_ROWS = 5
OBSERVATION_PARTS = ("name", "value", "unit", "reference_low", "reference_high")
#: As the gateway takes a reference bound: "4.0", "4,0", "-1".
_DECIMAL = re.compile(r"^-?[0-9]{1,12}([.,][0-9]{1,6})?$")
#: A whole number as a person types it: ASCII digits only (``str.isdigit`` also takes "²",
#: which ``int`` refuses) and short (``int`` refuses thousands of digits).
_WHOLE = re.compile(r"[0-9]{1,6}")
#: The weeks the agenda can show: a day further out leaves the calendar a week later.
_FIRST_DAY = date.min + timedelta(days=14)
_LAST_DAY = date.max - timedelta(days=14)


def result_fields() -> dict[str, str]:
    """The result form's fields in page order: title, when taken, then each line's parts."""
    fields = {
        "title": "practice.result.title_field",
        "taken_on": "practice.result.taken_on",
        "taken_time": "practice.result.taken_time",
        "observations": "practice.result.observations",
    }
    for row in range(1, OBSERVATION_ROWS + 1):
        for part in OBSERVATION_PARTS:
            fields[f"obs-{row}-{part}"] = f"practice.result.{part}"
    return fields


async def get_practitioner_page(page: Annotated[Page, Depends(get_signed_in_page)]) -> Page:
    """A practitioner (what the menu offers; the portal decides again on each call)."""
    if not page.account.is_practitioner:
        raise NotAllowed
    return page


PractitionerPage = Annotated[Page, Depends(get_practitioner_page)]


def is_race(error: GatewayError) -> bool:
    """Someone else was first (the request handled, the free time booked, the appointment
    cancelled, the trajectory ended): the page the practitioner came from tells them so,
    rather than the error page."""
    return error.status == 409 and error.code in RACES


#: The portal's answers when someone else was first.
RACES = frozenset(
    {
        "slot_booked",
        "prescription_request_handled",
        "change_request_resolved",
        "appointment_not_active",
        "trajectory_ended",
    }
)


async def told_on(page: Page, text_key: str, path: str) -> Response:
    """Back to the list, with why nothing was done."""
    page.flash("error", text_key)
    return await page.redirect(path)


def week_start(value: str, today: date) -> date:
    """The Monday of the week a ``YYYY-MM-DD`` falls in (this week when absent, unreadable
    or so far off that the week before or after is not a day)."""
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        chosen = today
    if not _FIRST_DAY <= chosen <= _LAST_DAY:
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
    if not _WHOLE.fullmatch(minutes):
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


#: The portal's names for a time's start and end, as the forms' fields are called.
TIME_ALIASES = {"start": "start_time", "starts_at": "start_time", "end": "end_time", "ends_at": "end_time"}


def moments(values: dict[str, str], form: Form) -> tuple[datetime, datetime] | None:
    """The start and end a form gives as a day and two clock times (the Dutch clock), or
    None with the form's field errors (an end that is not after the start too)."""
    day: date | None = None
    try:
        day = date.fromisoformat(values.get("day", "").strip())
    except ValueError:
        form.error("day", "practice.result.bad_day")
    clocks: dict[str, time] = {}
    for name in ("start_time", "end_time"):
        try:
            clocks[name] = time.fromisoformat(values.get(name, "").strip())
        except ValueError:
            form.error(name, "practice.result.bad_time")
    if day is None or form.failed:
        return None
    start = datetime.combine(day, clocks["start_time"], tzinfo=calendar.ZONE)
    end = datetime.combine(day, clocks["end_time"], tzinfo=calendar.ZONE)
    if end <= start:
        form.error("end_time", "practice.appointment.end_after_start")
        return None
    return start, end


def slot_body(values: dict[str, str], form: Form) -> dict[str, str] | None:
    """One free time as the portal takes it, or None with the form's field errors."""
    times = moments(values, form)
    if times is None:
        return None
    return {"start": times[0].isoformat(), "end": times[1].isoformat(), "location": values.get("location", "").strip()}


async def _slot_page(page: Page, form: Form, *, status: int = 200) -> Response:
    return await page.render("pages/practice_slot.html.j2", status=status, form=form)


@router.get("/slots/new")
async def slot_form(page: PractitionerPage) -> Response:
    return await _slot_page(page, page.new_form(SLOT_FIELDS, {"day": calendar.today().isoformat()}))


@router.post("/slots/new")
async def add_slot(page: PractitionerPage) -> Response:
    """One free time outside the consulting hours (an extra consultation)."""
    values = await page.form()
    form = page.new_form(SLOT_FIELDS, values)
    body = slot_body(values, form)
    if body is None:
        return await _slot_page(page, form, status=422)
    try:
        await page.portal_api("POST", "/portal/practice/slots", json=body)
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error, aliases=TIME_ALIASES)
        return await _slot_page(page, form, status=error.status)
    page.flash("success", "practice.slot.added")
    return await page.redirect(f"/practice?week={body['start'][:10]}")


@router.post("/slots/{slot_id}/remove")
async def remove_slot(page: PractitionerPage, slot_id: str) -> Response:
    """A free time taken away; one booked meanwhile is refused (slot_booked) and said so on
    the agenda (the appointment is cancelled on its own, with a mail to the patient)."""
    values = await page.form()
    week = week_start(values.get("week", ""), calendar.today())
    back = f"/practice?week={week.isoformat()}"
    try:
        await page.portal_api("DELETE", f"/portal/practice/slots/{segment(slot_id)}")
    except GatewayError as error:
        if not is_race(error):
            raise
        return await told_on(page, "practice.slot.just_booked", back)
    page.flash("success", "practice.slot.removed")
    return await page.redirect(back)


# --------------------------------------------------------------------------- repeat prescriptions


async def _request(page: Page, request_id: str) -> dict[str, Any]:
    """One request still to handle, or the not-found page (one handled meanwhile is no
    longer among them)."""
    found: dict[str, Any] = await page.portal_api(
        "GET", f"/portal/practice/prescription-requests/{segment(request_id)}"
    )
    if found["status"] != "requested":
        raise GatewayError(404, "prescription_request_not_found", "Not found.")
    return found


@router.get("/prescriptions")
async def prescriptions(page: PractitionerPage, cursor: str = "") -> Response:
    """ "Herhaalrecepten": the requests to handle, soonest ready day first, a page at a time."""
    params = {"status": "requested", **({"cursor": cursor} if cursor else {})}
    listed = await page.portal_api("GET", "/portal/practice/prescription-requests", params=params)
    return await page.render(
        "pages/practice_prescriptions.html.j2", requests=listed["items"], next_cursor=listed.get("next_cursor") or ""
    )


@router.post("/prescriptions/{request_id}/ready")
async def prescription_ready(page: PractitionerPage, request_id: str) -> Response:
    """Ready at the pharmacy: the patient gets a mail (no medicine named in it)."""
    await page.form()
    try:
        await page.portal_api("POST", f"/portal/practice/prescription-requests/{segment(request_id)}/ready", json={})
    except GatewayError as error:
        if not is_race(error):
            raise
        return await told_on(page, "practice.prescriptions.already_handled", "/practice/prescriptions")
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
    try:
        request = await _request(page, request_id)
    except GatewayError as error:
        if error.status != 404:
            raise
        # No longer among the requests to handle: a colleague was first.
        return await told_on(page, "practice.prescriptions.already_handled", "/practice/prescriptions")
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
        if is_race(error):
            return await told_on(page, "practice.prescriptions.already_handled", "/practice/prescriptions")
        if not error.errors:
            raise
        form.take(error)
        return await _reject_page(page, request, form, status=error.status)
    page.flash("success", "practice.prescriptions.rejected")
    return await page.redirect("/practice/prescriptions")


# --------------------------------------------------------------------------- e-consults


@router.get("/econsults")
async def econsults(page: PractitionerPage, cursor: str = "") -> Response:
    """ "E-consulten": the questions to answer first, then those answered (a page at a time).
    One opens in the shared inbox's conversation page; the answer closes the e-consult for
    the patient."""
    params = {"kind": "econsult", **({"cursor": cursor} if cursor else {})}
    listed = await page.portal_api("GET", "/portal/practice/econsults", params=params)
    threads = listed["items"]
    return await page.render(
        "pages/practice_econsults.html.j2",
        open_threads=[thread for thread in threads if thread["state"] == "open"],
        answered=[thread for thread in threads if thread["state"] != "open"],
        next_cursor=listed.get("next_cursor") or "",
    )


# --------------------------------------------------------------------------- clients and results


def observations_from(values: dict[str, str], form: Form) -> list[dict[str, str]]:
    """The lab result's lines as the portal takes them: the lines with anything filled in,
    each with a name and a value, and reference bounds that are numbers (a bound the lab
    gives in words goes in as text). Errors are put on the line's own fields."""
    observations = []
    for row in range(1, OBSERVATION_ROWS + 1):
        line = {part: values.get(f"obs-{row}-{part}", "").strip() for part in OBSERVATION_PARTS}
        if not any(line.values()):
            continue
        for part in ("name", "value"):
            if not line[part]:
                form.error(f"obs-{row}-{part}", "form.required")
        for part in ("reference_low", "reference_high"):
            if line[part] and not _DECIMAL.match(line[part]):
                form.error(f"obs-{row}-{part}", "practice.result.not_a_number")
        observations.append(line)
    if not observations:
        form.error("observations", "practice.result.no_observations")
    return observations


def taken_at(values: dict[str, str], form: Form) -> str:
    """When the sample was taken, on the Dutch clock, as the moment the portal takes."""
    try:
        day = date.fromisoformat(values.get("taken_on", "").strip())
    except ValueError:
        form.error("taken_on", "practice.result.bad_day")
        return ""
    try:
        clock = time.fromisoformat(values.get("taken_time", "").strip() or "00:00")
    except ValueError:
        form.error("taken_time", "practice.result.bad_time")
        return ""
    return datetime.combine(day, clock, tzinfo=calendar.ZONE).isoformat()


def _observation_aliases(observations: list[dict[str, str]], values: dict[str, str]) -> dict[str, str]:
    """The gateway's ``observations.0.value`` on the form's own line (empty lines skipped)."""
    aliases: dict[str, str] = {}
    index = 0
    for row in range(1, OBSERVATION_ROWS + 1):
        if not any(values.get(f"obs-{row}-{part}", "").strip() for part in OBSERVATION_PARTS):
            continue
        for part in OBSERVATION_PARTS:
            aliases[f"observations.{index}.{part}"] = f"obs-{row}-{part}"
        index += 1
    return aliases


@router.get("/clients")
async def client_list(page: PractitionerPage, cursor: str = "") -> Response:
    """ "Cliënten": the practice's clients by last name."""
    params = {"cursor": cursor} if cursor else {}
    listed = await page.portal_api("GET", "/portal/practice/clients", params=params)
    return await page.render(
        "pages/practice_clients.html.j2", clients=listed["items"], next_cursor=listed["next_cursor"] or ""
    )


def _result_form(page: Page) -> Form:
    now = datetime.now(calendar.ZONE)
    return page.new_form(result_fields(), {"taken_on": now.date().isoformat(), "taken_time": now.strftime("%H:%M")})


async def _client_page(
    page: Page,
    person_id: str,
    form: Form,
    document_form: Form | None = None,
    *,
    status: int = 200,
    documents_cursor: str = "",
    results_cursor: str = "",
) -> Response:
    client = await page.portal_api("GET", f"/portal/practice/clients/{segment(person_id)}")
    trajectories = await page.portal_api("GET", "/portal/practice/trajectories", params={"person_id": person_id})
    results = await page.portal_api(
        "GET",
        f"/portal/practice/clients/{segment(person_id)}/results",
        params={"cursor": results_cursor} if results_cursor else {},
    )
    documents = await page.portal_api(
        "GET",
        f"/portal/practice/clients/{segment(person_id)}/documents",
        params={"cursor": documents_cursor} if documents_cursor else {},
    )
    return await page.render(
        "pages/practice_client.html.j2",
        status=status,
        client=client,
        results=results["items"],
        documents=documents["items"],
        documents_next=documents.get("next_cursor") or "",
        results_next=results.get("next_cursor") or "",
        form=form,
        document_form=document_form or page.new_form(DOCUMENT_FIELDS, {"kind": "document"}),
        trajectories=trajectories,
        rows=range(1, OBSERVATION_ROWS + 1),
    )


@router.get("/clients/{person_id}")
async def client(page: PractitionerPage, person_id: str, documents: str = "", results: str = "") -> Response:
    """One patient: their documents and reports, and their results (``documents`` and
    ``results`` are the cursors of a next page of each)."""
    return await _client_page(page, person_id, _result_form(page), documents_cursor=documents, results_cursor=results)


@router.post("/clients/{person_id}/documents")
async def publish_document(page: PractitionerPage, person_id: str) -> Response:
    """A document or report for the patient, with "ik ga akkoord" when approval is asked;
    the patient gets a notice without its title."""
    values, files = await page.form_with_files()
    form = page.new_form(DOCUMENT_FIELDS, values)
    kind = values.get("kind", "")
    if kind not in DOCUMENT_KINDS:
        form.error("kind", "form.required")
    if not values.get("doc_title", "").strip():
        form.error("doc_title", "form.required")
    if not files:
        form.error("files", "practice.document.choose_file")
    if form.failed:
        return await _client_page(page, person_id, _result_form(page), form, status=422)
    fields = {
        "kind": kind,
        "title": values["doc_title"].strip(),
        "requires_approval": "true" if checked(values, "requires_approval") else "false",
    }
    try:
        await page.portal_files(
            f"/portal/practice/clients/{segment(person_id)}/documents", fields, files[:1], file_field="file"
        )
    except GatewayError as error:
        if error.status in (413, 415) and not error.errors:
            form.error("files", f"problem.{error.code}")
        elif error.errors:
            form.take(error, aliases={"title": "doc_title", "file": "files"})
        else:
            raise
        return await _client_page(page, person_id, _result_form(page), form, status=error.status)
    page.flash("success", "practice.document.published")
    return await page.redirect(f"/practice/clients/{segment(person_id)}")


async def _trajectory_page(page: Page, person_id: str, form: Form, *, status: int = 200) -> Response:
    client = await page.portal_api("GET", f"/portal/practice/clients/{segment(person_id)}")
    return await page.render("pages/practice_trajectory_new.html.j2", status=status, client=client, form=form)


@router.get("/clients/{person_id}/trajectories/new")
async def trajectory_form(page: PractitionerPage, person_id: str) -> Response:
    return await _trajectory_page(page, person_id, page.new_form(TRAJECTORY_FIELDS))


@router.post("/clients/{person_id}/trajectories/new")
async def start_trajectory(page: PractitionerPage, person_id: str) -> Response:
    """A care trajectory with its agreement: it waits for every party's "ik ga akkoord"."""
    values, files = await page.form_with_files()
    form = page.new_form(TRAJECTORY_FIELDS, values)
    if not values.get("trajectory_title", "").strip():
        form.error("trajectory_title", "form.required")
    if not files:
        form.error("files", "practice.document.choose_file")
    if form.failed:
        return await _trajectory_page(page, person_id, form, status=422)
    fields = {"person_id": person_id, "title": values["trajectory_title"].strip()}
    try:
        await page.portal_files("/portal/practice/trajectories", fields, files[:1], file_field="file")
    except GatewayError as error:
        if error.status in (413, 415) and not error.errors:
            form.error("files", f"problem.{error.code}")
        elif error.errors:
            form.take(error, aliases={"title": "trajectory_title", "file": "files"})
        else:
            raise
        return await _trajectory_page(page, person_id, form, status=error.status)
    page.flash("success", "practice.trajectory.started")
    return await page.redirect(f"/practice/clients/{segment(person_id)}")


async def _end_page(page: Page, person_id: str, trajectory_id: str, form: Form, *, status: int = 200) -> Response:
    client = await page.portal_api("GET", f"/portal/practice/clients/{segment(person_id)}")
    trajectories = await page.portal_api("GET", "/portal/practice/trajectories", params={"person_id": person_id})
    trajectory = next((item for item in trajectories if item["id"] == trajectory_id), None)
    if trajectory is None or trajectory["status"] == "ended":
        raise GatewayError(404, "trajectory_not_found", "Trajectory not found.")
    return await page.render(
        "pages/practice_trajectory_end.html.j2", status=status, client=client, trajectory=trajectory, form=form
    )


@router.get("/clients/{person_id}/trajectories/{trajectory_id}/end")
async def end_trajectory_confirmation(page: PractitionerPage, person_id: str, trajectory_id: str) -> Response:
    """What ending means (the client's portal access ends with their last trajectory), asked
    before it is done."""
    return await _end_page(page, person_id, trajectory_id, page.new_form(END_FIELDS))


@router.post("/clients/{person_id}/trajectories/{trajectory_id}/end")
async def end_trajectory(page: PractitionerPage, person_id: str, trajectory_id: str) -> Response:
    """Ends the trajectory, with the reason given if any."""
    values = await page.form()
    form = page.new_form(END_FIELDS, values)
    try:
        await page.portal_api(
            "POST",
            f"/portal/practice/trajectories/{segment(trajectory_id)}/end",
            json={"reason": values.get("reason", "").strip()},
        )
    except GatewayError as error:
        if is_race(error):
            return await told_on(page, "practice.trajectory.already_ended", f"/practice/clients/{segment(person_id)}")
        if not error.errors:
            raise
        form.take(error)
        return await _end_page(page, person_id, trajectory_id, form, status=error.status)
    page.flash("success", "practice.trajectory.ended")
    return await page.redirect(f"/practice/clients/{segment(person_id)}")


@router.get("/documents/{document_id}/file")
async def document_file(page: PractitionerPage, document_id: str) -> Response:
    return download(await page.portal_stream(f"/portal/practice/documents/{segment(document_id)}/file"))


@router.post("/clients/{person_id}/results")
async def publish_result(page: PractitionerPage, person_id: str) -> Response:
    """Publishes a lab result; the patient gets a mail that a result is ready (no values)."""
    values = await page.form()
    form = page.new_form(result_fields(), values)
    if not values.get("title", "").strip():
        form.error("title", "form.required")
    moment = taken_at(values, form)
    observations = observations_from(values, form)
    if form.failed:
        return await _client_page(page, person_id, form, status=422)
    body = {"title": values["title"].strip(), "taken_at": moment, "observations": observations}
    try:
        await page.portal_api("POST", f"/portal/practice/clients/{segment(person_id)}/results", json=body)
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error, aliases=_observation_aliases(observations, values))
        return await _client_page(page, person_id, form, status=error.status)
    page.flash("success", "practice.result.published")
    return await page.redirect(f"/practice/clients/{segment(person_id)}")
