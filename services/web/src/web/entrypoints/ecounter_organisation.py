"""The e-counter's own pages for a care organisation (seed 3, 2.1 and 2.2): the start page
with its tasks (a theme without a confirmed contact person) and the latest received
messages; the organisation's data (phone, e-mail, URL: every staff member reads them, an
administrator edits them on the one organisation form, ``/staff/organisation``, which
brings them back here); and its contact persons per theme — listed with their
confirmation state and whether they can use the e-counter, added, changed and removed
(after a confirmation). The message pages are in :mod:`web.entrypoints.ecounter`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import Page, StaffPage
from web.entrypoints.paths import segment
from web.forms import Form, checked
from web.service.ports import GatewayError

router = APIRouter(prefix="/ecounter")

#: How many received messages the start page shows (the list has them all).
LATEST_RECEIVED = 5
CONTACT_FIELDS = {
    "first_name": "ecorg.first_name",
    "last_name": "ecorg.last_name",
    "email": "ecorg.contact_email",
    "phone": "ecorg.contact_phone",
    "theme_ids": "ecorg.themes",
}
THEME_PREFIX = "theme-"


def contacts_url() -> str:
    return "/ecounter/contacts"


def contact_url(contact_id: str) -> str:
    return f"/ecounter/contacts/{segment(contact_id)}"


async def _themes(page: Page) -> list[dict[str, Any]]:
    """The themes the organisation may choose: those a department supervises it in (and a
    department's own)."""
    themes: list[dict[str, Any]] = await page.api("GET", "/ecounter/themes")
    return themes


def _with_kept(page: Page, themes: list[dict[str, Any]], person: dict[str, Any]) -> list[dict[str, Any]]:
    """The themes offered, and those the contact person has that are offered no more (the
    supervision in them ended): the form shows them too, so saving keeps them unless
    unticked; they are not offered anew."""
    offered = {theme["id"] for theme in themes}
    ended = [
        {
            "id": theme_id,
            "name": page.t("ecorg.theme_ended", name=theme_id),
            "name_en": "",
            "department_organisation_id": "",
            "department_name": "",
        }
        for theme_id in person["theme_ids"]
        if theme_id not in offered
    ]
    return [*themes, *ended]


def theme_name(page: Page, theme: dict[str, Any]) -> str:
    return str(theme["name_en"] if page.lang == "en" and theme.get("name_en") else theme["name"])


def theme_labels(page: Page, themes: list[dict[str, Any]]) -> dict[str, str]:
    """Each theme's name in the page's language; a name that two departments both use
    says whose it is ("Erkenning (Departement Zorg)")."""
    names = {theme["id"]: theme_name(page, theme) for theme in themes}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        theme["id"]: f"{names[theme['id']]} ({theme['department_name']})"
        if counts[names[theme["id"]]] > 1
        else names[theme["id"]]
        for theme in themes
    }


# --------------------------------------------------------------------------- the start page


async def handlers_only(page: Page) -> Response | None:
    """The page said instead of a case page to a department's staff member who handles no
    cases (their link is not offered; messaging refuses them the cases themselves)."""
    if page.account is not None and page.account.reads_ecounter:
        return None
    return await page.render(
        "pages/error.html.j2", status=403, title_key="ecounter.handlers_only_title", text_key="ecounter.handlers_only"
    )


@router.get("/start")
async def start(page: StaffPage) -> Response:
    if (refused := await handlers_only(page)) is not None:
        return refused
    labels = theme_labels(page, await _themes(page))
    tasks = [
        {**task, "theme_label": labels.get(task["theme_id"], task["theme_name"])}
        for task in await page.api("GET", "/ecounter/tasks")
    ]
    received = await page.api("GET", "/ecounter/messages", params={"box": "received", "limit": str(LATEST_RECEIVED)})
    return await page.render("pages/ecounter_start.html.j2", tasks=tasks, received=received["items"][:LATEST_RECEIVED])


# --------------------------------------------------------------------------- the organisation's data


@router.get("/organisation")
async def organisation(page: StaffPage) -> Response:
    profile = await page.api("GET", "/organisation/profile")
    return await page.render("pages/ecounter_organisation.html.j2", profile=profile)


# --------------------------------------------------------------------------- contact persons


async def _contacts(page: Page) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = await page.api("GET", "/organisation/contacts")
    return listed


async def _contact(page: Page, contact_id: str) -> dict[str, Any]:
    """One of the organisation's contact persons, or the not-found page."""
    for person in await _contacts(page):
        if person["id"] == contact_id:
            return person
    raise GatewayError(404, "contact_person_not_found", "No such contact person in your organisation.")


@router.get("/contacts")
async def contacts(page: StaffPage) -> Response:
    themes = await _themes(page)
    persons = await _contacts(page)
    names = theme_labels(page, themes)
    for person in persons:
        for theme_id in person["theme_ids"]:
            # kept from a supervision that ended: still shown, said so
            names.setdefault(theme_id, page.t("ecorg.theme_ended", name=theme_id))
    # The manual's table at the bottom: only confirmed contact persons count for a theme.
    per_theme = [
        {
            "name": names[theme["id"]],
            "confirmed": [p for p in persons if p["confirmed"] and theme["id"] in p["theme_ids"]],
        }
        for theme in themes
    ]
    return await page.render("pages/ecounter_contacts.html.j2", persons=persons, theme_names=names, per_theme=per_theme)


def _chosen_themes(values: dict[str, str], themes: list[dict[str, Any]]) -> list[str]:
    """The themes ticked (one checkbox per theme: ``theme-<id>``), in the catalogue's order."""
    return [theme["id"] for theme in themes if checked(values, THEME_PREFIX + theme["id"])]


def _theme_values(theme_ids: list[str]) -> dict[str, bool]:
    return {THEME_PREFIX + theme_id: True for theme_id in theme_ids}


def _contact_body(values: dict[str, str], theme_ids: list[str]) -> dict[str, Any]:
    return {
        "first_name": values.get("first_name", "").strip(),
        "last_name": values.get("last_name", "").strip(),
        "email": values.get("email", "").strip(),
        "phone": values.get("phone", "").strip(),
        "theme_ids": theme_ids,
    }


async def _contact_form(
    page: Page, form: Form, themes: list[dict[str, Any]], *, person: dict[str, Any] | None = None, status: int = 200
) -> Response:
    return await page.render(
        "pages/ecounter_contact_form.html.j2",
        status=status,
        form=form,
        themes=[{"id": theme_id, "name": label} for theme_id, label in theme_labels(page, themes).items()],
        person=person,
        heading=page.t("ecorg.edit_contact_title", name=_name(person)) if person else page.t("ecorg.add_contact"),
    )


@router.get("/contacts/new")
async def new_contact(page: StaffPage, theme_id: str = "") -> Response:
    """The form; a start-page task links here with its theme ticked."""
    themes = await _themes(page)
    ticked = [theme_id] if any(theme["id"] == theme_id for theme in themes) else []
    return await _contact_form(page, page.new_form(CONTACT_FIELDS, _theme_values(ticked)), themes)


@router.post("/contacts/new")
async def add_contact(page: StaffPage) -> Response:
    values = await page.form()
    themes = await _themes(page)
    theme_ids = _chosen_themes(values, themes)
    form = page.new_form(CONTACT_FIELDS, {**values, **_theme_values(theme_ids)})
    try:
        added = await page.api("POST", "/organisation/contacts", json=_contact_body(values, theme_ids))
    except GatewayError as error:
        if error.status != 422:
            raise
        form.take(error)
        return await _contact_form(page, form, themes, status=error.status)
    page.flash("success", "ecorg.contact_added", name=_name(added), email=added["email"])
    return await page.redirect(contacts_url())


def _name(person: dict[str, Any]) -> str:
    return f"{person['first_name']} {person['last_name']}"


@router.get("/contacts/{contact_id}")
async def contact_page(page: StaffPage, contact_id: str) -> Response:
    person = await _contact(page, contact_id)
    themes = _with_kept(page, await _themes(page), person)
    form = page.new_form(CONTACT_FIELDS, {**person, **_theme_values(person["theme_ids"])})
    return await _contact_form(page, form, themes, person=person)


@router.post("/contacts/{contact_id}")
async def change_contact(page: StaffPage, contact_id: str) -> Response:
    """Saves the changes; the person is mailed which fields changed, and a new address
    must be confirmed again (the list then says "niet bevestigd")."""
    values = await page.form()
    person = await _contact(page, contact_id)
    themes = _with_kept(page, await _themes(page), person)
    theme_ids = _chosen_themes(values, themes)
    form = page.new_form(CONTACT_FIELDS, {**values, **_theme_values(theme_ids)})
    try:
        changed = await page.api(
            "PUT", f"/organisation/contacts/{segment(contact_id)}", json=_contact_body(values, theme_ids)
        )
    except GatewayError as error:
        if error.status != 422:
            raise
        form.take(error)
        return await _contact_form(page, form, themes, person=person, status=error.status)
    if changed["email"].lower() != person["email"].lower():
        page.flash("success", "ecorg.contact_email_changed", name=_name(changed), email=changed["email"])
    else:
        page.flash("success", "ecorg.contact_changed", name=_name(changed))
    return await page.redirect(contacts_url())


@router.get("/contacts/{contact_id}/remove")
async def remove_confirmation(page: StaffPage, contact_id: str) -> Response:
    person = await _contact(page, contact_id)
    return await page.render("pages/ecounter_contact_remove.html.j2", person=person)


@router.post("/contacts/{contact_id}/remove")
async def remove_contact(page: StaffPage, contact_id: str) -> Response:
    await page.form()
    person = await _contact(page, contact_id)
    await page.api("DELETE", f"/organisation/contacts/{segment(contact_id)}")
    page.flash("success", "ecorg.contact_removed", name=_name(person), email=person["email"])
    return await page.redirect(contacts_url())
