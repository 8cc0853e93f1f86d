"""Jinja2 pages: every page extends ``base.html.j2``; text comes from ``t(key)``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from web.domain.moments import describe_day, describe_moment, describe_size, parse_moment
from web.forms import field_id
from zorgpost_kit.calendar import ZONE

_NUMBER = re.compile(r"\d+")


@cache
def _static_version(path: str) -> str:
    """A short content hash, so a changed file is fetched again despite long caching."""
    data = (files("web") / "static" / path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_static_version(path)}"


def rule_attributes(rule: Mapping[str, str]) -> dict[str, str]:
    """What the in-page checklist needs to tick a password rule off while typing: the
    number in the rule (at least 12 characters, 2 digits) and the allowed specials."""
    attributes = {"data-rule": rule["code"]}
    number = _NUMBER.search(rule["en"])
    if number:
        attributes["data-count"] = number.group(0)
    if rule["code"] == "special" and ":" in rule["en"]:
        attributes["data-allowed"] = "".join(rule["en"].split(":", 1)[1].split())
    return attributes


@pass_context
def when(context: Context, value: str) -> str:
    """``<time>`` text for a moment the gateway gave: "een paar seconden geleden" …"""
    return describe_moment(parse_moment(value), datetime.now(UTC), str(context.get("lang", "nl")))


@pass_context
def day(context: Context, value: str) -> str:
    """The day of a date ("2026-12-01") or of a moment on the Dutch clock, in words:
    "dinsdag 1 december 2026"."""
    language = str(context.get("lang", "nl"))
    if len(value) == 10:
        return describe_day(date.fromisoformat(value), language)
    return describe_day(parse_moment(value).astimezone(ZONE).date(), language)


def clock(value: str) -> str:
    """The Dutch clock time of a moment ("14:35")."""
    return parse_moment(value).astimezone(ZONE).strftime("%H:%M")


@pass_context
def file_size(context: Context, value: Any) -> str:
    return describe_size(int(value), str(context.get("lang", "nl")))


#: How much of a long message a search result shows around the first word found.
SNIPPET_CHARACTERS = 300


def highlight(text: str, words: list[str]) -> Markup:
    """The part of ``text`` where the search words are, each found word marked (escaped
    piece by piece, so nothing in the message can become markup)."""
    words = [word for word in words if word]
    if not words:
        return escape(text[:SNIPPET_CHARACTERS])
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - SNIPPET_CHARACTERS // 3)
    piece = text[start : start + SNIPPET_CHARACTERS]
    out = [Markup("…") if start else Markup("")]
    position = 0
    for found in pattern.finditer(piece):
        out.append(escape(piece[position : found.start()]))
        out.append(Markup("<mark>") + escape(found.group(0)) + Markup("</mark>"))
        position = found.end()
    out.append(escape(piece[position:]))
    if start + SNIPPET_CHARACTERS < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def build_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("j2",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["static"] = static_url
    environment.globals["field_id"] = field_id
    environment.globals["rule_attributes"] = rule_attributes
    environment.filters["when"] = when
    environment.filters["file_size"] = file_size
    environment.filters["highlight"] = highlight
    environment.filters["clock"] = clock
    environment.filters["day"] = day
    return environment
