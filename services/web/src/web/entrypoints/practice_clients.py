"""The practice side of a client's record (seeds 4 and 5): their personal data ("Over mij")
kept by the practice and the change requests clients send for it, the consent items the
practice asks about (with each client's decisions and when they were made), medication
(added, stopped: a stopped medicine can no longer be ordered as a repeat prescription),
appointments planned on the client's behalf or cancelled (the client gets a mail), and the
diary notes a client shared.

Only practitioners are offered these pages; the portal service decides again on every
call."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import Page
from web.entrypoints.paths import segment
from web.entrypoints.practice import TIME_ALIASES, PractitionerPage, is_race, moments, told_on
from web.forms import Form, checked
from web.service.ports import GatewayError

router = APIRouter(prefix="/practice")

#: The record's fields as the practice edits them, in page order.
CLIENT_RECORD_FIELDS = {
    "first_name": "practice.record.first_name",
    "last_name": "practice.record.last_name",
    "birth_date": "practice.record.birth_date",
    "email": "practice.record.email",
    "phone": "practice.record.phone",
    "street": "practice.record.street",
    "postal_code": "practice.record.postal_code",
    "city": "practice.record.city",
    "insurer": "practice.record.insurer",
    "policy_number": "practice.record.policy_number",
    "language": "practice.record.language",
}
RESOLVE_FIELDS = {"answer": "practice.changes.answer"}
MEDICATION_FIELDS = {
    "name": "practice.medication.name",
    "dosage": "practice.medication.dosage",
    "chronic": "practice.medication.chronic",
    "started_on": "practice.medication.started_on",
}
APPOINTMENT_FIELDS = {
    "day": "practice.appointment.day",
    "start_time": "practice.appointment.start_time",
    "end_time": "practice.appointment.end_time",
    "with_name": "practice.appointment.with_name",
    "location": "practice.appointment.location",
}
#: How many consent items the practice's form offers besides those it has: one to add.
NEW_CONSENT_ROWS = 1
CONSENT_PARTS = ("label_nl", "label_en")
#: A consent item's code as the portal takes it.
_CODE = re.compile(r"[^a-z0-9]+")


def _client_path(person_id: str, rest: str = "") -> str:
    return f"/portal/practice/clients/{segment(person_id)}{rest}"


async def _client(page: Page, person_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await page.portal_api("GET", _client_path(person_id))
    return found


# --------------------------------------------------------------------------- personal data and consents


def record_values(record: dict[str, Any]) -> dict[str, str]:
    """The record as the edit form shows it (absent values as empty text)."""
    return {name: str(record.get(name) or "") for name in CLIENT_RECORD_FIELDS}


def record_body(values: dict[str, str], form: Form) -> dict[str, str] | None:
    """The record as the portal takes it (every field: the portal replaces the record), or
    None with the form's field errors."""
    body = {name: values.get(name, "").strip() for name in CLIENT_RECORD_FIELDS}
    for name in ("first_name", "last_name"):
        if not body[name]:
            form.error(name, "form.required")
    if body["language"] not in ("nl", "en"):
        body["language"] = "nl"
    return None if form.failed else body


async def _details_page(page: Page, person_id: str, form: Form, *, status: int = 200) -> Response:
    client = await _client(page, person_id)
    consents = await page.portal_api("GET", _client_path(person_id, "/consents"))
    return await page.render(
        "pages/practice_client_details.html.j2", status=status, client=client, form=form, consents=consents
    )


@router.get("/clients/{person_id}/details")
async def client_details(page: PractitionerPage, person_id: str) -> Response:
    """ "Gegevens": the practice's record of the client, and the client's consents."""
    client = await _client(page, person_id)
    return await _details_page(page, person_id, page.new_form(CLIENT_RECORD_FIELDS, record_values(client)))


@router.post("/clients/{person_id}/details")
async def save_client_details(page: PractitionerPage, person_id: str) -> Response:
    """Saves the record; the portal keeps every earlier version."""
    values = await page.form()
    form = page.new_form(CLIENT_RECORD_FIELDS, values)
    body = record_body(values, form)
    if body is None:
        return await _details_page(page, person_id, form, status=422)
    try:
        await page.portal_api("PUT", _client_path(person_id), json=body)
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error)
        return await _details_page(page, person_id, form, status=error.status)
    page.flash("success", "practice.record.saved")
    return await page.redirect(f"/practice/clients/{segment(person_id)}/details")


# --------------------------------------------------------------------------- change requests


async def _with_names(page: Page, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each request with the client's current record beside it (what changes from what)."""
    records: dict[str, dict[str, Any]] = {}
    for request in requests:
        person_id = request["person_id"]
        if person_id not in records:
            try:
                records[person_id] = await _client(page, person_id)
            except GatewayError as error:
                if error.status != 404:
                    raise
                records[person_id] = {}
    return [{**request, "client": records[request["person_id"]]} for request in requests]


@router.get("/change-requests")
async def change_requests(page: PractitionerPage) -> Response:
    """ "Wijzigingsverzoeken": clients' requests to change their personal data, oldest first."""
    listed = await page.portal_api("GET", "/portal/practice/change-requests", params={"status": "open"})
    return await page.render("pages/practice_change_requests.html.j2", requests=await _with_names(page, listed))


async def _open_request(page: Page, request_id: str) -> dict[str, Any]:
    listed = await page.portal_api("GET", "/portal/practice/change-requests", params={"status": "open"})
    for request in listed:
        if request["id"] == request_id:
            [named] = await _with_names(page, [request])
            return named
    raise GatewayError(404, "change_request_not_found", "Change request not found.")


@router.post("/change-requests/{request_id}/accept")
async def accept_change_request(page: PractitionerPage, request_id: str) -> Response:
    """Accepting applies the change to the client's record (the version before stays)."""
    await page.form()
    try:
        await page.portal_api("POST", f"/portal/practice/change-requests/{segment(request_id)}/accept", json={})
    except GatewayError as error:
        if not is_race(error):
            raise
        return await told_on(page, "practice.changes.already_handled", "/practice/change-requests")
    page.flash("success", "practice.changes.accepted")
    return await page.redirect("/practice/change-requests")


async def _change_reject_page(page: Page, request: dict[str, Any], form: Form, *, status: int = 200) -> Response:
    return await page.render("pages/practice_change_reject.html.j2", status=status, request=request, form=form)


@router.get("/change-requests/{request_id}/reject")
async def change_reject_form(page: PractitionerPage, request_id: str) -> Response:
    return await _change_reject_page(page, await _open_request(page, request_id), page.new_form(RESOLVE_FIELDS))


@router.post("/change-requests/{request_id}/reject")
async def reject_change_request(page: PractitionerPage, request_id: str) -> Response:
    """Rejected, with an answer the client reads in the portal."""
    values = await page.form()
    form = page.new_form(RESOLVE_FIELDS, values)
    try:
        request = await _open_request(page, request_id)
    except GatewayError as error:
        if error.status != 404:
            raise
        # No longer open: a colleague accepted or rejected it meanwhile.
        return await told_on(page, "practice.changes.already_handled", "/practice/change-requests")
    if not values.get("answer", "").strip():
        form.error("answer", "practice.changes.answer_required")
        return await _change_reject_page(page, request, form, status=422)
    try:
        await page.portal_api(
            "POST",
            f"/portal/practice/change-requests/{segment(request_id)}/reject",
            json={"answer": values["answer"].strip()},
        )
    except GatewayError as error:
        if is_race(error):
            return await told_on(page, "practice.changes.already_handled", "/practice/change-requests")
        if not error.errors:
            raise
        form.take(error)
        return await _change_reject_page(page, request, form, status=error.status)
    page.flash("success", "practice.changes.rejected")
    return await page.redirect("/practice/change-requests")


# --------------------------------------------------------------------------- consent items


def consent_fields(count: int) -> dict[str, str]:
    """The consent form's fields in page order: each row's labels and default."""
    fields: dict[str, str] = {}
    for row in range(1, count + 1):
        fields[f"item-{row}-label_nl"] = "practice.consents.label_nl"
        fields[f"item-{row}-label_en"] = "practice.consents.label_en"
        fields[f"item-{row}-default"] = "practice.consents.default_granted"
    return fields


def consent_values(items: list[dict[str, Any]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for row, item in enumerate(items, start=1):
        values[f"item-{row}-code"] = item["code"]
        values[f"item-{row}-label_nl"] = item["label_nl"]
        values[f"item-{row}-label_en"] = item["label_en"]
        values[f"item-{row}-default"] = "on" if item["default_granted"] else ""
    return values


def code_for(label: str, taken: set[str]) -> str:
    """A new item's code from its Dutch label ("Contact met school" → "contact-met-school"),
    made unique among the practice's codes."""
    base = _CODE.sub("-", label.lower()).strip("-")[:40] or "item"
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code


def consent_items_from(values: dict[str, str], rows: int, form: Form) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The items as the portal takes them (rows left empty or ticked for removal are left
    out) and which form row each item came from, for the gateway's field errors."""
    items: list[dict[str, Any]] = []
    aliases: dict[str, str] = {}
    taken = {values.get(f"item-{row}-code", "") for row in range(1, rows + 1)} - {""}
    for row in range(1, rows + 1):
        labels = {part: values.get(f"item-{row}-{part}", "").strip() for part in CONSENT_PARTS}
        if checked(values, f"item-{row}-remove") or not any(labels.values()):
            continue
        for part in CONSENT_PARTS:
            if not labels[part]:
                form.error(f"item-{row}-{part}", "form.required")
        code = values.get(f"item-{row}-code", "") or code_for(labels["label_nl"], taken)
        taken.add(code)
        for part in (*CONSENT_PARTS, "code"):
            aliases[f"items.{len(items)}.{part}"] = f"item-{row}-label_nl" if part == "code" else f"item-{row}-{part}"
        items.append({"code": code, **labels, "default_granted": checked(values, f"item-{row}-default")})
    return items, aliases


async def _consent_items_page(page: Page, form: Form, rows: int, *, status: int = 200) -> Response:
    return await page.render(
        "pages/practice_consent_items.html.j2",
        status=status,
        form=form,
        rows=range(1, rows + 1),
    )


@router.get("/consent-items")
async def consent_items(page: PractitionerPage) -> Response:
    """ "Toestemmingen": what the practice asks its clients' consent for, and the default."""
    found = await page.portal_api("GET", "/portal/practice/consent-items")
    items = found["items"]
    rows = len(items) + NEW_CONSENT_ROWS
    return await _consent_items_page(page, page.new_form(consent_fields(rows), consent_values(items)), rows)


def _row_count(values: dict[str, str]) -> int:
    try:
        rows = int(values.get("rows", "0"))
    except ValueError:
        rows = 0
    # The portal keeps at most 50 items: one row more lets its refusal name the 51st.
    return min(max(rows, NEW_CONSENT_ROWS), 51)


@router.post("/consent-items")
async def save_consent_items(page: PractitionerPage) -> Response:
    """Replaces the list; clients' decisions stay (also for an item taken away)."""
    values = await page.form()
    rows = _row_count(values)
    form = page.new_form(consent_fields(rows), values)
    items, aliases = consent_items_from(values, rows, form)
    if form.failed:
        return await _consent_items_page(page, form, rows, status=422)
    try:
        await page.portal_api("PUT", "/portal/practice/consent-items", json={"items": items})
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error, aliases=aliases)
        return await _consent_items_page(page, form, rows, status=error.status)
    page.flash("success", "practice.consents.saved")
    return await page.redirect("/practice/consent-items")


# --------------------------------------------------------------------------- medication


async def _medication_page(page: Page, person_id: str, form: Form, *, status: int = 200) -> Response:
    client = await _client(page, person_id)
    medications = await page.portal_api("GET", _client_path(person_id, "/medications"))
    return await page.render(
        "pages/practice_client_medication.html.j2",
        status=status,
        client=client,
        current=[m for m in medications if not m["stopped_on"]],
        stopped=[m for m in medications if m["stopped_on"]],
        form=form,
    )


@router.get("/clients/{person_id}/medication")
async def client_medication(page: PractitionerPage, person_id: str) -> Response:
    """ "Medicatie": current and stopped medication; only chronic medication can be ordered
    as a repeat prescription."""
    return await _medication_page(page, person_id, page.new_form(MEDICATION_FIELDS))


@router.post("/clients/{person_id}/medication")
async def add_medication(page: PractitionerPage, person_id: str) -> Response:
    values = await page.form()
    form = page.new_form(MEDICATION_FIELDS, values)
    if not values.get("name", "").strip():
        form.error("name", "form.required")
    started = values.get("started_on", "").strip()
    if started:
        try:
            date.fromisoformat(started)
        except ValueError:
            form.error("started_on", "practice.result.bad_day")
    if form.failed:
        return await _medication_page(page, person_id, form, status=422)
    body = {
        "name": values["name"].strip(),
        "dosage": values.get("dosage", "").strip(),
        "chronic": checked(values, "chronic"),
        "started_on": started,
    }
    try:
        await page.portal_api("POST", _client_path(person_id, "/medications"), json=body)
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error)
        return await _medication_page(page, person_id, form, status=error.status)
    page.flash("success", "practice.medication.added")
    return await page.redirect(f"/practice/clients/{segment(person_id)}/medication")


@router.post("/clients/{person_id}/medication/{medication_id}/stop")
async def stop_medication(page: PractitionerPage, person_id: str, medication_id: str) -> Response:
    """Stopped today: the medicine leaves the client's repeat-prescription choice."""
    await page.form()
    await page.portal_api("POST", f"/portal/practice/medications/{segment(medication_id)}/stop", json={})
    page.flash("success", "practice.medication.stopped")
    return await page.redirect(f"/practice/clients/{segment(person_id)}/medication")


# --------------------------------------------------------------------------- appointments


def appointment_body(values: dict[str, str], form: Form) -> dict[str, str] | None:
    """The appointment as the portal takes it, or None with the form's field errors."""
    times = moments(values, form)
    if times is None:
        return None
    return {
        "start": times[0].isoformat(),
        "end": times[1].isoformat(),
        "with_name": values.get("with_name", "").strip(),
        "location": values.get("location", "").strip(),
    }


async def _appointments_page(
    page: Page, person_id: str, form: Form, *, status: int = 200, cursor: str = ""
) -> Response:
    client = await _client(page, person_id)
    listed = await page.portal_api(
        "GET", _client_path(person_id, "/appointments"), params={"cursor": cursor} if cursor else {}
    )
    return await page.render(
        "pages/practice_client_appointments.html.j2",
        status=status,
        client=client,
        appointments=listed["items"],
        next_cursor=listed.get("next_cursor") or "",
        form=form,
    )


@router.get("/clients/{person_id}/appointments")
async def client_appointments(page: PractitionerPage, person_id: str, cursor: str = "") -> Response:
    """ "Afspraken": the client's coming appointments, and one planned on their behalf."""
    return await _appointments_page(page, person_id, page.new_form(APPOINTMENT_FIELDS), cursor=cursor)


@router.post("/clients/{person_id}/appointments")
async def plan_appointment(page: PractitionerPage, person_id: str) -> Response:
    """Planned for the client: it shows in their portal."""
    values = await page.form()
    form = page.new_form(APPOINTMENT_FIELDS, values)
    body = appointment_body(values, form)
    if body is None:
        return await _appointments_page(page, person_id, form, status=422)
    try:
        await page.portal_api("POST", _client_path(person_id, "/appointments"), json=body)
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error, aliases=TIME_ALIASES)
        return await _appointments_page(page, person_id, form, status=error.status)
    page.flash("success", "practice.appointment.planned")
    return await page.redirect(f"/practice/clients/{segment(person_id)}/appointments")


async def _appointment(page: Page, person_id: str, appointment_id: str) -> dict[str, Any]:
    """One of the client's coming appointments, or the not-found page (another client's,
    a past or a cancelled one is not one to cancel here)."""
    found: dict[str, Any] = await page.portal_api("GET", f"/portal/practice/appointments/{segment(appointment_id)}")
    if found["person_id"] != person_id or found["status"] != "upcoming":
        raise GatewayError(404, "appointment_not_found", "Not found.")
    return found


def _after_cancel(person_id: str, week: str) -> str:
    """Back where the cancelling started: the agenda's week, or the client's appointments."""
    if week:
        return f"/practice?week={segment(week)}"
    return f"/practice/clients/{segment(person_id)}/appointments"


@router.get("/clients/{person_id}/appointments/{appointment_id}/cancel")
async def cancel_confirmation(page: PractitionerPage, person_id: str, appointment_id: str, week: str = "") -> Response:
    """Asked before it is done: the client gets a mail that the appointment is cancelled."""
    return await page.render(
        "pages/practice_appointment_cancel.html.j2",
        client=await _client(page, person_id),
        appointment=await _appointment(page, person_id, appointment_id),
        week=week,
        back=_after_cancel(person_id, week),
    )


@router.post("/clients/{person_id}/appointments/{appointment_id}/cancel")
async def cancel_appointment(page: PractitionerPage, person_id: str, appointment_id: str) -> Response:
    values = await page.form()
    back = _after_cancel(person_id, values.get("week", ""))
    try:
        await page.portal_api("DELETE", f"/portal/practice/appointments/{segment(appointment_id)}")
    except GatewayError as error:
        if not is_race(error):
            raise
        return await told_on(page, "practice.appointment.not_active", back)
    page.flash("success", "practice.appointment.cancelled")
    return await page.redirect(back)


# --------------------------------------------------------------------------- shared diary


@router.get("/clients/{person_id}/diary")
async def shared_diary(page: PractitionerPage, person_id: str, cursor: str = "") -> Response:
    """ "Dagboek": the notes the client (or a parent) shared with the practice."""
    client = await _client(page, person_id)
    listed = await page.portal_api(
        "GET", _client_path(person_id, "/diary"), params={"cursor": cursor} if cursor else {}
    )
    return await page.render(
        "pages/practice_client_diary.html.j2",
        client=client,
        entries=listed["items"],
        next_cursor=listed.get("next_cursor") or "",
    )
