"""Searching the dossier ("Mijn Dossier" with a magnifying glass, seed 4): one's reports,
documents, results, current medication and own diary notes by title, name or text, newest
first, a page at a time, each hit linked to where it is read. The portal decides what the
caller (or a parent acting in a child's portal) may find."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from web.entrypoints.context import SignedInPage
from web.entrypoints.paging import page_url
from web.service.ports import GatewayError

router = APIRouter()

#: Where a hit is read, by its kind. A report or document opens as its own file: its list
#: shows a page at a time, so an anchor in it would lead nowhere for an older one.
HIT_PAGES = {
    "report": "/portal/documents/{id}/file",
    "document": "/portal/documents/{id}/file",
    "result": "/portal/results/{id}",
    "medication": "/portal/medications",
    "diary": "/portal/diary/{id}",
}
#: As the portal takes a search: at least this many characters, at most that many.
QUERY_LENGTH = (2, 100)
SEARCH_FIELDS = {"q": "portal.search.label"}


def _search_url(query: str, cursor: str = "", trail: list[str] | None = None) -> str:
    """This site's address of a page of hits; ``trail`` holds the cursors of the pages
    before it (the first page's is empty), so "Vorige" can go back."""
    return page_url("/portal/dossier/search", [("q", query)], cursor, trail)


@router.get("/portal/dossier/search")
async def search_dossier(
    page: SignedInPage,
    q: str = "",
    cursor: str = "",
    prev: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies a query default
) -> Response:
    """ "Mijn Dossier" with the magnifying glass: one's reports, documents, results,
    medication and own diary notes by their title, name or text, newest first."""
    query = " ".join(q.split())
    form = page.new_form(SEARCH_FIELDS, {"q": query})
    hits: list[dict[str, Any]] = []
    next_url = previous_url = None
    if query and not QUERY_LENGTH[0] <= len(query) <= QUERY_LENGTH[1]:
        form.error("q", "portal.search.length")
    elif query:
        try:
            listed = await page.portal_api(
                "GET", "/portal/dossier/search", params={"q": query, **({"cursor": cursor} if cursor else {})}
            )
        except GatewayError as error:
            if error.status != 422:
                raise
            form.take(error)
        else:
            hits = [
                {**hit, "href": HIT_PAGES[hit["kind"]].format(id=quote(hit["id"], safe=""))} for hit in listed["items"]
            ]
            if listed.get("next_cursor"):
                next_url = _search_url(query, listed["next_cursor"], [*prev, cursor])
            if cursor:
                previous_url = _search_url(query, prev[-1], prev[:-1]) if prev else _search_url(query)
    return await page.render(
        "pages/portal_dossier_search.html.j2",
        status=422 if form.failed else 200,
        form=form,
        query=query,
        hits=hits,
        next_url=next_url,
        previous_url=previous_url,
    )
