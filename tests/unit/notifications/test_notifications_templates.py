"""The secure-mail notice: says who wrote, links to the message, carries no content."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from notifications.adapters.templates import TemplateCatalogue
from notifications.service.ports import CannotRender, RenderedMail

PUBLIC_URL = "https://zorgpost.example"
TOKEN = "Zq3_tokenvalue-abc"
LINK = f"{PUBLIC_URL}/secure-mail/{TOKEN}"


class HrefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        self.hrefs.extend(value or "" for name, value in attrs if name in ("href", "src"))


def parse(html: str) -> HrefCollector:
    collector = HrefCollector()
    collector.feed(html)
    return collector


def notice(language: str = "nl", organisation_name: str = "Gemeente X", public_url: str = PUBLIC_URL) -> RenderedMail:
    return TemplateCatalogue(public_url).render_mail(
        "secure_mail_notice", language, {"organisation_name": organisation_name, "read_token": TOKEN}
    )


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nl", "Zorgpost Secure e-mail – Nieuw bericht van Gemeente X"),
        ("en", "Zorgpost Secure e-mail – New message from Gemeente X"),
    ],
)
def test_the_subject_names_the_organisation_in_the_recipients_language(language: str, subject: str) -> None:
    assert notice(language).subject == subject


@pytest.mark.parametrize("language", ["nl", "en"])
def test_text_and_html_link_to_the_message_on_the_public_site(language: str) -> None:
    mail = notice(language)

    assert LINK in mail.text
    assert LINK in parse(mail.html).hrefs


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_link_in_the_html_points_to_the_public_site(language: str) -> None:
    mail = notice(language)

    hrefs = parse(mail.html).hrefs
    assert hrefs
    assert all(href.startswith(PUBLIC_URL + "/") for href in hrefs)


def test_a_trailing_slash_in_the_public_url_gives_no_double_slash() -> None:
    mail = notice(public_url=PUBLIC_URL + "/")

    assert LINK in mail.text
    assert "//secure-mail" not in mail.text + mail.html


def test_an_organisation_name_with_markup_is_escaped_in_the_html() -> None:
    name = 'Gemeente <script>alert("x")</script> & Co'

    mail = notice(organisation_name=name)

    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert parse(mail.html).scripts == 0
    assert all(href.startswith(PUBLIC_URL + "/") for href in parse(mail.html).hrefs)
    # Plain text and subject are not HTML: the name stays as typed there.
    assert name in mail.text
    assert mail.subject.endswith(name)


def test_an_unknown_language_falls_back_to_dutch() -> None:
    assert notice("de") == notice("nl")
    assert notice("") == notice("nl")


@pytest.mark.parametrize(
    ("language", "lang_attribute"), [("nl", 'lang="nl"'), ("en", 'lang="en"'), ("fr", 'lang="nl"')]
)
def test_the_html_declares_the_language_it_is_written_in(language: str, lang_attribute: str) -> None:
    mail = notice(language)

    assert lang_attribute in mail.html


def test_the_notice_tells_how_long_the_access_code_is_valid() -> None:
    mail = notice("nl")

    assert "15 minuten" in mail.text
    assert "15 minuten" in mail.html


def test_a_missing_parameter_is_an_error_not_an_empty_link() -> None:
    with pytest.raises(CannotRender) as refused:
        TemplateCatalogue(PUBLIC_URL).render_mail("secure_mail_notice", "nl", {"organisation_name": "Gemeente X"})

    assert refused.value.reason == "UndefinedError"
    assert "read_token" in str(refused.value.__cause__)
