"""A list's pages on this site: keyset cursors go on, and the cursors of the pages before
ride along in the address ("prev", the first page's being empty), so "Vorige" can go back
without the site keeping anything."""

from __future__ import annotations

from urllib.parse import urlencode

#: How many earlier pages "Vorige" can go back through (their cursors ride in the address).
MAX_TRAIL = 30


def page_url(base: str, params: list[tuple[str, str]], cursor: str = "", trail: list[str] | None = None) -> str:
    """This site's address of a page of the list at ``base``: ``params`` (as given, so a
    caller leaves out what does not narrow), then the page's ``cursor`` and the ``trail`` of
    the cursors before it (at most :data:`MAX_TRAIL`, the latest kept)."""
    query = list(params)
    if cursor:
        query.append(("cursor", cursor))
    query += [("prev", item) for item in (trail or [])[-MAX_TRAIL:]]
    return f"{base}?{urlencode(query)}" if query else base
