"""The e-counter's use cases on the shared fakes (seed 3, 3.1): a new message needs a
contact for its theme (409 otherwise, nothing sent), gets a reference number every reply
keeps; the department's messages tell the confirmed contacts and the message's own; each
side's lists; and nobody of a third organisation reaches a message."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from messaging_fakes import FakeContacts, FakeDirectory, Store, make_services

from messaging.domain.ecounter import EcounterMessageSent, NoContactForTheme, NotSupervised, StandardContact
from messaging.domain.errors import ThreadNotFound, ThreadNotOpen
from messaging.domain.threads import ThreadState
from messaging.service.common import Caller, Services
from messaging.service.ecounter import (
    ContactChanges,
    ContactInput,
    ListRequest,
    check_ecounter_reply,
    check_ecounter_send,
    do_open_case,
    do_reply_ecounter_message,
    do_send_ecounter_message,
    list_ecounter_messages,
)
from messaging.service.ports import ThemeContacts
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument

DEPARTMENT, ANKER, OTHER = (str(uuid.uuid4()) for _ in range(3))
NAMES = {DEPARTMENT: "Departement Zorg", ANKER: "Het Anker", OTHER: "Ander Huis"}
JAN = StandardContact("p-jan", "Jan", "Janssens", "jan@anker.be", "+3225533500", confirmed=True)
ELS = StandardContact("p-els", "Els", "Peeters", "els@anker.be", "+3225533501", confirmed=False)


def staff(organisation_id: str) -> Caller:
    """The organisation's user; the department's is a case handler (its side is theirs)."""
    account = f"acc-{NAMES[organisation_id]}"
    roles = frozenset({"case_handler"}) if organisation_id == DEPARTMENT else frozenset({"staff"})
    # The fake directory answers supervision for the organisation whose id is the token.
    return Caller(Principal(account, account, "s", organisation_id, NAMES[organisation_id], roles), organisation_id)


@pytest.fixture
def world() -> tuple[Services, Store, FakeContacts]:
    theme = ThemeContacts("erkenning", "Erkenning", DEPARTMENT, "Departement Zorg", "Team Erkenningen", [], set())
    contacts = FakeContacts({"erkenning": theme})
    # The department supervises Het Anker in the theme; Ander Huis not at all.
    directory = FakeDirectory(organisations=NAMES, supervision={DEPARTMENT: {ANKER: ("erkenning",)}})
    services, store, _ = make_services(directory=directory, contacts=contacts)
    return services, store, contacts


async def send(
    services: Services, caller: Caller, *, add: tuple[ContactInput, ...] = (), organisation_id: str = ""
) -> str:
    sent = await do_send_ecounter_message(
        services,
        caller,
        theme_id="erkenning",
        title="Vraag",
        body="Inhoud",
        organisation_id=organisation_id,
        changes=ContactChanges(add=add),
    )
    return sent.entry.thread_id


async def test_an_organisation_without_a_confirmed_contact_for_the_theme_sends_nothing(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [ELS]

    with pytest.raises(NoContactForTheme):
        await send(services, staff(ANKER))
    assert store.threads == {} and store.ecounter_entries == []

    own = ContactInput("Piet", "Eigen", "piet@anker.be", "+3225533502", standard=True)
    thread_id = await send(services, staff(ANKER), add=(own,))
    assert store.ecounter_cases[thread_id].reference.endswith("-000001")
    assert [p.email for p in contacts.added] == ["piet@anker.be"]


async def test_every_reply_keeps_the_reference_and_the_department_tells_the_right_people(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN, ELS]
    thread_id = await send(services, staff(ANKER), add=(ContactInput("Piet", "Eigen", "piet@anker.be", "+3225533502"),))

    answer = await do_reply_ecounter_message(
        services, staff(DEPARTMENT), thread_id=thread_id, title="", body="Antwoord", changes=ContactChanges()
    )

    assert answer.entry.reference == store.ecounter_cases[thread_id].reference
    [event] = [e for e in store.events if isinstance(e, EcounterMessageSent)]
    assert [t.email for t in event.told] == ["jan@anker.be", "piet@anker.be"]
    received, _ = await list_ecounter_messages(services, staff(ANKER), ListRequest(box="received"))
    assert [(e.thread_id, e.status.value) for e in received] == [(thread_id, "new")]
    case = await do_open_case(services, staff(ANKER), thread_id)
    assert [entry.box.value for entry, _ in case.history] == ["sent", "received"]
    received, _ = await list_ecounter_messages(services, staff(ANKER), ListRequest(box="received"))
    assert [e.status.value for e in received] == ["read"]


async def test_a_third_organisation_reaches_nothing(world: tuple[Services, Store, FakeContacts]) -> None:
    services, _, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))

    with pytest.raises(ThreadNotFound):
        await do_open_case(services, staff(OTHER), thread_id)
    with pytest.raises(ThreadNotFound):
        await do_reply_ecounter_message(
            services, staff(OTHER), thread_id=thread_id, title="", body="Hallo", changes=ContactChanges()
        )
    assert (await list_ecounter_messages(services, staff(OTHER), ListRequest()))[0] == []


async def test_the_department_names_the_organisation_and_may_not_write_to_itself(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, _ = world
    with pytest.raises(InvalidArgument) as refused:
        await send(services, staff(DEPARTMENT))
    assert "organisation_id" in refused.value.fields

    thread_id = await send(services, staff(DEPARTMENT), organisation_id=ANKER)
    assert store.ecounter_cases[thread_id].organisation_id == ANKER


async def test_the_department_reaches_only_the_organisations_it_supervises_in_the_linked_themes(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.themes["subsidies"] = dataclasses.replace(contacts.themes["erkenning"], theme_id="subsidies")

    with pytest.raises(InvalidArgument) as unknown:
        await send(services, staff(DEPARTMENT), organisation_id=OTHER)
    # As an organisation that does not exist: only that field, and contacts never asked.
    assert set(unknown.value.fields) == {"organisation_id"}
    assert all(organisation != OTHER for organisation, _ in contacts.asked)
    with pytest.raises(InvalidArgument) as outside:
        await do_send_ecounter_message(
            services,
            staff(DEPARTMENT),
            theme_id="subsidies",
            title="Vraag",
            body="Inhoud",
            organisation_id=ANKER,
            changes=ContactChanges(),
        )
    assert set(outside.value.fields) == {"theme_id"}
    assert store.threads == {}


async def test_an_organisation_writes_only_in_a_theme_it_is_supervised_in(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(OTHER, "erkenning")] = [JAN]

    with pytest.raises(InvalidArgument) as refused:
        await send(services, staff(OTHER))

    assert set(refused.value.fields) == {"theme_id"} and "supervises" in refused.value.fields["theme_id"]
    assert store.threads == {}


async def test_the_department_answers_only_while_it_supervises(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))
    assert isinstance(services.directory, FakeDirectory)
    services.directory.supervision[DEPARTMENT] = {}

    with pytest.raises(NotSupervised):
        await do_reply_ecounter_message(
            services, staff(DEPARTMENT), thread_id=thread_id, title="", body="Antwoord", changes=ContactChanges()
        )
    # The history stays readable to both sides.
    assert len((await do_open_case(services, staff(DEPARTMENT), thread_id)).history) == 1
    assert len(store.ecounter_entries) == 2


async def test_a_reply_after_the_supervision_ended_is_refused_before_any_file_is_taken(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))
    # While the link lasts, both sides may go on to send their files.
    assert await check_ecounter_reply(services, staff(DEPARTMENT), thread_id) == thread_id
    assert await check_ecounter_reply(services, staff(ANKER), thread_id) == thread_id
    assert isinstance(services.directory, FakeDirectory)
    services.directory.supervision[DEPARTMENT] = {}

    for side in (DEPARTMENT, ANKER):
        with pytest.raises(NotSupervised):
            await check_ecounter_reply(services, staff(side), thread_id)
    # Someone of a third organisation learns nothing of the case, supervised or not.
    with pytest.raises(ThreadNotFound):
        await check_ecounter_reply(services, staff(OTHER), thread_id)
    assert len(store.ecounter_entries) == 2


async def test_a_department_colleague_who_handles_no_cases_is_refused_before_any_file_is_taken(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, _, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))
    plain = staff(DEPARTMENT).principal
    colleague = Caller(
        dataclasses.replace(plain, subject_id="acc-plain", actor_id="acc-plain", roles=frozenset({"staff"})),
        DEPARTMENT,
    )

    with pytest.raises(NotPermitted):
        await check_ecounter_reply(services, colleague, thread_id)


async def test_pages_of_five_by_keyset(world: tuple[Services, Store, FakeContacts]) -> None:
    services, _, _ = world
    for _ in range(12):
        await send(services, staff(DEPARTMENT), organisation_id=ANKER)

    seen: list[str] = []
    cursor = ""
    while True:
        page, cursor = await list_ecounter_messages(services, staff(ANKER), ListRequest(cursor=cursor))
        assert len(page) in (5, 2)
        seen += [e.id for e in page]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 12


async def test_the_departments_side_is_its_case_handlers(world: tuple[Services, Store, FakeContacts]) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))
    plain = staff(DEPARTMENT).principal
    colleague = Caller(
        dataclasses.replace(plain, subject_id="acc-plain", actor_id="acc-plain", roles=frozenset({"staff"}))
    )

    with pytest.raises(NotPermitted):
        await send(services, colleague, organisation_id=ANKER)
    with pytest.raises(NotPermitted):
        await do_reply_ecounter_message(
            services, colleague, thread_id=thread_id, title="", body="Antwoord", changes=ContactChanges()
        )
    assert len(store.ecounter_entries) == 2  # the organisation's message, on both sides; nothing more


async def test_a_reply_to_a_closed_message_makes_no_contact_person(
    world: tuple[Services, Store, FakeContacts],
) -> None:
    services, store, contacts = world
    contacts.persons[(ANKER, "erkenning")] = [JAN]
    thread_id = await send(services, staff(ANKER))
    store.threads[thread_id].state = ThreadState.CLOSED
    own = ContactInput("Piet", "Eigen", "piet@anker.be", "+3225533502", standard=True)

    with pytest.raises(ThreadNotOpen):
        await do_reply_ecounter_message(
            services, staff(ANKER), thread_id=thread_id, title="", body="Nog iets", changes=ContactChanges(add=(own,))
        )
    assert contacts.added == []


def test_who_may_send_is_known_before_any_file_is_taken() -> None:
    person = Caller(Principal("anna", "anna", "s", None, None, frozenset({"person"})))
    with pytest.raises(NotPermitted):
        check_ecounter_send(person, organisation_id="")
    with pytest.raises(NotPermitted):  # another organisation is the department's case handlers'
        check_ecounter_send(staff(ANKER), organisation_id=OTHER)
    with pytest.raises(InvalidArgument) as refused:
        check_ecounter_send(staff(DEPARTMENT), organisation_id="not-an-id")
    assert set(refused.value.fields) == {"organisation_id"}
    check_ecounter_send(staff(ANKER), organisation_id="")
    check_ecounter_send(staff(DEPARTMENT), organisation_id=ANKER)
