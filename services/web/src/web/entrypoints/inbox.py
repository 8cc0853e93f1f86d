"""The organisation's shared secure-mail inbox for its staff (seed 2 from the sender's
side): received and sent mail with unread counts, "aan mij toegewezen", a mail thread with
its delivery status, replying with files, handing a thread to a colleague, withdrawing a
mail nobody opened yet, a fresh read link, and how long read links work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.domain.sessions import CASE_HANDLER_ROLE, GOVERNMENT_DEPARTMENT, HELPDESK_ROLE
from web.entrypoints.context import AdminPage, Page, StaffPage
from web.entrypoints.conversation import MESSAGE_FIELDS, send_message
from web.entrypoints.paths import segment
from web.service.ports import GatewayError
from web.texts import TEXTS

router = APIRouter(prefix="/staff")

FOLDERS = ("received", "sent")
PAGE_SIZE = 20
ASSIGN_FIELDS = {"assignee": "inbox.assignee"}
SETTINGS_FIELDS = {"read_link_days": "settings.read_link_days"}


def thread_url(thread_id: str, message_id: str | None = None) -> str:
    return f"/staff/inbox/{thread_id}" + (f"#message-{message_id}" if message_id else "")


def _inbox_params(folder: str, mine: bool, cursor: str = "", limit: int = PAGE_SIZE) -> dict[str, str]:
    params = {"folder": folder, "limit": str(limit)}
    if mine:
        params["assigned_to_me"] = "true"
    if cursor:
        params["cursor"] = cursor
    return params


@router.get("/inbox")
async def inbox(page: StaffPage, folder: str = "received", mine: str = "", cursor: str = "") -> Response:
    folder = folder if folder in FOLDERS else "received"
    assigned = mine == "1"
    listed = await page.api("GET", "/secure-mail-inbox", params=_inbox_params(folder, assigned, cursor))
    if folder == "received" and not assigned:
        unread = listed["unread_threads"]
    else:
        received = await page.api("GET", "/secure-mail-inbox", params=_inbox_params("received", False, limit=1))
        unread = received["unread_threads"]
    return await page.render(
        "pages/staff_inbox.html.j2",
        threads=listed["items"],
        next_cursor=listed["next_cursor"],
        folder=folder,
        mine=assigned,
        paged=bool(cursor),
        unread=unread,
    )


@router.get("/inbox/live")
async def inbox_live(page: StaffPage, folder: str = "received", mine: str = "") -> Response:
    """The first page of the folder again, for the live update."""
    folder = folder if folder in FOLDERS else "received"
    listed = await page.api("GET", "/secure-mail-inbox", params=_inbox_params(folder, mine == "1"))
    return await page.render_fragment("pages/staff_inbox_items.html.j2", threads=listed["items"])


# --------------------------------------------------------------------------- one mail thread


def _reads_kind(roles: list[str], kind: str, organisation_kind: str) -> bool:
    """Whether a colleague with ``roles`` reads a thread of ``kind`` through the shared inbox
    (messaging's rule, which refuses handing it to anyone else): a helpdesk ticket the
    helpdesk role only, a department's e-counter case its case handlers only."""
    if kind == "helpdesk":
        return HELPDESK_ROLE in roles
    if kind == "org_case" and organisation_kind == GOVERNMENT_DEPARTMENT:
        return CASE_HANDLER_ROLE in roles
    return True


async def _colleagues(page: Page, thread: dict[str, Any]) -> list[dict[str, str]]:
    """Whom the thread can be handed to: the organisation's staff list where the person may
    read it (only those who read its kind), else the colleagues who took part in the thread;
    oneself always."""
    found: dict[str, str] = {page.account.id: page.account.display_name}
    try:
        staff = await page.api("GET", "/organisation/staff")
    except GatewayError:
        staff = None
    left_out: set[str] = set()
    if isinstance(staff, list):
        for member in staff:
            if not _reads_kind(list(member.get("roles") or []), thread["kind"], page.account.organisation_kind):
                left_out.add(member["account_id"])
            elif member.get("status", "active") == "active":
                found.setdefault(member["account_id"], member["display_name"])
    organisation = (thread.get("organisation") or {}).get("id")
    for participant in thread["participants"]:
        if (
            participant["kind"] == "account"
            and participant["account_id"]
            and participant["account_id"] not in left_out
            and participant["organisation_id"] == organisation
        ):
            found.setdefault(participant["account_id"], participant["display_name"])
    if thread["assigned_to"]:
        found.setdefault(thread["assigned_to"]["account_id"], thread["assigned_to"]["name"])
    return [{"account_id": key, "name": name} for key, name in found.items()]


async def _render_thread(
    page: Page, thread_id: str, *, status: int = 200, message_form: Any = None, assign_form: Any = None
) -> Response:
    thread = await page.api("GET", f"/threads/{segment(thread_id)}")
    guest = next((p for p in thread["participants"] if p["kind"] == "guest"), None)
    deliveries: list[dict[str, Any]] = []
    if thread["kind"] == "secure_mail":
        try:
            deliveries = await page.api("GET", f"/secure-mails/{segment(thread_id)}/deliveries")
        except GatewayError:
            deliveries = []
    assigned = thread["assigned_to"]["account_id"] if thread["assigned_to"] else ""
    return await page.render(
        "pages/staff_inbox_thread.html.j2",
        status=status,
        thread=thread,
        guest=guest,
        deliveries=deliveries,
        colleagues=await _colleagues(page, thread),
        message_form=message_form or page.new_form(MESSAGE_FIELDS),
        assign_form=assign_form or page.new_form(ASSIGN_FIELDS, {"assignee": assigned}),
        # Only the sender withdraws (messaging says whether that is this person, now).
        can_withdraw=thread["withdrawable_by_me"],
        can_resend=guest is not None and thread["state"] == "open",
    )


@router.get("/inbox/{thread_id}")
async def inbox_thread(page: StaffPage, thread_id: str) -> Response:
    return await _render_thread(page, thread_id)


@router.get("/inbox/{thread_id}/live")
async def inbox_thread_live(page: StaffPage, thread_id: str) -> Response:
    thread = await page.api("GET", f"/threads/{segment(thread_id)}")
    return await page.render_fragment("pages/conversation_live.html.j2", thread=thread, messages=thread["messages"])


@router.post("/inbox/{thread_id}/reply")
async def reply(page: StaffPage, thread_id: str) -> Response:
    values, files = await page.form_with_files()
    form = page.new_form(MESSAGE_FIELDS, {"body": values.get("body", "")})
    message = await send_message(form, page.api_files, thread_id, values, files)
    if message is None:
        return await _render_thread(page, thread_id, status=422, message_form=form)
    page.flash("success", "flash.reply_sent")
    return await page.redirect(thread_url(thread_id, message["id"]))


@router.post("/inbox/{thread_id}/assign")
async def assign(page: StaffPage, thread_id: str) -> Response:
    values = await page.form()
    chosen = values.get("assignee", "")
    thread = await page.api("GET", f"/threads/{segment(thread_id)}", params={"limit": "1"})
    names = {c["account_id"]: c["name"] for c in await _colleagues(page, thread)}
    if chosen and chosen not in names:
        form = page.new_form(ASSIGN_FIELDS, values)
        form.error("assignee", "inbox.assignee_unknown")
        return await _render_thread(page, thread_id, status=422, assign_form=form)
    try:
        await page.api(
            "POST",
            f"/threads/{segment(thread_id)}/assign",
            json={"assignee_account_id": chosen or None, "assignee_name": names.get(chosen, "")},
        )
    except GatewayError as error:
        if error.status not in (403, 404, 409, 422):
            raise
        form = page.new_form(ASSIGN_FIELDS, values)
        form.take(error, aliases={"assignee_account_id": "assignee", "assignee_name": "assignee"})
        return await _render_thread(page, thread_id, status=error.status, assign_form=form)
    if chosen:
        page.flash("success", "flash.assigned", name=names[chosen])
    else:
        page.flash("success", "flash.unassigned")
    return await page.redirect(thread_url(thread_id))


def _refusal_key(error: GatewayError, specific: dict[str, str] | None = None) -> str:
    """The text of a refused action, shown above the thread it was about."""
    if specific and error.code in specific:
        return specific[error.code]
    if f"problem.{error.code}" in TEXTS:
        return f"problem.{error.code}"
    return f"problem.status.{error.status}"


@router.post("/inbox/{thread_id}/withdraw")
async def withdraw(page: StaffPage, thread_id: str) -> Response:
    await page.form()
    try:
        await page.api("POST", f"/secure-mails/{segment(thread_id)}/withdraw")
    except GatewayError as error:
        if error.status not in (403, 409):
            raise
        page.flash("error", _refusal_key(error, {"already_opened": "flash.withdraw_too_late"}))
        return await page.redirect(thread_url(thread_id))
    page.flash("success", "flash.withdrawn")
    return await page.redirect(thread_url(thread_id))


@router.post("/inbox/{thread_id}/resend-link")
async def resend_link(page: StaffPage, thread_id: str) -> Response:
    await page.form()
    try:
        await page.api("POST", f"/secure-mails/{segment(thread_id)}/resend-link")
    except GatewayError as error:
        if error.status not in (403, 409, 429):
            raise
        page.flash("error", _refusal_key(error))
        return await page.redirect(thread_url(thread_id))
    page.flash("success", "flash.link_resent")
    return await page.redirect(thread_url(thread_id))


# --------------------------------------------------------------------------- settings


@router.get("/secure-mail-settings")
async def settings_form(page: AdminPage) -> Response:
    current = await page.api("GET", "/organisation/secure-mail-settings")
    return await page.render(
        "pages/staff_secure_mail_settings.html.j2",
        form=page.new_form(SETTINGS_FIELDS, {"read_link_days": current["read_link_days"]}),
    )


@router.post("/secure-mail-settings")
async def save_settings(page: AdminPage) -> Response:
    values = await page.form()
    form = page.new_form(SETTINGS_FIELDS, values)
    try:
        days = int(values.get("read_link_days", "").strip())
    except ValueError:
        form.error("read_link_days", "form.whole_number")
        return await page.render("pages/staff_secure_mail_settings.html.j2", status=422, form=form)
    try:
        await page.api("PUT", "/organisation/secure-mail-settings", json={"read_link_days": days})
    except GatewayError as error:
        if error.status not in (403, 422):
            raise
        form.take(error)
        return await page.render("pages/staff_secure_mail_settings.html.j2", status=error.status, form=form)
    page.flash("success", "flash.secure_mail_settings_saved")
    return await page.redirect("/staff/secure-mail-settings")
