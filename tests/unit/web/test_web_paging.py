"""The addresses of a list's pages: the filters, the page's cursor and the cursors of the
pages before it, so "Vorige" goes back without the site keeping anything."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from web.entrypoints.paging import MAX_TRAIL, page_url


def test_a_page_carries_its_filters_cursor_and_only_the_latest_trail() -> None:
    trail = [f"k-{n}" for n in range(MAX_TRAIL + 5)]
    url = page_url("/practice/questionnaires", [("status", "open")], "k-next", ["", *trail])
    address = urlsplit(url)
    assert address.path == "/practice/questionnaires"
    query = parse_qsl(address.query, keep_blank_values=True)
    assert query[:2] == [("status", "open"), ("cursor", "k-next")]
    assert [value for name, value in query if name == "prev"] == trail[-MAX_TRAIL:]


def test_the_first_page_without_filters_is_the_bare_address() -> None:
    assert page_url("/practice/questionnaires", []) == "/practice/questionnaires"
    assert page_url("/portal/dossier/search", [("q", "a b")]) == "/portal/dossier/search?q=a+b"
