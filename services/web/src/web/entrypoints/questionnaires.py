"""Questionnaires (seed 4, "eventuele vragenlijsten invullen"), both sides.

The practitioner sends a small questionnaire from a client's page: a title and a fixed
number of question rows (open text, one choice of several options given one per line, or
a point on a scale from a low to a high whole number); empty rows are skipped, so the form
works without JavaScript. The client (or a parent, in the child's portal) finds it under
"Vragenlijsten", saves a draft ("Opslaan als concept") as often as they like and submits it
once ("Versturen"); only then does the practitioner see the answers.

Portal calls go through :meth:`Page.portal_api` (a parent acting for a child answers in
the child's portal); the portal service decides who may see and change what.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from web.entrypoints.context import Page, SignedInPage
from web.entrypoints.paging import page_url
from web.entrypoints.paths import segment
from web.entrypoints.practice import PractitionerPage
from web.forms import Form, checked
from web.service.ports import GatewayError

router = APIRouter()

#: How many question rows the practitioner's form offers; empty rows are skipped.
QUESTION_ROWS = 5
QUESTION_KINDS = ("text", "choice", "scale")
QUESTION_PARTS = ("text", "kind", "options", "scale_min", "min_label", "scale_max", "max_label", "optional")
MAX_OPTIONS = 20
#: A scale with at most this many points is offered as radio buttons, a longer one as a
#: number field.
MAX_SCALE_BUTTONS = 11
DEFAULT_SCALE = ("1", "10")
#: A scale's end as a person types it: ASCII digits only, 0 … 100.
_SCALE_POINT = re.compile(r"[0-9]{1,3}")


# --------------------------------------------------------------------------- the practice's form


def questionnaire_fields() -> dict[str, str]:
    """The send form's fields in page order: the title, then each row's parts."""
    fields = {"title": "questionnaires.send.title_field", "questions": "questionnaires.send.questions"}
    for row in range(1, QUESTION_ROWS + 1):
        for part in QUESTION_PARTS:
            fields[f"q-{row}-{part}"] = f"questionnaires.send.{part}"
    return fields


def _row_filled(values: dict[str, str], row: int) -> bool:
    return bool(values.get(f"q-{row}-text", "").strip() or values.get(f"q-{row}-options", "").strip())


def questions_from(values: dict[str, str], form: Form) -> list[dict[str, Any]]:
    """The rows with a question or options filled in, as the portal takes them; each
    problem is put on the row's own field."""
    questions = []
    for row in range(1, QUESTION_ROWS + 1):
        if not _row_filled(values, row):
            continue
        text = values.get(f"q-{row}-text", "").strip()
        kind = values.get(f"q-{row}-kind", "text")
        if not text:
            form.error(f"q-{row}-text", "questionnaires.send.give_question")
        if kind not in QUESTION_KINDS:
            form.error(f"q-{row}-kind", "form.required")
            continue
        question: dict[str, Any] = {
            "kind": kind,
            "text": text,
            "required": not checked(values, f"q-{row}-optional"),
            "options": [],
            "scale_min": 0,
            "scale_max": 0,
            "min_label": "",
            "max_label": "",
        }
        if kind == "choice":
            options = [line.strip() for line in values.get(f"q-{row}-options", "").splitlines() if line.strip()]
            if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
                form.error(f"q-{row}-options", "questionnaires.send.options_rule", most=MAX_OPTIONS)
            question["options"] = options
        elif kind == "scale":
            low = values.get(f"q-{row}-scale_min", "").strip()
            high = values.get(f"q-{row}-scale_max", "").strip()
            if not (_SCALE_POINT.fullmatch(low) and _SCALE_POINT.fullmatch(high) and 0 <= int(low) < int(high) <= 100):
                form.error(f"q-{row}-scale_max", "questionnaires.send.scale_rule")
            else:
                question["scale_min"], question["scale_max"] = int(low), int(high)
            # What the ends mean ("helemaal niet" … "heel erg"), so the client need not guess.
            question["min_label"] = values.get(f"q-{row}-min_label", "").strip()
            question["max_label"] = values.get(f"q-{row}-max_label", "").strip()
        questions.append(question)
    if not questions:
        form.error("questions", "questionnaires.send.no_questions")
    return questions


def _question_aliases(values: dict[str, str]) -> dict[str, str]:
    """The gateway's ``questions.0.text`` on the form's own row (empty rows skipped)."""
    aliases: dict[str, str] = {}
    index = 0
    for row in range(1, QUESTION_ROWS + 1):
        if not _row_filled(values, row):
            continue
        for part in QUESTION_PARTS:
            aliases[f"questions.{index}.{part}"] = f"q-{row}-{part}"
        aliases[f"questions.{index}.required"] = f"q-{row}-optional"
        index += 1
    return aliases


def _blank_send_form(page: Page) -> Form:
    defaults: dict[str, Any] = {}
    for row in range(1, QUESTION_ROWS + 1):
        defaults[f"q-{row}-kind"] = "text"
        defaults[f"q-{row}-scale_min"], defaults[f"q-{row}-scale_max"] = DEFAULT_SCALE
    return page.new_form(questionnaire_fields(), defaults)


async def _send_page(page: Page, person_id: str, form: Form, *, status: int = 200) -> Response:
    client = await page.portal_api("GET", f"/portal/practice/clients/{segment(person_id)}")
    return await page.render(
        "pages/practice_questionnaire_new.html.j2",
        status=status,
        client=client,
        form=form,
        rows=range(1, QUESTION_ROWS + 1),
    )


@router.get("/practice/clients/{person_id}/questionnaires/new")
async def send_form(page: PractitionerPage, person_id: str) -> Response:
    """ "Vragenlijst sturen": a title and up to five questions."""
    return await _send_page(page, person_id, _blank_send_form(page))


@router.post("/practice/clients/{person_id}/questionnaires/new")
async def send(page: PractitionerPage, person_id: str) -> Response:
    """Sends the questionnaire; the client gets a notice without its questions."""
    values = await page.form()
    form = page.new_form(questionnaire_fields(), values)
    title = values.get("title", "").strip()
    if not title:
        form.error("title", "form.required")
    questions = questions_from(values, form)
    if form.failed:
        return await _send_page(page, person_id, form, status=422)
    try:
        await page.portal_api(
            "POST",
            f"/portal/practice/clients/{segment(person_id)}/questionnaires",
            json={"title": title, "questions": questions},
        )
    except GatewayError as error:
        if not error.errors:
            raise
        form.take(error, aliases=_question_aliases(values))
        return await _send_page(page, person_id, form, status=error.status)
    page.flash("success", "questionnaires.send.sent")
    return await page.redirect(f"/practice/clients/{segment(person_id)}/questionnaires")


def _list_url(base: str, params: dict[str, str], cursor: str = "", trail: list[str] | None = None) -> str:
    """This site's address of a page of a list; ``trail`` holds the cursors of the pages
    before it (the first page's is empty), so "Vorige" can go back."""
    return page_url(base, [(name, value) for name, value in params.items() if value], cursor, trail)


async def _sent_page(
    page: Page, form: Form, base: str, filters: dict[str, str], cursor: str, prev: list[str], *, person_id: str = ""
) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """One page of the practice's questionnaires (each with the client's name, as the
    portal gives it; only ``person_id``'s when given) and this site's addresses of the next
    and the previous page; ``filters`` narrow the list and ride along in those addresses.
    A cursor the list did not give (an address changed by hand) is said on ``form``, with
    no page, rather than as an error page."""
    query = {name: value for name, value in {**filters, "person_id": person_id}.items() if value}
    try:
        listed = await page.portal_api(
            "GET", "/portal/practice/questionnaires", params={**query, **({"cursor": cursor} if cursor else {})}
        )
    except GatewayError as error:
        if error.status != 422:
            raise
        form.take(error)
        return [], None, None
    next_cursor = listed.get("next_cursor") or ""
    next_url = _list_url(base, filters, next_cursor, [*prev, cursor]) if next_cursor else None
    # The first page's cursor is empty; an address cut short of its trail goes back to it.
    previous_url = _list_url(base, filters, prev[-1], prev[:-1]) if cursor and prev else None
    if cursor and not prev:
        previous_url = _list_url(base, filters)
    items: list[dict[str, Any]] = listed["items"]
    return items, next_url, previous_url


@router.get("/practice/clients/{person_id}/questionnaires")
async def sent_list(
    page: PractitionerPage,
    person_id: str,
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    """The questionnaires sent to this client, open or submitted (with when)."""
    client = await page.portal_api("GET", f"/portal/practice/clients/{segment(person_id)}")
    form = page.new_form({})
    sent, next_url, previous_url = await _sent_page(
        page, form, f"/practice/clients/{segment(person_id)}/questionnaires", {}, cursor, prev, person_id=person_id
    )
    return await page.render(
        "pages/practice_questionnaires.html.j2",
        status=422 if form.failed else 200,
        form=form,
        client=client,
        questionnaires=sent,
        next_url=next_url,
        previous_url=previous_url,
    )


#: The practice-wide list's filter: every questionnaire, or only the open or submitted ones.
LIST_STATES = ("", "submitted", "open")


@router.get("/practice/questionnaires")
async def practice_list(
    page: PractitionerPage,
    status: str = "",
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    """ "Vragenlijsten" of the whole practice, newest first, a page at a time: which clients
    sent theirs back (to read) and which still wait, without opening every client."""
    state = status if status in LIST_STATES else ""
    form = page.new_form({})
    sent, next_url, previous_url = await _sent_page(
        page, form, "/practice/questionnaires", {"status": state}, cursor, prev
    )
    return await page.render(
        "pages/practice_questionnaires_all.html.j2",
        status=422 if form.failed else 200,
        form=form,
        questionnaires=sent,
        state=state,
        states=LIST_STATES,
        next_url=next_url,
        previous_url=previous_url,
    )


@router.get("/practice/questionnaires/{questionnaire_id}")
async def sent_one(page: PractitionerPage, questionnaire_id: str) -> Response:
    """One sent questionnaire: its questions, and the answers once submitted."""
    found = await page.portal_api("GET", f"/portal/practice/questionnaires/{segment(questionnaire_id)}")
    return await page.render("pages/practice_questionnaire.html.j2", questionnaire=found)


# --------------------------------------------------------------------------- the client's side


def answer_fields(questionnaire: dict[str, Any]) -> dict[str, str]:
    """One field per question, by position (a question's id need not fit in an HTML id)."""
    return {f"answer-{n}": "questionnaires.fill.answer" for n in range(1, len(questionnaire["questions"]) + 1)}


def answers_from(questionnaire: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """The form's answers keyed by question id (empty ones too: the portal drops them)."""
    return {
        question["id"]: values.get(f"answer-{n}", "").strip()
        for n, question in enumerate(questionnaire["questions"], start=1)
    }


def missing_answers(questionnaire: dict[str, Any], answers: dict[str, str], form: Form) -> None:
    """Each required question left open, named in its error (nothing is submitted then)."""
    for n, question in enumerate(questionnaire["questions"], start=1):
        if question["required"] and not answers.get(question["id"]):
            form.error(f"answer-{n}", "questionnaires.fill.required", question=question["text"])


def scale_points(question: dict[str, Any]) -> list[int]:
    """The points offered as buttons (none: the scale is long and gets a number field)."""
    low, high = int(question["scale_min"]), int(question["scale_max"])
    return list(range(low, high + 1)) if high - low + 1 <= MAX_SCALE_BUTTONS else []


async def _fill_page(page: Page, questionnaire: dict[str, Any], form: Form, *, status: int = 200) -> Response:
    return await page.render(
        "pages/portal_questionnaire.html.j2",
        status=status,
        questionnaire=questionnaire,
        form=form,
        scale_points=scale_points,
    )


def _saved_form(page: Page, questionnaire: dict[str, Any]) -> Form:
    answers = questionnaire["answers"]
    values = {f"answer-{n}": answers.get(q["id"], "") for n, q in enumerate(questionnaire["questions"], start=1)}
    return page.new_form(answer_fields(questionnaire), values)


@router.get("/portal/questionnaires")
async def questionnaire_list(page: SignedInPage) -> Response:
    """ "Vragenlijsten": those to fill in (new or a saved draft) and those submitted."""
    listed = await page.portal_api("GET", "/portal/questionnaires")
    return await page.render(
        "pages/portal_questionnaires.html.j2",
        open=[q for q in listed if q["status"] == "open"],
        submitted=[q for q in listed if q["status"] == "submitted"],
    )


@router.get("/portal/questionnaires/{questionnaire_id}")
async def questionnaire(page: SignedInPage, questionnaire_id: str) -> Response:
    """The questionnaire to fill in with the draft's answers, or, once submitted, read-only."""
    found = await page.portal_api("GET", f"/portal/questionnaires/{segment(questionnaire_id)}")
    return await _fill_page(page, found, _saved_form(page, found))


@router.post("/portal/questionnaires/{questionnaire_id}")
async def answer(page: SignedInPage, questionnaire_id: str) -> Response:
    """ "Opslaan als concept" keeps the answers as they are; "Versturen" submits them once
    every required question is answered."""
    values = await page.form()
    path = f"/portal/questionnaires/{segment(questionnaire_id)}"
    found = await page.portal_api("GET", path)
    form = page.new_form(answer_fields(found), values)
    submit = values.get("action") == "submit"
    answers = answers_from(found, values)
    if found["status"] != "open":
        page.flash("error", "questionnaires.fill.already_submitted")
        return await page.redirect(f"/portal/questionnaires/{segment(questionnaire_id)}")
    if submit:
        missing_answers(found, answers, form)
        if form.failed:
            return await _fill_page(page, found, form, status=422)
    try:
        await page.portal_api("PUT", path + "/answers", json={"answers": answers, "submit": submit})
    except GatewayError as error:
        if error.status == 409:
            page.flash("error", "questionnaires.fill.already_submitted")
            return await page.redirect(f"/portal/questionnaires/{segment(questionnaire_id)}")
        if not error.errors:
            raise
        aliases = {f"answers.{q['id']}": f"answer-{n}" for n, q in enumerate(found["questions"], start=1)}
        form.take(error, aliases=aliases)
        return await _fill_page(page, found, form, status=error.status)
    if submit:
        page.flash("success", "questionnaires.fill.submitted")
        return await page.redirect("/portal/questionnaires")
    page.flash("success", "questionnaires.fill.saved")
    return await page.redirect(f"/portal/questionnaires/{segment(questionnaire_id)}")
