"""The messenger (seed 1): the conversation list (newest activity first, unread counts,
"meer"), a conversation with likes, "Gezien door" and "Doorsturen", sending with files,
search, starting a conversation and inviting someone into it, a person writing a secure
mail to their organisation, and the live updates.

Live updates: the gateway's event stream needs the person's token, which never reaches the
browser, so ``/messages/events`` relays it for the session's person (same origin, resumed
with ``Last-Event-ID``). The page's script fetches the changed part of the page from this
site again; without the script every page is complete on reload.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from web.entrypoints.context import LoginRequired, Page, PageDep, SignedInPage
from web.entrypoints.conversation import MESSAGE_FIELDS, attachment_download, send_message
from web.entrypoints.paths import segment
from web.service.ports import GatewayError, GatewayUnavailable

router = APIRouter(prefix="/messages")

LIST_PAGE_SIZE = 20
#: The conversations offered as where to forward a message to.
FORWARD_CHOICES = 100
NEW_FIELDS = {"subject": "conversation.subject", "body": "conversation.first_message"}
INVITE_FIELDS = {"email": "invitation.email", "language": "person.language"}
TO_ORGANISATION_FIELDS = {"subject": "mail.subject", "body": "mail.body"}
FORWARD_FIELDS = {"to_thread_id": "forward.to"}
#: The gateway sends a keep-alive every 15 s; a longer silence means it is gone.
EVENTS_IDLE_SECONDS = 60.0
#: Marks a fetch made by the page's script (answers without the page around them).
SCRIPT_HEADER = "x-requested-with"


def by_script(request: Request) -> bool:
    return request.headers.get(SCRIPT_HEADER, "").lower() == "fetch"


def conversation_url(thread_id: str, message_id: str | None = None) -> str:
    return f"/messages/{thread_id}" + (f"#message-{message_id}" if message_id else "")


async def open_joined_conversation(page: Page, thread_id: str) -> Response:
    """After accepting an invitation: into the conversation. Messaging adds the new
    participant a moment later, so the page waits for that instead of saying "not found".
    An invitation into the staff has no conversation: on to the start page."""
    if not thread_id:
        return await page.redirect("/")
    page.set_pending("joining", thread_id)
    return await page.redirect(conversation_url(thread_id))


# --------------------------------------------------------------------------- the list


async def _conversations(page: Page, cursor: str = "") -> dict[str, Any]:
    params = {"limit": str(LIST_PAGE_SIZE)}
    if cursor:
        params["cursor"] = cursor
    listed: dict[str, Any] = await page.api("GET", "/threads", params=params)
    return listed


@router.get("")
async def conversations(page: SignedInPage, cursor: str = "") -> Response:
    listed = await _conversations(page, cursor)
    return await page.render(
        "pages/conversations.html.j2", threads=listed["items"], next_cursor=listed["next_cursor"], paged=bool(cursor)
    )


@router.get("/live-list")
async def conversations_live(page: SignedInPage) -> Response:
    """The first page of the list again, for the live update."""
    listed = await _conversations(page)
    return await page.render_fragment("pages/conversation_items.html.j2", threads=listed["items"])


# --------------------------------------------------------------------------- start, search, write to the organisation


@router.get("/new")
async def new_conversation_form(page: SignedInPage) -> Response:
    return await page.render("pages/conversation_new.html.j2", form=page.new_form(NEW_FIELDS))


@router.post("/new")
async def start_conversation(page: SignedInPage) -> Response:
    values = await page.form()
    form = page.new_form(NEW_FIELDS, values)
    if not values.get("subject", "").strip():
        form.error("subject", "form.required")
        return await page.render("pages/conversation_new.html.j2", status=422, form=form)
    try:
        thread = await page.api(
            "POST",
            "/threads",
            json={
                "kind": "chat",
                "subject": values.get("subject", ""),
                "body": values.get("body", ""),
                "reference": "",
            },
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/conversation_new.html.j2", status=error.status, form=form)
    page.flash("success", "flash.conversation_started")
    return await page.redirect(conversation_url(thread["id"]))


@router.get("/search")
async def search(page: SignedInPage, q: str = "", cursor: str = "") -> Response:
    query = q.strip()[:200]
    hits: list[dict[str, Any]] = []
    next_cursor = None
    if query:
        params = {"q": query, "limit": str(LIST_PAGE_SIZE)}
        if cursor:
            params["cursor"] = cursor
        found = await page.api("GET", "/search", params=params)
        hits, next_cursor = found["items"], found["next_cursor"]
    return await page.render(
        "pages/search.html.j2", query=query, hits=hits, next_cursor=next_cursor, words=query.lower().split()
    )


@router.get("/to-organisation")
async def write_to_organisation_form(page: SignedInPage) -> Response:
    return await page.render("pages/write_to_organisation.html.j2", form=page.new_form(TO_ORGANISATION_FIELDS))


@router.post("/to-organisation")
async def write_to_organisation(page: SignedInPage) -> Response:
    values = await page.form()
    form = page.new_form(TO_ORGANISATION_FIELDS, values)
    try:
        thread = await page.api(
            "POST",
            "/secure-mails/to-organisation",
            json={"subject": values.get("subject", ""), "body": values.get("body", "")},
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/write_to_organisation.html.j2", status=error.status, form=form)
    page.flash("success", "flash.written_to_organisation")
    return await page.redirect(conversation_url(thread["id"]))


# --------------------------------------------------------------------------- live updates


@router.get("/events")
async def live_events(page: PageDep, request: Request, after: str = "") -> Response:
    """The gateway's server-sent events for the session's person, relayed as they come.
    No session: 204, which tells the browser's EventSource to stop asking."""
    if not page.signed_in:
        return Response(status_code=204)
    last = request.headers.get("last-event-id", "") or after
    headers = {"Last-Event-ID": last} if last.isdigit() else {}
    try:
        stream = await page.api_stream("/events", headers=headers, idle_timeout=EVENTS_IDLE_SECONDS)
    except LoginRequired:
        return Response(status_code=204)
    except (GatewayError, GatewayUnavailable):
        # The page's script tries again a little later (an EventSource would give up).
        return Response(status_code=503, headers={"retry-after": "5"})
    return StreamingResponse(stream.chunks(), media_type="text/event-stream", headers={"x-accel-buffering": "no"})


# --------------------------------------------------------------------------- one conversation


async def _thread(page: Page, thread_id: str, *, limit: int = 50) -> dict[str, Any]:
    """The conversation (opening it marks it read: the others see "Gezien door")."""
    thread: dict[str, Any] = await page.api("GET", f"/threads/{segment(thread_id)}", params={"limit": str(limit)})
    return thread


async def _invitations_of(page: Page, thread: dict[str, Any]) -> list[dict[str, Any]]:
    if not (page.account.is_staff and thread["kind"] == "chat"):
        return []
    try:
        listed = await page.api("GET", "/invitations")
    except GatewayError:
        return []
    return [i for i in listed if i["thread_id"] == thread["id"]]


async def render_conversation(
    page: Page,
    thread: dict[str, Any],
    *,
    status: int = 200,
    message_form: Any = None,
    invite_form: Any = None,
    older: list[dict[str, Any]] | None = None,
    older_cursor: str | None = None,
) -> Response:
    return await page.render(
        "pages/conversation.html.j2",
        status=status,
        thread=thread,
        messages=older if older is not None else thread["messages"],
        older_cursor=older_cursor if older is not None else thread["older_cursor"],
        browsing_older=older is not None,
        invitations=await _invitations_of(page, thread),
        message_form=message_form or page.new_form(MESSAGE_FIELDS),
        invite_form=invite_form or page.new_form(INVITE_FIELDS, {"language": page.lang}),
    )


@router.get("/{thread_id}")
async def conversation(page: SignedInPage, request: Request, thread_id: str, older: str = "") -> Response:
    try:
        thread = await _thread(page, thread_id, limit=1 if older else 50)
    except GatewayError as error:
        if error.status == 404 and page.pending("joining") == thread_id:
            if by_script(request):
                return Response(status_code=202)  # still being added: the waiting page asks again
            return await page.render("pages/conversation_joining.html.j2", thread_id=thread_id)
        raise
    page.drop_pending("joining")
    if older:
        listed = await page.api(
            "GET", f"/threads/{segment(thread_id)}/messages", params={"cursor": older, "limit": "50"}
        )
        return await render_conversation(
            page, thread, older=list(reversed(listed["items"])), older_cursor=listed["next_cursor"]
        )
    return await render_conversation(page, thread)


@router.get("/{thread_id}/live")
async def conversation_live(page: SignedInPage, thread_id: str) -> Response:
    """The latest messages again (likes, "Gezien door", files), for the live update; the
    person has the conversation open, so it counts as read."""
    thread = await _thread(page, thread_id)
    return await page.render_fragment("pages/conversation_live.html.j2", thread=thread, messages=thread["messages"])


@router.post("/{thread_id}/send")
async def send(page: SignedInPage, thread_id: str) -> Response:
    values, files = await page.form_with_files()
    form = page.new_form(MESSAGE_FIELDS, {"body": values.get("body", "")})
    message = await send_message(form, page.api_files, thread_id, values, files)
    if message is None:
        thread = await _thread(page, thread_id)
        return await render_conversation(page, thread, status=422, message_form=form)
    return await page.redirect(conversation_url(thread_id, message["id"]))


@router.post("/{thread_id}/invite")
async def invite(page: SignedInPage, thread_id: str) -> Response:
    """Staff invite someone into this conversation (seed 1: they get a mail with a link)."""
    values = await page.form()
    form = page.new_form(INVITE_FIELDS, values)
    try:
        invitation = await page.api(
            "POST",
            "/invitations",
            json={"email": values.get("email", ""), "thread_id": thread_id, "language": values.get("language", "nl")},
        )
    except GatewayError as error:
        if error.status not in (404, 409, 422, 429):
            raise
        form.take(error)
        thread = await _thread(page, thread_id)
        return await render_conversation(page, thread, status=error.status, invite_form=form)
    page.flash("success", "flash.invitation_sent", email=invitation["email"])
    return await page.redirect(conversation_url(thread_id) + "#invite")


@router.post("/{thread_id}/like/{message_id}")
async def like(page: SignedInPage, request: Request, thread_id: str, message_id: str) -> Response:
    values = await page.form()
    liked = await page.api(
        "DELETE" if values.get("action") == "unlike" else "POST", f"/messages/{segment(message_id)}/like"
    )
    if by_script(request):
        return await page.finish(JSONResponse(liked))
    return await page.redirect(conversation_url(thread_id, message_id))


@router.get("/{thread_id}/seen-by/{message_id}")
async def seen_by(page: SignedInPage, thread_id: str, message_id: str) -> Response:
    seen = await page.api("GET", f"/messages/{segment(message_id)}/seen-by")
    return await page.render(
        "pages/seen_by.html.j2", thread_id=thread_id, message_id=message_id, readers=seen["readers"]
    )


async def _forward_choices(page: Page, thread_id: str) -> list[dict[str, Any]]:
    listed = await page.api("GET", "/threads", params={"limit": str(FORWARD_CHOICES)})
    return [t for t in listed["items"] if t["id"] != thread_id and t["state"] == "open"]


async def _render_forward(page: Page, thread_id: str, message_id: str, form: Any, status: int = 200) -> Response:
    thread = await _thread(page, thread_id)
    message = next((m for m in thread["messages"] if m["id"] == message_id), None)
    return await page.render(
        "pages/forward.html.j2",
        status=status,
        thread=thread,
        message=message,
        message_id=message_id,
        choices=await _forward_choices(page, thread_id),
        form=form,
    )


@router.get("/{thread_id}/forward/{message_id}")
async def forward_form(page: SignedInPage, thread_id: str, message_id: str) -> Response:
    return await _render_forward(page, thread_id, message_id, page.new_form(FORWARD_FIELDS))


@router.post("/{thread_id}/forward/{message_id}")
async def forward(page: SignedInPage, thread_id: str, message_id: str) -> Response:
    values = await page.form()
    form = page.new_form(FORWARD_FIELDS, values)
    target = values.get("to_thread_id", "")
    if not target:
        form.error("to_thread_id", "forward.choose")
        return await _render_forward(page, thread_id, message_id, form, status=422)
    try:
        forwarded = await page.api("POST", f"/messages/{segment(message_id)}/forward", json={"to_thread_id": target})
    except GatewayError as error:
        if error.status not in (404, 409, 422):
            raise
        form.take(error)
        return await _render_forward(page, thread_id, message_id, form, status=error.status)
    page.flash("success", "flash.forwarded")
    return await page.redirect(conversation_url(forwarded["thread_id"], forwarded["id"]))


@router.get("/{thread_id}/attachments/{attachment_id}")
async def attachment(page: SignedInPage, thread_id: str, attachment_id: str) -> Response:
    return await attachment_download(page, page.api_stream, thread_id, attachment_id)
