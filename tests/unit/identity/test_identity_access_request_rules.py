"""A parent asks online for access to a child's portal (seed 5): the age rule on the day of
the request (16 and older refused, the birthday itself counting, by the Dutch day), the
practice's approval through the ordinary delegation (under 12 active at once, 12 to 15
after the child's consent), a rejection with a reason, and who may see what."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from identity_fakes import World, make_world

from identity.domain.access_requests import (
    AccessRequestApproved,
    AccessRequestRejected,
    AccessRequestStatus,
    AccessRequestSubmitted,
    ChildAccessForm,
)
from identity.domain.accounts import AccountStatus, Role
from identity.domain.delegations import DelegationConsentRequested, DelegationGranted, DelegationStatus
from identity.domain.errors import (
    AccessRequestDecided,
    AccessRequestExists,
    AccessRequestNotFound,
    ChildIsSixteen,
    ChildTurnedSixteen,
    NoPracticeToAsk,
    PersonNotFound,
    PossibleDuplicateClient,
    RequesterNotClient,
    RequesterTooYoung,
    TooManyAccessRequests,
)
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.calendar import birth_date_for_age
from zorgpost_kit.errors import InvalidArgument

PASSWORD = "Lange-zin-als-wachtwoord-2026"
NOON = datetime(2026, 6, 1, 10, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture
def world() -> World:
    world = make_world(now=NOON)
    world.add_organisation("Kind & meer")
    world.add_organisation("Huisartsenpraktijk De Linde", organisation_id="org-2")
    world.add_account("medewerker@kindenmeer.example", password=PASSWORD, role=Role.STAFF)
    world.add_account("helpdesk@kindenmeer.example", password=PASSWORD, role=Role.HELPDESK)
    world.add_account(
        "medewerker@delinde.example",
        password=PASSWORD,
        role=Role.STAFF,
        organisation_id="org-2",
        account_id="account-delinde",
    )
    world.add_account("ouder@example.org", password=PASSWORD, role=Role.PERSON, birth_date=date(1985, 3, 3))
    world.add_account("andere-ouder@example.org", password=PASSWORD, role=Role.PERSON, birth_date=date(1980, 1, 1))
    return world


def _form(born: date | str, *, first: str = "Sam", last: str = "Ouder", note: str = "") -> ChildAccessForm:
    return ChildAccessForm(first, last, born if isinstance(born, str) else born.isoformat(), "parent", note)


async def _parent(world: World) -> Principal:
    return await world.principal("ouder@example.org", PASSWORD)


async def _staff(world: World) -> Principal:
    return await world.principal("medewerker@kindenmeer.example", PASSWORD)


# --- the age rule when the parent asks ------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "allowed"),
    [
        (birth_date_for_age(15, TODAY, days_younger=365), True),
        (birth_date_for_age(15, TODAY), True),
        # The day before the 16th birthday a parent may still ask …
        (birth_date_for_age(16, TODAY, days_younger=1), True),
        # … on the birthday itself no longer.
        (birth_date_for_age(16, TODAY), False),
        (birth_date_for_age(17, TODAY), False),
    ],
)
async def test_a_parent_may_ask_until_the_day_before_the_sixteenth_birthday(
    world: World, born: date, allowed: bool
) -> None:
    parent = await _parent(world)
    if allowed:
        view = await world.access_requests.do_submit(parent, _form(born))
        assert view.request.status is AccessRequestStatus.PENDING
    else:
        with pytest.raises(ChildIsSixteen):
            await world.access_requests.do_submit(parent, _form(born))
        assert world.tables.access_requests == {}


async def test_a_leap_day_child_turns_sixteen_on_29_february_in_a_leap_year(world: World) -> None:
    world.clock.set(datetime(2028, 2, 28, 12, tzinfo=UTC))
    parent = await _parent(world)
    await world.access_requests.do_submit(parent, _form("2012-02-29"))
    world.clock.set(datetime(2028, 2, 29, 12, tzinfo=UTC))
    with pytest.raises(ChildIsSixteen):
        await world.access_requests.do_submit(parent, _form("2012-02-29", first="Noor"))


async def test_the_sixteenth_birthday_counts_from_midnight_in_amsterdam(world: World) -> None:
    # 22:30 UTC on 31 May is 00:30 on 1 June in Amsterdam: the child born 1 June 2010 is 16.
    world.clock.set(datetime(2026, 5, 31, 22, 30, tzinfo=UTC))
    parent = await _parent(world)
    with pytest.raises(ChildIsSixteen) as refused:
        await world.access_requests.do_submit(parent, _form("2010-06-01"))
    assert "written consent" in refused.value.message


async def test_every_bad_field_is_named_at_once(world: World) -> None:
    parent = await _parent(world)
    hostile = ChildAccessForm(
        child_first_name="Sam\r\nBcc: iedereen@example.org",
        child_last_name="",
        child_birth_date="2030-01-01",
        relation="buurman",
        note="x" * 1001,
    )
    with pytest.raises(InvalidArgument) as refused:
        await world.access_requests.do_submit(parent, hostile)
    assert set(refused.value.fields) == {
        "child_first_name",
        "child_last_name",
        "child_birth_date",
        "relation",
        "note",
    }
    assert world.tables.access_requests == {} and world.database.events == []


async def test_the_request_goes_to_the_parents_practice_with_a_receipt(world: World) -> None:
    parent = await _parent(world)
    view = await world.access_requests.do_submit(parent, _form(birth_date_for_age(10, TODAY), note="Ik ben de moeder"))
    assert (view.request.organisation_id, view.request.note) == ("org-1", "Ik ben de moeder")
    [receipt] = world.database.events_of(AccessRequestSubmitted)
    assert (receipt.recipient.email, receipt.child_name, receipt.organisation_name) == (
        "ouder@example.org",
        "Sam Ouder",
        "Kind & meer",
    )


async def test_one_pending_request_per_child_and_again_after_a_rejection(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(10, TODAY)
    first = await world.access_requests.do_submit(parent, _form(born))
    with pytest.raises(AccessRequestExists):
        await world.access_requests.do_submit(parent, _form(born, first=" sam ", last="OUDER"))
    # A sibling is another child.
    await world.access_requests.do_submit(parent, _form(birth_date_for_age(8, TODAY), first="Lot"))
    await world.access_requests.do_reject(await _staff(world), first.request.id, reason="Bel de praktijk even.")
    again = await world.access_requests.do_submit(parent, _form(born))
    assert again.request.status is AccessRequestStatus.PENDING


async def test_staff_accounts_have_no_practice_to_ask(world: World) -> None:
    with pytest.raises(NoPracticeToAsk):
        await world.access_requests.do_submit(await _staff(world), _form(birth_date_for_age(10, TODAY)))


# --- the practice decides ---------------------------------------------------------------------


async def test_approval_under_twelve_makes_the_child_record_and_an_active_delegation(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(11, TODAY, days_younger=1)))

    approved = await world.access_requests.do_approve(await _staff(world), asked.request.id)

    assert approved.request.status is AccessRequestStatus.APPROVED
    assert approved.delegation is not None and approved.delegation.status is DelegationStatus.ACTIVE
    child = world.tables.accounts[approved.delegation.person_account_id]
    assert (child.display_name, child.can_log_in) == ("Sam Ouder", False)
    [event] = world.database.events_of(AccessRequestApproved)
    assert event.awaiting_consent is False
    assert [g.delegate.account_id for g in world.database.events_of(DelegationGranted)] == ["account-ouder"]
    mine = await world.access_requests.get_mine(parent, asked.request.id)
    assert mine.delegation is not None and mine.delegation.is_active


async def test_from_twelve_the_practice_names_the_childs_account_and_the_child_consents(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(12, TODAY)  # twelve today
    youth = world.add_account(
        "jip@example.org",
        password=PASSWORD,
        role=Role.PERSON,
        birth_date=born,
        account_id=str(uuid.uuid4()),
        first_name="Jip",
        last_name="Ouder",
        display_name="Jip Ouder",
    )
    asked = await world.access_requests.do_submit(parent, _form(born, first="Jip"))
    staff = await _staff(world)

    with pytest.raises(PersonNotFound) as no_account:
        await world.access_requests.do_approve(staff, asked.request.id)
    assert "person_account_id" in no_account.value.fields

    approved = await world.access_requests.do_approve(staff, asked.request.id, person_account_id=youth.id)
    assert approved.delegation is not None and approved.delegation.status is DelegationStatus.AWAITING_CONSENT
    [asked_child] = world.database.events_of(DelegationConsentRequested)
    assert asked_child.person.email == "jip@example.org"
    assert world.database.events_of(AccessRequestApproved)[0].awaiting_consent is True

    await world.delegations.do_answer_consent(
        await world.principal("jip@example.org", PASSWORD), approved.delegation.id, accept=True
    )
    acting = await world.delegations.do_act_as(parent, youth.id)
    assert acting.person.id == youth.id


async def test_the_named_account_must_be_the_child_of_the_request(world: World) -> None:
    parent = await _parent(world)
    other = world.add_account(
        "ander@example.org", password=PASSWORD, role=Role.PERSON, birth_date=birth_date_for_age(13, TODAY)
    )
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(12, TODAY, days_younger=3)))
    with pytest.raises(PersonNotFound) as refused:
        await world.access_requests.do_approve(await _staff(world), asked.request.id, person_account_id=other.id)
    assert "birth date" in refused.value.fields["person_account_id"]


async def test_a_child_who_turned_sixteen_since_the_request_cannot_be_approved(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(16, TODAY, days_younger=1)))
    world.clock.set(datetime(2026, 6, 2, 10, tzinfo=UTC))
    staff = await _staff(world)
    with pytest.raises(ChildTurnedSixteen):
        await world.access_requests.do_approve(staff, asked.request.id)
    rejected = await world.access_requests.do_reject(staff, asked.request.id, reason="Uw kind is inmiddels 16.")
    assert rejected.request.status is AccessRequestStatus.REJECTED


async def test_a_rejection_needs_a_reason_and_tells_the_parent_without_it(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(9, TODAY)))
    staff = await _staff(world)
    with pytest.raises(InvalidArgument) as no_reason:
        await world.access_requests.do_reject(staff, asked.request.id, reason="  ")
    assert set(no_reason.value.fields) == {"reason"}

    await world.access_requests.do_reject(staff, asked.request.id, reason="Wij kennen u niet als gezaghebbende ouder.")

    [notice] = world.database.events_of(AccessRequestRejected)
    assert notice.recipient.email == "ouder@example.org"
    assert "gezaghebbende" not in repr(notice)
    mine = await world.access_requests.get_mine(parent, asked.request.id)
    assert mine.request.reason == "Wij kennen u niet als gezaghebbende ouder."
    with pytest.raises(AccessRequestDecided):
        await world.access_requests.do_approve(staff, asked.request.id)


# --- who sees what ---------------------------------------------------------------------------


async def test_another_parent_and_another_practice_get_not_found(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(7, TODAY)))

    other_parent = await world.principal("andere-ouder@example.org", PASSWORD)
    with pytest.raises(AccessRequestNotFound):
        await world.access_requests.get_mine(other_parent, asked.request.id)
    assert await world.access_requests.list_mine(other_parent) == []

    other_practice = await world.principal("medewerker@delinde.example", PASSWORD)
    for attempt in (
        world.access_requests.get_for_staff(other_practice, asked.request.id),
        world.access_requests.do_approve(other_practice, asked.request.id),
        world.access_requests.do_reject(other_practice, asked.request.id, reason="Nee"),
    ):
        with pytest.raises(AccessRequestNotFound):
            await attempt
    assert (await world.access_requests.list_for_staff(other_practice, None)).items == []
    with pytest.raises(AccessRequestNotFound):
        await world.access_requests.get_mine(parent, "not-an-id")


async def test_only_staff_who_manage_clients_see_the_requests(world: World) -> None:
    parent = await _parent(world)
    await world.access_requests.do_submit(parent, _form(birth_date_for_age(7, TODAY)))
    with pytest.raises(NotPermitted):
        await world.access_requests.list_for_staff(await world.principal("helpdesk@kindenmeer.example", PASSWORD), None)
    with pytest.raises(NotPermitted):
        await world.access_requests.list_for_staff(parent, None)


async def test_the_practice_pages_through_its_requests_oldest_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("identity.service.access_requests.PAGE_SIZE", 2)
    parent = await _parent(world)
    for minute, name in enumerate(("Ada", "Bo", "Cas")):
        world.clock.set(datetime(2026, 6, 1, 10, minute, tzinfo=UTC))
        await world.access_requests.do_submit(parent, _form(birth_date_for_age(5, TODAY), first=name))
    staff = await _staff(world)

    first = await world.access_requests.list_for_staff(staff, AccessRequestStatus.PENDING)
    assert [v.request.child_first_name for v in first.items] == ["Ada", "Bo"] and first.next_cursor
    rest = await world.access_requests.list_for_staff(staff, AccessRequestStatus.PENDING, first.next_cursor)
    assert ([v.request.child_first_name for v in rest.items], rest.next_cursor) == (["Cas"], None)
    with pytest.raises(InvalidArgument) as bad:
        await world.access_requests.list_for_staff(staff, None, "' OR 1=1 --")
    assert set(bad.value.fields) == {"cursor"}


# --- who may ask, and how much ------------------------------------------------------------------


@pytest.mark.parametrize(("age", "allowed"), [(17, False), (18, True)])
async def test_only_an_adult_asks_by_the_dutch_day(world: World, age: int, allowed: bool) -> None:
    world.add_account(
        "jongere@example.org", password=PASSWORD, role=Role.PERSON, birth_date=birth_date_for_age(age, TODAY)
    )
    young = await world.principal("jongere@example.org", PASSWORD)
    if allowed:
        await world.access_requests.do_submit(young, _form(birth_date_for_age(2, TODAY)))
    else:
        with pytest.raises(RequesterTooYoung):
            await world.access_requests.do_submit(young, _form(birth_date_for_age(2, TODAY)))
        assert world.tables.access_requests == {}


async def test_at_most_five_requests_wait_for_the_practice(world: World) -> None:
    parent = await _parent(world)
    names = ("Ada", "Bo", "Cas", "Dex", "Eva")
    views = [await world.access_requests.do_submit(parent, _form(birth_date_for_age(5, TODAY), first=n)) for n in names]
    with pytest.raises(TooManyAccessRequests):
        await world.access_requests.do_submit(parent, _form(birth_date_for_age(5, TODAY), first="Fem"))
    await world.access_requests.do_reject(await _staff(world), views[0].request.id, reason="Bel ons even.")
    await world.access_requests.do_submit(parent, _form(birth_date_for_age(5, TODAY), first="Fem"))


async def test_the_same_child_is_recognised_across_unicode_forms_and_inner_spaces(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(6, TODAY)
    await world.access_requests.do_submit(parent, _form(born, first="Ren\u00e9e Sofie"))
    with pytest.raises(AccessRequestExists):
        await world.access_requests.do_submit(parent, _form(born, first="RENE\u0301E   Sofie"))


# --- the practice picks the child -------------------------------------------------------------


async def test_the_practice_sees_its_clients_born_on_the_childs_birth_date(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(13, TODAY)
    jip = world.add_account(
        "jip@example.org",
        role=Role.PERSON,
        birth_date=born,
        first_name="Jip",
        last_name="Ouder",
        display_name="Jip Ouder",
    )
    world.add_account("elders@example.org", role=Role.PERSON, birth_date=born, organisation_id="org-2")
    world.add_account("ouder-kind@example.org", role=Role.PERSON, birth_date=birth_date_for_age(14, TODAY))
    asked = await world.access_requests.do_submit(parent, _form(born, first="Jip"))

    view = await world.access_requests.get_for_staff(await _staff(world), asked.request.id)

    assert [c.id for c in view.candidates] == [jip.id]
    assert view.new_record_allowed is False


async def test_a_named_child_with_another_name_is_refused(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(13, TODAY)
    other = world.add_account(
        "tweeling@example.org",
        role=Role.PERSON,
        birth_date=born,
        first_name="Fleur",
        last_name="Ouder",
        display_name="Fleur Ouder",
    )
    asked = await world.access_requests.do_submit(parent, _form(born, first="Jip"))
    with pytest.raises(InvalidArgument) as refused:
        await world.access_requests.do_approve(await _staff(world), asked.request.id, person_account_id=other.id)
    assert "another name" in refused.value.fields["person_account_id"]
    assert world.tables.delegations == {}


async def test_under_twelve_a_client_with_the_same_name_is_not_recorded_twice_unless_asked(world: World) -> None:
    parent = await _parent(world)
    born = birth_date_for_age(7, TODAY)
    known = world.add_account(
        "sam@example.org", role=Role.PERSON, birth_date=born, first_name="SAM ", last_name="ouder", display_name="Sam"
    )
    asked = await world.access_requests.do_submit(parent, _form(born))
    staff = await _staff(world)
    shown = await world.access_requests.get_for_staff(staff, asked.request.id)
    assert ([c.id for c in shown.candidates], shown.new_record_allowed) == ([known.id], True)

    accounts_before = set(world.tables.accounts)
    with pytest.raises(PossibleDuplicateClient):
        await world.access_requests.do_approve(staff, asked.request.id)
    assert set(world.tables.accounts) == accounts_before

    approved = await world.access_requests.do_approve(staff, asked.request.id, new_record=True)
    assert approved.delegation is not None and approved.delegation.person_account_id not in accounts_before


async def test_a_second_approval_is_told_the_request_was_decided(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(4, TODAY)))
    staff = await _staff(world)
    await world.access_requests.do_approve(staff, asked.request.id)
    accounts_before = set(world.tables.accounts)
    with pytest.raises(AccessRequestDecided):
        await world.access_requests.do_approve(staff, asked.request.id)
    with pytest.raises(AccessRequestDecided):
        await world.access_requests.do_approve(staff, asked.request.id, new_record=True)
    assert set(world.tables.accounts) == accounts_before


async def test_a_requester_who_left_the_practice_is_its_own_error(world: World) -> None:
    parent = await _parent(world)
    asked = await world.access_requests.do_submit(parent, _form(birth_date_for_age(4, TODAY)))
    world.tables.accounts["account-ouder"].status = AccountStatus.DISABLED
    with pytest.raises(RequesterNotClient):
        await world.access_requests.do_approve(await _staff(world), asked.request.id)
