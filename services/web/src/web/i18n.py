"""Dutch by default, English on request: the language of a page and the text in it.

The texts live in :mod:`web.texts` as one table (key → Dutch, English), so a missing
translation is visible in review and caught by a unit test.
"""

from __future__ import annotations

import re
from typing import Any

from web.texts import FIELD_MESSAGES, TEXTS

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The person's explicit choice (the language switch), else the browser's first
    language we speak, else Dutch."""
    if chosen in LANGUAGES:
        return str(chosen)
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, index, primary))
    return sorted(weighted)[0][2] if weighted else DEFAULT_LANGUAGE


def translate(language: str, key: str, **params: Any) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry[1] if language == "en" else entry[0]
    return text.format(**params) if params else text


_PATTERNS = [(re.compile(pattern), texts) for pattern, texts in FIELD_MESSAGES]


def field_message(language: str, message: str) -> str:
    """A service's field message ("is required", "is longer than 200 characters") in the
    page's language; an unknown one is shown as the service wrote it."""
    for pattern, (dutch, english) in _PATTERNS:
        match = pattern.fullmatch(message.strip())
        if match:
            return (english if language == "en" else dutch).format(*match.groups())
    return message
