"""Every single-line field identity prints in a notice (first and last names, display and
organisation names, usernames) refuses control characters and anything a mail client
turns into a link, wherever an account is made or changed; and nothing is stored or sent
then."""

from __future__ import annotations

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Role
from identity.domain.client_accounts import PersonForm
from identity.service.accounts import check_new_account, check_new_organisation
from identity.service.delegations import ChildRecord
from identity.service.invitations import NewAccount, check_invitee_account
from identity.service.profile import ProfileChanges
from zorgpost_kit.errors import FieldErrors, InvalidArgument

PASSWORD = "Lange-zin-als-wachtwoord-2026"

LINK_LIKE = [
    "Kijk op www.prijs-gewonnen.nl",
    "https://phish.example/login",
    "pakket-ophalen.com",
    "Bel of mail info@oplichter.nl",
    "Jansen (zie 192.168.1.10)",
    "winnaar。com",
]
NOT_ONE_LINE = ["Jansen\nKlik hier", "Jansen\r\nBeste klant,", "Jan\tsen", "Jan\u202esen", "Jan\u2028sen", "Jan\x00"]


@pytest.fixture
def world() -> World:
    world = make_world()
    world.add_organisation("Huisartsenpraktijk De Linde")
    world.add_account("medewerker@delinde.example", password=PASSWORD, role=Role.STAFF)
    return world


@pytest.mark.parametrize("name", LINK_LIKE + NOT_ONE_LINE)
async def test_a_registration_with_such_a_name_is_refused_and_nothing_is_mailed(world: World, name: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await world.registrations.do_request(
            "org-1", PersonForm(name, "Jansen", "piet@example.org", "+31612345678", "1979-02-28")
        )

    assert set(refused.value.fields) == {"first_name"}
    assert world.tables.registrations == {}
    assert world.database.events == []


@pytest.mark.parametrize("name", ["Jan de Vries", "A.J. Jansen-Ôzdemir", "O'Brien", "Zoë", "St.Antonius"])
async def test_ordinary_names_pass(world: World, name: str) -> None:
    await world.registrations.do_request(
        "org-1", PersonForm(name, "Jansen", "p@example.org", "+31612345678", "1980-01-01")
    )

    [registration] = world.tables.registrations.values()
    assert registration.first_name == name


async def test_a_practice_made_account_refuses_such_names(world: World) -> None:
    staff = await world.principal("medewerker@delinde.example", PASSWORD)
    with pytest.raises(InvalidArgument) as refused:
        await world.client_accounts.do_create(
            staff, PersonForm("Sam", "www.evil.nl", "sam@example.org", "", "2010-01-01")
        )
    assert set(refused.value.fields) == {"last_name"}


async def test_a_profile_change_refuses_such_names(world: World) -> None:
    world.add_account("anna@example.org", password=PASSWORD, role=Role.PERSON)
    anna = await world.principal("anna@example.org", PASSWORD)

    with pytest.raises(InvalidArgument) as refused:
        await world.profiles.do_update(anna, ProfileChanges(first_name="Anna\nUw account is geblokkeerd"))

    assert set(refused.value.fields) == {"first_name"}
    assert world.tables.accounts["account-anna"].first_name == ""


async def test_a_child_record_refuses_such_names(world: World) -> None:
    staff = await world.principal("medewerker@delinde.example", PASSWORD)
    world.add_account("ouder@example.org", password=PASSWORD, role=Role.PERSON)
    with pytest.raises(InvalidArgument) as refused:
        await world.delegations.do_grant(
            staff,
            delegate_account_id="account-ouder",
            person_account_id="",
            child=ChildRecord("Sam", "zie https://evil.example", "2020-01-01"),
        )
    assert set(refused.value.fields) == {"child.last_name"}


def test_an_invitee_refuses_such_names_and_a_domain_as_username() -> None:
    errors = FieldErrors()
    check_invitee_account(
        NewAccount("Keten\nPartner", "www.partner.nl", "evil.com", PASSWORD, PASSWORD, "2026-01", "2026-01"), errors
    )
    with pytest.raises(InvalidArgument) as refused:
        errors.raise_if_any()
    assert set(refused.value.fields) == {"first_name", "last_name", "username"}


def test_an_invitee_may_have_a_dotted_username() -> None:
    errors = FieldErrors()
    checked = check_invitee_account(
        NewAccount("Keten", "Partner", "jan.jansen", PASSWORD, PASSWORD, "2026-01", "2026-01"), errors
    )
    assert not errors
    assert checked.username == "jan.jansen"


def test_staff_display_names_and_organisation_names_are_single_lines_without_links() -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_new_account("medewerker@example.org", "Mila\nKlik: https://evil.example")
    assert set(refused.value.fields) == {"display_name"}
    with pytest.raises(InvalidArgument):
        check_new_organisation("Gemeente www.evil.nl")
    assert check_new_organisation("  Kind & meer ") == "Kind & meer"
