"""HTTP side of the outbox: the JSON API, the SMS sink and a Dutch HTML overview.

Guarantees: lists are newest first, `?to=` matches case-insensitively, everything shown on
the HTML page is escaped, and an invalid SMS body is answered with 422.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, StringConstraints

from .store import OutboxStore, StoredMessage

REFRESH_SECONDS = 5

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
    def overview(to: str | None = None) -> str:
        wanted = _filter(to)
        return render_page(store.messages(wanted), wanted)

    return app


def _row(message: StoredMessage) -> str:
    channel = "E-mail" if message.channel == "email" else "SMS"
    received = message.received_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        "<tr>"
        f"<td>{channel}</td>"
        f"<td>{escape(message.to)}</td>"
        f"<td>{escape(message.subject)}</td>"
        f'<td><a href="/api/messages/{escape(message.id)}">{received}</a></td>'
        f"<td><pre>{escape(message.text)}</pre></td>"
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
Deze pagina ververst elke {REFRESH_SECONDS} seconden.</p>
<form method="get" action="/">
<label>Ontvanger <input name="to" value="{escape(to or "")}"></label>
<button type="submit">Filteren</button> <a href="/">Alles tonen</a>
</form>
{body}
</body>
</html>
"""
