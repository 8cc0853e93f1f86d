"""The organisation profile (seed 3, "Organisatiegegevens"): its administrators edit it, every
bad field is named at once and nothing is saved, good input is stored normalised."""

from __future__ import annotations

import dataclasses

import pytest

from contacts.service.profile import MAX_ADDRESS_LENGTH, ProfileDraft, check_profile
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import InvalidArgument, PermissionDenied

STAFF = Principal(
    subject_id="account-jan",
    actor_id="account-jan",
    session_id="session-1",
    organisation_id="org-vlaardingen",
    organisation_name="Gemeente Vlaardingen",
    roles=frozenset({"admin"}),
)


def draft(**overrides: str) -> ProfileDraft:
    values = {
        "email": "info@vlaardingen.nl",
        "phone": "010 248 4000",
        "website": "https://www.vlaardingen.nl",
        "visiting_address": "Westnieuwland 6, 3131 VX Vlaardingen",
        "postal_address": "Postbus 1002, 3130 EB Vlaardingen",
    }
    values.update(overrides)
    return ProfileDraft(**values)


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param(dataclasses.replace(STAFF, roles=frozenset({"person"})), id="a citizen"),
        pytest.param(dataclasses.replace(STAFF, roles=frozenset({"staff"})), id="staff who is no administrator"),
        pytest.param(dataclasses.replace(STAFF, organisation_id=None), id="admin role without organisation"),
    ],
)
def test_only_administrators_of_an_organisation_may_edit_its_profile(principal: Principal) -> None:
    with pytest.raises(PermissionDenied) as refused:
        check_profile(principal, draft())

    assert refused.value.code == "not_permitted"


def test_every_invalid_field_is_named() -> None:
    bad = draft(
        email="info@",
        phone="12345",
        website="www.vlaardingen.nl",
        visiting_address="x" * (MAX_ADDRESS_LENGTH + 1),
        postal_address="y" * (MAX_ADDRESS_LENGTH + 1),
    )

    with pytest.raises(InvalidArgument) as refused:
        check_profile(STAFF, bad)

    assert set(refused.value.fields) == {"email", "phone", "website", "visiting_address", "postal_address"}
    assert refused.value.fields["visiting_address"] == f"is longer than {MAX_ADDRESS_LENGTH} characters"


def test_one_bad_field_is_named_alone() -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_profile(STAFF, draft(website="javascript:alert(1)"))

    assert list(refused.value.fields) == ["website"]


def test_valid_input_is_normalised() -> None:
    profile = check_profile(
        STAFF,
        draft(
            email=" Balie@Vlaardingen.NL ",
            phone="010 248 4000",
            website=" https://www.vlaardingen.nl/contact ",
            visiting_address="  Westnieuwland 6, 3131 VX Vlaardingen ",
        ),
    )

    assert profile.organisation_id == "org-vlaardingen"
    assert profile.email == "Balie@vlaardingen.nl", "domain lower-cased, mailbox as typed"
    assert profile.phone == "+31102484000"
    assert profile.website == "https://www.vlaardingen.nl/contact"
    assert profile.visiting_address == "Westnieuwland 6, 3131 VX Vlaardingen"


def test_a_mobile_number_is_a_valid_organisation_phone() -> None:
    assert check_profile(STAFF, draft(phone="06 12345678")).phone == "+31612345678"


def test_every_field_may_be_left_empty() -> None:
    profile = check_profile(STAFF, ProfileDraft(email="", phone="", website="", visiting_address="", postal_address=""))

    assert (profile.email, profile.phone, profile.website, profile.visiting_address, profile.postal_address) == (
        "",
        "",
        "",
        "",
        "",
    )


def test_the_profile_records_who_changed_it() -> None:
    acting = dataclasses.replace(STAFF, actor_id="account-secretary")

    profile = check_profile(acting, draft())

    assert profile.updated_by == "account-secretary"
    assert profile.updated_at is not None
