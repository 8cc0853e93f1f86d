"""A parent asks online for access to a child's portal (seed 5, "Portaal account voor
familieleden of kinderen"): the parent's form and the status of their requests, next to
"Portaal wisselen"; the practice's list of requests, each approved (the delegation is
granted) or rejected with a reason."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import Page, SignedInPage, StaffPage
from web.entrypoints.paths import segment
from web.forms import Form
from web.service.ports import GatewayError
from zorgpost_kit import calendar

router = APIRouter()

REQUEST_FIELDS = {
    "child_first_name": "access.child_first_name",
    "child_last_name": "access.child_last_name",
    "child_birth_date": "access.child_birth_date",
    "relation": "access.relation",
    "note": "access.note",
}
APPROVE_FIELDS = {"person_account_id": "access.person_account_id"}
REJECT_FIELDS = {"reason": "access.reason"}
RELATIONS = ("parent", "carer", "guardian")
#: The approval form's choice "make a new record without login" (a child under 12).
NEW_RECORD = "new"
STATUSES = ("pending", "approved", "rejected")


#: Only an adult asks for a child's portal; identity decides, the page only leaves out the
#: link for someone it already knows to be younger.
ADULT_AGE = 18


async def may_request_access(page: Page) -> bool:
    """Whether "request access for my child" is offered: to a person (not staff) who is
    18 or older on today's Dutch date, or whose birth date is unknown to the page."""
    if page.account.is_staff:
        return False
    try:
        profile = await page.api("GET", "/me/profile")
    except GatewayError:
        return False
    born = profile.get("birth_date")
    if not born:
        return True
    try:
        birth_date = date.fromisoformat(born)
    except ValueError:
        return True
    return calendar.age_on(birth_date, calendar.today()) >= ADULT_AGE


def _relations(page: Page) -> list[dict[str, str]]:
    return [{"value": "", "label": page.t("access.relation_choose")}] + [
        {"value": relation, "label": page.t(f"access.relation.{relation}")} for relation in RELATIONS
    ]


# --------------------------------------------------------------------------- the parent


async def _parent_page(page: Page, form: Form, status: int = 200) -> Response:
    requests = await page.api("GET", "/me/access-requests")
    return await page.render(
        "pages/portal_access_requests.html.j2",
        status=status,
        form=form,
        requests=requests,
        relations=_relations(page),
    )


@router.get("/portal/access-requests")
async def my_access_requests(page: SignedInPage) -> Response:
    return await _parent_page(page, page.new_form(REQUEST_FIELDS))


@router.post("/portal/access-requests")
async def submit_access_request(page: SignedInPage) -> Response:
    values = await page.form()
    form = page.new_form(REQUEST_FIELDS, values)
    body = {name: values.get(name, "") for name in REQUEST_FIELDS}
    try:
        made = await page.api("POST", "/me/access-requests", json=body)
    except GatewayError as error:
        form.take(error)
        return await _parent_page(page, form, status=error.status)
    page.flash("success", "flash.access_request_sent", name=f"{made['child_first_name']} {made['child_last_name']}")
    return await page.redirect("/portal/access-requests")


# --------------------------------------------------------------------------- the practice


@router.get("/staff/access-requests")
async def practice_access_requests(page: StaffPage, status: str = "pending", cursor: str = "") -> Response:
    params = {"status": status} if status in STATUSES else {}
    if cursor:
        params["cursor"] = cursor
    listed = await page.api("GET", "/access-requests", params=params)
    return await page.render(
        "pages/staff_access_requests.html.j2",
        requests=listed["items"],
        next_cursor=listed["next_cursor"],
        current_status=status if status in STATUSES else "",
    )


async def _decision_page(
    page: Page, request_id: str, *, approve: Form | None = None, reject: Form | None = None, status: int = 200
) -> Response:
    request = await page.api("GET", f"/access-requests/{segment(request_id)}")
    return await page.render(
        "pages/staff_access_request.html.j2",
        status=status,
        request=request,
        new_record=NEW_RECORD,
        approve=approve or page.new_form(APPROVE_FIELDS),
        reject=reject or page.new_form(REJECT_FIELDS),
    )


@router.get("/staff/access-requests/{request_id}")
async def practice_access_request(page: StaffPage, request_id: str) -> Response:
    return await _decision_page(page, request_id)


@router.post("/staff/access-requests/{request_id}/approve")
async def approve_access_request(page: StaffPage, request_id: str) -> Response:
    values = await page.form()
    form = page.new_form(APPROVE_FIELDS, values)
    # The child is one of the practice's clients born that day, or NEW_RECORD (under 12).
    chosen = values.get("person_account_id", "").strip()
    body: dict[str, str | bool] = (
        {"person_account_id": "", "new_record": True} if chosen == NEW_RECORD else {"person_account_id": chosen}
    )
    try:
        decided = await page.api("POST", f"/access-requests/{segment(request_id)}/approve", json=body)
    except GatewayError as error:
        form.take(error)
        return await _decision_page(page, request_id, approve=form, status=error.status)
    page.flash(
        "success",
        "flash.access_request_approved",
        name=f"{decided['child_first_name']} {decided['child_last_name']}",
    )
    return await page.redirect("/staff/access-requests")


@router.post("/staff/access-requests/{request_id}/reject")
async def reject_access_request(page: StaffPage, request_id: str) -> Response:
    values = await page.form()
    form = page.new_form(REJECT_FIELDS, values)
    try:
        decided = await page.api(
            "POST", f"/access-requests/{segment(request_id)}/reject", json={"reason": values.get("reason", "")}
        )
    except GatewayError as error:
        form.take(error)
        return await _decision_page(page, request_id, reject=form, status=error.status)
    page.flash(
        "success",
        "flash.access_request_rejected",
        name=f"{decided['child_first_name']} {decided['child_last_name']}",
    )
    return await page.redirect("/staff/access-requests")
