"""Messaging's use cases after the security review, on the shared fakes: the virus scan
goes on past a file the scanner fails on, threads go only to colleagues (names from
identity), sending limits count a mailbox once and hold back notices to guests, nothing is
written under a stand-in name, staff start threads with whom they are for, cursors that no
list gave are field errors, and the live feed is read once for every stream."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import AsyncGenerator, Callable
from datetime import timedelta

import pytest
from messaging_fakes import Clock, FakeDirectory, FakeScanner, FakeUnitOfWork, make_services
from test_messaging_use_cases import guest, person, send_mail, staff

from messaging.domain.activity import reader_keys
from messaging.domain.errors import (
    AttachmentQuarantined,
    NotAllowedForKind,
    PersonsOnly,
    SendingLimitReached,
    ThreadNotFound,
    TooManyStreams,
)
from messaging.domain.events import MessageSent
from messaging.domain.secure_mail import counted_address
from messaging.domain.threads import ParticipantKind, ThreadKind
from messaging.service import activity, attachments, conversations, secure_mail
from messaging.service.common import Caller, Services, decode_cursor, decode_seq_cursor
from messaging.service.ports import Member
from zorgpost_kit.auth import NotPermitted, Principal, TokenRevoked
from zorgpost_kit.errors import InvalidArgument, Unauthenticated
from zorgpost_kit.revocation import Revocation, RevocationList

PDF = b"%PDF-1.7\n%%EOF\n"
COLLEAGUE = "00000000-0000-4000-8000-000000000001"
CLIENT = "00000000-0000-4000-8000-000000000002"
OTHER_ORG = "00000000-0000-4000-8000-0000000000aa"


def directory() -> FakeDirectory:
    return FakeDirectory(
        members={
            COLLEAGUE: Member(COLLEAGUE, "Piet Collega", "org-x", is_staff=True, is_person=False),
            CLIENT: Member(CLIENT, "Anna Cliënt", "org-x", is_staff=False, is_person=True),
        },
        organisations={OTHER_ORG: "Zorggroep Y", "org-x": "Gemeente org-x"},
    )


async def _attach(services: Services, thread_id: str, name: str, data: bytes) -> str:
    receiver = attachments.FileReceiver(services)
    receiver.start(name, "application/pdf")
    receiver.write(data)
    stored = await attachments.store_files(services, receiver.finish())
    message = await conversations.do_post_message(services, staff(), thread_id, "", stored)
    return message.attachments[0].id


# ----------------------------------------------------------------------------- virus scan
async def test_a_file_the_scanner_fails_on_waits_its_back_off_and_the_others_are_scanned() -> None:
    services, store, _blobs = make_services(scanning=True)
    clock = services.clock
    assert isinstance(clock, Clock)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Bijlagen", "", None)
    thread_id = chat.summary.thread.id
    bad = await _attach(services, thread_id, "eerst.pdf", PDF + b"choke")
    good = await _attach(services, thread_id, "daarna.pdf", PDF + b"fine")
    scanner = FakeScanner(failing={PDF + b"choke"})

    await attachments.scan_pending(services, scanner)
    found, _ = await attachments.open_download(services, staff(), thread_id, good)
    assert found.scan_status == "clean"
    with pytest.raises(AttachmentQuarantined):
        await attachments.open_download(services, staff(), thread_id, bad)
    [postponed] = store.scan_retry_at.values()

    # Not tried again before its back-off, then tried again (and found clean once clamd copes).
    async with FakeUnitOfWork(store) as uow:
        assert await uow.attachments.claim_pending(10, postponed - timedelta(seconds=1)) == []
    clock.now = postponed
    await attachments.scan_pending(services, FakeScanner())
    assert (await attachments.open_download(services, staff(), thread_id, bad))[0].scan_status == "clean"


async def test_back_off_grows_per_failure() -> None:
    from messaging.domain.attachments import MAX_SCAN_RETRY, scan_retry_delay

    assert [scan_retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert scan_retry_delay(50) == MAX_SCAN_RETRY


# ----------------------------------------------------------------------------- assigning
async def test_a_thread_is_assigned_only_to_a_staff_member_of_the_organisation_by_identitys_name() -> None:
    services, _, _ = make_services(directory=directory())
    sent = await send_mail(services)
    for outsider in (CLIENT, "00000000-0000-4000-8000-0000000000ff", "geen-id"):
        with pytest.raises(InvalidArgument) as refused:
            await secure_mail.do_assign(services, staff(), sent.thread.id, outsider)
        assert set(refused.value.fields) == {"assignee_account_id"}
    summary = await secure_mail.do_assign(services, staff(), sent.thread.id, COLLEAGUE)
    assert (summary.thread.assigned_to_account_id, summary.thread.assigned_to_name) == (COLLEAGUE, "Piet Collega")
    summary = await secure_mail.do_assign(services, staff(), sent.thread.id, "")
    assert summary.thread.assigned_to_account_id is None and summary.thread.assigned_to_name is None
    with pytest.raises(NotPermitted):
        await secure_mail.do_assign(services, person(), sent.thread.id, COLLEAGUE)


# ----------------------------------------------------------------------------- sending limits
def test_a_plus_address_is_counted_as_its_mailbox() -> None:
    assert counted_address(" Anna+Uitslag@Example.NL ") == "anna@example.nl"
    assert counted_address("anna@example.nl") == "anna@example.nl"
    assert counted_address("+x@example.nl") == "+x@example.nl"


async def test_plus_addresses_share_the_limit_of_their_mailbox() -> None:
    services, store, _ = make_services(per_recipient=2)
    await send_mail(services, "anna+1@example.nl")
    await send_mail(services, "Anna+2@example.nl")
    with pytest.raises(SendingLimitReached):
        await send_mail(services, "anna@example.nl")
    assert len(store.threads) == 2


async def test_replies_to_a_guest_count_against_the_limits_and_past_them_mint_no_more_links() -> None:
    services, store, _ = make_services(per_recipient=2)
    sent = await send_mail(services)
    links = len(store.read_links)
    first = await conversations.do_post_message(services, staff(), sent.thread.id, "Aanvulling", [])
    second = await conversations.do_post_message(services, staff(), sent.thread.id, "Nog een", [])

    def guest_notices(message_id: str) -> int:
        [event] = [e for e in store.events if isinstance(e, MessageSent) and e.message_id == message_id]
        return sum(1 for r in event.recipients if r.kind == "guest")

    assert guest_notices(first.id) == 1
    assert guest_notices(second.id) == 0  # stored, but no third mail this hour
    assert len(store.read_links) == links + 1
    view = await conversations.do_open_thread(services, guest(sent.guest.id, sent.thread.id), sent.thread.id, 50)
    assert [m.body for m in view.messages][-1] == "Nog een"


# ----------------------------------------------------------------------------- names
async def test_nothing_is_written_when_identity_refuses_the_caller() -> None:
    directory = FakeDirectory()
    services, store, _ = make_services(directory=directory)
    chat = await conversations.do_create_thread(services, person("anna"), ThreadKind.CHAT, "Vraag", "", None)
    directory.refused.add("anna")
    with pytest.raises(Unauthenticated):
        await conversations.do_post_message(services, person("anna"), chat.summary.thread.id, "Hallo", [])
    assert not store.messages


# ----------------------------------------------------------------------------- starting with participants
async def test_staff_start_a_care_conversation_with_a_client_of_their_organisation() -> None:
    services, store, _ = make_services(directory=directory())
    refs = [conversations.ParticipantRef(account_id=CLIENT)]
    checked = conversations.check_start_thread(staff(), "care", "Uw uitslag", "Zie bericht", "", refs)
    start_with = await conversations.resolve_start_with(services, staff(), refs)
    view = await conversations.do_create_thread(services, staff(), *checked, start_with=start_with)
    client = next(p for p in view.participants if p.account_id == CLIENT)
    assert client.display_name == "Anna Cliënt" and client.organisation_id is None
    [event] = [e for e in store.events if isinstance(e, MessageSent)]
    assert ("account", CLIENT) in {(r.kind, r.account_id) for r in event.recipients}
    threads, _ = await conversations.list_threads(services, person(CLIENT), "", 20)
    assert [t.thread.id for t in threads] == [view.summary.thread.id]


async def test_an_org_case_starts_with_another_organisations_shared_inbox() -> None:
    services, _, _ = make_services(directory=directory())
    refs = [conversations.ParticipantRef(organisation_id=OTHER_ORG)]
    checked = conversations.check_start_thread(staff(), "org_case", "Doorverwijzing", "Graag", "", refs)
    view = await conversations.do_create_thread(
        services, staff(), *checked, start_with=await conversations.resolve_start_with(services, staff(), refs)
    )
    assert {(p.kind, p.organisation_id) for p in view.participants if p.kind is ParticipantKind.ORGANISATION} == {
        (ParticipantKind.ORGANISATION, "org-x"),
        (ParticipantKind.ORGANISATION, OTHER_ORG),
    }
    inbox, _, unread = await secure_mail.list_inbox(
        services, staff("ylse", OTHER_ORG), "received", "", 20, assigned_to_me=False
    )
    assert [t.thread.id for t in inbox] == [view.summary.thread.id] and unread == 1


@pytest.mark.parametrize(
    ("kind", "refs", "field"),
    [
        ("care", [CLIENT, CLIENT], "participants[1]"),
        ("care", [f"00000000-0000-4000-8000-00000000000{n}" for n in range(6)], "participants"),
        ("care", ["org:" + OTHER_ORG], "participants"),
        ("org_case", [CLIENT], "participants"),
        ("care", ["geen-id"], "participants[0]"),
    ],
)
def test_start_thread_checks_the_kinds_rules_per_participant(kind: str, refs: list[str], field: str) -> None:
    parsed = [
        conversations.ParticipantRef(organisation_id=r[4:]) if r.startswith("org:") else conversations.ParticipantRef(r)
        for r in refs
    ]
    with pytest.raises(InvalidArgument) as refused:
        conversations.check_start_thread(staff(), kind, "Onderwerp", "", "", parsed)
    assert field in refused.value.fields


async def test_start_thread_refuses_people_and_organisations_the_caller_may_not_add() -> None:
    services, _, _ = make_services(directory=directory())
    with pytest.raises(NotAllowedForKind):
        conversations.check_start_thread(staff(), "chat", "x", "", "", [conversations.ParticipantRef(CLIENT)])
    with pytest.raises(PersonsOnly):  # naming nobody is a person writing to their practice
        conversations.check_start_thread(staff(), "care", "x", "", "", [])
    with pytest.raises(NotAllowedForKind):  # an e-consult only the patient asks
        conversations.check_start_thread(staff(), "econsult", "x", "", "", [conversations.ParticipantRef(CLIENT)])
    with pytest.raises(NotPermitted):
        conversations.check_start_thread(person(), "care", "x", "", "", [conversations.ParticipantRef(CLIENT)])
    refs = [
        conversations.ParticipantRef(COLLEAGUE),  # staff, not a client
        conversations.ParticipantRef("00000000-0000-4000-8000-0000000000ff"),  # unknown to identity
    ]
    with pytest.raises(InvalidArgument) as refused:
        await conversations.resolve_start_with(services, staff(), refs)
    assert set(refused.value.fields) == {"participants[0]", "participants[1]"}
    with pytest.raises(InvalidArgument) as own:
        await conversations.resolve_start_with(
            services, staff(), [conversations.ParticipantRef(organisation_id="org-x")]
        )
    assert set(own.value.fields) == {"participants[0]"}


# ----------------------------------------------------------------------------- membership
async def test_a_staff_members_rows_end_with_their_membership() -> None:
    services, _, _ = make_services()
    sent = await send_mail(services)
    await conversations.do_open_thread(services, staff("piet"), sent.thread.id, 50)
    moved_on = Caller(Principal("piet", "piet", "s", "org-y", "Gemeente org-y", frozenset({"staff"})))
    as_person = Caller(Principal("piet", "piet", "s", None, None, frozenset({"person"})))
    for caller in (moved_on, as_person):
        with pytest.raises(ThreadNotFound):
            await conversations.do_open_thread(services, caller, sent.thread.id, 50)


async def test_rows_acquired_via_an_organisation_leave_the_list_search_and_feed_with_the_membership() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)
    await conversations.do_open_thread(services, staff("piet"), sent.thread.id, 50)
    await conversations.do_post_message(services, staff("jan"), sent.thread.id, "Aanvulling op de aanvraag", [])
    # A chat of piet's own (no organisation behind the row) stays his wherever he works.
    chat = await conversations.do_create_thread(services, person("piet", None), ThreadKind.CHAT, "Eigen", "", None)
    moved_on = Caller(Principal("piet", "piet", "s", "org-y", "Gemeente org-y", frozenset({"staff"})))

    own_chat = chat.summary.thread.id
    for caller, expected in ((staff("piet"), {sent.thread.id, own_chat}), (moved_on, {own_chat})):
        listed, _ = await conversations.list_threads(services, caller, "", 50)
        assert {s.thread.id for s in listed} == expected
    assert [r.thread.id for r in (await conversations.search(services, staff("piet"), "aanvulling", "", 50))[0]] == [
        sent.thread.id
    ]
    assert (await conversations.search(services, moved_on, "aanvulling", "", 50))[0] == []

    written = {key for _, key, change in store.activity if change.thread_id == sent.thread.id}
    assert set(reader_keys(staff("piet").principal)) & written
    assert not set(reader_keys(moved_on.principal)) & written


# ----------------------------------------------------------------------------- cursors
@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+14:00|00000000-0000-4000-8000-000000000001",
        "9999-12-31T23:59:59-14:00|00000000-0000-4000-8000-000000000001",
        "1900-01-01T00:00:00+00:00|00000000-0000-4000-8000-000000000001",
        "2026-01-01T00:00:00|00000000-0000-4000-8000-000000000001",
        "2026-01-01T00:00:00+00:00|kapot",
    ],
)
def test_a_cursor_no_list_gave_is_a_field_error(raw: str) -> None:
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    with pytest.raises(InvalidArgument) as refused:
        decode_cursor(cursor)
    assert set(refused.value.fields) == {"cursor"}


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "1" * 19, "1.5"])
def test_a_message_cursor_is_ascii_digits(value: str) -> None:
    with pytest.raises(InvalidArgument):
        decode_seq_cursor(value)


def test_cursors_a_list_gave_still_work() -> None:
    assert decode_seq_cursor("42") == 42
    raw = "2026-03-02T09:00:00+01:00|00000000-0000-4000-8000-000000000001"
    cursor = decode_cursor(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))
    assert cursor is not None and cursor.at.utcoffset() == timedelta(0)


# ----------------------------------------------------------------------------- live feed
async def _next(stream: AsyncGenerator[activity.ActivityItem, None]) -> activity.ActivityItem:
    return await asyncio.wait_for(anext(stream), timeout=5)


async def test_the_hub_reads_the_feed_once_per_commit_for_every_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    services, _store, _ = make_services()
    hub = activity.ActivityHub(services, max_per_account=10, max_per_session=10)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Overleg", "", None)
    streams = []
    for _ in range(3):
        subscription = await hub.subscribe(staff(), 0)
        stream = activity.watch_activity(services, subscription, staff())
        assert (await _next(stream)).entry.kind == "thread.created"  # the backlog, from the database
        streams.append(stream)

    queries = _count_feed_queries(monkeypatch)
    await conversations.do_post_message(services, staff(), chat.summary.thread.id, "Hallo", [])
    assert await hub.fetch() is False
    for stream in streams:
        item = await _next(stream)
        assert item.entry.kind == "message.sent" and item.message is not None and item.message.body == "Hallo"
    assert queries == {"activity_since": 1, "activity_after": 0}
    for stream in streams:
        await stream.aclose()


def _count_feed_queries(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the feed queries every fake unit of work makes from now on (this test only)."""
    from messaging_fakes import FakeQueries

    counts = {"activity_since": 0, "activity_after": 0}
    for name in counts:
        original = getattr(FakeQueries, name)

        def counted(
            self: FakeQueries, *args: object, _name: str = name, _original: Callable[..., object] = original
        ) -> object:
            counts[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(FakeQueries, name, counted)
    return counts


async def test_streams_are_capped_per_session_and_account() -> None:
    services, _, _ = make_services()
    hub = activity.ActivityHub(services, max_per_account=3, max_per_session=2)
    first = await hub.subscribe(staff(), 0)
    await hub.subscribe(staff(), 0)
    with pytest.raises(TooManyStreams):
        await hub.subscribe(staff(), 0)  # the same session
    other_session = Caller(Principal("jan", "jan", "s2", "org-x", "Gemeente org-x", frozenset({"staff"})))
    await hub.subscribe(other_session, 0)
    with pytest.raises(TooManyStreams):
        await hub.subscribe(other_session, 0)  # the account's third
    hub.unsubscribe(first)
    await hub.subscribe(other_session, 0)


async def test_a_stream_ends_when_the_token_expires() -> None:
    services, _, _ = make_services()
    hub = activity.ActivityHub(services, max_per_account=3, max_per_session=3)
    expiring = Caller(
        Principal(
            "jan", "jan", "s", "org-x", "x", frozenset({"staff"}), expires_at=services.clock() + timedelta(seconds=3)
        )
    )
    stream = activity.watch_activity(services, await hub.subscribe(expiring, 0), expiring)
    with pytest.raises(StopAsyncIteration):
        await _next(stream)


def _with_revocations(services: Services) -> tuple[Services, RevocationList]:
    revocations = RevocationList(clock=services.clock)
    return dataclasses.replace(services, revocations=revocations), revocations


async def test_a_stream_ends_as_soon_as_its_callers_access_is_revoked() -> None:
    services, revocations = _with_revocations(make_services()[0])
    hub = activity.ActivityHub(services, max_per_account=3, max_per_session=3)
    revocations.add_listener(hub.wake_all)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Overleg", "", None)
    other_session = Caller(Principal("jan", "jan", "s2", "org-x", "Gemeente org-x", frozenset({"staff"})))
    mine = activity.watch_activity(services, await hub.subscribe(staff(), 0), staff())
    theirs = activity.watch_activity(services, await hub.subscribe(other_session, 0), other_session)
    assert (await _next(mine)).entry.kind == "thread.created"

    # Quiet, waiting for what comes next (the idle wake-up is far beyond _next's 5 s): the
    # revocation itself wakes it.
    waiting = asyncio.ensure_future(_next(mine))
    await asyncio.sleep(0)
    revocations.add(Revocation("", "s", services.clock()))  # this session logged out
    with pytest.raises(TokenRevoked):
        await waiting

    # What is posted afterwards reaches the other session only; the revoked stream is over.
    await conversations.do_post_message(services, staff(), chat.summary.thread.id, "Na het intrekken", [])
    await hub.fetch()
    while (item := await _next(theirs)).entry.kind != "message.sent":
        pass
    assert item.message is not None and item.message.body == "Na het intrekken"
    with pytest.raises(StopAsyncIteration):
        await _next(mine)
    await theirs.aclose()


async def test_a_revoked_stream_hands_out_nothing_it_already_had_waiting() -> None:
    services, revocations = _with_revocations(make_services()[0])
    hub = activity.ActivityHub(services, max_per_account=3, max_per_session=3)
    chat = await conversations.do_create_thread(services, staff(), ThreadKind.CHAT, "Overleg", "", None)
    stream = activity.watch_activity(services, await hub.subscribe(staff(), 0), staff())
    assert (await _next(stream)).entry.kind == "thread.created"
    await conversations.do_post_message(services, staff(), chat.summary.thread.id, "Al onderweg", [])
    await hub.fetch()  # the message waits in the stream's queue
    revocations.add(Revocation("jan", "", services.clock()))  # the account deactivated
    with pytest.raises(TokenRevoked):
        await _next(stream)


async def test_the_thread_says_only_to_its_sender_that_it_can_be_withdrawn_until_opened() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)  # sent by jan
    assert (await conversations.do_open_thread(services, staff("jan"), sent.thread.id, 50)).withdrawable_by_me
    assert not (await conversations.do_open_thread(services, staff("piet"), sent.thread.id, 50)).withdrawable_by_me

    [guest_row] = [p for p in store.participants.values() if p.thread_id == sent.thread.id and p.is_guest]
    await conversations.do_open_thread(services, guest(guest_row.id, sent.thread.id), sent.thread.id, 50)
    assert not (await conversations.do_open_thread(services, staff("jan"), sent.thread.id, 50)).withdrawable_by_me


async def test_a_thread_summary_writes_nothing_and_tells_nobody() -> None:
    services, store, _ = make_services()
    sent = await send_mail(services)
    rows, feed = len(store.participants), len(store.activity)

    summary = await conversations.thread_summary(services, staff("piet"), sent.thread.id)

    assert summary.thread.kind is ThreadKind.SECURE_MAIL
    assert (len(store.participants), len(store.activity)) == (rows, feed), "no row, no read receipt"
    with pytest.raises(ThreadNotFound):
        await conversations.thread_summary(services, staff("piet", "org-y"), sent.thread.id)
