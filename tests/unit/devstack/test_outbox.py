"""The development outbox: SMTP in, JSON/HTML out, persisted, and a CLI that stops cleanly."""

from __future__ import annotations

import re
import select
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib
import httpx
import pytest
import pytest_asyncio

from zorgpost_devstack.outbox import DevOutbox, OutboxStore, parse_mail

SUBJECT = "Zorgpost Secure e-mail – Nieuw bericht van Gemeente Vlaardingen"
ANNA = "anna.de.vries@example.nl"
PIET = "piet@example.nl"
SUMMARY_KEYS = {"id", "channel", "to", "subject", "text", "received_at"}


@pytest_asyncio.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[DevOutbox]:
    async with DevOutbox(tmp_path / "outbox", smtp_port=0, http_port=0) as running:
        yield running


def notification_mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Zorgpost <noreply@zorgpost.example>"
    mail["To"] = "Anna.de.Vries@Example.NL, piet@example.nl"
    mail["Subject"] = SUBJECT
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="zorgpost.example")
    mail["List-Unsubscribe"] = "<https://zorgpost.example/afmelden?t=abc>"
    mail.set_content(
        "Beste mevrouw De Vries,\n\nEr is een nieuw bericht voor u. Café-groet.\n",
        cte="quoted-printable",
    )
    mail.add_alternative(
        "<html><body><p>Er is een <b>nieuw bericht</b> voor u. Café-groet.</p></body></html>",
        subtype="html",
        cte="base64",
    )
    return mail


async def send(outbox: DevOutbox, mail: EmailMessage, recipients: list[str]) -> None:
    await aiosmtplib.send(
        mail, hostname=outbox.smtp_host, port=outbox.smtp_port, recipients=recipients
    )


def api(outbox: DevOutbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=outbox.http_url, timeout=5)


@pytest.mark.asyncio
async def test_mail_and_sms_are_listed_newest_first_and_filterable(outbox: DevOutbox) -> None:
    mail = notification_mail()
    raw = mail.as_bytes()
    # The wire format really is encoded, so the assertions below prove decoding.
    assert b"=?utf-8?" in raw and b"Caf=C3=A9" in raw and "Café".encode() not in raw
    await send(outbox, mail, ["Anna.de.Vries@Example.NL", PIET])
    async with api(outbox) as client:
        created = await client.post("/api/sms", json={"to": "+31612345678", "text": "Code 123456"})
        assert created.status_code == 201
        sms_id = created.json()["id"]
        assert re.fullmatch(r"[0-9a-f]{32}", sms_id)

        listed = (await client.get("/api/messages")).json()
        assert [m["channel"] for m in listed] == ["sms", "email", "email"]
        assert listed[0] == {**listed[0], "id": sms_id, "to": "+31612345678", "subject": ""}
        assert listed[0]["text"] == "Code 123456"
        assert {m["to"] for m in listed[1:]} == {"Anna.de.Vries@Example.NL", PIET}
        for message in listed:
            assert set(message) == SUMMARY_KEYS
            received = message["received_at"]
            assert received.endswith("+00:00")
        assert listed[0]["received_at"] >= listed[1]["received_at"]

        for_anna = (await client.get("/api/messages", params={"to": ANNA.upper()})).json()
        assert len(for_anna) == 1
        anna = for_anna[0]
        assert anna["channel"] == "email"
        assert anna["subject"] == SUBJECT
        assert anna["text"].startswith("Beste mevrouw De Vries,\n\nEr is een nieuw bericht")
        assert "Café-groet." in anna["text"]
        assert (await client.get("/api/messages", params={"to": "+31612345678"})).json()[0][
            "id"
        ] == sms_id
        assert (await client.get("/api/messages", params={"to": "nobody@example.nl"})).json() == []

        detail = (await client.get(f"/api/messages/{anna['id']}")).json()
        assert detail["subject"] == SUBJECT
        assert "<b>nieuw bericht</b>" in detail["html"] and "Café" in detail["html"]
        assert detail["headers"]["Message-ID"] == mail["Message-ID"]
        assert detail["headers"]["List-Unsubscribe"] == mail["List-Unsubscribe"]
        assert detail["headers"]["Subject"] == SUBJECT
        assert "Date" in detail["headers"]
        assert detail["from"] == "Zorgpost <noreply@zorgpost.example>"

        sms_detail = (await client.get(f"/api/messages/{sms_id}")).json()
        assert sms_detail["html"] is None and sms_detail["headers"] == {}


@pytest.mark.asyncio
async def test_unknown_message_is_404_and_bad_sms_is_422(outbox: DevOutbox) -> None:
    async with api(outbox) as client:
        missing = await client.get("/api/messages/0123456789abcdef0123456789abcdef")
        assert missing.status_code == 404
        assert missing.json()["detail"]
        for body in (
            {"to": "+31612345678"},
            {"text": "hallo"},
            {"to": "", "text": "hallo"},
            {"to": "+31612345678", "text": ""},
            {"to": 31612345678, "text": "hallo"},
            {"to": "+31612345678", "text": None},
        ):
            response = await client.post("/api/sms", json=body)
            assert response.status_code == 422, body
        assert (await client.get("/api/messages")).json() == []


@pytest.mark.asyncio
async def test_html_only_mail_is_rendered_as_text(outbox: DevOutbox) -> None:
    mail = EmailMessage()
    mail["From"] = "noreply@zorgpost.example"
    mail["Subject"] = "Alleen HTML"
    mail.set_content(
        "<html><head><style>p {color: red}</style></head><body>"
        "<h1>Welkom</h1><p>Uw   code is\n<b>42</b>.</p><script>alert(1)</script></body></html>",
        subtype="html",
    )
    await send(outbox, mail, [ANNA])
    async with api(outbox) as client:
        [message] = (await client.get("/api/messages")).json()
        assert message["text"] == "Welkom\n\nUw code is 42."
        detail = (await client.get(f"/api/messages/{message['id']}")).json()
        assert detail["html"].startswith("<html>")


@pytest.mark.asyncio
async def test_html_page_escapes_content_and_filters(outbox: DevOutbox) -> None:
    async with api(outbox) as client:
        await client.post("/api/sms", json={"to": "+31600000001", "text": "<script>x()</script>"})
        await client.post("/api/sms", json={"to": "+31600000002", "text": "Tweede & laatste"})
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "<title>Zorgpost ontwikkel-outbox</title>" in html
        assert re.search(r'<meta http-equiv="refresh" content="\d+">', html)
        assert "<script>" not in html
        assert "&lt;script&gt;x()&lt;/script&gt;" in html
        assert html.index("Tweede &amp; laatste") < html.index("&lt;script&gt;")

        filtered = (await client.get("/", params={"to": "+31600000002"})).text
        assert "Tweede &amp; laatste" in filtered and "x()" not in filtered
        attack = (await client.get("/", params={"to": '"><script>y()</script>'})).text
        assert "<script>" not in attack and "Nog geen berichten." in attack

        assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_messages_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "outbox"
    async with DevOutbox(data_dir, smtp_port=0, http_port=0) as first:
        await send(first, notification_mail(), [ANNA])
        async with api(first) as client:
            await client.post("/api/sms", json={"to": "+31612345678", "text": "Later"})
            before = (await client.get("/api/messages")).json()
    second = DevOutbox(data_dir, smtp_port=0, http_port=0)
    async with second, api(second) as client:
        assert (await client.get("/api/messages")).json() == before
        detail = (await client.get(f"/api/messages/{before[1]['id']}")).json()
        assert detail["subject"] == SUBJECT and "nieuw bericht" in detail["html"]


@pytest.mark.asyncio
@pytest.mark.parametrize("taken", ["smtp", "http"])
async def test_start_fails_cleanly_when_a_port_is_taken(
    outbox: DevOutbox, tmp_path: Path, taken: str
) -> None:
    clash = DevOutbox(
        tmp_path / "clash",
        smtp_port=outbox.smtp_port if taken == "smtp" else 0,
        http_port=outbox.http_port if taken == "http" else 0,
    )
    with pytest.raises(OSError):
        await clash.start()
    with pytest.raises(RuntimeError):
        _ = clash.store
    async with api(outbox) as client:  # the running outbox is unaffected
        assert (await client.get("/healthz")).status_code == 200


def test_store_reopens_with_messages_in_order(tmp_path: Path) -> None:
    store = OutboxStore(tmp_path)
    first = store.add("sms", "+31611111111", "een")
    second = store.add("email", "Zorg@Example.NL", "twee", subject="Onderwerp", html="<p>twee</p>")
    store.close()
    reopened = OutboxStore(tmp_path)
    try:
        assert [m.id for m in reopened.messages()] == [second.id, first.id]
        assert reopened.messages("zorg@example.nl") == [second]
        assert reopened.get(first.id) == first
        assert first.received_at.utcoffset() == timedelta(0)
        assert reopened.get("onbekend") is None
    finally:
        reopened.close()


def test_parse_mail_decodes_latin1_headers_and_bodies() -> None:
    raw = (
        b"From: =?iso-8859-1?q?Jos=E9?= <jose@example.nl>\r\n"
        b"Subject: =?windows-1252?q?Caf=E9_=96_overleg?=\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"Tot ziens in het caf=E9 =96 morgen.\r\n"
    )
    mail = parse_mail(raw)
    assert mail.sender == "José <jose@example.nl>"
    assert mail.subject == "Café – overleg"
    assert mail.text == "Tot ziens in het café – morgen.\n"
    assert mail.html is None


def wait_for_health(http_url: str, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"{http_url}/healthz").json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "zorgpost_devstack.outbox",
            "--smtp-port", "0", "--http-port", "0", "--data-dir", str(tmp_path / "data"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 20)
        assert ready, "the outbox printed no start line"
        start_line = process.stdout.readline()
        found = re.search(r"SMTP op 127\.0\.0\.1:(\d+).*(http://127\.0\.0\.1:\d+)", start_line)
        assert found, start_line
        smtp_port, http_url = int(found[1]), found[2]

        assert wait_for_health(http_url) == {"status": "ok"}
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.send_message(notification_mail(), to_addrs=[ANNA])
        [message] = httpx.get(f"{http_url}/api/messages", params={"to": ANNA}).json()
        assert message["subject"] == SUBJECT

        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
        assert (tmp_path / "data" / "outbox.sqlite3").is_file()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        _, stderr = process.communicate()
        print(stderr)
