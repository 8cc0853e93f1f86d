"""Gateway paths built from what arrived in a URL of this site."""

from __future__ import annotations

from urllib.parse import quote


def segment(value: str) -> str:
    """One path segment, quoted whole: a ``/``, ``?``, ``#`` or ``..`` in a value from the
    browser can never reach another gateway route than the one the page means."""
    if value in (".", ".."):
        # Quoting leaves dots alone, and a client resolves a bare dot segment away.
        return value.replace(".", "%2E")
    return quote(value, safe="")
