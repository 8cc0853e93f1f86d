"""Which kinds of thread a staff member reaches through their organisation's shared inbox,
one rule everywhere: an e-counter case on a department's side only its case handlers (every
staff member of the organisation on the other side reads its cases), a helpdesk ticket only
the helpdesk role; opening a thread, the lists, the inbox and its unread count, search and
the live feed all agree, also for rows someone got before they lost the role."""

from __future__ import annotations

import uuid

import pytest
from messaging_fakes import FakeDirectory, Store, make_services
from sqlalchemy import String

from messaging.adapters import orm
from messaging.domain.activity import reader_keys
from messaging.domain.errors import ThreadNotFound
from messaging.domain.threads import ThreadKind, kinds_beyond_inbox, reaches_through_inbox, require_inbox_kind
from messaging.service import conversations, secure_mail
from messaging.service.common import Caller, Services
from messaging.service.conversations import StartWith
from messaging.service.helpdesk import do_ask_helpdesk
from messaging.service.ports import Member
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument

DEPARTMENT = "org-dep"
CARE = "org-x"


def member(account: str, *roles: str, org: str = DEPARTMENT) -> Caller:
    kind = "government_department" if org == DEPARTMENT else "care_organisation"
    principal = Principal(account, account, "s", org, f"Org {org}", frozenset(roles), organisation_kind=kind)
    return Caller(principal, org)


def department(account: str, *roles: str) -> Caller:
    return member(account, *roles, org=DEPARTMENT)


def care(account: str, *roles: str) -> Caller:
    return member(account, *roles, org=CARE)


# ----------------------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    ("caller", "case", "ticket", "mail"),
    [
        (department("d", "staff"), False, False, True),
        (department("d", "practitioner"), False, False, True),
        (department("d", "case_handler"), True, False, True),
        (department("d", "helpdesk"), False, True, True),
        (department("d", "staff", "case_handler", "helpdesk"), True, True, True),
        (care("c", "staff"), True, False, True),
        (care("c", "practitioner"), True, False, True),
        (care("c", "helpdesk"), True, True, True),
        # Without an inbox role nothing is reached through the inbox, whatever the kind.
        (department("d", "admin"), False, False, False),
        (care("c", "admin"), False, False, False),
    ],
)
def test_who_reaches_which_kind_through_the_shared_inbox(caller: Caller, case: bool, ticket: bool, mail: bool) -> None:
    principal = caller.principal
    assert reaches_through_inbox(principal, ThreadKind.ORG_CASE) is case
    assert reaches_through_inbox(principal, ThreadKind.HELPDESK) is ticket
    assert reaches_through_inbox(principal, ThreadKind.SECURE_MAIL) is mail
    if mail:
        assert kinds_beyond_inbox(principal) == {
            kind.value for kind, reached in ((ThreadKind.ORG_CASE, case), (ThreadKind.HELPDESK, ticket)) if not reached
        }
    else:
        # No inbox at all: the queries read no organisation rows anyway.
        assert kinds_beyond_inbox(principal) == frozenset()


def test_a_page_of_cases_is_refused_naming_the_capability_the_department_side_needs() -> None:
    with pytest.raises(NotPermitted) as refused:
        require_inbox_kind(department("d", "staff").principal, ThreadKind.ORG_CASE)
    assert refused.value.capability.value == "handle_cases"
    require_inbox_kind(department("d", "case_handler").principal, ThreadKind.ORG_CASE)
    require_inbox_kind(care("c", "staff").principal, ThreadKind.ORG_CASE)
    with pytest.raises(NotPermitted):
        require_inbox_kind(department("d", "staff").principal, ThreadKind.HELPDESK)


# ----------------------------------------------------------------------------- everywhere
async def _reaches(services: Services, store: Store, caller: Caller, thread_id: str, word: str) -> dict[str, bool]:
    """Whether ``caller`` reaches the thread by each way in (opening it last: it reads it)."""
    listed, _ = await conversations.list_threads(services, caller, "", 50)
    inbox, _, unread = await secure_mail.list_inbox(services, caller, "received", "", 50, assigned_to_me=False)
    found, _ = await conversations.search(services, caller, word, "", 50)
    written = {key for _, key, change in store.activity if change.thread_id == thread_id}
    try:
        await conversations.do_open_thread(services, caller, thread_id, 50)
        opened = True
    except ThreadNotFound:
        opened = False
    return {
        "open": opened,
        "list": thread_id in {s.thread.id for s in listed},
        "inbox": thread_id in {s.thread.id for s in inbox},
        "unread": unread > 0,
        "search": thread_id in {r.thread.id for r in found},
        "feed": bool(set(reader_keys(caller.principal)) & written),
    }


NOWHERE = dict.fromkeys(("open", "list", "inbox", "unread", "search", "feed"), False)


async def test_a_case_reaches_the_departments_case_handlers_and_every_staff_member_of_the_organisation() -> None:
    services, store, _ = make_services(directory=FakeDirectory(organisations={CARE: "Het Anker"}))
    handler = department("hanna", "case_handler")
    case = await conversations.do_create_thread(
        services,
        handler,
        ThreadKind.ORG_CASE,
        "Jaarverslag",
        "Graag uw jaarverslag",
        "2026-000001",
        start_with=StartWith(organisations=((CARE, "Het Anker"),)),
    )
    thread_id = case.summary.thread.id

    for caller in (care("mia", "staff"), care("max", "practitioner")):
        reach = await _reaches(services, store, caller, thread_id, "jaarverslag")
        assert reach["open"] and reach["inbox"] and reach["search"] and reach["feed"], reach
    answer = await conversations.do_post_message(services, care("mia", "staff"), thread_id, "Bijgevoegd", [])
    assert answer.seq == 2

    colleague = await _reaches(services, store, department("dirk", "staff"), thread_id, "jaarverslag")
    assert colleague == NOWHERE
    with pytest.raises(ThreadNotFound):
        await conversations.do_post_message(services, department("dirk", "staff"), thread_id, "Ik ook", [])
    with pytest.raises(NotPermitted):
        conversations.check_create_thread(department("dirk", "staff"), "org_case", "Nieuw", "", "")

    other_handler = await _reaches(services, store, department("henk", "case_handler"), thread_id, "bijgevoegd")
    # Not yet in their own list (they never opened it), but in their inbox, unread.
    assert other_handler == {**dict.fromkeys(NOWHERE, True), "list": False}


async def test_a_helpdesk_ticket_reaches_only_the_helpdesk_role_and_a_lost_role_takes_old_rows_along() -> None:
    directory = FakeDirectory(organisations={DEPARTMENT: "Departement Zorg"}, supervision={DEPARTMENT: {CARE: ("a",)}})
    services, store, _ = make_services(directory=directory)
    ticket = await do_ask_helpdesk(
        services, care("mia", "staff"), email="mia@example.nl", question="Waar vind ik het e-loket?", language=""
    )

    helpdesk = await _reaches(services, store, department("hugo", "helpdesk"), ticket.thread_id, "vind")
    assert helpdesk["open"] and helpdesk["inbox"] and helpdesk["search"] and helpdesk["feed"], helpdesk
    for caller in (department("dirk", "staff"), department("hanna", "case_handler")):
        assert await _reaches(services, store, caller, ticket.thread_id, "vind") == NOWHERE

    # Someone who answered as helpdesk and no longer holds the role: their row no longer counts.
    was_helpdesk = department("pim", "staff", "helpdesk")
    await conversations.do_post_message(services, was_helpdesk, ticket.thread_id, "Onder Berichten", [])
    assert (await _reaches(services, store, was_helpdesk, ticket.thread_id, "berichten"))["list"]
    assert await _reaches(services, store, department("pim", "staff"), ticket.thread_id, "berichten") == NOWHERE


HANDLER_2 = "00000000-0000-4000-8000-0000000000c1"
INBOX_ONLY = "00000000-0000-4000-8000-0000000000c2"
HELPDESK = "00000000-0000-4000-8000-0000000000c3"


async def test_a_case_is_assigned_only_to_a_colleague_who_reaches_its_kind() -> None:
    def colleague(account: str, *roles: str) -> Member:
        return Member(account, f"Collega {account[-2:]}", DEPARTMENT, True, False, frozenset(roles))

    directory = FakeDirectory(
        members={
            HANDLER_2: colleague(HANDLER_2, "case_handler"),
            INBOX_ONLY: colleague(INBOX_ONLY, "staff"),
            HELPDESK: colleague(HELPDESK, "helpdesk"),
        },
        organisations={CARE: "Het Anker", DEPARTMENT: "Departement Zorg"},
    )
    services, _, _ = make_services(directory=directory)
    handler = department("hanna", "case_handler")
    case = await conversations.do_create_thread(
        services,
        handler,
        ThreadKind.ORG_CASE,
        "Jaarverslag",
        "Graag uw jaarverslag",
        "2026-000001",
        start_with=StartWith(organisations=((CARE, "Het Anker"),)),
    )
    thread_id = case.summary.thread.id
    for account in (INBOX_ONLY, HELPDESK):
        with pytest.raises(InvalidArgument) as wrong:
            await secure_mail.do_assign(services, handler, thread_id, account)
        assert wrong.value.fields == {"assignee_account_id": "cannot read this kind of conversation"}
    summary = await secure_mail.do_assign(services, handler, thread_id, HANDLER_2)
    assert summary.thread.assigned_to_account_id == HANDLER_2


def test_every_feed_key_fits_the_feed_table() -> None:
    organisation, account = str(uuid.uuid4()), str(uuid.uuid4())
    principal = Principal(
        account,
        account,
        "s",
        organisation,
        "Departement Zorg",
        frozenset({"staff", "case_handler", "helpdesk"}),
        organisation_kind="government_department",
    )
    keys = reader_keys(principal)
    assert len(keys) == 7, keys  # own, as staff, the inbox; as staff and the inbox for cases and for tickets
    column = orm.activity.c.reader.type
    assert isinstance(column, String) and column.length is not None
    assert max(len(key) for key in keys) <= column.length
