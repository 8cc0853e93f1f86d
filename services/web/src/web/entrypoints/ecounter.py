"""The e-counter (seed 3) in the browser: a contact person confirms by the mailed link (no
login), and the staff of an organisation or of the department keeping a theme see their
received and sent messages (5 a page, with filters), a theme's messages in and out together,
one message with its history under the reference number and its files, who is told of it,
and answer it; a new message with theme, files and the message's contacts ("Contactdetails":
add one, change or take one off for this message only); and the "Hulp nodig?" widget, which
names the team behind the current theme and opens a new message to it."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from web.entrypoints.context import Page, PageDep, StaffPage, safe_next
from web.entrypoints.conversation import refusal_on_form
from web.entrypoints.ecounter_organisation import handlers_only
from web.entrypoints.paging import page_url
from web.entrypoints.paths import segment
from web.forms import Form, checked
from web.service.ports import FieldProblem, FilePart, GatewayError

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
REPLY_FIELDS = {
    "title": "ecounter.reply_title",
    "body": "ecounter.reply_body",
    "files": "ecounter.files",
    **CONTACT_FIELDS,
}
NEW_FIELDS = {
    "organisation_id": "ecounter.organisation",
    "theme_id": "ecounter.theme",
    "title": "ecounter.title_filter",
    "body": "ecounter.reply_body",
    "files": "ecounter.files",
    **CONTACT_FIELDS,
}
#: A contact's details as the message's contacts show and change them.
PERSON_FIELDS = ("first_name", "last_name", "email", "phone")
DIRECTIONS = {"all": "", "in": "received", "out": "sent"}
#: A contact's field as messaging ("contacts[0].email") or the gateway ("contacts.0.phone") names it.
CONTACT_FIELD = re.compile(r"contacts(?:\[(\d+)\]|\.(\d+))(\..+)")
#: The department's side of the e-counter (the gateway and messaging decide what is allowed).
CASE_HANDLER = "case_handler"
#: Fields a new message or reply may have. The form sends four ``edit.<id>.*`` fields for
#: every contact listed (a theme's contacts are not bounded), and how many are listed is
#: only known after the form is read: a generous bound, so that a message to a theme with
#: many contacts is not refused (and its text and files lost) while a flood still is.
CASE_FORM_FIELDS = 1000


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
    params = [("box", box), *((name, value) for name, value in filters.items() if value)]
    return page_url("/ecounter", params, cursor, trail)


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
    if (refused := await handlers_only(page)) is not None:
        return refused
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
        helpers=helpers(themes, filters["theme_id"]),
    )


# --------------------------------------------------------------------------- the "Hulp nodig?" widget


def helpers(themes: list[dict[str, Any]], theme_id: str = "") -> list[dict[str, Any]]:
    """Who the widget offers: the team behind the current theme, or behind every theme when
    the page has none; each opens a new message about that theme."""
    chosen = [theme for theme in themes if theme["id"] == theme_id] if theme_id else []
    return [
        {
            "theme_id": theme["id"],
            "theme": theme,
            "team_name": theme["team_name"],
            "department_name": theme["department_name"],
            "url": "/ecounter/messages/new?" + urlencode({"theme_id": theme["id"]}),
        }
        for theme in (chosen or themes)
    ]


#: The technical helpdesk's form (in the widget, and as a page of its own for a refusal).
HELPDESK_FIELDS = {"help_email": "help.email", "help_question": "help.question"}
HELPDESK_ALIASES = {"email": "help_email", "question": "help_question"}


async def _render_helpdesk(page: Page, form: Form, back: str, *, status: int = 200) -> Response:
    return await page.render("pages/ecounter_helpdesk.html.j2", status=status, form=form, back=back)


@router.get("/ecounter/helpdesk")
async def helpdesk_page(page: StaffPage, next: str = "") -> Response:
    return await _render_helpdesk(
        page, page.new_form(HELPDESK_FIELDS, {"help_email": page.account.email}), safe_next(next, "/ecounter")
    )


@router.post("/ecounter/helpdesk")
async def ask_helpdesk(page: StaffPage) -> Response:
    """A technical question: a ticket for the helpdesk and a confirmation mail to the
    address given (in the page's language); back to the page the widget was on."""
    values = await page.form()
    back = safe_next(values.get("next"), "/ecounter")
    form = page.new_form(HELPDESK_FIELDS, values)
    email = values.get("help_email", "").strip()
    try:
        await page.api(
            "POST",
            "/helpdesk/questions",
            json={"email": email, "question": values.get("help_question", ""), "language": page.lang},
        )
    except GatewayError as error:
        if error.status not in (409, 422, 429):
            raise
        form.take(error, aliases=HELPDESK_ALIASES)
        return await _render_helpdesk(page, form, back, status=error.status)
    page.flash("success", "help.asked", email=email)
    return await page.redirect(back)


# --------------------------------------------------------------------------- a theme's messages


def theme_url(theme_id: str, direction: str = "all", cursor: str = "", trail: list[str] | None = None) -> str:
    return page_url(f"/ecounter/themes/{segment(theme_id)}", [("direction", direction)], cursor, trail)


@router.get("/ecounter/themes/{theme_id}")
async def theme_page(
    page: StaffPage,
    theme_id: str,
    direction: str = "all",
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    """The seed's theme page: the theme's messages in and out in one list (5 a page), with
    the In/Out filter."""
    themes = await _themes(page)
    theme = next((item for item in themes if item["id"] == theme_id), None)
    if theme is None:
        raise GatewayError(404, "theme_not_found", "No such theme.")
    direction = direction if direction in DIRECTIONS else "all"
    params = {"theme_id": theme_id, **({"box": DIRECTIONS[direction]} if DIRECTIONS[direction] else {})}
    if cursor:
        params["cursor"] = cursor
    listed = await page.api("GET", "/ecounter/messages", params=params)
    return await page.render(
        "pages/ecounter_theme.html.j2",
        theme=theme,
        direction=direction,
        items=listed["items"],
        next_url=theme_url(theme_id, direction, listed["next_cursor"], [*prev, cursor])
        if listed["next_cursor"]
        else None,
        previous_url=theme_url(theme_id, direction, prev[-1], prev[:-1]) if cursor else None,
        direction_urls={name: theme_url(theme_id, name) for name in DIRECTIONS},
        helpers=helpers(themes, theme_id),
    )


# --------------------------------------------------------------------------- the message's contacts


def contact_changes(
    values: dict[str, str], listed: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """What the form says about the message's contacts: the contacts to add (a new one when
    any of its fields is filled, and each listed contact whose details were changed: taken off
    this message and added with the new details, for this message only), the ids taken off,
    and for each contact added the form field that holds it (``contacts`` or ``edit.<id>``)."""
    contacts: list[dict[str, Any]] = []
    owners: list[str] = []
    removed = [name.split(".", 1)[1] for name in values if name.startswith("remove.") and checked(values, name)]
    person = {name: values.get(f"contacts.{name}", "").strip() for name in PERSON_FIELDS}
    if any(person.values()):
        contacts.append({**person, "standard": checked(values, "contacts.standard")})
        owners.append("contacts")
    for contact in listed:
        if contact["id"] in removed or f"edit.{contact['id']}.email" not in values:
            continue
        edited = {name: values.get(f"edit.{contact['id']}.{name}", "").strip() for name in PERSON_FIELDS}
        if any(edited[name] != contact[name] for name in PERSON_FIELDS):
            removed.append(contact["id"])
            contacts.append({**edited, "standard": False})
            owners.append(f"edit.{contact['id']}")
    return contacts, removed, owners


def contact_labels(listed: list[dict[str, Any]]) -> dict[str, str]:
    """The form fields of changing each listed contact, for the error summary."""
    return {f"edit.{contact['id']}.{name}": f"ecounter.contact_{name}" for contact in listed for name in PERSON_FIELDS}


def on_contact_fields(error: GatewayError, owners: list[str]) -> GatewayError:
    """The gateway names ``contacts[i].<field>``: the field of the form that holds contact i."""
    problems = []
    for problem in error.errors:
        name = problem.field
        match = CONTACT_FIELD.fullmatch(name)
        if match and int(match[1] or match[2]) < len(owners):
            name = owners[int(match[1] or match[2])] + match[3]
        problems.append(FieldProblem(name, problem.message))
    return GatewayError(error.status, error.code, error.detail, problems)


async def send_case_message(page: Page, path: str, body: dict[str, Any], files: list[FilePart]) -> dict[str, Any]:
    """A new message or reply: JSON, or a multipart form when files come (the contacts then
    as one JSON text, the ids taken off repeated)."""
    if not files:
        sent: dict[str, Any] = await page.api("POST", path, json=body)
        return sent
    fields: dict[str, str | list[str]] = {
        name: value for name, value in body.items() if isinstance(value, str) and name != "contacts"
    }
    fields["contacts"] = json.dumps(body["contacts"])
    fields["removed_contact_ids"] = list(body["removed_contact_ids"])
    answer: dict[str, Any] = await page.api_files(path, fields, files)
    return answer


def take_refusal(form: Form, error: GatewayError, owners: list[str]) -> None:
    """A refusal next to its fields; without a contact for the theme, next to the contact
    to add (where it is put right)."""
    if error.code == "no_contact_for_theme":
        form.error("contacts.first_name", "problem.no_contact_for_theme")
        return
    refusal_on_form(form, on_contact_fields(error, owners))


# --------------------------------------------------------------------------- a new message


async def _supervised(page: Page) -> list[dict[str, Any]]:
    """The organisations the caller's department supervises, by name: a department's case
    handler writes to one of them (empty for anyone else)."""
    try:
        links: list[dict[str, Any]] = await page.api("GET", "/organisation/supervised")
    except GatewayError as error:
        # Not a department's administrator or case handler: no organisations to write to.
        # Anything else (identity unreachable) is an error, never "you supervise nobody".
        if error.status in (403, 404):
            return []
        raise
    return sorted((link["organisation"] for link in links), key=lambda organisation: organisation["name"].lower())


async def _theme_contacts(page: Page, theme_id: str, organisation_id: str = "") -> list[dict[str, Any]]:
    """The contact persons for a theme of the caller's organisation, or (a department writing
    to an organisation it supervises) of ``organisation_id``."""
    if not theme_id:
        return []
    params = {"organisation_id": organisation_id} if organisation_id else None
    try:
        answer = await page.api("GET", f"/ecounter/themes/{segment(theme_id)}/contacts", params=params)
    except GatewayError as error:
        if error.status in (404, 422):
            return []
        raise
    # The organisation's contact persons for the theme, as a message's contacts list them.
    return [{**person, "standard": True, "excluded": False} for person in answer["contact_persons"]]


async def _render_new(page: Page, form: Form, *, status: int = 200) -> Response:
    themes = await _themes(page)
    theme_id = str(form.value("theme_id"))
    organisations = await _supervised(page)
    if CASE_HANDLER in page.account.roles and not organisations:
        # A department's case handler writes only to organisations it supervises: without
        # any link there is nobody to write to, said plainly instead of an empty choice.
        return await page.render("pages/ecounter_new.html.j2", status=status, form=form, no_supervision=True)
    organisation_id = str(form.value("organisation_id") or "")
    listed = await _theme_contacts(page, theme_id, organisation_id) if organisation_id or not organisations else []
    return await page.render(
        "pages/ecounter_new.html.j2",
        status=status,
        form=form,
        no_supervision=False,
        organisations=organisations,
        themes=themes,
        theme=next((item for item in themes if item["id"] == theme_id), None),
        contacts=listed,
        removed=set(form.values.get("removed", ())),
        helpers=helpers(themes, theme_id),
    )


@router.get("/ecounter/messages/new")
async def new_message_page(page: StaffPage, theme_id: str = "") -> Response:
    if (refused := await handlers_only(page)) is not None:
        return refused
    return await _render_new(page, page.new_form(NEW_FIELDS, {"theme_id": theme_id.strip()}))


@router.post("/ecounter/messages/new")
async def new_message(page: StaffPage) -> Response:
    """Sends the message, or (``action=theme``) shows the contacts of the theme chosen."""
    values, files = await page.form_with_files(max_fields=CASE_FORM_FIELDS)
    theme_id = values.get("theme_id", "").strip()
    organisation_id = values.get("organisation_id", "").strip()
    listed = await _theme_contacts(page, theme_id, organisation_id)
    contacts, removed, owners = contact_changes(values, listed)
    form = page.new_form({**NEW_FIELDS, **contact_labels(listed)}, {**values, "removed": removed})
    if values.get("action") == "theme":
        return await _render_new(page, form)
    body = {
        "theme_id": theme_id,
        "title": values.get("title", "").strip(),
        "body": values.get("body", ""),
        "contacts": contacts,
        "removed_contact_ids": removed,
    }
    if organisation_id:
        body["organisation_id"] = organisation_id
    try:
        sent = await send_case_message(page, "/ecounter/messages", body, files)
    except GatewayError as error:
        if error.status not in (409, 413, 415, 422):
            raise
        take_refusal(form, error, owners)
        return await _render_new(page, form, status=error.status)
    page.flash("success", "ecounter.message_sent", reference=sent["reference"], received_by=sent["received_by"])
    return await page.redirect(message_url(sent["id"]))


# --------------------------------------------------------------------------- one message


async def _render_message(page: Page, thread_id: str, *, status: int = 200, form: Form | None = None) -> Response:
    case = await page.api("GET", f"/ecounter/messages/{segment(thread_id)}")
    themes = await _themes(page)
    listed = [c for c in case["contacts"] if not c["excluded"]]
    return await page.render(
        "pages/ecounter_message.html.j2",
        status=status,
        case=case,
        form=form or page.new_form({**REPLY_FIELDS, **contact_labels(listed)}),
        removed=set(form.values.get("removed", ())) if form else set(),
        helpers=helpers(themes, case["theme_id"]),
    )


@router.get("/ecounter/messages/{thread_id}")
async def message(page: StaffPage, thread_id: str) -> Response:
    return await _render_message(page, thread_id)


@router.post("/ecounter/messages/{thread_id}/reply")
async def reply(page: StaffPage, thread_id: str) -> Response:
    values, files = await page.form_with_files(max_fields=CASE_FORM_FIELDS)
    case = await page.api("GET", f"/ecounter/messages/{segment(thread_id)}")
    listed = [c for c in case["contacts"] if not c["excluded"]]
    contacts, removed, owners = contact_changes(values, listed)
    form = page.new_form({**REPLY_FIELDS, **contact_labels(listed)}, {**values, "removed": removed})
    body = {
        "title": values.get("title", "").strip(),
        "body": values.get("body", ""),
        "contacts": contacts,
        "removed_contact_ids": removed,
    }
    try:
        sent = await send_case_message(page, f"/ecounter/messages/{segment(thread_id)}/replies", body, files)
    except GatewayError as error:
        if error.status not in (409, 413, 415, 422):
            raise
        take_refusal(form, error, owners)
        return await _render_message(page, thread_id, status=error.status, form=form)
    page.flash("success", "ecounter.reply_sent", reference=sent["reference"], received_by=sent["received_by"])
    return await page.redirect(message_url(thread_id))
