"""HTTP side of the outbox: the JSON API, the SMS sink, a Dutch HTML overview and each
message as its recipient sees it.

Guarantees: lists are newest first, `?to=` matches case-insensitively, everything shown on
the HTML pages is escaped, and an invalid SMS body is answered with 422. A mail's HTML
version is shown in a sandboxed frame (no scripts, no access to the outbox): its links
open in the whole tab, so a developer clicks from a notice straight into the journey.
"""

from __future__ import annotations

import re
from html import escape
from typing import Annotated

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, StringConstraints

from .store import OutboxStore, StoredMessage

REFRESH_SECONDS = 5
#: The mail's own HTML runs in this sandbox: no scripts, no same-origin access; a link the
#: developer clicks may replace the outbox tab (target _top), nothing else.
MAIL_SANDBOX = "allow-top-navigation-by-user-activation allow-popups allow-popups-to-escape-sandbox"
#: Mail HTML carries inline styles; nothing else is loaded by any outbox page.
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"
_URL = re.compile(r"https?://[^\s<>\"')]+")
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)

_NonEmpty = Annotated[str, StringConstraints(strict=True, min_length=1)]


class SmsIn(BaseModel):
    """Body of POST /api/sms, as sent by the notifications service's development provider."""

    to: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
    text: _NonEmpty


def _filter(to: str | None) -> str | None:
    # The HTML form always submits `to`, empty when the developer wants everything.
    return to if to and to.strip() else None


def create_app(store: OutboxStore) -> FastAPI:
    """The outbox web app reading from and writing to `store`."""
    app = FastAPI(title="Zorgpost ontwikkel-outbox", docs_url=None, redoc_url=None)

    # Plain `def` endpoints: FastAPI runs them in its threadpool, so sqlite3 never
    # blocks the event loop that also serves SMTP.
    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/messages")
    def list_messages(to: str | None = None) -> list[dict[str, str]]:
        return [message.summary() for message in store.messages(_filter(to))]

    @app.get("/api/messages/{message_id}")
    def get_message(message_id: str) -> dict[str, object]:
        message = store.get(message_id)
        if message is None:
            raise HTTPException(status_code=404, detail="Bericht niet gevonden")
        return message.detail()

    @app.post("/api/sms", status_code=201)
    def receive_sms(sms: SmsIn) -> dict[str, str]:
        return {"id": store.add("sms", sms.to, sms.text).id}

    @app.get("/", response_class=HTMLResponse)
    def overview(to: str | None = None) -> HTMLResponse:
        wanted = _filter(to)
        return HTMLResponse(render_page(store.messages(wanted), wanted), headers={"content-security-policy": PAGE_CSP})

    @app.get("/messages/{message_id}", response_class=HTMLResponse)
    def message_page(message_id: str) -> HTMLResponse:
        message = store.get(message_id)
        if message is None:
            raise HTTPException(status_code=404, detail="Bericht niet gevonden")
        return HTMLResponse(render_message(message), headers={"content-security-policy": PAGE_CSP})

    return app


def _linked(text: str) -> str:
    """Plain text, escaped, with its web addresses clickable."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append(escape(text[position : match.start()]))
        url = escape(match.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _framed(html: str) -> str:
    """The mail's HTML for the sandboxed frame: its links open in the whole tab."""
    base = '<base target="_top">'
    if _HEAD.search(html):
        return _HEAD.sub(lambda match: match.group(0) + base, html, count=1)
    return base + html


def render_message(message: StoredMessage) -> str:
    """One message as the recipient sees it: the HTML version (sandboxed) and the text."""
    channel = "E-mail" if message.channel == "email" else "SMS"
    received = message.received_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    html_part = (
        f'<h2>HTML-versie</h2>\n<iframe title="HTML-versie van het bericht" sandbox="{MAIL_SANDBOX}"'
        f' srcdoc="{escape(_framed(message.html), quote=True)}"></iframe>'
        if message.html
        else ""
    )
    title = escape(message.subject or f"{channel} aan {message.to}")
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Zorgpost ontwikkel-outbox</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 60em; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }}
dt {{ font-weight: bold; }}
iframe {{ width: 100%; height: 32em; border: 1px solid #888; }}
pre {{ white-space: pre-wrap; background: #f4f6f8; padding: 1em; }}
a {{ color: #00526a; }}
</style>
</head>
<body>
<p><a href="/">&larr; Alle berichten</a></p>
<h1>{title}</h1>
<dl>
<dt>Kanaal</dt><dd>{channel}</dd>
<dt>Aan</dt><dd>{escape(message.to)}</dd>
<dt>Van</dt><dd>{escape(message.sender or "")}</dd>
<dt>Ontvangen</dt><dd>{received}</dd>
</dl>
{html_part}
<h2>Tekstversie</h2>
<pre>{_linked(message.text)}</pre>
</body>
</html>
"""


def _row(message: StoredMessage) -> str:
    channel = "E-mail" if message.channel == "email" else "SMS"
    received = message.received_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        "<tr>"
        f"<td>{channel}</td>"
        f"<td>{escape(message.to)}</td>"
        f'<td><a href="/messages/{escape(message.id)}">{escape(message.subject) or "(sms)"}</a></td>'
        f'<td><a href="/api/messages/{escape(message.id)}">{received}</a></td>'
        f"<td><pre>{_linked(message.text)}</pre></td>"
        "</tr>"
    )


def render_page(messages: list[StoredMessage], to: str | None) -> str:
    """The overview page for `messages` (already filtered on `to`, newest first)."""
    rows = "\n".join(_row(message) for message in messages)
    body = (
        "<table><thead><tr><th>Kanaal</th><th>Aan</th><th>Onderwerp</th><th>Ontvangen</th>"
        f"<th>Tekst</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
        if messages
        else "<p>Nog geen berichten.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>Zorgpost ontwikkel-outbox</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .4em; text-align: left; vertical-align: top; }}
pre {{ white-space: pre-wrap; margin: 0; font-family: inherit; }}
</style>
</head>
<body>
<h1>Zorgpost ontwikkel-outbox</h1>
<p>Alle e-mail en sms die het systeem verstuurt, nieuwste eerst.
Deze pagina ververst elke {REFRESH_SECONDS} seconden. Klik op een onderwerp om het bericht te zien
zoals de ontvanger het ziet; de links erin werken.</p>
<form method="get" action="/">
<label>Ontvanger <input name="to" value="{escape(to or "")}"></label>
<button type="submit">Filteren</button> <a href="/">Alles tonen</a>
</form>
{body}
</body>
</html>
"""
