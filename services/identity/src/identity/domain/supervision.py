"""Supervision: a government department oversees organisations (care organisations,
practices, municipalities) and exchanges messages with them in named themes (the e-counter
builds on this).

Themes are held here as codes: short lower-case slugs (``jeugdzorg``, ``wmo-meldingen``).
Identity stores which themes a supervision covers, nothing more; the contacts service's
theme catalogue (names, descriptions, contact persons per theme) is to use the same codes
as its theme ids, so both sides name a theme the same way without either reading the
other's tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import Organisation, OrganisationKind
from identity.domain.errors import SupervisionNotAllowed
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.events import DomainEvent

THEME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_THEMES = 50


@dataclass(frozen=True)
class Supervision:
    supervisor_organisation_id: str
    supervised_organisation_id: str
    themes: tuple[str, ...]
    since: datetime


def check_themes(values: Sequence[str], errors: FieldErrors, field: str = "themes") -> tuple[str, ...]:
    """One or more theme codes (lower-case letters, digits and hyphens, up to 64), each once,
    in the order given."""
    themes: list[str] = []
    for value in values:
        code = value.strip()
        if not THEME_PATTERN.fullmatch(code):
            errors.add(field, f"{code[:70]!r} is not a theme code (lower-case letters, digits and -, up to 64)")
            return ()
        if code not in themes:
            themes.append(code)
    if not themes:
        errors.add(field, "give at least one theme")
    elif len(themes) > MAX_THEMES:
        errors.add(field, f"at most {MAX_THEMES} themes")
    return tuple(themes)


def check_may_supervise(supervisor: Organisation, supervised: Organisation) -> None:
    """A government department supervises active organisations other than itself and other
    than departments."""
    if (
        supervisor.kind is not OrganisationKind.GOVERNMENT_DEPARTMENT
        or supervised.kind is OrganisationKind.GOVERNMENT_DEPARTMENT
        or supervisor.id == supervised.id
        or not supervisor.is_active
        or not supervised.is_active
    ):
        raise SupervisionNotAllowed()


@dataclass(frozen=True, kw_only=True)
class SupervisionLinked(DomainEvent):
    supervisor_organisation_id: str
    supervised_organisation_id: str
    themes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SupervisionThemesChanged(DomainEvent):
    supervisor_organisation_id: str
    supervised_organisation_id: str
    themes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SupervisionEnded(DomainEvent):
    supervisor_organisation_id: str
    supervised_organisation_id: str
