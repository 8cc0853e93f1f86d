"""Renders notices from the template catalogue in ``notifications/templates``.

Each e-mail template has ``<name>.subject.j2``, ``<name>.txt.j2`` and ``<name>.html.j2`` per
language (``nl`` default, ``en``). Templates build links only with ``link(path)``, which
joins the configured public URL, so a notice can never point anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class TemplateCatalogue:
    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._env.globals["link"] = self.link

    def link(self, path: str) -> str:
        return self._public_url + "/" + path.lstrip("/")

    def render_mail(self, template: str, language: str, params: dict[str, Any]) -> RenderedMail:
        lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
        context = {**params, "language": lang}
        subject = self._env.get_template(f"{lang}/{template}.subject.j2").render(context)
        return RenderedMail(
            subject=" ".join(subject.split()),
            text=self._env.get_template(f"{lang}/{template}.txt.j2").render(context),
            html=self._env.get_template(f"{lang}/{template}.html.j2").render(context),
        )
