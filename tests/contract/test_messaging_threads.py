"""Messaging's threads over gRPC against the real process: conversations (chat by
invitation, read state, likes, seen by, forwarding, search), the shared secure-mail inbox,
attachments (and their refusals), keyset paging, object-level authorisation, the invitation
consumer's idempotency, sending limits and the activity feed with resume."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, Person, access_token, create_person, refusal
from nats.js import JetStreamContext
from support import StaffMember, count_rows, create_member, create_staff_member, fetch, wait_until

from identity.domain.accounts import Role
from zorgpost.events.v1 import identity_events_pb2
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

MAX_FILE = 100_000
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
STORED = ("threads", "participants", "messages", "attachments", "outbox_events", "activity")
MESSAGING_SETTINGS = {
    "MAX_ATTACHMENT_BYTES": str(MAX_FILE),
    "SECURE_MAILS_PER_RECIPIENT_PER_HOUR": "3",
    "ACTIVITY_POLL_SECONDS": "30",
}

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.services("identity", "messaging", extra_env={"messaging": MESSAGING_SETTINGS}),
]


@pytest.fixture
def rpc(channel: grpc.aio.Channel) -> messaging_pb2_grpc.MessagingServiceStub:
    return messaging_pb2_grpc.MessagingServiceStub(channel)


@dataclass
class Who:
    """An account and its token."""

    account_id: str
    token: str
    organisation_id: str | None = None

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.token)


async def _staff(
    stack: Stack, name: str | None = None, roles: frozenset[Role] = frozenset({Role.STAFF})
) -> tuple[StaffMember, Who]:
    staff = await create_staff_member(stack, organisation_name=name, roles=roles)
    return staff, Who(staff.account_id, await access_token(stack, staff), staff.organisation_id)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff_x(stack: Stack) -> Who:
    return (await _staff(stack, f"Gemeente X {uuid.uuid4().hex[:4]}"))[1]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff_y(stack: Stack) -> Who:
    return (await _staff(stack, f"Gemeente Y {uuid.uuid4().hex[:4]}"))[1]


async def _person(stack: Stack) -> Who:
    person: Person = await create_person(stack)
    return Who(person.account_id, await access_token(stack, person))


async def _chat(rpc: messaging_pb2_grpc.MessagingServiceStub, who: Who, subject: str = "Overleg") -> str:
    view = await rpc.CreateThread(
        messaging_pb2.CreateThreadRequest(kind="chat", subject=subject, body="Hallo"),
        metadata=who.metadata,
        timeout=RPC_TIMEOUT,
    )
    return str(view.summary.id)


async def _accept(
    js: JetStreamContext, thread_id: str, invitee: Who, inviter: Who, *, event_id: str | None = None
) -> str:
    """Publishes identity's fact as identity will: the invitee accepted."""
    event = identity_events_pb2.InvitationAccepted(
        invitation_id=str(uuid.uuid4()),
        thread_id=thread_id,
        account_id=invitee.account_id,
        display_name="Persoon X",
        organisation_id=inviter.organisation_id or "",
        inviter_account_id=inviter.account_id,
    )
    event_id = event_id or str(uuid.uuid4())
    await js.publish("identity.invitation.accepted", event.SerializeToString(), headers={"Nats-Msg-Id": event_id})
    return event_id


async def _joined(rpc: messaging_pb2_grpc.MessagingServiceStub, who: Who, thread_id: str) -> None:
    async def visible() -> bool:
        page = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=who.metadata, timeout=RPC_TIMEOUT)
        return any(item.id == thread_id for item in page.items)

    await wait_until(visible, within=15.0, what="the invitee sees the conversation")


def _post(
    thread_id: str, body: str, files: list[tuple[str, str, bytes]] = ()
) -> Iterator[messaging_pb2.PostMessageChunk]:  # type: ignore[assignment]
    yield messaging_pb2.PostMessageChunk(header=messaging_pb2.PostMessageHeader(thread_id=thread_id, body=body))
    for name, content_type, data in files:
        yield messaging_pb2.PostMessageChunk(file=messaging_pb2.FileStart(file_name=name, content_type=content_type))
        for start in range(0, len(data), 32 * 1024):
            yield messaging_pb2.PostMessageChunk(data=data[start : start + 32 * 1024])


def _blob_files(stack: Stack) -> list[Path]:
    root = stack.config.data_dir / "messaging" / "attachments"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# ----------------------------------------------------------------------------- messenger
async def test_invitation_chat_read_like_seen_forward_and_search(
    rpc: messaging_pb2_grpc.MessagingServiceStub, js: JetStreamContext, stack: Stack, staff_x: Who
) -> None:
    person = await _person(stack)
    thread_id = await _chat(rpc, staff_x, "IT Vlaardingen")
    await _accept(js, thread_id, person, staff_x)
    await _joined(rpc, person, thread_id)

    # The invitee's list: the other party's name, the last message, one unread.
    [item] = [i for i in (await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=person.metadata)).items]
    assert item.other_party_name == "Test Medewerker"
    assert item.last_message.snippet == "Hallo"
    assert item.unread_count == 1

    opened = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=thread_id), metadata=person.metadata)
    assert [m.body for m in opened.messages] == ["Hallo"]
    assert opened.messages[0].sender.display_name == "Test Medewerker"
    hello = opened.messages[0]

    reply = await rpc.PostMessage(_post(thread_id, "Hoi, dank je"), metadata=person.metadata, timeout=RPC_TIMEOUT)
    assert reply.seq == 2

    staff_list = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=staff_x.metadata)
    mine = next(i for i in staff_list.items if i.id == thread_id)
    assert mine.unread_count == 1
    # Once they act, the name identity knows replaces the one in the invitation.
    assert mine.other_party_name == "Test Burger"

    # Like / unlike with a count; liking twice counts once.
    for _ in range(2):
        liked = await rpc.LikeMessage(messaging_pb2.MessageRef(message_id=hello.id), metadata=person.metadata)
    assert (liked.like_count, liked.liked_by_me) == (1, True)
    unliked = await rpc.UnlikeMessage(messaging_pb2.MessageRef(message_id=hello.id), metadata=person.metadata)
    assert (unliked.like_count, unliked.liked_by_me) == (0, False)
    await rpc.LikeMessage(messaging_pb2.MessageRef(message_id=hello.id), metadata=person.metadata)

    # Seen by: the invitee saw the staff member's first message; the reply is unseen until opened.
    seen = await rpc.ListSeenBy(messaging_pb2.MessageRef(message_id=hello.id), metadata=staff_x.metadata)
    assert [r.display_name for r in seen.readers] == ["Test Burger"]
    assert not (await rpc.ListSeenBy(messaging_pb2.MessageRef(message_id=reply.id), metadata=person.metadata)).readers
    staff_view = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=thread_id), metadata=staff_x.metadata)
    assert [(m.like_count, m.seen_by_count) for m in staff_view.messages] == [(1, 1), (0, 1)]
    seen = await rpc.ListSeenBy(messaging_pb2.MessageRef(message_id=reply.id), metadata=person.metadata)
    assert [r.display_name for r in seen.readers] == ["Test Medewerker"]

    # Forward into another conversation the invitee is in; not into one they are not in.
    other = await _chat(rpc, staff_x, "Tweede gesprek")
    await _accept(js, other, person, staff_x)
    await _joined(rpc, person, other)
    forwarded = await rpc.ForwardMessage(
        messaging_pb2.ForwardMessageRequest(message_id=hello.id, to_thread_id=other), metadata=person.metadata
    )
    assert forwarded.thread_id == other
    assert forwarded.body == "Hallo"
    assert forwarded.forwarded_from.sender_name == "Test Medewerker"
    staff_only = await _chat(rpc, staff_x, "Alleen medewerkers")
    failure = await refusal(
        rpc.ForwardMessage(
            messaging_pb2.ForwardMessageRequest(message_id=hello.id, to_thread_id=staff_only),
            metadata=person.metadata,
        )
    )
    assert failure.code == grpc.StatusCode.NOT_FOUND
    assert (
        await fetch(
            stack.database_urls["messaging"], "SELECT 1 FROM messages WHERE thread_id = $1 AND seq > 1", staff_only
        )
        == []
    )

    # Search finds words (and their beginnings) in one's own conversations only.
    found = await rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="dank"), metadata=person.metadata)
    assert [hit.message.id for hit in found.hits] == [reply.id]
    assert found.hits[0].thread_subject == "IT Vlaardingen"
    stranger = await _person(stack)
    assert not (
        await rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="dank"), metadata=stranger.metadata)
    ).hits
    bad = await refusal(
        rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="  ?! "), metadata=person.metadata)
    )
    assert set(bad.fields) == {"query"}


async def test_someone_outside_a_thread_gets_404_on_it_and_its_files(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_x: Who, staff_y: Who
) -> None:
    thread_id = await _chat(rpc, staff_x, "Met bijlage")
    message = await rpc.PostMessage(
        _post(thread_id, "Zie bijlage", [("verslag.pdf", "application/pdf", PDF)]), metadata=staff_x.metadata
    )
    [attachment] = message.attachments
    assert (attachment.content_type, attachment.size, attachment.scan_status) == (
        "application/pdf",
        len(PDF),
        "not_scanned",
    )

    # The participant downloads the very bytes.
    chunks = [
        c
        async for c in rpc.DownloadAttachment(
            messaging_pb2.AttachmentRef(thread_id=thread_id, attachment_id=attachment.id), metadata=staff_x.metadata
        )
    ]
    assert chunks[0].meta.file_name == "verslag.pdf"
    assert b"".join(c.data for c in chunks[1:]) == PDF

    for outsider in (staff_y, await _person(stack)):
        calls = [
            rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=thread_id), metadata=outsider.metadata),
            rpc.ListMessages(messaging_pb2.ListMessagesRequest(thread_id=thread_id), metadata=outsider.metadata),
            rpc.PostMessage(_post(thread_id, "ik ook"), metadata=outsider.metadata),
            rpc.LikeMessage(messaging_pb2.MessageRef(message_id=message.id), metadata=outsider.metadata),
            rpc.ListSeenBy(messaging_pb2.MessageRef(message_id=message.id), metadata=outsider.metadata),
            rpc.MarkRead(messaging_pb2.MarkReadRequest(thread_id=thread_id), metadata=outsider.metadata),
        ]
        for call in calls:
            assert (await refusal(call)).code == grpc.StatusCode.NOT_FOUND
        download = rpc.DownloadAttachment(
            messaging_pb2.AttachmentRef(thread_id=thread_id, attachment_id=attachment.id), metadata=outsider.metadata
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in download:
                pass
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


# ----------------------------------------------------------------------------- attachments
@pytest.mark.parametrize(
    ("files", "body", "code", "reason", "field"),
    [
        (
            [("groot.pdf", "application/pdf", PDF + b"0" * MAX_FILE)],
            "x",
            grpc.StatusCode.INVALID_ARGUMENT,
            "attachment_too_large",
            "files[0]",
        ),
        (
            [("foto.png", "application/pdf", PNG)],
            "x",
            grpc.StatusCode.INVALID_ARGUMENT,
            "unsupported_attachment_type",
            "files[0]",
        ),
        (
            [("run.pdf", "application/pdf", b"MZ\x90\x00" + b"\x00" * 100)],
            "x",
            grpc.StatusCode.INVALID_ARGUMENT,
            "unsupported_attachment_type",
            "files[0]",
        ),
        (
            [("ok.pdf", "application/pdf", PDF), ("../../etc/passwd.pdf", "application/pdf", PDF)],
            "x",
            grpc.StatusCode.INVALID_ARGUMENT,
            "invalid_argument",
            "files[1]",
        ),
        (
            [("..\\boot.ini.txt", "text/plain", b"hallo")],
            "x",
            grpc.StatusCode.INVALID_ARGUMENT,
            "invalid_argument",
            "files[0]",
        ),
        ([("leeg.pdf", "application/pdf", b"")], "x", grpc.StatusCode.INVALID_ARGUMENT, "invalid_argument", "files[0]"),
        ([], "   ", grpc.StatusCode.INVALID_ARGUMENT, "invalid_argument", "body"),
    ],
    ids=["oversize", "claims-pdf-is-png", "executable", "path-in-name", "backslash-path", "empty-file", "empty-body"],
)
async def test_bad_files_and_empty_messages_are_refused_naming_the_problem_and_nothing_is_stored(
    rpc: messaging_pb2_grpc.MessagingServiceStub,
    stack: Stack,
    staff_x: Who,
    files: list[tuple[str, str, bytes]],
    body: str,
    code: grpc.StatusCode,
    reason: str,
    field: str,
) -> None:
    thread_id = await _chat(rpc, staff_x, "Bijlagen")
    before = await count_rows(stack.database_urls["messaging"], STORED)
    blobs = len(_blob_files(stack))
    failure = await refusal(rpc.PostMessage(_post(thread_id, body, files), metadata=staff_x.metadata))
    assert (failure.code, failure.reason) == (code, reason)
    assert failure.fields.get(field)
    assert await count_rows(stack.database_urls["messaging"], STORED) == before
    assert len(_blob_files(stack)) == blobs


async def test_an_unknown_thread_is_404_before_any_file_is_taken(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_x: Who
) -> None:
    blobs = len(_blob_files(stack))
    for thread_id in (str(uuid.uuid4()), "not-an-id", "x\x00y"):
        failure = await refusal(
            rpc.PostMessage(_post(thread_id, "hallo", [("a.pdf", "application/pdf", PDF)]), metadata=staff_x.metadata)
        )
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "thread_not_found")
    assert len(_blob_files(stack)) == blobs


# ----------------------------------------------------------------------------- paging
async def test_conversations_page_by_keyset_newest_activity_first(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack
) -> None:
    _, owner = await _staff(stack)
    made = [await _chat(rpc, owner, f"Gesprek {i}") for i in range(23)]
    # Activity in the oldest one moves it to the top.
    await rpc.PostMessage(_post(made[0], "weer actief"), metadata=owner.metadata)
    expected = [made[0], *reversed(made[1:])]
    seen: list[str] = []
    cursor = ""
    while True:
        page = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(cursor=cursor, limit=10), metadata=owner.metadata)
        seen.extend(item.id for item in page.items)
        assert len(page.items) <= 10
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
    failure = await refusal(rpc.ListThreads(messaging_pb2.ListThreadsRequest(cursor="rommel"), metadata=owner.metadata))
    assert set(failure.fields) == {"cursor"}

    # Older messages of one thread, newest first, by sequence number.
    for i in range(12):
        await rpc.PostMessage(_post(made[1], f"bericht {i}"), metadata=owner.metadata)
    view = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=made[1], limit=5), metadata=owner.metadata)
    assert [m.body for m in view.messages] == [f"bericht {i}" for i in range(7, 12)]
    older = await rpc.ListMessages(
        messaging_pb2.ListMessagesRequest(thread_id=made[1], cursor=view.older_cursor, limit=5), metadata=owner.metadata
    )
    assert [m.body for m in older.messages] == [f"bericht {i}" for i in range(6, 1, -1)]


# ----------------------------------------------------------------------------- secure mail
async def test_shared_inbox_received_sent_unread_assign_and_withdraw(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_x: Who, staff_y: Who
) -> None:
    staff, first = await _staff(stack)
    member = await create_member(stack, staff.organisation_id, role=Role.STAFF)
    colleague = Who(member.account_id, await access_token(stack, member), staff.organisation_id)  # type: ignore[arg-type]
    writer = await create_member(stack, staff.organisation_id)
    person = Who(writer.account_id, await access_token(stack, writer), staff.organisation_id)  # type: ignore[arg-type]

    # A person writes to their organisation: it lands in its inbox, unread.
    written = await rpc.WriteToOrganisation(
        messaging_pb2.WriteToOrganisationRequest(subject="Kopie paspoort", body="Zie hierbij"), metadata=person.metadata
    )
    inbox = await rpc.ListInbox(messaging_pb2.ListInboxRequest(folder="received"), metadata=colleague.metadata)
    assert [(i.id, i.unread_count) for i in inbox.items] == [(written.summary.id, 1)]
    assert inbox.unread_threads == 1
    assert inbox.items[0].other_party_name == "Test Persoon"

    # Staff of another organisation never see it.
    other = await rpc.ListInbox(messaging_pb2.ListInboxRequest(), metadata=staff_y.metadata)
    assert written.summary.id not in [i.id for i in other.items]
    assert (
        await refusal(
            rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=written.summary.id), metadata=staff_y.metadata)
        )
    ).code == grpc.StatusCode.NOT_FOUND

    # A colleague reads and answers: read for the organisation, and it is in "sent" too.
    await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=written.summary.id), metadata=colleague.metadata)
    await rpc.PostMessage(_post(written.summary.id, "Ontvangen, dank u"), metadata=colleague.metadata)
    inbox = await rpc.ListInbox(messaging_pb2.ListInboxRequest(), metadata=first.metadata)
    assert inbox.unread_threads == 0
    sent = await rpc.ListInbox(messaging_pb2.ListInboxRequest(folder="sent"), metadata=first.metadata)
    assert written.summary.id in [i.id for i in sent.items]

    assigned = await rpc.AssignThread(
        messaging_pb2.AssignThreadRequest(thread_id=written.summary.id, assignee_account_id=colleague.account_id),
        metadata=first.metadata,
    )
    assert assigned.assigned_to_account_id == colleague.account_id
    mine = await rpc.ListInbox(messaging_pb2.ListInboxRequest(assigned_to_me=True), metadata=colleague.metadata)
    assert [i.id for i in mine.items] == [written.summary.id]
    failure = await refusal(
        rpc.AssignThread(
            messaging_pb2.AssignThreadRequest(thread_id=written.summary.id, assignee_account_id=staff_y.account_id),
            metadata=staff_y.metadata,
        )
    )
    assert failure.code == grpc.StatusCode.NOT_FOUND

    # Withdraw: by its sender, only while the outside recipient has not opened it.
    mail = await rpc.SendSecureMail(
        messaging_pb2.SendSecureMailRequest(
            recipient_email=f"b-{uuid.uuid4().hex[:6]}@example.org", subject="s", body="b"
        ),
        metadata=colleague.metadata,
    )
    by_other = await refusal(
        rpc.WithdrawSecureMail(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=first.metadata)
    )
    assert (by_other.code, by_other.reason) == (grpc.StatusCode.PERMISSION_DENIED, "only_sender_may_withdraw")
    withdrawn = await rpc.WithdrawSecureMail(
        messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=colleague.metadata
    )
    assert withdrawn.state == "withdrawn"
    again = await refusal(
        rpc.WithdrawSecureMail(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=colleague.metadata)
    )
    assert again.code == grpc.StatusCode.FAILED_PRECONDITION
    not_mine = await refusal(
        rpc.WithdrawSecureMail(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=staff_y.metadata)
    )
    assert not_mine.code == grpc.StatusCode.NOT_FOUND


async def test_sending_limit_per_recipient_answers_retry_after(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, staff_x: Who
) -> None:
    address = f"veel-{uuid.uuid4().hex[:6]}@example.org"
    for _ in range(3):
        await rpc.SendSecureMail(
            messaging_pb2.SendSecureMailRequest(recipient_email=address, subject="s", body="b"),
            metadata=staff_x.metadata,
        )
    before = await count_rows(stack.database_urls["messaging"], ("threads",))
    failure = await refusal(
        rpc.SendSecureMail(
            messaging_pb2.SendSecureMailRequest(recipient_email=address.upper(), subject="s", body="b"),
            metadata=staff_x.metadata,
        )
    )
    assert (failure.code, failure.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "sending_limit_reached")
    assert failure.retry_after_seconds is not None and 0 < failure.retry_after_seconds <= 3601
    assert await count_rows(stack.database_urls["messaging"], ("threads",)) == before


async def test_read_links_resolve_expire_with_the_setting_and_stop_when_withdrawn(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, js: JetStreamContext
) -> None:
    # The read-link lifetime is an organisation setting: its administrators change it.
    _, staff = await _staff(stack, roles=frozenset({Role.ADMIN, Role.STAFF}))
    settings = await rpc.UpdateSecureMailSettings(
        messaging_pb2.SecureMailSettings(read_link_days=7), metadata=staff.metadata
    )
    assert settings.read_link_days == 7
    bad = await refusal(
        rpc.UpdateSecureMailSettings(messaging_pb2.SecureMailSettings(read_link_days=0), metadata=staff.metadata)
    )
    assert set(bad.fields) == {"read_link_days"}
    mail = await rpc.SendSecureMail(
        messaging_pb2.SendSecureMailRequest(
            recipient_email="lezer@example.org", recipient_mobile="0612345678", subject="s", body="b"
        ),
        metadata=staff.metadata,
    )
    from contract_helpers import stream_messages

    from zorgpost.events.v1 import messaging_events_pb2

    [raw] = await stream_messages(
        js,
        "MESSAGING",
        "messaging.secure_mail.sent",
        lambda m: messaging_events_pb2.SecureMailSent.FromString(m.data).thread_id == mail.thread_id,
    )
    event = messaging_events_pb2.SecureMailSent.FromString(raw.data)
    link = await rpc.ResolveReadLink(messaging_pb2.ResolveReadLinkRequest(token=event.read_token))
    assert (link.thread_id, link.email, link.mobile, link.participant_id) == (
        mail.thread_id,
        "lezer@example.org",
        "+31612345678",
        event.recipient_participant_id,
    )
    days = (link.expires_at.ToDatetime() - mail.sent_at.ToDatetime()).days
    assert days == 7
    rows = await fetch(
        stack.database_urls["messaging"], "SELECT token_hash FROM read_links WHERE thread_id = $1", mail.thread_id
    )
    assert all(event.read_token not in row["token_hash"] for row in rows)

    resent = await rpc.ResendReadLink(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=staff.metadata)
    assert resent.expires_at.seconds > link.expires_at.seconds - 5
    await rpc.WithdrawSecureMail(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=staff.metadata)
    gone = await refusal(rpc.ResolveReadLink(messaging_pb2.ResolveReadLinkRequest(token=event.read_token)))
    assert (gone.code, gone.reason) == (grpc.StatusCode.NOT_FOUND, "read_link_not_found")


# ----------------------------------------------------------------------------- the consumer
async def test_the_invitation_consumer_adds_once_and_refuses_foreign_threads(
    rpc: messaging_pb2_grpc.MessagingServiceStub, js: JetStreamContext, stack: Stack, staff_x: Who, staff_y: Who
) -> None:
    person = await _person(stack)
    thread_id = await _chat(rpc, staff_x, "Eén keer")
    event_id = await _accept(js, thread_id, person, staff_x)
    await _accept(js, thread_id, person, staff_x, event_id=event_id)  # redelivery
    await _accept(js, thread_id, person, staff_x)  # a second invitation for the same person
    await _joined(rpc, person, thread_id)

    async def consumed() -> bool:
        rows = await fetch(
            stack.database_urls["messaging"],
            "SELECT count(*) AS n FROM inbox_events WHERE consumer = 'messaging-invitation-accepted'",
        )
        return int(rows[0]["n"]) >= 1

    await wait_until(consumed, what="the events were consumed")
    rows = await fetch(
        stack.database_urls["messaging"],
        "SELECT count(*) AS n FROM participants WHERE thread_id = $1 AND account_id = $2",
        thread_id,
        person.account_id,
    )
    assert rows[0]["n"] == 1

    # Staff of Y cannot pull someone into X's conversation with an invitation of theirs.
    intruder = await _person(stack)
    await _accept(js, thread_id, intruder, staff_y)
    await asyncio.sleep(0)
    await wait_until(lambda: _dead_lettered(stack), within=15.0, what="the foreign invitation was dead-lettered")
    page = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=intruder.metadata)
    assert thread_id not in [item.id for item in page.items]


async def _dead_lettered(stack: Stack) -> bool:
    log = (stack.log_dir / "messaging.log").read_text()
    return "event_dead_lettered" in log and "thread_not_found" in log


# ----------------------------------------------------------------------------- live activity
async def test_activity_feed_replays_then_follows_and_resumes_without_loss(
    rpc: messaging_pb2_grpc.MessagingServiceStub, js: JetStreamContext, stack: Stack, staff_x: Who
) -> None:
    person = await _person(stack)
    thread_id = await _chat(rpc, staff_x, "Live")
    await _accept(js, thread_id, person, staff_x)
    await _joined(rpc, person, thread_id)

    received: list[messaging_pb2.Activity] = []
    first = await rpc.PostMessage(_post(thread_id, "een"), metadata=staff_x.metadata)

    async def follow(after: int, until: int) -> None:
        call = rpc.WatchActivity(messaging_pb2.WatchActivityRequest(after_position=after), metadata=person.metadata)
        try:
            async for activity in call:
                received.append(activity)
                if sum(1 for a in received if a.kind == "message.sent") >= until:
                    break
        finally:
            call.cancel()

    await asyncio.wait_for(follow(0, 1), timeout=20)  # joined, then "een": the backlog
    assert received[0].kind == "participant.joined"
    sent = [a for a in received if a.kind == "message.sent"]
    assert [a.message.body for a in sent] == ["een"]
    assert sent[-1].message_id == first.id
    resume_at = received[-1].position

    # Live: a message sent while watching arrives without polling the thread.
    watcher = asyncio.create_task(follow(resume_at, 2))
    await asyncio.sleep(0.5)
    await rpc.PostMessage(_post(thread_id, "twee"), metadata=staff_x.metadata)
    await asyncio.wait_for(watcher, timeout=20)
    resume_at = received[-1].position

    # Disconnected: what happens meanwhile comes on resume, nothing twice, nothing lost.
    await rpc.PostMessage(_post(thread_id, "drie"), metadata=staff_x.metadata)
    await rpc.LikeMessage(messaging_pb2.MessageRef(message_id=first.id), metadata=staff_x.metadata)
    await asyncio.wait_for(follow(resume_at, 3), timeout=20)
    bodies = [a.message.body for a in received if a.kind == "message.sent"]
    assert bodies == ["een", "twee", "drie"]
    positions = [a.position for a in received]
    assert positions == sorted(set(positions))
