"""The e-counter (seed 3) in the browser: a contact person confirms by the mailed link (no
login), and the staff of an organisation or of the department keeping a theme see their
received and sent messages (5 a page, with filters), one message with its history under
the reference number, who is told of it, and answer it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from web.entrypoints.context import Page, PageDep, StaffPage
from web.entrypoints.paths import segment
from web.forms import Form, checked
from web.service.ports import GatewayError

router = APIRouter()

BOXES = ("received", "sent", "all")
STATUSES = ("new", "read", "answered", "sent")
FILTER_FIELDS = {
    "reference": "ecounter.reference",
    "theme_id": "ecounter.theme",
    "title": "ecounter.title",
    "sender": "ecounter.sender",
    "status": "ecounter.status",
    "sent_from": "ecounter.sent_from",
    "sent_until": "ecounter.sent_until",
}
CONTACT_FIELDS = {
    "contacts.first_name": "ecounter.contact_first_name",
    "contacts.last_name": "ecounter.contact_last_name",
    "contacts.email": "ecounter.contact_email",
    "contacts.phone": "ecounter.contact_phone",
    "contacts.standard": "ecounter.contact_standard",
}
REPLY_FIELDS = {"title": "ecounter.reply_title", "body": "ecounter.reply_body", **CONTACT_FIELDS}
#: How many earlier pages "Vorige" can go back through (their cursors ride in the address).
MAX_TRAIL = 30


def message_url(thread_id: str) -> str:
    return f"/ecounter/messages/{segment(thread_id)}"


# --------------------------------------------------------------------------- confirming a contact person


@router.get("/contact-persons/confirm/{token}")
async def contact_confirmation_page(page: PageDep, token: str) -> Response:
    """Says what will be confirmed; only the button confirms (mail scanners open links)."""
    return await page.render("pages/ecounter_confirm.html.j2", token=token)


@router.post("/contact-persons/confirm/{token}")
async def confirm_contact(page: PageDep, token: str) -> Response:
    await page.form()
    try:
        await page.public_api("POST", "/contact-persons/confirm", json={"token": token})
    except GatewayError as error:
        if error.status in (404, 409, 410, 422):
            return await page.render("pages/ecounter_confirm_invalid.html.j2", status=error.status)
        raise
    return await page.render("pages/ecounter_confirmed.html.j2")


# --------------------------------------------------------------------------- the lists


def list_params(box: str, filters: dict[str, str], cursor: str) -> dict[str, str]:
    """The gateway's query: only the filters that narrow (``all``: both boxes)."""
    params = {name: value for name, value in filters.items() if value}
    if box in ("received", "sent"):
        params["box"] = box
    if cursor:
        params["cursor"] = cursor
    return params


def list_url(box: str, filters: dict[str, str], cursor: str = "", trail: list[str] | None = None) -> str:
    """This site's address of a page of the list; ``trail`` holds the cursors of the pages
    before it (the first page's is empty), so "Vorige" can go back."""
    query: list[tuple[str, str]] = [("box", box)]
    query += [(name, value) for name, value in filters.items() if value]
    if cursor:
        query.append(("cursor", cursor))
    query += [("prev", item) for item in (trail or [])[-MAX_TRAIL:]]
    return "/ecounter?" + urlencode(query)


async def _themes(page: Page) -> list[dict[str, Any]]:
    try:
        themes: list[dict[str, Any]] = await page.api("GET", "/ecounter/themes")
    except GatewayError:
        return []
    return themes


@router.get("/ecounter")
async def messages(
    page: StaffPage,
    box: str = "received",
    reference: str = "",
    theme_id: str = "",
    title: str = "",
    sender: str = "",
    status: str = "",
    sent_from: str = "",
    sent_until: str = "",
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    box = box if box in BOXES else "received"
    filters = {
        "reference": reference.strip(),
        "theme_id": theme_id.strip(),
        "title": title.strip(),
        "sender": sender.strip(),
        "status": status if status in STATUSES else "",
        "sent_from": sent_from.strip(),
        "sent_until": sent_until.strip(),
    }
    form = page.new_form(FILTER_FIELDS, filters)
    themes = await _themes(page)
    try:
        listed = await page.api("GET", "/ecounter/messages", params=list_params(box, filters, cursor))
    except GatewayError as error:
        if error.status != 422:
            raise
        form.take(error)
        listed = {"items": [], "next_cursor": None}
    next_url = list_url(box, filters, listed["next_cursor"], [*prev, cursor]) if listed["next_cursor"] else None
    previous_url = list_url(box, filters, prev[-1], prev[:-1]) if cursor else None
    return await page.render(
        "pages/ecounter_messages.html.j2",
        status=422 if form.failed else 200,
        box=box,
        filters=filters,
        form=form,
        themes=themes,
        items=listed["items"],
        next_url=next_url,
        previous_url=previous_url,
        tab_urls={name: list_url(name, filters) for name in BOXES},
        statuses=STATUSES,
    )


# --------------------------------------------------------------------------- one message


async def _render_message(page: Page, thread_id: str, *, status: int = 200, form: Form | None = None) -> Response:
    case = await page.api("GET", f"/ecounter/messages/{segment(thread_id)}")
    return await page.render(
        "pages/ecounter_message.html.j2",
        status=status,
        case=case,
        form=form or page.new_form(REPLY_FIELDS),
        removed=set(form.values.get("removed", ())) if form else set(),
    )


@router.get("/ecounter/messages/{thread_id}")
async def message(page: StaffPage, thread_id: str) -> Response:
    return await _render_message(page, thread_id)


def reply_body(values: dict[str, str], removed: list[str]) -> dict[str, Any]:
    """The gateway's reply: a contact for this message when any of its fields is filled."""
    body: dict[str, Any] = {
        "title": values.get("title", "").strip(),
        "body": values.get("body", ""),
        "contacts": [],
        "removed_contact_ids": removed,
    }
    person = {
        name.split(".", 1)[1]: values.get(name, "").strip() for name in CONTACT_FIELDS if name != "contacts.standard"
    }
    if any(person.values()):
        body["contacts"] = [{**person, "standard": checked(values, "contacts.standard")}]
    return body


@router.post("/ecounter/messages/{thread_id}/reply")
async def reply(page: StaffPage, thread_id: str) -> Response:
    values = await page.form()
    removed = [name.split(".", 1)[1] for name in values if name.startswith("remove.") and checked(values, name)]
    form = page.new_form(REPLY_FIELDS, {**values, "removed": removed})
    try:
        sent = await page.api(
            "POST", f"/ecounter/messages/{segment(thread_id)}/replies", json=reply_body(values, removed)
        )
    except GatewayError as error:
        if error.status not in (409, 422):
            raise
        form.take(error, aliases={"contacts": "contacts.email"})
        return await _render_message(page, thread_id, status=error.status, form=form)
    page.flash("success", "ecounter.reply_sent", reference=sent["reference"], received_by=sent["received_by"])
    return await page.redirect(message_url(thread_id))
