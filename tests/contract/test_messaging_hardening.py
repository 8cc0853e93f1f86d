"""Messaging after the security review, over gRPC against the real processes (identity
and messaging, real PostgreSQL and NATS): no message under a stand-in name when identity
refuses the caller, threads assigned only to colleagues under identity's name, staff
start an e-consult with their client and an org case with another organisation, the
sender alone withdraws, guests page and mark read in their own thread, cursors no list
gave are field errors, live streams are capped and admitted with their first metadata, and
a staff member who moves to another organisation no longer lists, finds or hears of the
old one's threads."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Iterator

import grpc
import pytest
from contract_helpers import RPC_TIMEOUT, login, refusal
from support import StaffMember, count_rows, create_member, create_staff_member, fetch, wait_until
from test_messaging_guest_access import guest_token

from identity.domain.accounts import Role
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.services(
        "identity",
        "messaging",
        extra_env={"messaging": {"MAX_STREAMS_PER_SESSION": "2", "MAX_STREAMS_PER_ACCOUNT": "3"}},
    ),
]


@pytest.fixture
def rpc(channel: grpc.aio.Channel) -> messaging_pb2_grpc.MessagingServiceStub:
    return messaging_pb2_grpc.MessagingServiceStub(channel)


async def _token(stack: Stack, email: str) -> str:
    return (await login(stack, email)).access_token


def _md(token: str) -> tuple[tuple[str, str], ...]:
    return call_metadata(token)


def _post(thread_id: str, body: str) -> Iterator[messaging_pb2.PostMessageChunk]:
    yield messaging_pb2.PostMessageChunk(header=messaging_pb2.PostMessageHeader(thread_id=thread_id, body=body))


async def _secure_mail(rpc: messaging_pb2_grpc.MessagingServiceStub, token: str) -> messaging_pb2.SecureMail:
    return await rpc.SendSecureMail(
        messaging_pb2.SendSecureMailRequest(
            recipient_email=f"ontvanger-{uuid.uuid4().hex[:6]}@example.org", subject="Uw aanvraag", body="Zie bijlage"
        ),
        metadata=_md(token),
        timeout=RPC_TIMEOUT,
    )


async def test_identity_refusing_the_caller_refuses_the_write_instead_of_a_stand_in_name(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    person = await create_member(stack, staff.organisation_id)
    token = await _token(stack, person.email)
    # The session ends; the access token still verifies until it expires, but identity
    # announces the ended access (identity.access.revoked) and messaging must then refuse
    # it rather than write under the organisation's name. The announcement travels by
    # event: wait (on a read, which writes nothing) until messaging has heard it.
    async with grpc.aio.insecure_channel(stack.grpc_address("identity")) as channel:
        await identity_pb2_grpc.IdentityServiceStub(channel).Logout(
            identity_pb2.LogoutRequest(), metadata=_md(token), timeout=RPC_TIMEOUT
        )

    async def refused() -> bool:
        try:
            await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=_md(token), timeout=RPC_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            return error.code() is grpc.StatusCode.UNAUTHENTICATED
        return False

    await wait_until(refused, within=20.0, what="messaging refusing the ended session's token")
    before = await count_rows(stack.database_urls["messaging"], ["threads", "messages", "participants"])

    failure = await refusal(
        rpc.CreateThread(
            messaging_pb2.CreateThreadRequest(kind="care", subject="Vraag", body="Namens de praktijk"),
            metadata=_md(token),
            timeout=RPC_TIMEOUT,
        )
    )

    assert failure.code is grpc.StatusCode.UNAUTHENTICATED
    assert await count_rows(stack.database_urls["messaging"], ["threads", "messages", "participants"]) == before


async def test_a_thread_goes_only_to_a_colleague_under_identitys_name(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    token = await _token(stack, staff.email)
    colleague = await create_member(stack, staff.organisation_id, role=Role.STAFF)
    client = await create_member(stack, staff.organisation_id)
    stranger = await create_staff_member(stack)
    mail = await _secure_mail(rpc, token)

    for account_id in (client.account_id, stranger.account_id, str(uuid.uuid4())):
        failure = await refusal(
            rpc.AssignThread(
                messaging_pb2.AssignThreadRequest(thread_id=mail.thread_id, assignee_account_id=account_id),
                metadata=_md(token),
                timeout=RPC_TIMEOUT,
            )
        )
        assert (failure.code, set(failure.fields)) == (grpc.StatusCode.INVALID_ARGUMENT, {"assignee_account_id"})

    summary = await rpc.AssignThread(
        messaging_pb2.AssignThreadRequest(thread_id=mail.thread_id, assignee_account_id=colleague.account_id),
        metadata=_md(token),
        timeout=RPC_TIMEOUT,
    )
    assert (summary.assigned_to_account_id, summary.assigned_to_name) == (colleague.account_id, "Test Persoon")


async def test_only_the_sender_withdraws(stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub) -> None:
    staff = await create_staff_member(stack)
    colleague = await create_member(stack, staff.organisation_id, role=Role.STAFF)
    token = await _token(stack, staff.email)
    colleague_token = await _token(stack, colleague.email)
    mail = await _secure_mail(rpc, token)

    # The thread says who may withdraw it, so a page offers it only to them.
    async def withdrawable(as_token: str) -> bool:
        view = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=mail.thread_id), metadata=_md(as_token))
        return bool(view.withdrawable_by_me)

    assert (await withdrawable(token), await withdrawable(colleague_token)) == (True, False)
    failure = await refusal(
        rpc.WithdrawSecureMail(
            messaging_pb2.ThreadRef(thread_id=mail.thread_id),
            metadata=_md(colleague_token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "only_sender_may_withdraw")
    withdrawn = await rpc.WithdrawSecureMail(
        messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=_md(token), timeout=RPC_TIMEOUT
    )
    assert withdrawn.state == "withdrawn"
    assert not await withdrawable(token), "once withdrawn, nothing more to withdraw"


def _start(request: messaging_pb2.StartThreadRequest) -> list[messaging_pb2.StartThreadChunk]:
    """StartThread's stream with its header only (no files)."""
    return [messaging_pb2.StartThreadChunk(header=request)]


async def test_staff_start_a_care_conversation_with_their_client_and_an_org_case_with_another_organisation(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    token = await _token(stack, staff.email)
    client = await create_member(stack, staff.organisation_id)
    other: StaffMember = await create_staff_member(stack)
    outsider = await create_member(stack, other.organisation_id)

    care = await rpc.StartThread(
        _start(
            messaging_pb2.StartThreadRequest(
                kind="care",
                subject="Uw uitslag",
                body="Graag uw reactie",
                participants=[messaging_pb2.ParticipantRef(account_id=client.account_id)],
            )
        ),
        metadata=_md(token),
        timeout=RPC_TIMEOUT,
    )
    page = await rpc.ListThreads(
        messaging_pb2.ListThreadsRequest(), metadata=_md(await _token(stack, client.email)), timeout=RPC_TIMEOUT
    )
    assert care.summary.id in [item.id for item in page.items]

    case = await rpc.StartThread(
        _start(
            messaging_pb2.StartThreadRequest(
                kind="org_case",
                subject="Doorverwijzing",
                body="Graag overleg",
                participants=[messaging_pb2.ParticipantRef(organisation_id=other.organisation_id)],
            )
        ),
        metadata=_md(token),
        timeout=RPC_TIMEOUT,
    )
    inbox = await rpc.ListInbox(
        messaging_pb2.ListInboxRequest(folder="received"),
        metadata=_md(await _token(stack, other.email)),
        timeout=RPC_TIMEOUT,
    )
    assert case.summary.id in [item.id for item in inbox.items]

    failure = await refusal(
        rpc.StartThread(
            _start(
                messaging_pb2.StartThreadRequest(
                    kind="care",
                    subject="Zorg",
                    participants=[messaging_pb2.ParticipantRef(account_id=outsider.account_id)],
                )
            ),
            metadata=_md(token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert (failure.code, set(failure.fields)) == (grpc.StatusCode.INVALID_ARGUMENT, {"participants[0]"})


async def test_a_guest_pages_older_messages_and_marks_read_in_their_own_thread_only(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    token = await _token(stack, staff.email)
    mail = await _secure_mail(rpc, token)
    other = await _secure_mail(rpc, token)
    view = await rpc.GetThread(messaging_pb2.GetThreadRequest(thread_id=mail.thread_id), metadata=_md(token))
    guest_id = next(p.id for p in view.participants if p.kind == "guest")
    for body in ("Twee", "Drie"):
        await rpc.PostMessage(_post(mail.thread_id, body), metadata=_md(token), timeout=RPC_TIMEOUT)
    guest = _md(await guest_token(stack, guest_id, mail.thread_id))

    page = await rpc.ListMessages(
        messaging_pb2.ListMessagesRequest(thread_id=mail.thread_id, limit=2), metadata=guest, timeout=RPC_TIMEOUT
    )
    older = await rpc.ListMessages(
        messaging_pb2.ListMessagesRequest(thread_id=mail.thread_id, cursor=page.next_cursor, limit=2),
        metadata=guest,
        timeout=RPC_TIMEOUT,
    )
    assert [m.body for m in [*page.messages, *older.messages]] == ["Drie", "Twee", "Zie bijlage"]
    state = await rpc.MarkRead(messaging_pb2.MarkReadRequest(thread_id=mail.thread_id), metadata=guest)
    assert (state.read_up_to_seq, state.unread_count) == (3, 0)
    for call in (
        rpc.ListMessages(messaging_pb2.ListMessagesRequest(thread_id=other.thread_id), metadata=guest),
        rpc.MarkRead(messaging_pb2.MarkReadRequest(thread_id=other.thread_id), metadata=guest),
        rpc.CheckPostAccess(messaging_pb2.ThreadRef(thread_id=other.thread_id), metadata=guest),
    ):
        assert (await refusal(call)).code is grpc.StatusCode.NOT_FOUND
    assert (await rpc.CheckPostAccess(messaging_pb2.ThreadRef(thread_id=mail.thread_id), metadata=guest)).thread_id


@pytest.mark.parametrize(
    "cursor",
    [
        base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|" + str(uuid.uuid4()).encode()).decode(),
        "²",
        "x" * 300,
    ],
    ids=["year-one-east-of-utc", "superscript-digit", "too-long"],
)
async def test_a_cursor_no_list_gave_is_a_field_error_everywhere(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub, cursor: str
) -> None:
    staff = await create_staff_member(stack)
    token = _md(await _token(stack, staff.email))
    mail = await _secure_mail(rpc, (await login(stack, staff.email)).access_token)
    for call in (
        rpc.ListThreads(messaging_pb2.ListThreadsRequest(cursor=cursor), metadata=token),
        rpc.ListInbox(messaging_pb2.ListInboxRequest(cursor=cursor), metadata=token),
        rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="aanvraag", cursor=cursor), metadata=token),
        rpc.ListMessages(messaging_pb2.ListMessagesRequest(thread_id=mail.thread_id, cursor=cursor), metadata=token),
    ):
        failure = await refusal(call)
        assert (failure.code, set(failure.fields)) == (grpc.StatusCode.INVALID_ARGUMENT, {"cursor"})


async def test_live_streams_are_admitted_with_their_first_metadata_and_capped_per_session(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    token = _md(await _token(stack, staff.email))
    streams = [rpc.WatchActivity(messaging_pb2.WatchActivityRequest(), metadata=token) for _ in range(2)]
    try:
        for stream in streams:
            assert ("x-zorgpost-stream", "open") in tuple(await stream.initial_metadata())
        third = rpc.WatchActivity(messaging_pb2.WatchActivityRequest(), metadata=token)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await third.read()
        assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        streams[0].cancel()

        async def admitted() -> bool:
            # A stream closed makes room once messaging saw it go.
            again = rpc.WatchActivity(messaging_pb2.WatchActivityRequest(), metadata=token)
            streams.append(again)
            return ("x-zorgpost-stream", "open") in tuple(await again.initial_metadata())

        await wait_until(admitted, what="a stream admitted after one closed")
    finally:
        for stream in streams:
            stream.cancel()


async def test_a_staff_member_who_moves_organisation_no_longer_lists_finds_or_hears_of_the_old_threads(
    stack: Stack, rpc: messaging_pb2_grpc.MessagingServiceStub
) -> None:
    staff = await create_staff_member(stack)
    colleague = await create_member(stack, staff.organisation_id, role=Role.STAFF)
    colleague_token = await _token(stack, colleague.email)
    mail = await _secure_mail(rpc, await _token(stack, staff.email))
    await rpc.PostMessage(_post(mail.thread_id, "Aanvulling verhuisd"), metadata=_md(colleague_token))
    before = await _token(stack, staff.email)
    listed = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=_md(before), timeout=RPC_TIMEOUT)
    found = await rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="verhuisd"), metadata=_md(before))
    assert mail.thread_id in [item.id for item in listed.items]
    assert [hit.thread_id for hit in found.hits] == [mail.thread_id]

    # The staff member now works for another organisation: their next token says so.
    elsewhere = await create_staff_member(stack)
    await fetch(
        stack.database_urls["identity"],
        "UPDATE accounts SET organisation_id = $1 WHERE id = $2",
        elsewhere.organisation_id,
        staff.account_id,
    )
    after = await _token(stack, staff.email)

    listed = await rpc.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=_md(after), timeout=RPC_TIMEOUT)
    found = await rpc.SearchMessages(messaging_pb2.SearchMessagesRequest(query="verhuisd"), metadata=_md(after))
    assert mail.thread_id not in [item.id for item in listed.items]
    assert list(found.hits) == []

    # Neither the backlog nor what happens in the old thread while the stream is open
    # reaches them; a mail of the new organisation does (and ends the reading).
    stream = rpc.WatchActivity(messaging_pb2.WatchActivityRequest(after_position=0), metadata=_md(after))
    seen: list[messaging_pb2.Activity] = []
    try:
        await stream.initial_metadata()
        await rpc.PostMessage(_post(mail.thread_id, "Nog een vraag"), metadata=_md(colleague_token))
        marker = (await _secure_mail(rpc, after)).thread_id
        async with asyncio.timeout(30):
            async for entry in stream:
                seen.append(entry)
                if entry.thread_id == marker:
                    break
    finally:
        stream.cancel()
    assert seen and seen[-1].thread_id == marker
    assert mail.thread_id not in {entry.thread_id for entry in seen}
