"""Notice e-mails: how they are built, and how SMTP answers are classified, against a real
SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP, Envelope

from notifications.adapters.mail import DeliveryFailed, SmtpMailer, build_message
from notifications.adapters.templates import RenderedMail
from notifications.config import Settings, SmtpSecurity

SENDER = "Zorgpost <no-reply@zorgpost.example>"
NOTICE = RenderedMail(
    subject="Zorgpost Secure e-mail – Nieuw bericht van Gemeente Vlaardingen",
    text="Bericht lezen: https://zorgpost.example/secure-mail/abc\n",
    html='<p><a href="https://zorgpost.example/secure-mail/abc">Bericht lezen</a></p>\n',
)


def notice_to(recipient: str, *, unsubscribe_url: str | None = None) -> EmailMessage:
    return build_message(
        sender=SENDER, to=recipient, mail=NOTICE, message_id="<delivery-1@zorgpost>", unsubscribe_url=unsubscribe_url
    )


# --- build_message ------------------------------------------------------------------------


def test_a_notice_is_multipart_alternative_with_text_before_html() -> None:
    message = notice_to("anna@example.nl")

    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert text.get_content() == NOTICE.text
    assert html.get_content() == NOTICE.html


def test_a_notice_carries_sender_recipient_date_and_its_delivery_message_id() -> None:
    message = notice_to("anna@example.nl")

    assert message["From"] == SENDER
    assert message["To"] == "anna@example.nl"
    assert message["Message-ID"] == "<delivery-1@zorgpost>"
    assert parsedate_to_datetime(message["Date"]).utcoffset() is not None
    assert message["Auto-Submitted"] == "auto-generated"


def test_the_subject_with_its_en_dash_survives_the_wire() -> None:
    wire = notice_to("anna@example.nl").as_bytes()

    received = message_from_bytes(wire, policy=email_policy.default)

    assert all(byte < 128 for byte in wire), "headers and bodies are 7-bit safe"
    assert received["Subject"] == NOTICE.subject


def test_a_notice_without_unsubscribe_url_has_no_list_unsubscribe_header() -> None:
    assert "List-Unsubscribe" not in notice_to("anna@example.nl")


def test_a_notice_with_an_unsubscribe_url_offers_it() -> None:
    message = notice_to("anna@example.nl", unsubscribe_url="https://zorgpost.example/afmelden?t=abc")

    assert message["List-Unsubscribe"] == "<https://zorgpost.example/afmelden?t=abc>"


# --- SmtpMailer against a real SMTP server ------------------------------------------------

GONE = "vertrokken@example.nl"  # 550 at RCPT: mailbox does not exist
BUSY = "druk@example.nl"  # 451 at RCPT: greylisting
SPAM = "streng@example.nl"  # 554 at DATA: content refused
FULL = "vol@example.nl"  # 452 at DATA: mailbox full for now


@dataclass
class ScriptedMailServer:
    """An aiosmtpd handler that refuses some addresses the way real servers do."""

    received: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address == GONE:
            return "550 5.1.1 mailbox unavailable"
        if address == BUSY:
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        if SPAM in envelope.rcpt_tos:
            return "554 5.7.1 message refused"
        if FULL in envelope.rcpt_tos:
            return "452 4.2.2 mailbox full"
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class RunningMailServer:
    handler: ScriptedMailServer
    port: int


@pytest_asyncio.fixture
async def mail_server() -> AsyncIterator[RunningMailServer]:
    handler = ScriptedMailServer()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="mx.example.nl"), "127.0.0.1", 0
    )
    try:
        yield RunningMailServer(handler, server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def mailer(port: int, *, timeout: float = 5.0) -> SmtpMailer:
    return SmtpMailer(
        Settings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security=SmtpSecurity.NONE,
            smtp_username="",
            smtp_timeout_seconds=timeout,
        )
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_accepted_notice_arrives_intact(mail_server: RunningMailServer) -> None:
    await mailer(mail_server.port).send_message(notice_to("anna@example.nl"))

    [envelope] = mail_server.handler.received
    assert envelope.rcpt_tos == ["anna@example.nl"]
    received = message_from_bytes(envelope.original_content or b"", policy=email_policy.default)
    assert received["Message-ID"] == "<delivery-1@zorgpost>"
    assert received["Subject"] == NOTICE.subject


async def test_a_recipient_refused_with_550_is_a_permanent_failure(mail_server: RunningMailServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(mail_server.port).send_message(notice_to(GONE))

    assert failed.value.permanent is True
    assert "550" in failed.value.reason


async def test_a_recipient_refused_with_451_is_retried_later(mail_server: RunningMailServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(mail_server.port).send_message(notice_to(BUSY))

    assert failed.value.permanent is False
    assert "451" in failed.value.reason


async def test_a_message_refused_with_554_after_data_is_a_permanent_failure(mail_server: RunningMailServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(mail_server.port).send_message(notice_to(SPAM))

    assert failed.value.permanent is True
    assert failed.value.reason.startswith("SMTP 554")


async def test_a_message_refused_with_452_after_data_is_retried_later(mail_server: RunningMailServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(mail_server.port).send_message(notice_to(FULL))

    assert failed.value.permanent is False
    assert failed.value.reason.startswith("SMTP 452")


async def test_no_server_listening_is_a_transient_failure() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(free_port()).send_message(notice_to("anna@example.nl"))

    assert failed.value.permanent is False
    assert failed.value.reason.startswith("SMTP unavailable")


async def test_a_server_that_never_greets_is_a_transient_failure_after_the_timeout() -> None:
    async def accept_and_stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    silent = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    try:
        async with asyncio.timeout(5):
            with pytest.raises(DeliveryFailed) as failed:
                await mailer(silent.sockets[0].getsockname()[1], timeout=0.3).send_message(notice_to("anna@example.nl"))
    finally:
        silent.close()
        await silent.wait_closed()

    assert failed.value.permanent is False
