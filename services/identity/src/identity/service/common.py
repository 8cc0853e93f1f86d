"""Small helpers the use cases share."""

from __future__ import annotations

import uuid


def parse_id(value: str) -> str | None:
    """A canonical uuid, or None: an id that cannot exist is simply not found, and never
    reaches the database as a malformed value."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError, TypeError):
        return None
