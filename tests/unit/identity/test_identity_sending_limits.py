"""Zorgpost cannot be used to mail or text someone over and over: registration requests and
codes are limited per address and per account, with a wait a client can show; a password
reset beyond its limit sends nothing and answers the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Role
from identity.domain.authentication import PasswordResetRequested
from identity.domain.client_accounts import PersonForm
from identity.domain.codes import CodeChannel, CodePurpose, OneTimeCodeIssued
from identity.domain.errors import TooManyRequests
from identity.domain.notices import Recipient
from identity.domain.rate_limits import (
    CODES_PER_ACCOUNT,
    CODES_PER_DESTINATION,
    REGISTRATIONS_PER_EMAIL,
    RESET_LINKS_PER_ACCOUNT,
    RateCounter,
    RateLimit,
)
from identity.domain.registrations import RegistrationRequested

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
PASSWORD = "Lange-zin-als-wachtwoord-2026"


def form(email: str, mobile: str = "+31612345678") -> PersonForm:
    return PersonForm("Piet", "Jansen", email, mobile, "1979-02-28")


@pytest.fixture
def world() -> World:
    world = make_world(now=NOW)
    world.add_organisation("Huisartsenpraktijk De Linde")
    return world


# --- the counter ----------------------------------------------------------------------------


def test_a_counter_allows_its_count_per_window_then_names_the_wait() -> None:
    limit = RateLimit("test", 2, timedelta(hours=1))
    counter = RateCounter("test", "key", NOW)
    counter.do_count(limit, NOW)
    counter.do_count(limit, NOW + timedelta(minutes=10))

    with pytest.raises(TooManyRequests) as refused:
        counter.do_count(limit, NOW + timedelta(minutes=20))

    assert refused.value.retry_after_seconds == 40 * 60
    assert counter.count == 2  # a refusal is not counted


def test_a_new_window_starts_once_the_old_one_is_over() -> None:
    limit = RateLimit("test", 1, timedelta(hours=1))
    counter = RateCounter("test", "key", NOW)
    counter.do_count(limit, NOW)

    counter.do_count(limit, NOW + timedelta(hours=1))

    assert (counter.window_started_at, counter.count) == (NOW + timedelta(hours=1), 1)


def test_keys_are_stored_hashed_and_alike_however_an_address_is_typed() -> None:
    key = REGISTRATIONS_PER_EMAIL.key(" Piet@Example.org ")
    assert key == REGISTRATIONS_PER_EMAIL.key("piet@example.org")
    assert "piet" not in key
    assert key != CODES_PER_DESTINATION.key("piet@example.org")


# --- registrations ----------------------------------------------------------------------------


async def test_one_address_may_request_access_a_few_times_an_hour(world: World) -> None:
    for number in range(REGISTRATIONS_PER_EMAIL.max_count):
        await world.registrations.do_request("org-1", form("piet@example.org", f"+3161234567{number}"))

    with pytest.raises(TooManyRequests) as refused:
        await world.registrations.do_request("org-1", form("Piet@Example.org", "+31612345679"))

    assert refused.value.code == "too_many_requests"
    assert refused.value.retry_after_seconds == 3600
    assert len(world.database.events_of(RegistrationRequested)) == REGISTRATIONS_PER_EMAIL.max_count
    world.clock.advance(timedelta(hours=1))
    await world.registrations.do_request("org-1", form("piet@example.org", "+31612345670"))


async def test_one_mobile_number_may_request_access_a_few_times_an_hour(world: World) -> None:
    for number in range(3):
        await world.registrations.do_request("org-1", form(f"kind{number}@example.org"))

    with pytest.raises(TooManyRequests):
        await world.registrations.do_request("org-1", form("kind9@example.org"))


async def test_another_address_is_not_held_up(world: World) -> None:
    for number in range(REGISTRATIONS_PER_EMAIL.max_count):
        await world.registrations.do_request("org-1", form("piet@example.org", f"+3161234567{number}"))

    await world.registrations.do_request("org-1", form("marie@example.org", "+31612340000"))


# --- codes ----------------------------------------------------------------------------------------


async def _send_code(world: World, recipient: Recipient) -> None:
    async with world.database.unit_of_work() as uow:
        await world.codes.do_issue(
            uow,
            purpose=CodePurpose.LOGIN,
            subject="challenge-1",
            channel=CodeChannel.SMS,
            recipient=recipient,
            organisation=None,
            lifetime=timedelta(minutes=10),
        )
        await uow.commit()


async def test_codes_to_one_account_are_limited_whatever_flow_sends_them(world: World) -> None:
    anna = Recipient("account-anna", "anna@example.nl", "+31612345678")
    for _ in range(CODES_PER_ACCOUNT.max_count):
        await _send_code(world, anna)

    with pytest.raises(TooManyRequests) as refused:
        await _send_code(world, anna)

    assert 0 < (refused.value.retry_after_seconds or 0) <= 3600
    assert len(world.database.events_of(OneTimeCodeIssued)) == CODES_PER_ACCOUNT.max_count


async def test_codes_to_one_number_are_limited_also_without_an_account(world: World) -> None:
    # A registration's code goes to a number before any account exists.
    for _ in range(CODES_PER_DESTINATION.max_count):
        await _send_code(world, Recipient("", "", "+31612345678"))

    with pytest.raises(TooManyRequests):
        await _send_code(world, Recipient("", "", "+31612345678"))
    await _send_code(world, Recipient("", "", "+31687654321"))


# --- password reset ----------------------------------------------------------------------------


async def test_reset_links_beyond_the_limit_are_not_sent_and_the_answer_does_not_change(world: World) -> None:
    world.add_account("anna@example.nl", password=PASSWORD, role=Role.PERSON)
    for _ in range(RESET_LINKS_PER_ACCOUNT.max_count + 3):
        await world.resets.do_request("anna@example.nl")  # never raises: it must not tell

    assert len(world.database.events_of(PasswordResetRequested)) == RESET_LINKS_PER_ACCOUNT.max_count
