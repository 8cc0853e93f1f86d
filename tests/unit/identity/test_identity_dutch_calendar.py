"""Every age rule counts by the Dutch calendar: between 22:00/23:00 UTC and midnight it is
already the next day in Amsterdam, and a birthday that falls on it counts, for practice-made
accounts, self-registrations and delegations alike (with the clock pinned, at any hour)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Role
from identity.domain.client_accounts import PersonForm
from identity.domain.errors import TooYoungForOwnAccount
from zorgpost_kit import calendar

PASSWORD = "Lange-zin-als-wachtwoord-2026"
#: 22:30 UTC on 1 June = 00:30 on 2 June in Amsterdam (summer time).
LATE_EVENING_UTC = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
#: Twelve on 2 June 2026.
BORN = "2014-06-02"


@pytest.fixture
def world() -> World:
    world = make_world(now=LATE_EVENING_UTC)
    world.add_organisation("Kind & meer")
    world.add_account("medewerker@kindenmeer.example", password=PASSWORD, role=Role.STAFF)
    return world


def test_it_is_already_tomorrow_in_amsterdam() -> None:
    assert LATE_EVENING_UTC.date().isoformat() == "2026-06-01"
    assert calendar.local_date(LATE_EVENING_UTC).isoformat() == "2026-06-02"


async def test_a_practice_made_account_counts_the_birthday_by_the_dutch_day(world: World) -> None:
    staff = await world.principal("medewerker@kindenmeer.example", PASSWORD)

    account = await world.client_accounts.do_create(staff, PersonForm("Jip", "Ouder", "jip@example.org", "", BORN))

    assert account.birth_date is not None and account.birth_date.isoformat() == BORN


async def test_a_day_earlier_in_amsterdam_the_child_is_still_eleven(world: World) -> None:
    staff = await world.principal("medewerker@kindenmeer.example", PASSWORD)
    world.clock.set(datetime(2026, 6, 1, 21, 30, tzinfo=UTC))  # 23:30 on 1 June in Amsterdam

    with pytest.raises(TooYoungForOwnAccount):
        await world.client_accounts.do_create(staff, PersonForm("Jip", "Ouder", "jip@example.org", "", BORN))


async def test_a_self_registration_counts_the_birthday_by_the_dutch_day(world: World) -> None:
    registration = await world.registrations.do_request(
        "org-1", PersonForm("Jip", "Ouder", "jip@example.org", "+31612345678", BORN)
    )

    assert registration.birth_date.isoformat() == BORN


async def test_delegations_and_accounts_agree_on_the_day(world: World) -> None:
    assert world.delegations.today() == calendar.today(world.clock)
    assert world.delegations.today().isoformat() == "2026-06-02"


async def test_the_sixteen_job_ends_a_parental_delegation_on_the_dutch_birthday(world: World) -> None:
    staff = await world.principal("medewerker@kindenmeer.example", PASSWORD)
    world.clock.set(datetime(2026, 5, 1, 12, tzinfo=UTC))
    world.add_account("ouder@example.org", password=PASSWORD, role=Role.PERSON)
    youth = world.add_account(
        "jongere@example.org",
        password=PASSWORD,
        role=Role.PERSON,
        birth_date=calendar.birth_date_for_age(16, calendar.local_date(LATE_EVENING_UTC)),
    )
    granted = await world.delegations.do_grant(
        staff, delegate_account_id="account-ouder", person_account_id=youth.id, child=None
    )
    young = await world.principal("jongere@example.org", PASSWORD)
    await world.delegations.do_answer_consent(young, granted.delegation.id, accept=True)

    world.clock.set(datetime(2026, 6, 1, 21, 30, tzinfo=UTC))  # 23:30 in Amsterdam: still 15
    assert await world.delegations.do_end_at_sixteen() == 0
    world.clock.set(LATE_EVENING_UTC)  # 00:30 in Amsterdam: 16 today
    assert await world.delegations.do_end_at_sixteen() == 1
    assert world.tables.delegations[granted.delegation.id].end_reason is not None
