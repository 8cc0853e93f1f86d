"""How long a failed event waits before the bus delivers it again, and how long it can go on."""

from __future__ import annotations

import pytest

from zorgpost_kit.consumer import redelivery_delay, redelivery_horizon_seconds


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 256.0)])
def test_the_wait_doubles_with_every_failed_attempt(attempt: int, seconds: float) -> None:
    assert redelivery_delay(attempt) == seconds


@pytest.mark.parametrize("attempt", [10, 11, 50, 10_000])
def test_the_wait_never_exceeds_five_minutes(attempt: int) -> None:
    assert redelivery_delay(attempt) == 300.0


def test_a_nonsensical_attempt_number_still_waits_one_second() -> None:
    assert redelivery_delay(0) == 1.0


def test_the_redelivery_horizon_adds_every_ack_wait_and_every_wait_between_attempts() -> None:
    # 10 attempts of up to 60 s each, and 1 + 2 + … + 256 s between them.
    assert redelivery_horizon_seconds(10, 60.0) == 600.0 + 511.0
    assert redelivery_horizon_seconds(1, 30.0) == 30.0
    assert redelivery_horizon_seconds(3, 5.0) == 15.0 + 1.0 + 2.0
