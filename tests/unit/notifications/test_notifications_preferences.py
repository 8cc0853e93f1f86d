"""Preferences and how a notice becomes deliveries: the person's channels and language,
what must reach them regardless, digests, and what a sent or failed delivery keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.domain.errors import CannotRedrive, InvalidPreferences
from notifications.domain.model import Category, Channel, Delivery, DeliveryStatus, RetryPolicy
from notifications.domain.notices import (
    DELEGATION_GRANTED_PERSON,
    INVITATION,
    ONE_TIME_CODE,
    PASSWORD_CHANGED,
    SECURE_MAIL_NOTICE,
    Addressee,
    Notice,
    NoticeKind,
    plan_deliveries,
)
from notifications.domain.preferences import ChannelChoice, Preferences
from notifications.service.preferences import PreferencesChange, check_preferences_change

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ANNA = Addressee(account_id="acc-1", email="anna@example.nl", mobile="+31612345678", language="nl", display_name="Anna")
POLICY = RetryPolicy(max_attempts=3, base=timedelta(seconds=2), cap=timedelta(seconds=10))


def notice(kind: NoticeKind, *, to: Addressee = ANNA, channel: Channel | None = None, **params: str) -> Notice:
    return Notice(
        kind=kind,
        addressee=to,
        source_id="source-1",
        organisation_id="org-1",
        organisation_name="Gemeente Vlaardingen",
        params=params,
        channel=channel,
    )


def channels(deliveries: list[Delivery]) -> list[tuple[Channel, str]]:
    return [(d.channel, d.recipient) for d in deliveries]


# --------------------------------------------------------------------------- channels
def test_without_preferences_every_notice_comes_by_mail_only() -> None:
    deliveries = plan_deliveries(notice(DELEGATION_GRANTED_PERSON), Preferences("acc-1"), NOW)

    assert channels(deliveries) == [(Channel.EMAIL, "anna@example.nl")]
    [delivery] = deliveries
    assert delivery.status is DeliveryStatus.QUEUED
    assert delivery.next_attempt_at == NOW
    assert delivery.category is Category.DELEGATIONS
    assert delivery.account_id == "acc-1"
    assert delivery.params == {"organisation_name": "Gemeente Vlaardingen", "recipient_name": "Anna"}


def test_an_optional_category_follows_the_persons_choice() -> None:
    by_sms = Preferences("acc-1", categories={Category.DELEGATIONS: ChannelChoice(email=False, sms=True)})
    both = Preferences("acc-1", categories={Category.DELEGATIONS: ChannelChoice(email=True, sms=True)})
    neither = Preferences("acc-1", categories={Category.DELEGATIONS: ChannelChoice(email=False, sms=False)})

    assert channels(plan_deliveries(notice(DELEGATION_GRANTED_PERSON), by_sms, NOW)) == [(Channel.SMS, ANNA.mobile)]
    assert [d.channel for d in plan_deliveries(notice(DELEGATION_GRANTED_PERSON), both, NOW)] == [
        Channel.EMAIL,
        Channel.SMS,
    ]
    assert plan_deliveries(notice(DELEGATION_GRANTED_PERSON), neither, NOW) == []


def test_a_mandatory_category_always_comes_by_mail_even_against_a_stored_choice() -> None:
    # Refused at update time; the domain holds the line again should such a row exist.
    stored = Preferences("acc-1", categories={Category.SECURITY: ChannelChoice(email=False, sms=True)})

    deliveries = plan_deliveries(notice(PASSWORD_CHANGED), stored, NOW)

    assert [d.channel for d in deliveries] == [Channel.EMAIL, Channel.SMS]


def test_sms_is_only_offered_by_notices_that_have_an_sms_text() -> None:
    stored = Preferences("acc-1", categories={Category.ACCOUNT: ChannelChoice(email=True, sms=True)})

    assert [d.channel for d in plan_deliveries(notice(INVITATION, token="t"), stored, NOW)] == [Channel.EMAIL]


def test_sms_chosen_without_a_known_mobile_number_is_left_out_quietly() -> None:
    no_mobile = Addressee(account_id="acc-1", email="anna@example.nl")
    stored = Preferences("acc-1", categories={Category.DELEGATIONS: ChannelChoice(email=True, sms=True)})

    assert channels(plan_deliveries(notice(DELEGATION_GRANTED_PERSON, to=no_mobile), stored, NOW)) == [
        (Channel.EMAIL, "anna@example.nl")
    ]


def test_a_code_goes_over_the_channel_the_event_names_whatever_the_preferences() -> None:
    mail_only = Preferences("acc-1", categories={Category.SECURITY: ChannelChoice(email=True, sms=False)})
    sms_too = Preferences("acc-1", categories={Category.SECURITY: ChannelChoice(email=True, sms=True)})

    by_sms = plan_deliveries(notice(ONE_TIME_CODE, channel=Channel.SMS, code="123456"), mail_only, NOW)
    by_mail = plan_deliveries(notice(ONE_TIME_CODE, channel=Channel.EMAIL, code="123456"), sms_too, NOW)

    assert channels(by_sms) == [(Channel.SMS, "+31612345678")]
    assert channels(by_mail) == [(Channel.EMAIL, "anna@example.nl")]


def test_a_notice_that_must_go_but_has_nowhere_to_go_is_recorded_as_failed_without_its_secret() -> None:
    no_mobile = Addressee(account_id="acc-1", email="anna@example.nl")

    [delivery] = plan_deliveries(
        notice(ONE_TIME_CODE, to=no_mobile, channel=Channel.SMS, code="123456"), Preferences("acc-1"), NOW
    )

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.failure_reason == "no mobile number known"
    assert delivery.recipient == ""
    assert "code" not in delivery.params
    assert not delivery.can_redrive(NOW)


@pytest.mark.parametrize(
    ("chosen", "event", "language"),
    [("", "en", "en"), ("", "", "nl"), ("", "fr", "nl"), ("en", "nl", "en"), ("nl", "en", "nl")],
)
def test_the_chosen_language_wins_then_the_events_then_dutch(chosen: str, event: str, language: str) -> None:
    to = Addressee(account_id="acc-1", email="anna@example.nl", language=event)

    [delivery] = plan_deliveries(notice(PASSWORD_CHANGED, to=to), Preferences("acc-1", language=chosen), NOW)

    assert delivery.language == language


# --------------------------------------------------------------------------- digests
def test_a_new_message_notice_waits_for_the_digest_window_when_the_person_wants_a_digest() -> None:
    digest = Preferences("acc-1", digest_window_minutes=30, categories={Category.MESSAGES: ChannelChoice(True, True)})

    mail, sms = plan_deliveries(notice(SECURE_MAIL_NOTICE, read_token="r"), digest, NOW)

    assert (mail.channel, mail.digest_key, mail.next_attempt_at) == (
        Channel.EMAIL,
        "acc-1:messages",
        NOW + timedelta(minutes=30),
    )
    # An SMS is short already: it is not held back.
    assert (sms.channel, sms.digest_key, sms.next_attempt_at) == (Channel.SMS, None, NOW)


def test_without_a_digest_window_or_for_other_notices_nothing_waits() -> None:
    no_digest = Preferences("acc-1")
    digest = Preferences("acc-1", digest_window_minutes=30)

    [plain] = plan_deliveries(notice(SECURE_MAIL_NOTICE, read_token="r"), no_digest, NOW)
    [security] = plan_deliveries(notice(PASSWORD_CHANGED), digest, NOW)

    assert (plain.digest_key, plain.next_attempt_at) == (None, NOW)
    assert (security.digest_key, security.next_attempt_at) == (None, NOW)


# --------------------------------------------------------------------------- checking a change
def change(*, language: str = "", digest: int = 0, **categories: ChannelChoice) -> PreferencesChange:
    return PreferencesChange(language=language, categories=categories, digest_window_minutes=digest)


def test_a_valid_change_gives_the_chosen_channels_per_category() -> None:
    chosen = check_preferences_change(
        change(language="en", digest=60, messages=ChannelChoice(False, True), security=ChannelChoice(True, True))
    )

    assert chosen == {Category.MESSAGES: ChannelChoice(False, True), Category.SECURITY: ChannelChoice(True, True)}


def test_every_bad_field_of_a_change_is_named_at_once() -> None:
    with pytest.raises(InvalidPreferences) as refused:
        check_preferences_change(
            change(
                language="fr",
                digest=24 * 60 + 1,
                security=ChannelChoice(False, True),
                account=ChannelChoice(False, False),
                spam=ChannelChoice(True, False),
            )
        )

    assert set(refused.value.fields) == {
        "language",
        "digest_window_minutes",
        "categories.security.email",
        "categories.account.email",
        "categories.spam",
    }
    assert "cannot be switched off" in refused.value.fields["categories.security.email"]


@pytest.mark.parametrize("digest", [0, 1, 24 * 60])
def test_the_digest_window_may_be_off_or_up_to_a_day(digest: int) -> None:
    check_preferences_change(change(digest=digest))


def test_effective_choices_list_every_category_with_mail_kept_for_the_mandatory_ones() -> None:
    stored = Preferences("acc-1", categories={Category.MESSAGES: ChannelChoice(False, True)})

    choices = stored.all_choices()

    assert list(choices) == list(Category)
    assert choices[Category.MESSAGES] == ChannelChoice(False, True)
    assert choices[Category.SECURITY] == ChannelChoice(True, False)


# --------------------------------------------------------------------------- a delivery's life
def code_delivery(**overrides: object) -> Delivery:
    [delivery] = plan_deliveries(notice(ONE_TIME_CODE, channel=Channel.SMS, code="123456"), Preferences("acc-1"), NOW)
    for name, value in overrides.items():
        setattr(delivery, name, value)
    return delivery


def test_a_sent_delivery_forgets_codes_and_tokens_but_keeps_the_rest() -> None:
    delivery = code_delivery()
    delivery.params.update(token="t", read_token="r", temporary_password="p", purpose="login")

    delivery.mark_sent(NOW)

    assert delivery.params == {
        "purpose": "login",
        "organisation_name": "Gemeente Vlaardingen",
        "recipient_name": "Anna",
    }


def test_a_dead_letter_is_redriven_with_fresh_attempts_keeping_its_secret() -> None:
    delivery = code_delivery()
    for _ in range(POLICY.max_attempts):
        delivery.mark_failed_attempt(NOW, "SMS provider answered 503", permanent=False, policy=POLICY)
    assert delivery.status is DeliveryStatus.FAILED

    delivery.redrive(NOW + timedelta(minutes=1))

    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.QUEUED,
        0,
        NOW + timedelta(minutes=1),
    )
    assert delivery.params["code"] == "123456"
    assert delivery.failure_reason == "SMS provider answered 503"


def test_only_a_failed_delivery_that_can_still_be_sent_is_redriven() -> None:
    queued = code_delivery()
    expired = code_delivery(status=DeliveryStatus.FAILED, expires_at=NOW)

    with pytest.raises(CannotRedrive):
        queued.redrive(NOW)
    with pytest.raises(CannotRedrive):
        expired.redrive(NOW)
    assert not expired.can_redrive(NOW)
    assert expired.can_redrive(NOW - timedelta(seconds=1))


def test_mandatory_notices_offer_no_unsubscribing_and_optional_ones_do() -> None:
    assert not code_delivery().is_optional
    assert plan_deliveries(notice(SECURE_MAIL_NOTICE, read_token="r"), Preferences(""), NOW)[0].is_optional
