"""Contact persons per theme (seed 3, 2.1.2) on the shared fakes: every field required and
named, the address unique in the organisation, nothing saved on an error; confirmation by
the mailed link; a change mails the changed fields, a new address unconfirms; removal; the
start page's tasks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from contacts_fakes import FailingStaffDirectory, FakeStaffDirectory, FakeUnitOfWork, Store

from contacts.domain.contact_persons import (
    ContactPerson,
    ContactPersonAdded,
    ContactPersonChanged,
    ContactPersonConfirmed,
    ContactPersonRemoved,
)
from contacts.domain.errors import ConfirmationLinkNotValid, ContactPersonNotFound
from contacts.domain.themes import Theme
from contacts.service.contact_persons import (
    NOT_OFFERED,
    ContactDraft,
    do_add_contact_person,
    do_confirm_contact_person,
    do_remove_contact_person,
    do_update_contact_person,
    ecounter_access,
    ecounter_access_after_change,
    list_tasks,
    list_themes,
    theme_contacts,
)
from contacts.service.ports import UnitOfWorkFactory
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument, Unauthenticated, Unavailable

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STAFF = Principal("acc-1", "acc-1", "s-1", "org-anker", "Het Anker", frozenset({"staff"}))
OTHER = dataclasses.replace(STAFF, subject_id="acc-2", actor_id="acc-2", organisation_id="org-other")
DEPARTMENT = dataclasses.replace(
    STAFF, subject_id="acc-3", actor_id="acc-3", organisation_id="org-dep", roles=frozenset({"case_handler"})
)
THEMES = (
    Theme("erkenning", "Erkenning", "Accreditation", "org-dep", "Departement Zorg", "Team Erkenningen"),
    Theme("subsidies", "Subsidies", "Subsidies", "org-dep", "Departement Zorg", "Team Subsidies"),
)
DRAFT = ContactDraft("Jan", "Janssens", "jan@hetanker.be", "+32 2 553 35 00", ["erkenning"])


def clock() -> datetime:
    return NOW


@pytest.fixture
def store() -> Store:
    return Store(themes={t.id: t for t in THEMES})


def uow(store: Store) -> UnitOfWorkFactory:
    return lambda: FakeUnitOfWork(store)


#: The department supervises the caller's organisation in both its themes.
LINKED = FakeStaffDirectory(set(), supervisors={"org-dep": ("erkenning", "subsidies")})


async def add(
    store: Store, principal: Principal, draft: ContactDraft, directory: FakeStaffDirectory = LINKED
) -> ContactPerson:
    return await do_add_contact_person(
        uow(store), principal, draft, clock, directory=directory, access_token="token"
    )


async def update(
    store: Store,
    principal: Principal,
    person_id: str,
    draft: ContactDraft,
    directory: FakeStaffDirectory = LINKED,
) -> ContactPerson:
    return await do_update_contact_person(
        uow(store), principal, person_id, draft, clock, directory=directory, access_token="token"
    )


async def tasks(store: Store, principal: Principal, directory: FakeStaffDirectory = LINKED) -> list[str]:
    return [t.theme.id for t in await list_tasks(uow(store), principal, directory=directory, access_token="token")]


def _token(store: Store) -> str:
    event = store.events[-1]
    assert isinstance(event, ContactPersonAdded | ContactPersonChanged)
    return event.token


async def test_a_new_contact_person_is_unconfirmed_and_gets_a_confirmation_link(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)

    assert not person.confirmed
    event = store.events[-1]
    assert isinstance(event, ContactPersonAdded)
    assert event.email == "jan@hetanker.be" and event.theme_names == ("Erkenning",) and event.token
    # The store keeps only the hash of the link.
    assert store.contact_persons[person.id].confirmation_hash != event.token


async def test_every_missing_field_is_named_and_nothing_is_saved(store: Store) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await add(store, STAFF, ContactDraft("", " ", "", "", []))

    assert set(refused.value.fields) == {"first_name", "last_name", "email", "phone", "theme_ids"}
    assert store.contact_persons == {} and store.events == []


async def test_a_malformed_email_phone_or_unknown_theme_is_named(store: Store) -> None:
    draft = ContactDraft("Jan", "Janssens", "jan@", "12", ["erkenning", "geen-thema"])
    with pytest.raises(InvalidArgument) as refused:
        await add(store, STAFF, draft)

    assert set(refused.value.fields) == {"email", "phone", "theme_ids[1]"}


async def test_an_address_may_be_a_contact_person_once_per_organisation(store: Store) -> None:
    await add(store, STAFF, DRAFT)

    with pytest.raises(InvalidArgument) as refused:
        await add(store, STAFF, dataclasses.replace(DRAFT, email="JAN@hetanker.be"))
    assert "email" in refused.value.fields
    # Another organisation may name the same person.
    await add(store, OTHER, DRAFT)
    assert len(store.contact_persons) == 2


async def test_several_themes_and_several_contacts_per_theme(store: Store) -> None:
    await add(store, STAFF, dataclasses.replace(DRAFT, theme_ids=["erkenning", "subsidies"]))
    await add(store, STAFF, dataclasses.replace(DRAFT, email="els@hetanker.be"))

    view = await theme_contacts(
        uow(store), STAFF, "org-anker", "erkenning", directory=FakeStaffDirectory(set()), access_token="token"
    )
    assert len(view.contact_persons) == 2


async def test_the_link_confirms_once_and_only_until_it_expires(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)
    token = _token(store)

    with pytest.raises(ConfirmationLinkNotValid):
        await do_confirm_contact_person(uow(store), token, lambda: NOW + timedelta(days=15))
    confirmed = await do_confirm_contact_person(uow(store), token, clock)
    assert confirmed.id == person.id and confirmed.confirmed
    assert isinstance(store.events[-1], ContactPersonConfirmed)
    with pytest.raises(ConfirmationLinkNotValid):
        await do_confirm_contact_person(uow(store), token, clock)


async def test_a_change_names_the_changed_fields_and_keeps_the_confirmation(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)
    await do_confirm_contact_person(uow(store), _token(store), clock)

    updated = await update(
        store, STAFF, person.id, dataclasses.replace(DRAFT, last_name="Jansen", theme_ids=["subsidies"])
    )

    event = store.events[-1]
    assert isinstance(event, ContactPersonChanged)
    assert event.changed_fields == ("last_name", "theme_ids") and event.previous_email == "" and event.token == ""
    assert updated.confirmed


async def test_a_new_address_unconfirms_and_tells_both_addresses(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)
    old_token = _token(store)
    await do_confirm_contact_person(uow(store), old_token, clock)

    updated = await update(store, STAFF, person.id, dataclasses.replace(DRAFT, email="jan.j@hetanker.be"))

    event = store.events[-1]
    assert isinstance(event, ContactPersonChanged)
    assert event.previous_email == "jan@hetanker.be" and event.email == "jan.j@hetanker.be" and event.token
    assert not updated.confirmed
    assert (await do_confirm_contact_person(uow(store), event.token, clock)).confirmed


async def test_saving_the_same_details_mails_nothing(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)
    events = len(store.events)

    await update(store, STAFF, person.id, DRAFT)

    assert len(store.events) == events


async def test_removal_tells_the_person_and_another_organisation_gets_404(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)

    with pytest.raises(ContactPersonNotFound):
        await do_remove_contact_person(uow(store), OTHER, person.id, clock)
    with pytest.raises(ContactPersonNotFound):
        await update(store, OTHER, person.id, DRAFT)
    await do_remove_contact_person(uow(store), STAFF, person.id, clock)

    assert store.contact_persons == {}
    assert isinstance(store.events[-1], ContactPersonRemoved)


async def test_a_task_per_theme_without_a_confirmed_contact(store: Store) -> None:
    assert await tasks(store, STAFF) == ["erkenning", "subsidies"]

    await add(store, STAFF, DRAFT)
    assert len(await tasks(store, STAFF)) == 2  # unconfirmed does not count
    await do_confirm_contact_person(uow(store), _token(store), clock)

    assert await tasks(store, STAFF) == ["subsidies"]
    # The department keeps the themes: they are not its tasks.
    assert await tasks(store, DEPARTMENT) == []


async def test_the_department_sees_an_organisations_theme_contacts_nobody_else_does(store: Store) -> None:
    await add(store, STAFF, DRAFT)
    links = FakeStaffDirectory(set(), supervised={"org-anker": ("erkenning",)})

    async def contacts_of(principal: Principal, directory: FakeStaffDirectory = links) -> int:
        view = await theme_contacts(
            uow(store), principal, "org-anker", "erkenning", directory=directory, access_token="token"
        )
        return len(view.contact_persons)

    assert await contacts_of(DEPARTMENT) == 1
    with pytest.raises(ContactPersonNotFound):
        await contacts_of(OTHER)
    # Only the department's case handlers read its cases, and with them whom its answers
    # reach: a colleague on its shared inbox or helpdesk reads no organisation's contacts.
    for roles in ({"staff"}, {"staff", "helpdesk"}):
        with pytest.raises(NotPermitted):
            await contacts_of(dataclasses.replace(DEPARTMENT, roles=frozenset(roles)))
    # The organisation's own staff need no case-handler role for their own contacts.
    assert len((await theme_contacts(uow(store), STAFF, "org-anker", "erkenning", directory=links,
                                     access_token="token")).contact_persons) == 1
    with pytest.raises(NotPermitted):
        await contacts_of(dataclasses.replace(DEPARTMENT, roles=frozenset({"admin"})))


async def test_the_department_sees_only_what_it_supervises_in_the_linked_themes(store: Store) -> None:
    await add(store, STAFF, DRAFT)

    unlinked: list[dict[str, tuple[str, ...]]] = [{}, {"org-anker": ("subsidies",)}, {"org-other": ("erkenning",)}]
    for links in unlinked:
        with pytest.raises(ContactPersonNotFound):
            await theme_contacts(
                uow(store),
                DEPARTMENT,
                "org-anker",
                "erkenning",
                directory=FakeStaffDirectory(set(), supervised=links),
                access_token="token",
            )
    # The organisation's own staff need no link to see their own contacts.
    own = await theme_contacts(
        uow(store), STAFF, "org-anker", "erkenning", directory=FakeStaffDirectory(set()), access_token="token"
    )
    assert len(own.contact_persons) == 1


async def test_a_contact_has_ecounter_access_when_a_colleague_with_that_address_works_it(store: Store) -> None:
    known = await add(store, STAFF, DRAFT)
    unknown = await add(store, STAFF, dataclasses.replace(DRAFT, email="els@hetanker.be"))
    directory = FakeStaffDirectory({"jan@hetanker.be"})

    access = await ecounter_access(directory, STAFF, "token", [known, unknown])

    assert access == {known.id: True, unknown.id: False}


async def test_nobody_is_asked_about_another_organisations_contacts(store: Store) -> None:
    person = await add(store, STAFF, DRAFT)
    directory = FakeStaffDirectory({"jan@hetanker.be"})

    assert await ecounter_access(directory, DEPARTMENT, "token", [person]) == {}
    assert directory.asked == []


@pytest.mark.parametrize("error", [Unavailable(), Unauthenticated()])
async def test_a_saved_contact_is_answered_with_its_access_unsaid_when_identity_fails(
    store: Store, error: Exception
) -> None:
    person = await add(store, STAFF, DRAFT)

    assert await ecounter_access_after_change(FailingStaffDirectory(error), STAFF, "token", person) == {}
    assert person.id in store.contact_persons


# ----------------------------------------------------------------------------- themes offered
#: Another department's theme: the department supervising Het Anker does not keep it.
TOEZICHT = Theme("toezicht", "Toezicht", "Inspection", "org-insp", "Inspectie", "Team Toezicht")
ERKENNING_ONLY = FakeStaffDirectory(set(), supervisors={"org-dep": ("erkenning", "toezicht")})


async def store_theme(store: Store, theme: Theme) -> None:
    async with FakeUnitOfWork(store) as work:
        await work.themes.save(theme)
        await work.commit()


async def themes_of(store: Store, principal: Principal, directory: FakeStaffDirectory) -> list[str]:
    return [t.id for t in await list_themes(uow(store), principal, directory=directory, access_token="token")]


async def test_an_organisation_is_offered_only_the_themes_a_department_supervises_it_in(store: Store) -> None:
    await store_theme(store, TOEZICHT)

    # The link names "toezicht" too, but its department does not keep that theme.
    assert await themes_of(store, STAFF, ERKENNING_ONLY) == ["erkenning"]
    assert await tasks(store, STAFF, ERKENNING_ONLY) == ["erkenning"]
    # Supervised by nobody: no theme to choose, no task to do.
    assert await themes_of(store, OTHER, FakeStaffDirectory(set())) == []
    assert await tasks(store, OTHER, FakeStaffDirectory(set())) == []
    # A department keeps its own catalogue, supervised or not, and has no tasks in it.
    assert await themes_of(store, DEPARTMENT, FakeStaffDirectory(set())) == ["erkenning", "subsidies"]
    assert await tasks(store, DEPARTMENT, FakeStaffDirectory(set())) == []


async def test_a_new_contact_person_is_named_only_for_themes_offered(store: Store) -> None:
    await store_theme(store, TOEZICHT)
    draft = dataclasses.replace(DRAFT, theme_ids=["erkenning", "subsidies", "toezicht", "geen-thema"])

    with pytest.raises(InvalidArgument) as refused:
        await add(store, STAFF, draft, ERKENNING_ONLY)

    assert refused.value.fields == {
        "theme_ids[1]": NOT_OFFERED,
        "theme_ids[2]": NOT_OFFERED,
        "theme_ids[3]": "is not a theme",
    }
    assert store.contact_persons == {} and store.events == []
    assert (await add(store, STAFF, DRAFT, ERKENNING_ONLY)).details.theme_ids == ("erkenning",)


async def test_a_contact_person_keeps_a_theme_whose_supervision_ended_but_gains_none(store: Store) -> None:
    person = await add(store, STAFF, dataclasses.replace(DRAFT, theme_ids=["subsidies"]))
    # The department's supervision in "Subsidies" ended since.

    both = ["subsidies", "erkenning"]
    kept = await update(store, STAFF, person.id, dataclasses.replace(DRAFT, theme_ids=both), ERKENNING_ONLY)
    assert kept.details.theme_ids == ("subsidies", "erkenning")
    other = await add(store, STAFF, dataclasses.replace(DRAFT, email="els@hetanker.be"), ERKENNING_ONLY)
    with pytest.raises(InvalidArgument) as refused:
        await update(
            store, STAFF, other.id, dataclasses.replace(DRAFT, email="els@hetanker.be", theme_ids=both), ERKENNING_ONLY
        )
    assert refused.value.fields == {"theme_ids[0]": NOT_OFFERED}
    # Nor is a task shown for it any more.
    assert await tasks(store, STAFF, ERKENNING_ONLY) == ["erkenning"]


@pytest.mark.parametrize("error", [Unavailable(), Unauthenticated()])
async def test_themes_tasks_and_choices_fail_when_identity_cannot_say_what_is_supervised(
    store: Store, error: Exception
) -> None:
    down = FailingStaffDirectory(error)

    with pytest.raises(type(error)):
        await list_themes(uow(store), STAFF, directory=down, access_token="token")
    with pytest.raises(type(error)):
        await list_tasks(uow(store), STAFF, directory=down, access_token="token")
    with pytest.raises(type(error)):
        await do_add_contact_person(uow(store), STAFF, DRAFT, clock, directory=down, access_token="token")
    assert store.contact_persons == {}
