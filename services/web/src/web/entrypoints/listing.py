"""One item of a list the portal answers only in pages (it offers no call for the item by
itself): the pages are walked, the largest ones and a bounded number of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web.entrypoints.context import Page
from web.service.ports import GatewayError

#: The largest page the portal answers, and how many of them are read at most.
PAGE_SIZE = 100
MAX_PAGES = 20


async def find_listed(
    page: Page,
    path: str,
    matches: Callable[[dict[str, Any]], bool],
    *,
    not_found: str,
    params: dict[str, str] | None = None,
    max_pages: int = MAX_PAGES,
) -> dict[str, Any]:
    """The first item of ``path``'s list that ``matches``, or the not-found page (a
    GatewayError 404 with the ``not_found`` code)."""
    cursor = ""
    for _ in range(max_pages):
        query = {**(params or {}), "limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
        listed = await page.portal_api("GET", path, params=query)
        for item in listed["items"]:
            if matches(item):
                found: dict[str, Any] = item
                return found
        cursor = listed.get("next_cursor") or ""
        if not cursor:
            break
    raise GatewayError(404, not_found, "Not found.")
