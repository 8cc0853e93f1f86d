"""How long a failed event waits before the bus delivers it again."""

from __future__ import annotations

import pytest

from zorgpost_kit.consumer import redelivery_delay


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 256.0)])
def test_the_wait_doubles_with_every_failed_attempt(attempt: int, seconds: float) -> None:
    assert redelivery_delay(attempt) == seconds


@pytest.mark.parametrize("attempt", [10, 11, 50, 10_000])
def test_the_wait_never_exceeds_five_minutes(attempt: int) -> None:
    assert redelivery_delay(attempt) == 300.0


def test_a_nonsensical_attempt_number_still_waits_one_second() -> None:
    assert redelivery_delay(0) == 1.0
