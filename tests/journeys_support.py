"""Helpers the tests of the ways into an account share: clients of a practice with a birth
date, the secrets identity put in its outbox for a person (what notifications sends), and
reading the secrets back out of the development outbox's mail and SMS text."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import TypeVar

from google.protobuf.message import Message
from support import Member, create_member, fetch

from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar

M = TypeVar("M", bound=Message)

#: A link token in a mail: the path segment after e.g. ``/invitations/``.
_TOKEN = r"([A-Za-z0-9_-]{20,})"


def valid_mobile() -> str:
    """A Dutch mobile number (E.164) that passes validation (06-1…) and no other test uses."""
    return f"+3161{uuid.uuid4().int % 10**7:07d}"


def years_ago(years: int, *, days: int = 0) -> date:
    """The birth date of someone who turned ``years`` today (``days`` later: younger), by
    the calendar the services count ages with: today in Amsterdam, not the machine's date."""
    return calendar.birth_date_for_age(years, calendar.today(), days_younger=days)


async def create_client(stack: Stack, organisation_id: str, birth_date: date) -> Member:
    """An active person account of the practice with a birth date and a mobile number."""
    return await create_member(stack, organisation_id, mobile=valid_mobile(), birth_date=birth_date)


async def outbox_events(stack: Stack, subject: str, message_type: type[M]) -> list[M]:
    """The events identity stored for ``subject`` (newest first), decoded."""
    query = "SELECT payload FROM outbox_events WHERE subject = $1 ORDER BY created_at DESC"
    rows = await fetch(stack.database_urls["identity"], query, subject)
    return [message_type.FromString(row["payload"]) for row in rows]


def token_after(path: str, text: str) -> str:
    """The token of the link ``…{path}{token}`` in a mail's text."""
    found = re.search(re.escape(path) + _TOKEN, text)
    assert found, f"no link {path}… in the mail"
    return found.group(1)


def line_after(label: str, text: str) -> str:
    """The first non-empty line after the line ``label`` (the temporary password mail)."""
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index(label) + 1
    return next(line for line in lines[start:] if line)
