"""Renders notices from the template catalogue in ``notifications/templates``.

Each e-mail notice has ``<name>.subject.j2``, ``<name>.txt.j2`` and ``<name>.html.j2`` per
language (``nl`` default, ``en``); a notice that can go by SMS also has ``<name>.sms.j2``.
Templates build links only with ``link(path)``, which joins the configured public URL, so a
notice can never point anywhere else; times are shown in Dutch local time with the
``local_time`` and ``local_datetime`` filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from notifications.domain.model import Channel
from notifications.domain.notices import DEFAULT_LANGUAGE, LANGUAGES, NoticeKind
from notifications.service.ports import CannotRender, RenderedMail

__all__ = ["LOCAL_TIMEZONE", "PREFERENCES_PATH", "RenderedMail", "TemplateCatalogue", "local_datetime", "local_time"]

#: Where the people Zorgpost writes to live: times in notices are theirs.
LOCAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")
#: Where a person changes which notices they receive (the target of List-Unsubscribe).
PREFERENCES_PATH = "/me/notification-preferences"

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
_AT = {"nl": "om", "en": "at"}


def _local(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL_TIMEZONE)


def local_time(value: str | datetime) -> str:
    """ "14:35": the time of day in the Netherlands."""
    return _local(value).strftime("%H:%M")


@pass_context
def local_datetime(context: Context, value: str | datetime) -> str:
    """ "2 maart 2026 om 14:35" / "2 March 2026 at 14:35"."""
    language = context.get("language", DEFAULT_LANGUAGE)
    moment = _local(value)
    month = _MONTHS[language][moment.month - 1]
    return f"{moment.day} {month} {moment.year} {_AT[language]} {moment:%H:%M}"


class TemplateCatalogue:
    """The notice renderer (:class:`notifications.service.ports.NoticeRenderer`) over the
    package's templates."""

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._env.globals["link"] = self.link
        self._env.filters["local_time"] = local_time
        self._env.filters["local_datetime"] = local_datetime

    def link(self, path: str) -> str:
        return self._public_url + "/" + path.lstrip("/")

    @property
    def preferences_url(self) -> str:
        return self.link(PREFERENCES_PATH)

    def render_mail(
        self, template: str, language: str, params: dict[str, Any], *, optional: bool = False
    ) -> RenderedMail:
        """Subject, text and HTML of a mail. ``optional`` mail says where to switch it off."""
        context = self._context(language, params, optional=optional)
        lang = context["language"]
        try:
            subject = self._env.get_template(f"{lang}/{template}.subject.j2").render(context)
            return RenderedMail(
                subject=" ".join(subject.split()),
                text=self._env.get_template(f"{lang}/{template}.txt.j2").render(context),
                html=self._env.get_template(f"{lang}/{template}.html.j2").render(context),
            )
        except (TemplateError, ValueError) as error:
            raise CannotRender(type(error).__name__) from error

    def render_sms(self, template: str, language: str, params: dict[str, Any]) -> str:
        """The SMS text on one line: short, and never more than the template says."""
        context = self._context(language, params, optional=False)
        try:
            text = self._env.get_template(f"{context['language']}/{template}.sms.j2").render(context)
        except (TemplateError, ValueError) as error:
            raise CannotRender(type(error).__name__) from error
        return " ".join(text.split())

    def missing(self, kinds: Iterable[NoticeKind]) -> list[str]:
        """The template files the catalogue lacks: every kind needs each of its channels'
        files in every language."""
        wanted: list[str] = []
        for kind in kinds:
            for language in LANGUAGES:
                if Channel.EMAIL in kind.channels:
                    wanted += [f"{language}/{kind.template}.{part}.j2" for part in ("subject", "txt", "html")]
                if Channel.SMS in kind.channels:
                    wanted.append(f"{language}/{kind.template}.sms.j2")
        absent = []
        for name in wanted:
            try:
                self._env.get_template(name)
            except TemplateNotFound:
                absent.append(name)
        return absent

    def _context(self, language: str, params: dict[str, Any], *, optional: bool) -> dict[str, Any]:
        lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
        return {
            # A person without a name in the event is greeted without one.
            "recipient_name": "",
            **params,
            "language": lang,
            "preferences_url": self.preferences_url if optional else None,
        }
