"""Where the links in notices lead. "Nieuw bericht van X" points at ``/threads/{id}``
whatever the kind of conversation; after signing in, the person lands on the page that
shows it to them: a staff member on their organisation's shared inbox for a thread it takes
part in, everyone else in the messenger. (A guest's link is ``/secure-mail/{token}``.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import SignedInPage
from web.entrypoints.inbox import thread_url
from web.entrypoints.messenger import conversation_url
from web.entrypoints.paths import segment

router = APIRouter()


def page_for_thread(thread: dict[str, Any], account_id: str, is_staff: bool) -> str:
    """The staff inbox when the caller reaches the thread as staff of an organisation that
    takes part in it as a shared inbox; the conversation page otherwise."""
    if is_staff:
        mine = next(
            (p for p in thread["participants"] if p["kind"] == "account" and p["account_id"] == account_id), None
        )
        via = mine["organisation_id"] if mine else None
        if via and any(p["kind"] == "organisation" and p["organisation_id"] == via for p in thread["participants"]):
            return thread_url(thread["id"])
    return conversation_url(thread["id"])


@router.get("/threads/{thread_id}")
async def notice_link(page: SignedInPage, thread_id: str) -> Response:
    thread = await page.api("GET", f"/threads/{segment(thread_id)}", params={"limit": "1"})
    return await page.redirect(page_for_thread(thread, page.account.id, page.account.is_staff))
