"""SMTP side of the outbox: accept every mail and store one decoded copy per recipient.

Guarantees: any sender and recipient are accepted over plain SMTP (no STARTTLS, AUTH
optional and never checked); subjects (RFC 2047), transfer encodings and charsets are
decoded with the stdlib `email` package under `policy.default`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from .store import OutboxStore

logger = logging.getLogger(__name__)

_SKIPPED_TAGS = frozenset({"head", "script", "style", "title"})
_BLOCK_TAGS = frozenset(
    {"address", "article", "blockquote", "br", "div", "footer", "h1", "h2", "h3", "h4",
     "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # Whitespace inside HTML source is not layout; only block tags break lines.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """A readable plain-text rendering of an HTML document (no markup, no scripts)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines: list[str] = []
    for line in "".join(extractor.parts).split("\n"):
        line = line.strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """The parts of a mail the outbox shows; `text` is never None, `html` may be."""

    subject: str
    text: str
    html: str | None
    sender: str | None
    headers: dict[str, str] = field(default_factory=dict)


def _content(part: MIMEPart | None) -> str | None:
    if part is None:
        return None
    try:
        content = str(part.get_content())
    except LookupError:
        # Unknown charset name: show the bytes as UTF-8 rather than losing the mail.
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    # CRLF is SMTP's line ending, not the author's; readers and tests expect "\n".
    return content.replace("\r\n", "\n")


def parse_mail(raw: bytes) -> ParsedMail:
    """Decode a raw RFC 5322 message into subject, text/plain, text/html and headers."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # guaranteed by policy.default
    html = _content(message.get_body(preferencelist=("html",)))
    text = _content(message.get_body(preferencelist=("plain",)))
    if text is None:
        text = html_to_text(html) if html is not None else ""
    headers: dict[str, str] = {}
    for name, value in message.items():
        # First occurrence wins, as with message[name]; repeated ones (Received) are noise.
        headers.setdefault(name, str(value))
    sender = message.get("From")
    return ParsedMail(
        subject=str(message.get("Subject", "")).strip(),
        text=text,
        html=html,
        sender=None if sender is None else str(sender),
        headers=headers,
    )


class OutboxHandler:
    """aiosmtpd handler that stores every accepted mail once per RCPT TO recipient."""

    def __init__(self, store: OutboxStore) -> None:
        self._store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mail = parse_mail(envelope.original_content or b"")
        for recipient in envelope.rcpt_tos:
            # sqlite3 blocks; keep the event loop (and the HTTP API on it) responsive.
            stored = await asyncio.to_thread(
                self._store.add,
                "email",
                recipient,
                mail.text,
                subject=mail.subject,
                html=mail.html,
                sender=mail.sender or envelope.mail_from,
                headers=mail.headers,
            )
            logger.info("mail %s for %s: %s", stored.id, recipient, mail.subject)
        return "250 Message accepted for delivery"


def _accept_any_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    # Services configured with SMTP credentials must work against the outbox too;
    # this is a local development sink, so no credential is ever checked.
    return AuthResult(success=True)


class SmtpServer:
    """aiosmtpd SMTP served on the caller's running event loop."""

    def __init__(self, store: OutboxStore) -> None:
        self._handler = OutboxHandler(store)
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 picks a free port) and return the actual port."""
        loop = asyncio.get_running_loop()

        def new_session() -> SMTP:
            session = SMTP(
                self._handler,
                # A fixed name: the default socket.getfqdn() can stall on DNS per connection.
                hostname="zorgpost-outbox.localhost",
                enable_SMTPUTF8=True,
                auth_require_tls=False,
                authenticator=_accept_any_login,
                loop=loop,
            )
            self._sessions.add(session)
            return session

        self._server = await loop.create_server(new_session, host, port)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and drop open client connections; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Idle clients would otherwise keep their sessions (and wait_closed) alive.
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        await server.wait_closed()
