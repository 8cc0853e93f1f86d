"""Field checks: one answer names every bad field, and good input comes back normalised."""

from __future__ import annotations

import pytest

from zorgpost_kit.errors import Category, FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_email, check_mobile, check_phone, check_text, check_url


def test_field_errors_without_problems_raise_nothing() -> None:
    errors = FieldErrors()

    errors.raise_if_any()

    assert not errors


def test_field_errors_name_every_bad_field_in_one_invalid_argument() -> None:
    errors = FieldErrors()
    errors.add("recipient_email", "is not a valid e-mail address")
    errors.add("subject", "is required")

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()

    assert raised.value.category is Category.INVALID_ARGUMENT
    assert raised.value.fields == {"recipient_email": "is not a valid e-mail address", "subject": "is required"}
    assert "recipient_email" in raised.value.message and "subject" in raised.value.message


def test_field_errors_keep_the_first_problem_of_a_field() -> None:
    errors = FieldErrors()
    errors.add("subject", "is required")
    errors.add("subject", "is longer than 200 characters")

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()

    assert raised.value.fields == {"subject": "is required"}


def test_field_errors_raise_the_error_class_a_use_case_asks_for() -> None:
    class InvalidProfile(InvalidArgument):
        code = "invalid_profile"

    errors = FieldErrors()
    errors.add("website", "is not a web address")

    with pytest.raises(InvalidProfile) as raised:
        errors.raise_if_any(InvalidProfile)

    assert raised.value.code == "invalid_profile"


def test_check_email_trims_and_lower_cases_the_domain_only() -> None:
    errors = FieldErrors()

    assert check_email("  Anna.de.Vries@Example.NL ", "email", errors) == "Anna.de.Vries@example.nl"
    assert not errors


@pytest.mark.parametrize("address", ["anna.de.vries", "anna@", "anna@@example.nl", "anna @example.nl"])
def test_check_email_names_the_field_of_an_invalid_address(address: str) -> None:
    errors = FieldErrors()

    check_email(address, "recipient_email", errors)

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()
    assert list(raised.value.fields) == ["recipient_email"]
    assert "e-mail" in raised.value.fields["recipient_email"]


def test_check_email_requires_an_address_unless_optional() -> None:
    required, optional = FieldErrors(), FieldErrors()

    check_email("   ", "email", required)
    assert check_email("   ", "email", optional, required=False) == ""

    assert required and not optional


@pytest.mark.parametrize("typed", ["06 12345678", "0612345678", "+31 6 12345678", "+31612345678", "06-12 34 56 78"])
def test_check_mobile_gives_e164_for_dutch_mobile_numbers(typed: str) -> None:
    errors = FieldErrors()

    assert check_mobile(typed, "recipient_mobile", errors) == "+31612345678"
    assert not errors


def test_check_mobile_accepts_a_foreign_mobile_with_country_code() -> None:
    errors = FieldErrors()

    assert check_mobile("+32 470 12 34 56", "recipient_mobile", errors) == "+32470123456"
    assert not errors


@pytest.mark.parametrize("landline", ["010 248 4000", "+31 10 248 4000", "020-5551234"])
def test_check_mobile_refuses_a_landline(landline: str) -> None:
    errors = FieldErrors()

    assert check_mobile(landline, "recipient_mobile", errors) is None

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()
    assert raised.value.fields == {"recipient_mobile": "is not a valid mobile number"}


@pytest.mark.parametrize("garbage", ["bel me maar", "06 123", "12"])
def test_check_mobile_refuses_what_is_no_phone_number(garbage: str) -> None:
    errors = FieldErrors()

    assert check_mobile(garbage, "recipient_mobile", errors) is None
    assert errors


def test_check_mobile_is_optional() -> None:
    errors = FieldErrors()

    assert check_mobile("  ", "recipient_mobile", errors) is None
    assert not errors


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("010 248 4000", "+31102484000"), ("06 12345678", "+31612345678"), ("+32 2 550 11 11", "+3225501111")],
)
def test_check_phone_accepts_landlines_and_mobiles_in_e164(typed: str, e164: str) -> None:
    errors = FieldErrors()

    assert check_phone(typed, "phone", errors) == e164
    assert not errors


def test_check_phone_refuses_an_invalid_number_and_is_optional() -> None:
    errors = FieldErrors()

    assert check_phone("", "phone", errors) == ""
    check_phone("010 24", "phone", errors)

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()
    assert list(raised.value.fields) == ["phone"]


@pytest.mark.parametrize("url", ["https://www.vlaardingen.nl", "http://zorg.example/contact?x=1", "  https://a.nl  "])
def test_check_url_accepts_web_addresses(url: str) -> None:
    errors = FieldErrors()

    assert check_url(url, "website", errors) == url.strip()
    assert not errors


@pytest.mark.parametrize(
    "url", ["www.vlaardingen.nl", "javascript:alert(1)", "ftp://files.example", "https://", "https://a b.nl"]
)
def test_check_url_refuses_what_is_no_web_address(url: str) -> None:
    errors = FieldErrors()

    check_url(url, "website", errors)

    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()
    assert list(raised.value.fields) == ["website"]


def test_check_text_trims_and_enforces_its_maximum_length() -> None:
    errors = FieldErrors()

    assert check_text("  Uw afspraak  ", "subject", errors, max_length=11) == "Uw afspraak"
    assert not errors

    check_text("x" * 12, "subject", errors, max_length=11)
    with pytest.raises(InvalidArgument) as raised:
        errors.raise_if_any()
    assert raised.value.fields == {"subject": "is longer than 11 characters"}


def test_check_text_requires_text_unless_optional() -> None:
    required, optional = FieldErrors(), FieldErrors()

    check_text(" \n ", "body", required, max_length=10)
    check_text("", "postal_address", optional, max_length=10, required=False)

    with pytest.raises(InvalidArgument) as raised:
        required.raise_if_any()
    assert raised.value.fields == {"body": "is required"}
    assert not optional
