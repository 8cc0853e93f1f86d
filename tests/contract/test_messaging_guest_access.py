"""A guest token reaches one thread and nothing else. Identity will mint these tokens after
the access code; until it does, this test signs one with identity's own signing key (read
from the stack's identity database, as identity itself loads it), with the claims the
contract fixes: ``sub`` = messaging's guest participant id, ``roles: ["guest"]``,
``thread`` = the thread, a short expiry."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import grpc
import pytest
from contract_helpers import RPC_TIMEOUT, access_token, refusal, signed_by_identity, stream_messages
from nats.js import JetStreamContext
from support import create_staff_member, fetch

from zorgpost.events.v1 import messaging_events_pb2
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "messaging")]

PDF = b"%PDF-1.7\n" + b"0" * 100 + b"\n%%EOF\n"


@pytest.fixture
def rpc(channel: grpc.aio.Channel) -> messaging_pb2_grpc.MessagingServiceStub:
    return messaging_pb2_grpc.MessagingServiceStub(channel)


async def guest_token(stack: Stack, participant_id: str, thread_id: str) -> str:
    now = int(time.time())
    return await signed_by_identity(
        stack,
        {
            "sub": participant_id,
            "sid": f"guest-{uuid.uuid4().hex}",
            "iat": now,
            "exp": now + 600,
            "roles": ["guest"],
            "thread": thread_id,
        },
    )


def post(thread_id: str, body: str, file: bytes | None = None) -> Iterator[messaging_pb2.PostMessageChunk]:
    yield messaging_pb2.PostMessageChunk(header=messaging_pb2.PostMessageHeader(thread_id=thread_id, body=body))
    if file is not None:
        yield messaging_pb2.PostMessageChunk(
            file=messaging_pb2.FileStart(file_name="antwoord.pdf", content_type="application/pdf")
        )
        yield messaging_pb2.PostMessageChunk(data=file)


async def download(
    rpc: messaging_pb2_grpc.MessagingServiceStub, token: str, thread_id: str, attachment_id: str
) -> bytes:
    chunks = [
        chunk
        async for chunk in rpc.DownloadAttachment(
            messaging_pb2.AttachmentRef(thread_id=thread_id, attachment_id=attachment_id),
            metadata=call_metadata(token),
            timeout=RPC_TIMEOUT,
        )
    ]
    return b"".join(chunk.data for chunk in chunks[1:])


async def test_a_guest_token_reaches_its_own_thread_and_gets_404_everywhere_else(
    rpc: messaging_pb2_grpc.MessagingServiceStub, stack: Stack, js: JetStreamContext
) -> None:
    staff = await create_staff_member(stack)
    staff_token = await access_token(stack, staff)
    staff_meta = call_metadata(staff_token)
    mails = []
    for address in ("anna@example.org", "kees@example.org"):
        mails.append(
            await rpc.SendSecureMail(
                messaging_pb2.SendSecureMailRequest(
                    recipient_email=address, subject="Uw aanvraag", body="Vertrouwelijk"
                ),
                metadata=staff_meta,
            )
        )
    a, b = mails
    b_file = await rpc.PostMessage(post(b.thread_id, "bijlage voor Kees", PDF), metadata=staff_meta)
    [row] = await fetch(
        stack.database_urls["messaging"],
        "SELECT id FROM participants WHERE thread_id = $1 AND kind = 'guest'",
        a.thread_id,
    )
    token = await guest_token(stack, row["id"], a.thread_id)
    guest = call_metadata(token)

    # Its own thread: read, reply with a file, download it.
    opened = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=a.thread_id), metadata=guest)
    assert [m.body for m in opened.messages] == ["Vertrouwelijk"]
    reply = await rpc.PostMessage(post(a.thread_id, "Hierbij mijn antwoord", PDF), metadata=guest)
    assert reply.sender.kind == "guest"
    assert await download(rpc, token, a.thread_id, reply.attachments[0].id) == PDF

    # The staff member who sent the mail is told of the reply; the organisation's inbox too.
    [raw] = await stream_messages(
        js,
        "MESSAGING",
        "messaging.message.sent",
        lambda m: messaging_events_pb2.MessageSent.FromString(m.data).message_id == reply.id,
    )
    event = messaging_events_pb2.MessageSent.FromString(raw.data)
    assert event.sent_by_guest and event.has_attachments
    assert {(r.kind, r.reason, r.account_id or r.organisation_id) for r in event.recipients} == {
        ("account", "original_sender", staff.account_id),
        ("organisation", "shared_inbox", staff.organisation_id),
    }
    assert b"Hierbij" not in raw.data

    # Thread B, its messages and its files: unknown to this token.
    for call in (
        rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=b.thread_id), metadata=guest),
        rpc.PostMessage(post(b.thread_id, "hallo"), metadata=guest),
    ):
        assert (await refusal(call)).code == grpc.StatusCode.NOT_FOUND
    for thread_id in (b.thread_id, a.thread_id):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await download(rpc, token, thread_id, b_file.attachments[0].id)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    # Every other call refuses the token as if it did not exist.
    others = [
        rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=guest),
        # (Paging older messages and marking read work in the guest's own thread: see
        # test_messaging_hardening; another thread is 404 like any.)
        rpc.ListMessages(messaging_pb2.ListMessagesRequest(thread_id=b.thread_id), metadata=guest),
        rpc.MarkRead(messaging_pb2.MarkReadRequest(thread_id=b.thread_id), metadata=guest),
        rpc.ListSeenBy(messaging_pb2.MessageRef(message_id=reply.id), metadata=guest),
        rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="antwoord"), metadata=guest),
        rpc.ListInbox(messaging_pb2.ListInboxRequest(), metadata=guest),
        rpc.SendSecureMail(
            messaging_pb2.SendSecureMailRequest(recipient_email="x@example.org", subject="s", body="b"), metadata=guest
        ),
        rpc.CreateThread(messaging_pb2.CreateThreadRequest(subject="s"), metadata=guest),
        rpc.ForwardMessage(
            messaging_pb2.ForwardMessageRequest(message_id=reply.id, to_thread_id=a.thread_id), metadata=guest
        ),
    ]
    for call in others:
        assert (await refusal(call)).code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in rpc.WatchActivity(messaging_pb2.WatchActivityRequest(), metadata=guest, timeout=RPC_TIMEOUT):
            pass
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    # Opened, so no longer withdrawable; the staff inbox shows it opened, with the reply unread.
    refused = await refusal(rpc.WithdrawSecureMail(messaging_pb2.ThreadRef(thread_id=a.thread_id), metadata=staff_meta))
    assert (refused.code, refused.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "already_opened")
    inbox = await rpc.ListInbox(messaging_pb2.ListInboxRequest(folder="received"), metadata=staff_meta)
    [item] = [i for i in inbox.items if i.id == a.thread_id]
    assert item.opened_by_recipient and item.unread_count == 1
