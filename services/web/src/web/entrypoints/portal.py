"""The client and patient portal (seeds 4 and 5), for the person or for whom they act:
appointments (free slots per day with month navigation, booking with the "not for urgent
complaints" notice, cancelling until 24 hours before), repeat prescriptions (chronic
medication only, the day they are ready), results (viewed, downloaded as PDF or CSV), the
e-consult (a question with photos) and care messages to the practitioner with their
conversations, the dossier (about me with change requests, insurance, medication,
documents and reports to approve, uploads, consents, the agreement of a trajectory, the
FHIR download), the diary (written and edited, private or shared), and who did what.

Every call goes through :meth:`Page.portal_api`: with an act-as token a parent works in
the child's portal, and the portal service decides what anyone may see or change.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from web.domain.moments import describe_day, describe_month, parse_moment
from web.entrypoints.context import Page, SignedInPage
from web.entrypoints.conversation import MESSAGE_FIELDS, attachment_download, download, send_message
from web.entrypoints.paging import page_url
from web.entrypoints.paths import segment
from web.forms import checked
from web.i18n import translate
from web.service.ports import GatewayError
from zorgpost_kit import calendar

router = APIRouter(prefix="/portal")

BOOKING_FIELDS = {"slot_id": "portal.booking.time", "reason": "portal.booking.reason"}
PRESCRIPTION_FIELDS = {"medication_ids": "portal.prescriptions.medication", "note": "portal.prescriptions.note"}
ECONSULT_FIELDS = {
    "subject": "portal.econsult.subject",
    "question": "portal.econsult.question",
    "files": "portal.econsult.photos",
}
UPLOAD_FIELDS = {"title": "portal.documents.title", "files": "portal.documents.file"}
DIARY_FIELDS = {"body": "portal.diary.body", "shared": "portal.diary.shared"}
DIARY_EDIT_FIELDS = {"body": "portal.diary.text", "shared": "portal.diary.shared"}
CARE_FIELDS = {"subject": "portal.care.subject", "body": "portal.care.body"}
#: The personal data a change request can name, in the order the form shows them.
CHANGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "insurer",
    "policy_number",
)
ABOUT_FIELDS = {**{name: f"portal.about.{name}" for name in CHANGEABLE_FIELDS}, "note": "portal.about.note"}
#: Diary pages walked to find one note to edit (the portal lists them, newest first).
DOCUMENT_KINDS = ("document", "report")
EXPORT_FORMATS = ("pdf", "csv")


def _month(value: str, today: date) -> date:
    """The first day of ``YYYY-MM`` (this month when absent, unreadable or past)."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        first = date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return max(first, today.replace(day=1))


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _local_day(moment: str) -> str:
    """The Dutch day a moment falls on ("2026-12-01")."""
    return parse_moment(moment).astimezone(calendar.ZONE).date().isoformat()


def _slots_by_day(slots: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    days: dict[str, list[dict[str, Any]]] = {}
    for slot in slots:
        days.setdefault(_local_day(slot["start"]), []).append(slot)
    return days


# --------------------------------------------------------------------------- appointments


async def _appointments_page(page: Page, *, status: int = 200, refusal: str = "") -> Response:
    upcoming = await page.portal_api("GET", "/portal/appointments", params={"scope": "upcoming"})
    past = await page.portal_api("GET", "/portal/appointments", params={"scope": "past"})
    return await page.render(
        "pages/portal_appointments.html.j2",
        status=status,
        upcoming=upcoming["items"],
        past=past["items"],
        refusal=refusal,
    )


@router.get("/appointments")
async def appointments(page: SignedInPage) -> Response:
    return await _appointments_page(page)


@router.get("/appointments/new")
async def booking(page: SignedInPage, month: str = "", day: str = "") -> Response:
    """ "Afspraak maken": the month's days with free time as buttons ("Meer" to the next
    month), and the chosen day's free times."""
    today = calendar.today()
    first = _month(month, today)
    start = max(first, today)
    last = _next_month(first) - timedelta(days=1)
    slots = await page.portal_api("GET", "/portal/slots", params={"from": start.isoformat(), "to": last.isoformat()})
    days = _slots_by_day(slots)
    chosen = day if day in days else next(iter(days), "")
    previous = first.replace(day=1) - timedelta(days=1)
    return await page.render(
        "pages/portal_booking.html.j2",
        month_name=describe_month(first.year, first.month, page.lang),
        month=first.strftime("%Y-%m"),
        previous_month=previous.strftime("%Y-%m") if previous >= today.replace(day=1) else "",
        next_month=_next_month(first).strftime("%Y-%m"),
        days=days,
        chosen=chosen,
        times=days.get(chosen, []),
        form=page.new_form(BOOKING_FIELDS),
    )


async def _slot(page: Page, slot_id: str, day: str) -> dict[str, Any] | None:
    """The free slot as the practice offers it on that day, or None (taken meanwhile)."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return None
    slots = await page.portal_api("GET", "/portal/slots", params={"from": wanted.isoformat(), "to": wanted.isoformat()})
    return next((slot for slot in slots if slot["id"] == slot_id), None)


async def _confirm_page(page: Page, slot: dict[str, Any], form: Any, *, status: int = 200) -> Response:
    notice = await page.portal_api("GET", "/portal/booking-notice")
    return await page.render(
        "pages/portal_booking_confirm.html.j2",
        status=status,
        slot=slot,
        day=_local_day(slot["start"]),
        notice=notice["notice_en" if page.lang == "en" else "notice_nl"],
        form=form,
    )


@router.get("/appointments/confirm")
async def booking_confirm(page: SignedInPage, slot_id: str = "", day: str = "") -> Response:
    slot = await _slot(page, slot_id, day) if slot_id else None
    if slot is None:
        page.flash("error", "portal.booking.choose_time" if not slot_id else "portal.booking.taken")
        return await page.redirect("/portal/appointments/new" + (f"?day={day}&month={day[:7]}" if day else ""))
    return await _confirm_page(page, slot, page.new_form(BOOKING_FIELDS, {"slot_id": slot_id}))


@router.post("/appointments/confirm")
async def book(page: SignedInPage) -> Response:
    values = await page.form()
    form = page.new_form(BOOKING_FIELDS, values)
    slot = await _slot(page, values.get("slot_id", ""), values.get("day", ""))
    if slot is None:
        page.flash("error", "portal.booking.taken")
        return await page.redirect("/portal/appointments/new")
    try:
        await page.portal_api(
            "POST", "/portal/appointments", json={"slot_id": slot["id"], "reason": values.get("reason", "")}
        )
    except GatewayError as error:
        if error.status in (404, 409) and not error.errors:
            page.flash("error", "portal.booking.taken")
            return await page.redirect("/portal/appointments/new")
        form.take(error)
        return await _confirm_page(page, slot, form, status=error.status)
    page.flash("success", "portal.booking.booked")
    return await page.redirect("/portal/appointments")


@router.post("/appointments/{appointment_id}/cancel")
async def cancel(page: SignedInPage, appointment_id: str) -> Response:
    await page.form()
    try:
        await page.portal_api("DELETE", f"/portal/appointments/{segment(appointment_id)}")
    except GatewayError as error:
        if error.status == 409 and error.code == "appointment_not_active":
            # Cancelled meanwhile (by the practice, or in another window): nothing to do.
            page.flash("error", "portal.appointments.not_active")
            return await page.redirect("/portal/appointments")
        if error.status == 409:
            # Seed 5: cancelling is done online until 24 hours before; later, by phone.
            return await _appointments_page(page, status=409, refusal="portal.appointments.too_late")
        raise
    page.flash("success", "portal.appointments.cancelled")
    return await page.redirect("/portal/appointments")


# --------------------------------------------------------------------------- repeat prescriptions


async def _prescriptions_page(
    page: Page, form: Any, *, status: int = 200, selected: list[str] | None = None
) -> Response:
    medications = await page.portal_api("GET", "/portal/medications")
    requests = await page.portal_api("GET", "/portal/prescription-requests")
    return await page.render(
        "pages/portal_prescriptions.html.j2",
        status=status,
        medications=medications,
        requests=requests["items"],
        selected=set(selected or []),
        form=form,
    )


@router.get("/prescriptions")
async def prescriptions(page: SignedInPage) -> Response:
    return await _prescriptions_page(page, page.new_form(PRESCRIPTION_FIELDS))


@router.post("/prescriptions")
async def request_prescription(page: SignedInPage) -> Response:
    values = await page.form()
    chosen = [str(v) for v in (await page.request.form()).getlist("medication_ids") if isinstance(v, str)]
    form = page.new_form(PRESCRIPTION_FIELDS, values)
    if not chosen:
        form.error("medication_ids", "portal.prescriptions.choose")
        return await _prescriptions_page(page, form, status=422)
    try:
        made = await page.portal_api(
            "POST", "/portal/prescription-requests", json={"medication_ids": chosen, "note": values.get("note", "")}
        )
    except GatewayError as error:
        form.take(error)
        return await _prescriptions_page(page, form, status=error.status, selected=chosen)
    page.flash("success", "portal.prescriptions.requested", day=_day_words(page, made["ready_on"]))
    return await page.redirect("/portal/prescriptions")


def _day_words(page: Page, value: str) -> str:
    return describe_day(date.fromisoformat(value), page.lang)


# --------------------------------------------------------------------------- results


@router.get("/results")
async def results(page: SignedInPage) -> Response:
    listed = await page.portal_api("GET", "/portal/results")
    return await page.render("pages/portal_results.html.j2", results=listed["items"])


@router.get("/results/{result_id}")
async def result(page: SignedInPage, result_id: str) -> Response:
    found = await page.portal_api("GET", f"/portal/results/{segment(result_id)}")
    return await page.render("pages/portal_result.html.j2", result=found)


@router.get("/results/{result_id}/export")
async def export_result(page: SignedInPage, result_id: str, format: str = "pdf") -> Response:
    """The result as a file to keep ("voor eigen gebruik downloaden")."""
    chosen = format if format in EXPORT_FORMATS else "pdf"
    return download(await page.portal_stream(f"/portal/results/{segment(result_id)}/export", params={"format": chosen}))


# --------------------------------------------------------------------------- messages and the e-consult


def _acting(page: Page) -> bool:
    return page.session is not None and page.session.acting is not None


def _conversation_url(page: Page, thread_id: str) -> str:
    """Where a portal conversation opens: the conversation page with one's own token, or —
    in someone else's portal — the portal's own view of it with the act-as token (the
    conversation belongs to the person one acts for, not to oneself)."""
    return ("/portal/messages/" if _acting(page) else "/messages/") + segment(thread_id)


@router.get("/messages")
async def messages(page: SignedInPage) -> Response:
    """ "Berichten": the e-consults and care conversations of this portal."""
    listed = await page.portal_api("GET", "/portal/messages")
    return await page.render(
        "pages/portal_messages.html.j2",
        threads=[{**thread, "url": _conversation_url(page, thread["id"])} for thread in listed["items"]],
    )


@router.get("/care-messages/new")
async def care_message_form(page: SignedInPage) -> Response:
    return await page.render("pages/portal_care_message.html.j2", form=page.new_form(CARE_FIELDS))


@router.post("/care-messages/new")
async def write_care_message(page: SignedInPage) -> Response:
    """ "Nieuw bericht" to the practitioner (seed 4): unlike an e-consult, the conversation
    stays open for both sides."""
    values = await page.form()
    form = page.new_form(CARE_FIELDS, values)
    for name in CARE_FIELDS:
        if not values.get(name, "").strip():
            form.error(name, "form.required")
    if form.failed:
        return await page.render("pages/portal_care_message.html.j2", status=422, form=form)
    try:
        started = await page.portal_api(
            "POST", "/portal/care-messages", json={"subject": values["subject"], "body": values["body"]}
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/portal_care_message.html.j2", status=error.status, form=form)
    page.flash("success", "portal.care.sent")
    return await page.redirect(_conversation_url(page, started["id"]))


async def _portal_conversation(page: Page, thread_id: str, form: Any = None, *, status: int = 200) -> Response:
    thread = await page.portal_api("GET", f"/threads/{segment(thread_id)}", params={"limit": "50"})
    return await page.render(
        "pages/portal_conversation.html.j2",
        status=status,
        thread=thread,
        messages=thread["messages"],
        form=form or page.new_form(MESSAGE_FIELDS),
    )


@router.get("/messages/{thread_id}")
async def portal_conversation(page: SignedInPage, thread_id: str) -> Response:
    """A conversation of this portal read with its token: how a parent reads and answers
    the child's messages in the child's portal."""
    return await _portal_conversation(page, thread_id)


@router.post("/messages/{thread_id}/send")
async def portal_reply(page: SignedInPage, thread_id: str) -> Response:
    values, files = await page.form_with_files()
    form = page.new_form(MESSAGE_FIELDS, {"body": values.get("body", "")})
    message = await send_message(form, page.portal_files, thread_id, values, files)
    if message is None:
        return await _portal_conversation(page, thread_id, form, status=422)
    page.flash("success", "portal.care.replied")
    return await page.redirect(f"/portal/messages/{segment(thread_id)}#message-{segment(message['id'])}")


@router.get("/messages/{thread_id}/attachments/{attachment_id}")
async def portal_attachment(page: SignedInPage, thread_id: str, attachment_id: str) -> Response:
    return await attachment_download(page, page.portal_stream, thread_id, attachment_id)


@router.get("/econsults/new")
async def econsult_form(page: SignedInPage) -> Response:
    return await page.render("pages/portal_econsult.html.j2", form=page.new_form(ECONSULT_FIELDS))


@router.post("/econsults/new")
async def ask_econsult(page: SignedInPage) -> Response:
    """ "Vraag stellen": the question with its photos is stored at once or not at all."""
    values, files = await page.form_with_files()
    form = page.new_form(ECONSULT_FIELDS, values)
    if not values.get("subject", "").strip():
        form.error("subject", "form.required")
    if not values.get("question", "").strip():
        form.error("question", "form.required")
    if form.failed:
        return await page.render("pages/portal_econsult.html.j2", status=422, form=form)
    try:
        asked = await page.portal_files(
            "/portal/econsults",
            {"subject": values.get("subject", ""), "question": values.get("question", "")},
            files,
            file_field="photos",
        )
    except GatewayError as error:
        if error.status in (413, 415) and not error.errors:
            form.error("files", f"problem.{error.code}")
        else:
            form.take(error, aliases={"photos": "files"})
        return await page.render("pages/portal_econsult.html.j2", status=error.status, form=form)
    page.flash("success", "portal.econsult.asked")
    return await page.redirect(_conversation_url(page, asked["id"]))


# --------------------------------------------------------------------------- dossier


@router.get("/dossier")
async def dossier(page: SignedInPage) -> Response:
    """ "Mijn Dossier": the tiles of the seed, the trajectories with who approved their
    agreement (and a way to it for whoever still has to), and the FHIR download."""
    trajectories = await page.portal_api("GET", "/portal/trajectories")
    return await page.render("pages/portal_dossier.html.j2", trajectories=trajectories)


@router.get("/fhir")
async def fhir(page: SignedInPage) -> Response:
    """ "Mijn gegevens downloaden": the person's own data as a FHIR R4 Bundle file."""
    return download(await page.portal_stream("/portal/fhir"))


async def _about_record(page: Page) -> dict[str, Any] | None:
    """The practice's record of the person, or None while the practice has made none."""
    try:
        record: dict[str, Any] = await page.portal_api("GET", "/portal/about-me")
    except GatewayError as error:
        if error.status == 404:
            return None
        raise
    return record


async def _about_page(page: Page, record: dict[str, Any] | None, form: Any, *, status: int = 200) -> Response:
    requests = await page.portal_api("GET", "/portal/change-requests") if record is not None else []
    return await page.render(
        "pages/portal_about.html.j2",
        status=status,
        record=record,
        fields=CHANGEABLE_FIELDS,
        requests=requests,
        form=form,
    )


@router.get("/about-me")
async def about_me(page: SignedInPage) -> Response:
    """ "Over mij": the personal data as the practice has them, a change to pass on, and the
    earlier change requests with the practice's answer."""
    record = await _about_record(page)
    values = {name: record.get(name, "") for name in CHANGEABLE_FIELDS} if record else {}
    return await _about_page(page, record, page.new_form(ABOUT_FIELDS, values))


@router.post("/about-me")
async def request_change(page: SignedInPage) -> Response:
    """Only what differs from the record is asked for; the record changes once the practice
    accepts."""
    values = await page.form()
    form = page.new_form(ABOUT_FIELDS, values)
    record = await _about_record(page)
    if record is None:
        raise GatewayError(404, "client_not_found", "No record yet.")
    changes = {
        name: values.get(name, "").strip()
        for name in CHANGEABLE_FIELDS
        if values.get(name, "").strip() and values.get(name, "").strip() != record.get(name, "")
    }
    if not changes:
        form.general.append(translate(page.lang, "portal.about.nothing_changed"))
        return await _about_page(page, record, form, status=422)
    try:
        await page.portal_api(
            "POST", "/portal/change-requests", json={"changes": changes, "note": values.get("note", "")}
        )
    except GatewayError as error:
        form.take(error, aliases={f"changes.{name}": name for name in CHANGEABLE_FIELDS})
        return await _about_page(page, record, form, status=error.status)
    page.flash("success", "portal.about.requested")
    return await page.redirect("/portal/about-me#requests")


@router.get("/insurance")
async def insurance(page: SignedInPage) -> Response:
    """ "Verzekering": the insurer and policy number the practice has."""
    try:
        found = await page.portal_api("GET", "/portal/insurance")
    except GatewayError as error:
        if error.status != 404:
            raise
        found = None
    return await page.render("pages/portal_insurance.html.j2", insurance=found)


@router.get("/medications")
async def medications(page: SignedInPage) -> Response:
    """ "Medicatie": the current list, chronic medication marked (that can be reordered)."""
    listed = await page.portal_api("GET", "/portal/medications")
    return await page.render("pages/portal_medications.html.j2", medications=listed)


def _action_words(page: Page, action: str) -> str:
    """What was done in words; an action this page does not know yet by its name."""
    key = f"portal.actions.action.{action}"
    words = translate(page.lang, key)
    return action if words == key else words


async def _people_named(page: Page) -> dict[str, str]:
    """The names behind the actors the portal names by id: the parties and practitioners of
    the trajectories and, in one's own portal, everyone who may act for one."""
    names: dict[str, str] = {}
    for trajectory in await page.portal_api("GET", "/portal/trajectories"):
        names.update({p["id"]: p["name"] for p in trajectory["practitioners"]})
        names.update({p["account_id"]: p["name"] for p in trajectory["parties"]})
    if not _acting(page):
        mine = await page.api("GET", "/me/delegations")
        names.update({d["delegate"]["account_id"]: d["delegate"]["display_name"] for d in mine["for_me"]})
    return names


def _actor(page: Page, item: dict[str, Any], names: dict[str, str]) -> str:
    """Who did it, as the reader knows them. In one's own portal everyone who may act for one
    is known, so anyone else is the practice; in someone else's portal another delegate
    cannot be told from the practice."""
    acting = page.session.acting if page.session is not None else None
    if item["actor_id"] == page.account.id:
        return translate(page.lang, "portal.actions.by_you")
    if acting is not None and item["actor_id"] == acting.person_id:
        return acting.person_name
    if item["actor_id"] in names:
        return names[item["actor_id"]]
    return translate(page.lang, "portal.actions.by_other" if acting is not None else "portal.actions.by_practice")


@router.get("/actions")
async def actions(page: SignedInPage, cursor: str = "") -> Response:
    """Who did what in this portal, newest first (everything done on someone's behalf is
    recorded with who did it)."""
    params = {"limit": "20", **({"cursor": cursor} if cursor else {})}
    listed = await page.portal_api("GET", "/portal/actions", params=params)
    names = await _people_named(page)
    return await page.render(
        "pages/portal_actions.html.j2",
        actions=[
            {**item, "what": _action_words(page, item["action"]), "actor": _actor(page, item, names)}
            for item in listed["items"]
        ],
        next_cursor=listed["next_cursor"],
    )


async def _documents_page(
    page: Page, kind: str, form: Any, *, status: int = 200, cursor: str = "", prev: list[str] | None = None
) -> Response:
    """A page of the documents, newest first, with this site's addresses of the next and
    the previous page (``prev`` holds the cursors of the pages before, the first's empty).
    A cursor the list did not give (an address changed by hand) is said on the page."""
    trail = prev or []
    try:
        listed = await page.portal_api(
            "GET", "/portal/documents", params={"kind": kind, **({"cursor": cursor} if cursor else {})}
        )
    except GatewayError as error:
        if error.status != 422 or not cursor:
            raise
        form.take(error)
        listed, status = {"items": [], "next_cursor": None}, 422
    base, filters = "/portal/documents", [("kind", kind)]
    next_cursor = listed.get("next_cursor") or ""
    next_url = page_url(base, filters, next_cursor, [*trail, cursor]) if next_cursor else None
    previous_url = None
    if cursor:
        previous_url = page_url(base, filters, trail[-1], trail[:-1]) if trail else page_url(base, filters)
    return await page.render(
        "pages/portal_documents.html.j2",
        status=status,
        kind=kind,
        documents=listed["items"],
        form=form,
        next_url=next_url,
        previous_url=previous_url,
    )


@router.get("/documents")
async def documents(
    page: SignedInPage,
    kind: str = "document",
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    """ "Documenten" or "Verslagen": what the practitioner published (download, "ik ga
    akkoord" where asked), and the documents one uploaded oneself, a page at a time."""
    kind = kind if kind in DOCUMENT_KINDS else "document"
    return await _documents_page(page, kind, page.new_form(UPLOAD_FIELDS), cursor=cursor, prev=prev)


@router.post("/documents/{document_id}/approve")
async def approve(page: SignedInPage, document_id: str) -> Response:
    values = await page.form()
    kind = values.get("kind", "document")
    await page.portal_api("POST", f"/portal/documents/{segment(document_id)}/approve")
    page.flash("success", "portal.documents.approved")
    return await page.redirect(f"/portal/documents?kind={kind if kind in DOCUMENT_KINDS else 'document'}")


@router.get("/documents/{document_id}/file")
async def document_file(page: SignedInPage, document_id: str) -> Response:
    return download(await page.portal_stream(f"/portal/documents/{segment(document_id)}/file"))


@router.post("/documents")
async def upload(page: SignedInPage) -> Response:
    """ "Document uploaden": a title and one file, judged on its content by the portal."""
    values, files = await page.form_with_files()
    form = page.new_form(UPLOAD_FIELDS, values)
    if not values.get("title", "").strip():
        form.error("title", "form.required")
    if not files:
        form.error("files", "portal.documents.choose_file")
    if form.failed:
        return await _documents_page(page, "document", form, status=422)
    try:
        await page.portal_files("/portal/documents", {"title": values.get("title", "")}, files[:1], file_field="file")
    except GatewayError as error:
        if error.status in (413, 415) and not error.errors:
            form.error("files", f"problem.{error.code}")
        else:
            form.take(error, aliases={"file": "files"})
        return await _documents_page(page, "document", form, status=error.status)
    page.flash("success", "portal.documents.uploaded")
    return await page.redirect("/portal/documents?kind=document")


@router.get("/consents")
async def consents(page: SignedInPage) -> Response:
    """ "Toestemming": each item on or off, with every earlier decision and its time."""
    items = await page.portal_api("GET", "/portal/consents")
    return await page.render("pages/portal_consents.html.j2", consents=items)


@router.post("/consents/{code}")
async def set_consent(page: SignedInPage, code: str) -> Response:
    values = await page.form()
    await page.portal_api("PUT", f"/portal/consents/{segment(code)}", json={"granted": values.get("granted") == "yes"})
    page.flash("success", "portal.consents.saved")
    return await page.redirect("/portal/consents")


# --------------------------------------------------------------------------- diary


async def _diary_page(page: Page, form: Any, *, status: int = 200) -> Response:
    listed = await page.portal_api("GET", "/portal/diary")
    return await page.render("pages/portal_diary.html.j2", status=status, entries=listed["items"], form=form)


@router.get("/diary")
async def diary(page: SignedInPage) -> Response:
    return await _diary_page(page, page.new_form(DIARY_FIELDS))


@router.post("/diary")
async def write_diary(page: SignedInPage) -> Response:
    values = await page.form()
    form = page.new_form(DIARY_FIELDS, values)
    if not values.get("body", "").strip():
        form.error("body", "form.required")
        return await _diary_page(page, form, status=422)
    try:
        await page.portal_api(
            "POST", "/portal/diary", json={"body": values.get("body", ""), "shared": checked(values, "shared")}
        )
    except GatewayError as error:
        form.take(error)
        return await _diary_page(page, form, status=error.status)
    page.flash("success", "portal.diary.saved")
    return await page.redirect("/portal/diary")


async def _diary_entry(page: Page, entry_id: str) -> dict[str, Any]:
    """One of one's own notes, or the not-found page."""
    found: dict[str, Any] = await page.portal_api("GET", f"/portal/diary/{segment(entry_id)}")
    return found


@router.get("/diary/{entry_id}")
async def diary_entry(page: SignedInPage, entry_id: str) -> Response:
    """A note to change: its text, and whether the practitioner reads it."""
    entry = await _diary_entry(page, entry_id)
    form = page.new_form(DIARY_EDIT_FIELDS, {"body": entry["body"], "shared": "on" if entry["shared"] else ""})
    return await page.render("pages/portal_diary_entry.html.j2", entry=entry, form=form)


@router.post("/diary/{entry_id}")
async def change_diary_entry(page: SignedInPage, entry_id: str) -> Response:
    values = await page.form()
    form = page.new_form(DIARY_EDIT_FIELDS, {"body": values.get("body", ""), "shared": values.get("shared", "")})
    entry = await _diary_entry(page, entry_id)
    if not values.get("body", "").strip():
        form.error("body", "form.required")
        return await page.render("pages/portal_diary_entry.html.j2", status=422, entry=entry, form=form)
    try:
        await page.portal_api(
            "PUT",
            f"/portal/diary/{segment(entry_id)}",
            json={"body": values.get("body", ""), "shared": checked(values, "shared")},
        )
    except GatewayError as error:
        if error.status == 404:
            raise
        form.take(error)
        return await page.render("pages/portal_diary_entry.html.j2", status=error.status, entry=entry, form=form)
    page.flash("success", "portal.diary.changed")
    return await page.redirect(f"/portal/diary#entry-{segment(entry_id)}")
