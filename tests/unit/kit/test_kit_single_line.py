"""Single-line fields that notices print (names, subjects): no control characters, no line
breaks, nothing a mail client turns into a link; every problem named under its field."""

from __future__ import annotations

import pytest

from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_name, check_required, check_single_line, looks_like_link


@pytest.mark.parametrize(
    "text",
    [
        "https://phish.example/login",
        "HTTP://PHISH.EXAMPLE",
        "ftp://files.example",
        "mailto:iemand@example.org",
        "www.prijs-gewonnen.nl",
        "WWW2.example",
        "Ga naar prijs-gewonnen.nl",
        "win-nu.com",
        "info@oplichter.nl",
        "192.168.1.10",
        "winnaar。com",  # an ideographic full stop some clients read as a dot
        "ＷＷＷ．ＥＶＩＬ．ＣＯＭ",  # full-width letters
        "zörg.nl",
    ],
)
def test_link_like_text_is_recognised(text: str) -> None:
    assert looks_like_link(text)


@pytest.mark.parametrize(
    "text",
    ["Jan de Vries", "A.J. Jansen", "St.Antonius", "jan.jansen", "Kind & meer", "O'Brien", "Zoë", "Nr. 12", "3.5"],
)
def test_ordinary_names_are_not_links(text: str) -> None:
    assert not looks_like_link(text)


@pytest.mark.parametrize(
    "text", ["Jan\nde Vries", "Jan\r\nde Vries", "Jan\tde Vries", "Jan\x00", "Jan\u202ede", "Jan\u2028de", "Jan\u200b"]
)
def test_control_and_format_characters_are_refused(text: str) -> None:
    errors = FieldErrors()
    check_single_line(text, "subject", errors, max_length=200)
    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    assert refused.value.fields == {
        "subject": "contains characters that are not allowed (line breaks, control characters)"
    }


def test_every_problem_is_named_under_its_field() -> None:
    errors = FieldErrors()
    check_name("", "first_name", errors)
    check_name("x" * 101, "last_name", errors)
    check_name("zie www.evil.nl", "display_name", errors)
    check_single_line("Hallo", "subject", errors, max_length=200)
    check_required(errors, code="  ", token="abc")

    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()

    assert refused.value.fields == {
        "first_name": "is required",
        "last_name": "is longer than 100 characters",
        "display_name": "must not contain a web address or e-mail address",
        "code": "is required",
    }


def test_a_good_value_comes_back_trimmed() -> None:
    errors = FieldErrors()
    assert check_name("  Anna de Vries ", "first_name", errors) == "Anna de Vries"
    assert check_single_line("", "subject", errors, max_length=10, required=False) == ""
    assert not errors
