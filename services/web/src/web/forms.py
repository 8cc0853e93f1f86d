"""A form that failed to save: what was typed, and each problem next to its field.

The gateway names bad fields (``errors: [{field, message}]``); a page maps them onto its
own fields (``password.min_length`` belongs to ``password``) so the form stays in edit
mode with the message beside the field and a summary at the top linking to each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from web.i18n import field_message, translate
from web.service.ports import GatewayError

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class SummaryItem:
    anchor: str
    message: str


@dataclass
class Form:
    """The values of a form and its problems; ``labels`` (field → text key) gives the
    order of the summary and the fields the page has."""

    language: str
    labels: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def error(self, name: str, key: str, **params: Any) -> None:
        self.errors.setdefault(name, []).append(translate(self.language, key, **params))

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.general)

    def summary(self) -> list[SummaryItem]:
        items = [
            SummaryItem("#" + field_id(name), message) for name in self.labels for message in self.errors.get(name, [])
        ]
        items += [
            SummaryItem("#" + field_id(name), message)
            for name, messages in self.errors.items()
            if name not in self.labels
            for message in messages
        ]
        return [SummaryItem("#form-errors", message) for message in self.general] + items

    def take(
        self, error: GatewayError, *, rules: Sequence[Mapping[str, str]] = (), aliases: Mapping[str, str] | None = None
    ) -> None:
        """Puts the gateway's refusal on the fields. ``rules`` are the password rules the
        page shows (their text replaces the service's for ``<field>.<rule>``); ``aliases``
        maps an API field to the form field that holds it."""
        aliases = aliases or {}
        rule_text = {rule["code"]: rule["en" if self.language == "en" else "nl"] for rule in rules}
        if not error.errors:
            self.general.append(problem_text(self.language, error))
            return
        for problem in error.errors:
            name = _owner(problem.field, self.labels, aliases)
            suffix = problem.field.rsplit(".", 1)[-1] if "." in problem.field else ""
            if suffix in rule_text:
                message = rule_text[suffix]
            else:
                message = field_message(self.language, problem.message)
            if name is None:
                label = problem.field
                self.general.append(f"{label}: {message}")
            else:
                self.errors.setdefault(name, []).append(message)


def _owner(api_field: str, labels: Mapping[str, str], aliases: Mapping[str, str]) -> str | None:
    # A list item's problem ("files[1]") belongs to the list's field.
    parts = _INDEX.sub("", api_field).split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        candidate = aliases.get(candidate, candidate)
        if candidate in labels:
            return candidate
    return None


def field_id(name: str) -> str:
    return "field-" + name.replace(".", "-").replace("_", "-")


def problem_text(language: str, error: GatewayError) -> str:
    """A refusal without field names, in words a person reads."""
    specific = translate(language, f"problem.{error.code}")
    if specific != f"problem.{error.code}":
        return specific
    return (
        translate(language, f"problem.status.{error.status}")
        if error.status in (401, 403, 404, 409, 429)
        else translate(language, "problem.generic")
    )


def checked(values: Mapping[str, Any], name: str) -> bool:
    return str(values.get(name, "")).lower() in ("on", "true", "1", "yes")


def form_values(raw: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A submitted form as text values (files and repeated names are not used here)."""
    values: dict[str, str] = {}
    for name, value in raw:
        if isinstance(value, str) and name not in values:
            values[name] = value
    return values
