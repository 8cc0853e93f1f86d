"""SQLite storage for the development outbox.

Guarantees: every stored message survives a restart (each insert is committed at once),
ids are random uuid4 hex strings, listings are newest first, and one `OutboxStore` may be
used from several threads at the same time (the SMTP handler and FastAPI's threadpool).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

Channel = Literal["email", "sms"]

DB_FILENAME = "outbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient     TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    sender        TEXT,
    subject       TEXT NOT NULL,
    text          TEXT NOT NULL,
    html          TEXT,
    headers       TEXT NOT NULL,
    received_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_recipient ON messages (recipient_key, seq);
"""

_COLUMNS = "id, channel, recipient, sender, subject, text, html, headers, received_at"


def recipient_key(address: str) -> str:
    """Normalise an address for the case-insensitive `?to=` filter.

    E-mail addresses are compared lower-cased. For phone numbers the leading "+" is
    dropped, because an unencoded "?to=+316..." reaches us as " 316..." (a "+" in a query
    string means a space) and developers type such URLs by hand.
    """
    key = address.strip().lower()
    return key if "@" in key else key.lstrip("+")


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One message as kept by the outbox; `subject` is "" and `html`/`sender` None for SMS."""

    id: str
    channel: Channel
    to: str
    subject: str
    text: str
    received_at: datetime
    html: str | None = None
    sender: str | None = None
    headers: dict[str, str] | None = None

    def summary(self) -> dict[str, str]:
        """The list representation: exactly the keys the API contract promises."""
        return {
            "id": self.id,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "received_at": self.received_at.isoformat(),
        }

    def detail(self) -> dict[str, object]:
        """The detail representation: the summary plus `html`, `headers` and `from`."""
        return {
            **self.summary(),
            "html": self.html,
            "headers": dict(self.headers or {}),
            "from": self.sender,
        }


class OutboxStore:
    """Thread-safe message store in `<data_dir>/outbox.sqlite3` (created if missing)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILENAME
        # One connection shared by all threads, serialised by a lock: simpler than a pool
        # and plenty fast for a development tool. Autocommit so every insert is durable.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database; the store must not be used afterwards."""
        with self._lock:
            self._conn.close()

    def add(
        self,
        channel: Channel,
        to: str,
        text: str,
        *,
        subject: str = "",
        html: str | None = None,
        sender: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> StoredMessage:
        """Store one message for one recipient and return it with its new id and time."""
        message = StoredMessage(
            id=uuid.uuid4().hex,
            channel=channel,
            to=to,
            subject=subject,
            text=text,
            received_at=datetime.now(UTC),
            html=html,
            sender=sender,
            headers=dict(headers or {}),
        )
        with self._lock:
            self._conn.execute(
                f"INSERT INTO messages ({_COLUMNS}, recipient_key)"  # noqa: S608 - constant column list
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.id,
                    channel,
                    to,
                    sender,
                    subject,
                    text,
                    html,
                    json.dumps(message.headers, ensure_ascii=False),
                    message.received_at.isoformat(),
                    recipient_key(to),
                ),
            )
        return message

    def messages(self, to: str | None = None) -> list[StoredMessage]:
        """All messages, newest first; with `to`, only those for that address (any case)."""
        # Insertion order (seq) rather than received_at: newest-first stays right even
        # if the wall clock jumps backwards or two messages share a timestamp.
        query = f"SELECT {_COLUMNS} FROM messages"  # noqa: S608 - constant column list
        params: tuple[str, ...] = ()
        if to is not None:
            query += " WHERE recipient_key = ?"
            params = (recipient_key(to),)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY seq DESC", params).fetchall()
        return [_from_row(row) for row in rows]

    def get(self, message_id: str) -> StoredMessage | None:
        """The message with this id, or None if there is none."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE id = ?",  # noqa: S608 - constant column list
                (message_id,),
            ).fetchone()
        return None if row is None else _from_row(row)


def _from_row(row: tuple[object, ...]) -> StoredMessage:
    id_, channel, to, sender, subject, text, html, headers, received_at = row
    return StoredMessage(
        id=str(id_),
        channel=cast(Channel, channel),  # the table's CHECK constraint guarantees this
        to=str(to),
        subject=str(subject),
        text=str(text),
        received_at=datetime.fromisoformat(str(received_at)),
        html=None if html is None else str(html),
        sender=None if sender is None else str(sender),
        headers=json.loads(str(headers)),
    )
