"""Jinja2 pages: every page extends ``base.html.j2``; text comes from ``t(key)``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from web.forms import field_id

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
    return environment
