"""The rules of the journeys into an account, without a database: invitations, activation
links, temporary passwords, registrations, the checks of personal details and passwords."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from identity.domain.client_accounts import (
    ACTIVATION_MAX_ATTEMPTS,
    ActivationLink,
    PersonForm,
    check_own_account_form,
    generate_temporary_password,
    normalise_secret_answer,
)
from identity.domain.errors import (
    ActivationBlocked,
    ActivationExpired,
    ActivationUsed,
    InvitationExpired,
    InvitationRevoked,
    InvitationUsed,
    RegistrationDecided,
    RegistrationLinkExpired,
    RegistrationLinkUsed,
    TooYoungForOwnAccount,
    WrongBirthDate,
)
from identity.domain.invitations import Invitation, InvitationStatus
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.people import check_chosen_password, check_person_details
from identity.domain.policy import PasswordPolicy, PasswordPreset, check_password
from identity.domain.registrations import Registration, RegistrationStatus, mask_mobile
from identity.domain.terms import CURRENT_VERSIONS, Document, check_accepted_current_versions
from zorgpost_kit.errors import FieldErrors, InvalidArgument

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _invitation() -> Invitation:
    return Invitation(
        id="i",
        organisation_id="o",
        inviter_account_id="staff",
        email="persoon@example.org",
        thread_id="t",
        language="nl",
        token_hash=hash_link_token("first"),
        created_at=NOW,
        expires_at=NOW + timedelta(days=14),
    )


def test_link_tokens_are_random_and_stored_only_as_a_hash() -> None:
    tokens = {new_link_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert len(token) >= 43
    assert hash_link_token(token) != token
    assert hash_link_token(token) == hash_link_token(token)


def test_an_invitation_is_used_once() -> None:
    invitation = _invitation()
    invitation.accept("account", NOW)
    assert invitation.state_on(NOW) == "accepted"
    with pytest.raises(InvitationUsed):
        invitation.accept("other", NOW)
    with pytest.raises(InvitationUsed):
        invitation.decline(NOW)


def test_an_invitation_expires_after_its_lifetime() -> None:
    invitation = _invitation()
    later = NOW + timedelta(days=14)
    assert invitation.state_on(later - timedelta(seconds=1)) == "open"
    assert invitation.state_on(later) == "expired"
    with pytest.raises(InvitationExpired):
        invitation.accept("account", later)


def test_a_revoked_invitation_cannot_be_answered_or_renewed() -> None:
    invitation = _invitation()
    invitation.revoke(NOW)
    assert invitation.state_on(NOW) == "revoked"
    with pytest.raises(InvitationRevoked):
        invitation.decline(NOW)
    with pytest.raises(InvitationRevoked):
        invitation.renew(hash_link_token("second"), NOW)


def test_renewing_an_expired_invitation_gives_a_new_link_and_expiry() -> None:
    invitation = _invitation()
    later = NOW + timedelta(days=20)
    invitation.renew(hash_link_token("second"), later)
    assert invitation.token_hash == hash_link_token("second")
    assert invitation.state_on(later) == "open"
    assert invitation.status is InvitationStatus.PENDING


def _link() -> ActivationLink:
    return ActivationLink("account", hash_link_token("t"), NOW, NOW + timedelta(days=14))


def test_activation_counts_wrong_birth_dates_and_dies_at_the_last_attempt() -> None:
    link = _link()
    born = date(2010, 5, 4)
    for left in range(ACTIVATION_MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(WrongBirthDate) as wrong:
            link.confirm(date(2010, 4, 5), born, NOW)
        assert wrong.value.fields == {"birth_date": f"does not match; {left} attempt(s) left"}
    with pytest.raises(ActivationBlocked):
        link.confirm(date(2010, 4, 5), born, NOW)
    # Dead: even the right date no longer works.
    with pytest.raises(ActivationBlocked):
        link.confirm(born, born, NOW)


def test_activation_with_the_right_birth_date_uses_the_link() -> None:
    link = _link()
    link.confirm(date(2010, 5, 4), date(2010, 5, 4), NOW)
    assert link.used_at == NOW
    with pytest.raises(ActivationUsed):
        link.confirm(date(2010, 5, 4), date(2010, 5, 4), NOW)


def test_an_expired_activation_link_is_refused() -> None:
    with pytest.raises(ActivationExpired):
        _link().confirm(date(2010, 5, 4), date(2010, 5, 4), NOW + timedelta(days=15))


@pytest.mark.parametrize("preset", list(PasswordPreset))
def test_temporary_passwords_satisfy_every_preset(preset: PasswordPreset) -> None:
    passwords = {generate_temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert check_password(PasswordPolicy.for_preset(preset), password) == []


def test_secret_answers_compare_without_case_and_extra_spaces() -> None:
    assert normalise_secret_answer("  Max  de  Hond ") == normalise_secret_answer("max de hond")
    assert normalise_secret_answer("Zoë") != normalise_secret_answer("Zoe")


def _registration() -> Registration:
    return Registration(
        id="r",
        organisation_id="o",
        first_name="Piet",
        last_name="Jansen",
        email="jansen+kind1@gmail.com",
        mobile="+31612345678",
        birth_date=date(1980, 1, 1),
        language="nl",
        requested_at=NOW,
    )


def test_a_registration_is_decided_once_and_its_link_expires_and_works_once() -> None:
    registration = _registration()
    registration.approve("staff", hash_link_token("t"), NOW)
    with pytest.raises(RegistrationDecided):
        registration.reject("staff", NOW)
    with pytest.raises(RegistrationLinkExpired):
        registration.check_link_usable(NOW + timedelta(days=8))
    registration.complete("account", NOW)
    assert registration.status is RegistrationStatus.COMPLETED
    assert registration.token_hash is None
    with pytest.raises(RegistrationLinkUsed):
        registration.check_link_usable(NOW)


def test_a_rejected_registration_has_no_usable_link() -> None:
    registration = _registration()
    registration.reject("staff", NOW)
    with pytest.raises(RegistrationLinkUsed):
        registration.check_link_usable(NOW)


def test_a_masked_mobile_shows_only_its_ends() -> None:
    assert mask_mobile("+31612345678") == "+316******78"


def test_every_bad_personal_detail_is_named_at_once() -> None:
    errors = FieldErrors()
    check_person_details(
        errors,
        first_name=" ",
        last_name="",
        email="geen-adres",
        mobile="12",
        birth_date="2030-01-01",
        today=date(2026, 6, 1),
        mobile_required=True,
        birth_date_required=True,
    )
    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    assert set(refused.value.fields) == {"first_name", "last_name", "email", "mobile", "birth_date"}


def test_personal_details_are_normalised() -> None:
    errors = FieldErrors()
    details = check_person_details(
        errors,
        first_name=" Anna ",
        last_name="de Vries",
        email="Jansen+Kind1@GMAIL.com",
        mobile="06-12345678",
        birth_date="2012-02-29",
        today=date(2026, 6, 1),
        mobile_required=True,
        birth_date_required=True,
    )
    assert not errors
    assert details.email == "jansen+kind1@gmail.com"
    assert details.mobile == "+31612345678"
    assert details.birth_date == date(2012, 2, 29)
    assert details.display_name == "Anna de Vries"


def test_a_chosen_password_is_refused_naming_every_broken_rule_of_the_organisation() -> None:
    errors = FieldErrors()
    policy = PasswordPolicy.for_preset(PasswordPreset.MESSENGER)
    check_chosen_password(policy, "kort", "anders", errors, personal=("Anna",), language="nl")
    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    fields = refused.value.fields
    assert set(fields) == {
        "password.min_length",
        "password.upper",
        "password.digits",
        "password.special",
        "password_confirmation",
    }
    assert fields["password.min_length"] == "Gebruik tenminste 8 karakters"


def test_only_the_current_terms_versions_count_as_accepted() -> None:
    errors = FieldErrors()
    check_accepted_current_versions("", "2001-01", errors)
    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    assert set(refused.value.fields) == {"terms_version", "privacy_version"}
    fine = FieldErrors()
    check_accepted_current_versions(CURRENT_VERSIONS[Document.TERMS], CURRENT_VERSIONS[Document.PRIVACY], fine)
    assert not fine


def test_an_own_account_is_refused_under_twelve_after_every_field_is_fine() -> None:
    form = PersonForm("Sam", "Ouder", "sam@example.org", "", date(2015, 6, 2).isoformat())
    with pytest.raises(TooYoungForOwnAccount):
        check_own_account_form(form, today=date(2027, 6, 1), mobile_required=False)
    details, language = check_own_account_form(form, today=date(2027, 6, 2), mobile_required=False)
    assert (details.birth_date, language) == (date(2015, 6, 2), "nl")
    with pytest.raises(InvalidArgument) as refused:
        check_own_account_form(form, today=date(2027, 6, 2), mobile_required=True)
    assert set(refused.value.fields) == {"mobile"}
