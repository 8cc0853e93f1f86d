"""Identity with messaging, each a real process on real PostgreSQL and NATS: secure-mail
access (the read link resolved by messaging, the access code identity sends, the guest
token messaging accepts for one thread), invitations only into the inviter's chat,
acceptance that makes the invitee a participant, and the contact details identity
announces for notifications' address book.

Codes and link tokens are read from the services' outboxes, as notifications receives them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import grpc
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, access_token, login, refusal
from journeys_support import outbox_events
from support import StaffMember, create_staff_member, fetch, operator_command, wait_until

from zorgpost.events.v1 import identity_events_pb2 as identity_events
from zorgpost.events.v1 import messaging_events_pb2 as messaging_events
from zorgpost.identity.v1 import (
    accounts_pb2,
    accounts_pb2_grpc,
    invitations_pb2,
    invitations_pb2_grpc,
    secure_mail_access_pb2,
    secure_mail_access_pb2_grpc,
)
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "messaging")]

PASSWORD = "Veilig-Gesprek-2026!"


@dataclass
class Stubs:
    access: secure_mail_access_pb2_grpc.SecureMailAccessServiceStub
    invitations: invitations_pb2_grpc.InvitationServiceStub
    profiles: accounts_pb2_grpc.ProfileServiceStub
    messaging: messaging_pb2_grpc.MessagingServiceStub


@pytest_asyncio.fixture(loop_scope="module")
async def rpc(stack: Stack) -> AsyncIterator[Stubs]:
    async with (
        grpc.aio.insecure_channel(stack.grpc_address("identity")) as identity,
        grpc.aio.insecure_channel(stack.grpc_address("messaging")) as messaging,
    ):
        yield Stubs(
            secure_mail_access_pb2_grpc.SecureMailAccessServiceStub(identity),
            invitations_pb2_grpc.InvitationServiceStub(identity),
            accounts_pb2_grpc.ProfileServiceStub(identity),
            messaging_pb2_grpc.MessagingServiceStub(messaging),
        )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def staff(stack: Stack) -> StaffMember:
    return await create_staff_member(stack, organisation_name=f"Gemeente Haarlemmermeer {uuid.uuid4().hex[:4]}")


async def _messaging_events(stack: Stack, subject: str) -> list[bytes]:
    rows = await fetch(
        stack.database_urls["messaging"],
        "SELECT payload FROM outbox_events WHERE subject = $1 ORDER BY created_at DESC",
        subject,
    )
    return [bytes(row["payload"]) for row in rows]


async def secure_mail(rpc: Stubs, stack: Stack, staff: StaffMember, *, mobile: str = "") -> tuple[str, str]:
    """A secure mail from ``staff``: (thread id, the read token of its notice)."""
    mail = await rpc.messaging.SendSecureMail(
        messaging_pb2.SendSecureMailRequest(
            recipient_email=f"burger-{uuid.uuid4().hex[:8]}@example.org",
            recipient_mobile=mobile,
            subject="Uw aanvraag",
            body="Vertrouwelijk",
        ),
        metadata=call_metadata(await access_token(stack, staff)),
        timeout=RPC_TIMEOUT,
    )
    payloads = await _messaging_events(stack, "messaging.secure_mail.sent")
    sent = [e for e in map(messaging_events.SecureMailSent.FromString, payloads) if e.thread_id == mail.thread_id]
    return mail.thread_id, sent[0].read_token


async def code_for(stack: Stack, email_or_mobile: str) -> str:
    """The newest access code identity sent to the address or number."""
    issued = [
        event
        for event in await outbox_events(stack, "identity.one_time_code.issued", identity_events.OneTimeCodeIssued)
        if event.purpose == "secure_mail_access" and email_or_mobile in (event.recipient.email, event.recipient.mobile)
    ]
    return issued[0].code


async def ask_code(rpc: Stubs, token: str) -> secure_mail_access_pb2.AccessCodeSent:
    sent: secure_mail_access_pb2.AccessCodeSent = await rpc.access.RequestAccessCode(
        secure_mail_access_pb2.RequestAccessCodeRequest(token=token), timeout=RPC_TIMEOUT
    )
    return sent


def open_mail(rpc: Stubs, token: str, code: str) -> grpc.aio.UnaryUnaryCall:  # type: ignore[type-arg]
    return rpc.access.OpenSecureMail(
        secure_mail_access_pb2.OpenSecureMailRequest(token=token, code=code), timeout=RPC_TIMEOUT
    )


async def recipient_of(stack: Stack, thread_id: str) -> tuple[str, str]:
    [row] = await fetch(
        stack.database_urls["messaging"],
        "SELECT email, coalesce(mobile, '') AS mobile FROM participants WHERE thread_id = $1 AND kind = 'guest'",
        thread_id,
    )
    return row["email"], row["mobile"]


# --------------------------------------------------------------------------- secure-mail access
async def test_the_code_goes_by_sms_with_a_mobile_and_opens_the_one_thread(
    rpc: Stubs, stack: Stack, staff: StaffMember
) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff, mobile="0612345678")
    sent = await ask_code(rpc, token)
    assert (sent.channel, sent.destination) == ("sms", "+316******78")
    [issued] = [
        e
        for e in await outbox_events(stack, "identity.one_time_code.issued", identity_events.OneTimeCodeIssued)
        if e.recipient.mobile == "+31612345678" and e.purpose == "secure_mail_access"
    ][:1]
    assert (issued.channel, issued.organisation_name) == ("sms", staff.organisation_name)

    access = await open_mail(rpc, token, issued.code)
    assert access.thread_id == thread_id and 0 < access.expires_in <= 15 * 60
    guest = call_metadata(access.access_token)
    opened = await rpc.messaging.GetThread(messaging_pb2.GetThreadRequest(thread_id=thread_id), metadata=guest)
    assert [m.body for m in opened.messages] == ["Vertrouwelijk"]
    assert opened.summary.opened_by_recipient
    # Opened: the sender can no longer take it back.
    withdrawn = await refusal(
        rpc.messaging.WithdrawSecureMail(
            messaging_pb2.ThreadRef(thread_id=thread_id), metadata=call_metadata(await access_token(stack, staff))
        )
    )
    assert withdrawn.reason == "already_opened"
    # Any other thread is unknown to the guest token; so is every other call.
    other_thread, _ = await secure_mail(rpc, stack, staff)
    for call in (
        rpc.messaging.GetThread(messaging_pb2.GetThreadRequest(thread_id=other_thread), metadata=guest),
        rpc.messaging.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=guest),
    ):
        assert (await refusal(call)).code == grpc.StatusCode.NOT_FOUND


async def test_without_a_mobile_the_code_goes_by_mail(rpc: Stubs, stack: Stack, staff: StaffMember) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff)
    email, _ = await recipient_of(stack, thread_id)

    sent = await ask_code(rpc, token)

    assert (sent.channel, sent.destination) == ("email", f"{email[0]}***@example.org")
    assert await code_for(stack, email)


async def test_of_16_simultaneous_redemptions_exactly_one_opens_the_mail(
    rpc: Stubs, stack: Stack, staff: StaffMember
) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff)
    await ask_code(rpc, token)
    code = await code_for(stack, (await recipient_of(stack, thread_id))[0])

    results = await asyncio.gather(*(open_mail(rpc, token, code) for _ in range(16)), return_exceptions=True)

    opened = [r for r in results if isinstance(r, secure_mail_access_pb2.GuestAccess)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(opened) == 1 and len(refused) == 15
    assert {r.code() for r in refused} == {grpc.StatusCode.UNAUTHENTICATED}
    assert (await refusal(open_mail(rpc, token, code))).reason == "access_code_no_longer_valid"


async def test_five_wrong_codes_then_too_many_attempts_and_a_new_code_replaces_the_old(
    rpc: Stubs, stack: Stack, staff: StaffMember
) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff)
    email, _ = await recipient_of(stack, thread_id)
    await ask_code(rpc, token)
    code = await code_for(stack, email)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(5):
        failure = await refusal(open_mail(rpc, token, wrong))
        assert (failure.code, failure.reason, set(failure.fields)) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "incorrect_access_code",
            {"code"},
        )
    used_up = await refusal(open_mail(rpc, token, code))
    assert (used_up.code, used_up.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "too_many_code_attempts")

    # Asking again replaces it: the new code works, the old one never again.
    await ask_code(rpc, token)
    newer = await code_for(stack, email)
    await ask_code(rpc, token)
    newest = await code_for(stack, email)
    if newer != newest:
        assert (await refusal(open_mail(rpc, token, newer))).code == grpc.StatusCode.UNAUTHENTICATED
    assert (await open_mail(rpc, token, newest)).thread_id == thread_id


async def test_an_expired_code_opens_nothing(rpc: Stubs, stack: Stack, staff: StaffMember) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff)
    participant = (
        await fetch(
            stack.database_urls["messaging"],
            "SELECT id FROM participants WHERE thread_id = $1 AND kind = 'guest'",
            thread_id,
        )
    )[0]["id"]
    await ask_code(rpc, token)
    code = await code_for(stack, (await recipient_of(stack, thread_id))[0])
    # Fifteen minutes pass.
    await fetch(
        stack.database_urls["identity"],
        "UPDATE one_time_codes SET expires_at = now() - interval '1 second' "
        "WHERE purpose = 'secure_mail_access' AND subject = $1",
        participant,
    )

    failure = await refusal(open_mail(rpc, token, code))

    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAUTHENTICATED, "access_code_no_longer_valid")


async def test_an_unknown_or_withdrawn_link_gets_no_code(rpc: Stubs, stack: Stack, staff: StaffMember) -> None:
    thread_id, token = await secure_mail(rpc, stack, staff)
    await rpc.messaging.WithdrawSecureMail(
        messaging_pb2.ThreadRef(thread_id=thread_id), metadata=call_metadata(await access_token(stack, staff))
    )
    before = len(await outbox_events(stack, "identity.one_time_code.issued", identity_events.OneTimeCodeIssued))

    for link in (token, "no-such-link", "x" * 500):
        failure = await refusal(ask_code(rpc, link))
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "read_link_not_found")
        assert (await refusal(open_mail(rpc, link, "123456"))).reason == "read_link_not_found"

    after = len(await outbox_events(stack, "identity.one_time_code.issued", identity_events.OneTimeCodeIssued))
    assert after == before


# --------------------------------------------------------------------------- invitations
async def test_an_invitation_goes_only_into_a_chat_the_inviter_is_in_and_accepting_it_joins_it(
    rpc: Stubs, stack: Stack, staff: StaffMember
) -> None:
    staff_auth = call_metadata(await access_token(stack, staff))
    chat = await rpc.messaging.CreateThread(
        messaging_pb2.CreateThreadRequest(kind="chat", subject="IT Vlaardingen", body="Hallo"), metadata=staff_auth
    )
    mail_thread, _ = await secure_mail(rpc, stack, staff)
    colleague = await create_staff_member(stack)
    foreign = await rpc.messaging.CreateThread(
        messaging_pb2.CreateThreadRequest(kind="chat", subject="Niet van jou"),
        metadata=call_metadata(await access_token(stack, colleague)),
    )

    def invite(thread_id: str, email: str) -> grpc.aio.UnaryUnaryCall:  # type: ignore[type-arg]
        return rpc.invitations.SendInvitation(
            invitations_pb2.SendInvitationRequest(email=email, thread_id=thread_id),
            metadata=staff_auth,
            timeout=RPC_TIMEOUT,
        )

    for thread_id, code, reason in (
        (foreign.summary.id, grpc.StatusCode.NOT_FOUND, "thread_not_found"),
        (str(uuid.uuid4()), grpc.StatusCode.NOT_FOUND, "thread_not_found"),
        ("geen-gesprek", grpc.StatusCode.NOT_FOUND, "thread_not_found"),
        (mail_thread, grpc.StatusCode.INVALID_ARGUMENT, "thread_not_invitable"),
    ):
        failure = await refusal(invite(thread_id, "x@example.org"))
        assert (failure.code, failure.reason, set(failure.fields)) == (code, reason, {"thread_id"})

    email = f"persoon.x-{uuid.uuid4().hex[:6]}@example.org"
    invitation = await invite(chat.summary.id, email)
    [sent] = [
        e
        for e in await outbox_events(stack, "identity.invitation.sent", identity_events.InvitationSent)
        if e.invitation_id == invitation.id
    ]
    accepted = await rpc.invitations.AcceptInvitationWithNewAccount(
        invitations_pb2.AcceptWithNewAccountRequest(
            token=sent.token,
            first_name="Persoon",
            last_name="X",
            password=PASSWORD,
            password_confirmation=PASSWORD,
            terms_version="2026-01",
            privacy_version="2026-01",
        ),
        timeout=RPC_TIMEOUT,
    )
    assert accepted.thread_id == chat.summary.id
    [event] = [
        e
        for e in await outbox_events(stack, "identity.invitation.accepted", identity_events.InvitationAccepted)
        if e.invitation_id == invitation.id
    ]
    assert (event.thread_id, event.account_id) == (chat.summary.id, accepted.account_id)
    assert event.display_name == "Persoon X"
    assert (event.organisation_id, event.inviter_account_id) == (staff.organisation_id, staff.account_id)

    # Messaging consumes it: the new account is in the chat, with the message before it joined unread.
    person = call_metadata((await login(stack, email, PASSWORD)).access_token)

    async def joined() -> bool:
        page = await rpc.messaging.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=person)
        return any(item.id == chat.summary.id and item.unread_count == 1 for item in page.items)

    await wait_until(joined, within=20.0, what="the invitee in the conversation")

    # Inviting someone else does not mark the chat read for the inviter (identity's look at
    # the chat opens nothing): the invitee's answer stays unread for them.
    def answer() -> Iterator[messaging_pb2.PostMessageChunk]:
        header = messaging_pb2.PostMessageHeader(thread_id=chat.summary.id, body="Hoi")
        yield messaging_pb2.PostMessageChunk(header=header)

    await rpc.messaging.PostMessage(answer(), metadata=person, timeout=RPC_TIMEOUT)
    await invite(chat.summary.id, f"nog-een-{uuid.uuid4().hex[:6]}@example.org")
    page = await rpc.messaging.ListThreads(messaging_pb2.ListThreadsRequest(), metadata=staff_auth)
    assert [item.unread_count for item in page.items if item.id == chat.summary.id] == [1]


# --------------------------------------------------------------------------- contact details
async def test_every_change_of_contact_details_is_announced_with_the_whole_state(
    rpc: Stubs, stack: Stack, staff: StaffMember
) -> None:
    async def announced(account_id: str) -> list[identity_events.AccountContactDetailsChanged]:
        return [
            e
            for e in await outbox_events(
                stack, "identity.account.contact_details_changed", identity_events.AccountContactDetailsChanged
            )
            if e.account_id == account_id
        ]

    [created] = await announced(staff.account_id)
    assert (created.email, created.display_name, created.status, list(created.roles)) == (
        staff.email,
        "Test Medewerker",
        "active",
        ["staff"],
    )
    assert (created.organisation_id, created.organisation_name) == (staff.organisation_id, staff.organisation_name)
    assert created.language == "nl"

    # A change of name and language through the profile is announced with everything else.
    await rpc.profiles.UpdateProfile(
        accounts_pb2.UpdateProfileRequest(first_name="Mila", last_name="de Medewerker", language="en"),
        metadata=call_metadata(await access_token(stack, staff)),
        timeout=RPC_TIMEOUT,
    )

    changed = (await announced(staff.account_id))[0]
    assert (changed.display_name, changed.language, changed.email) == ("Mila de Medewerker", "en", staff.email)
    assert (changed.status, changed.organisation_id) == ("active", staff.organisation_id)
    assert changed.changed_at.ToDatetime() >= created.changed_at.ToDatetime()

    # A new name of the organisation reaches every account that names it.
    new_name = f"Gemeente Hernoemd {uuid.uuid4().hex[:6]}"
    status, _, err = await operator_command(stack, "rename", staff.organisation_id, "--name", new_name)
    assert status == 0, err
    renamed = (await announced(staff.account_id))[0]
    assert (renamed.organisation_name, renamed.display_name) == (new_name, "Mila de Medewerker")
