"""The outbox's page of one message: the mail as its recipient sees it. Its HTML runs in a
sandbox (no scripts, no access to the outbox) with links that open in the whole tab; the
text version is escaped and its addresses are links."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

from zorgpost_devstack.outbox.http import MAIL_SANDBOX, render_message
from zorgpost_devstack.outbox.store import StoredMessage

MAIL = StoredMessage(
    id="m1",
    channel="email",
    to="anna@example.org",
    subject="Uitnodiging <b>voor</b> u",
    text="Open: http://127.0.0.1:8000/invitations/abc_DEF-123 <script>x()</script>",
    received_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    html='<html><head><title>t</title></head><body><a href="http://127.0.0.1:8000/invitations/abc">Open</a>'
    "<script>steal()</script></body></html>",
    sender="Zorgpost <no-reply@zorgpost.example>",
)


def test_the_html_version_is_sandboxed_and_its_links_open_the_whole_tab() -> None:
    page = render_message(MAIL)

    frame = re.search(r'<iframe title="[^"]+" sandbox="([^"]+)" srcdoc="([^"]*)"', page)
    assert frame, page
    assert frame.group(1) == MAIL_SANDBOX and "allow-scripts" not in MAIL_SANDBOX
    assert "allow-same-origin" not in MAIL_SANDBOX
    framed = html.unescape(frame.group(2))
    assert '<head><base target="_top">' in framed
    assert 'href="http://127.0.0.1:8000/invitations/abc"' in framed
    assert "<script>steal()" not in page, "the mail's markup only exists inside the frame's escaped srcdoc"


def test_the_text_version_is_escaped_with_its_addresses_clickable() -> None:
    page = render_message(MAIL)

    assert '<a href="http://127.0.0.1:8000/invitations/abc_DEF-123">' in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "Uitnodiging &lt;b&gt;voor&lt;/b&gt; u" in page


def test_an_sms_has_no_html_version() -> None:
    page = render_message(replace(MAIL, channel="sms", subject="", html=None, to="+31612345678", text="Code 123456"))

    assert "<iframe" not in page
    assert "SMS aan +31612345678" in page and "Code 123456" in page
