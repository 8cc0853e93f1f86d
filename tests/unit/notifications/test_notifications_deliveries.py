"""Deliveries: retried with growing waits, given up on when refused for good, and shown to
senders with the recipient masked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.domain.model import Channel, Delivery, DeliveryStatus, RetryPolicy, mask_recipient

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base=timedelta(seconds=2), cap=timedelta(seconds=10))


def queued_delivery() -> Delivery:
    return Delivery(
        id="delivery-1",
        source_id="mail-1",
        organisation_id="org-1",
        template="secure_mail_notice",
        channel=Channel.EMAIL,
        recipient="anna@example.nl",
        language="nl",
        params={"organisation_name": "Gemeente Vlaardingen"},
        created_at=NOW,
        next_attempt_at=NOW,
    )


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (4, 10), (20, 10)])
def test_the_wait_doubles_after_each_attempt_up_to_the_cap(attempts: int, seconds: int) -> None:
    assert POLICY.delay_after(attempts) == timedelta(seconds=seconds)


def test_a_transient_failure_keeps_the_delivery_queued_for_a_later_attempt() -> None:
    delivery = queued_delivery()

    delivery.mark_failed_attempt(NOW, "SMTP unavailable: ConnectionRefusedError", permanent=False, policy=POLICY)

    assert delivery.status is DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert delivery.next_attempt_at == NOW + timedelta(seconds=2)
    assert delivery.failure_reason == "SMTP unavailable: ConnectionRefusedError"


def test_successive_transient_failures_wait_longer_each_time() -> None:
    delivery = queued_delivery()
    waits = []
    now = NOW
    for _ in range(3):
        delivery.mark_failed_attempt(now, "recipient refused (451)", permanent=False, policy=POLICY)
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at

    assert waits == [timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]
    assert delivery.status is DeliveryStatus.QUEUED


def test_a_permanent_failure_gives_up_at_once() -> None:
    delivery = queued_delivery()

    delivery.mark_failed_attempt(NOW, "recipient refused (550)", permanent=True, policy=POLICY)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.failure_reason == "recipient refused (550)"


def test_the_last_allowed_attempt_gives_up_even_when_transient() -> None:
    delivery = queued_delivery()

    for _ in range(POLICY.max_attempts - 1):
        delivery.mark_failed_attempt(NOW, "timeout", permanent=False, policy=POLICY)
    assert delivery.status is DeliveryStatus.QUEUED
    delivery.mark_failed_attempt(NOW, "timeout", permanent=False, policy=POLICY)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == POLICY.max_attempts


def test_a_long_failure_reason_is_cut_to_what_the_log_can_hold() -> None:
    delivery = queued_delivery()

    delivery.mark_failed_attempt(NOW, "x" * 2000, permanent=False, policy=POLICY)

    assert len(delivery.failure_reason) == 500


def test_a_sent_delivery_forgets_earlier_failures() -> None:
    delivery = queued_delivery()
    delivery.mark_failed_attempt(NOW, "timeout", permanent=False, policy=POLICY)

    delivery.mark_sent(NOW + timedelta(seconds=2))

    assert delivery.status is DeliveryStatus.SENT
    assert delivery.sent_at == NOW + timedelta(seconds=2)
    assert delivery.attempts == 2
    assert delivery.failure_reason == ""


def test_each_delivery_has_its_own_stable_message_id() -> None:
    first, second = queued_delivery(), queued_delivery()

    assert first.message_id != second.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@zorgpost>")


@pytest.mark.parametrize(
    ("recipient", "masked"),
    [
        ("anna.de.vries@example.nl", "a***@example.nl"),
        ("piet@gemeente.vlaardingen.nl", "p***@gemeente.vlaardingen.nl"),
        ("+31612345678", "+31612****78"),
    ],
)
def test_a_recipient_is_masked_but_recognisable(recipient: str, masked: str) -> None:
    assert mask_recipient(recipient) == masked


def test_a_masked_phone_number_keeps_its_length_and_hides_the_middle() -> None:
    masked = mask_recipient("+32470123456")

    assert len(masked) == len("+32470123456")
    assert "0123" not in masked
