"""Notifications' contract with messaging and identity about new messages: the address book
kept from identity's announcements, and ``messaging.message.sent`` /
``messaging.secure_mail.link_resent`` published on JetStream as those services would, each
becoming the mail the person expects (read from the development outbox): an account at the
address the book holds, a guest with its fresh read link, a shared inbox through nobody but
the people messaging names. Never the content, once per message."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from nats.js import JetStreamContext
from support import assert_notice, fetch, notice_detail, settled_messages, wait_until

from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost.events.v1 import messaging_events_pb2 as messaging
from zorgpost_devstack.stack import Stack

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "notifications", outbox=True)]

ORGANISATION = "Gemeente Vlaardingen"
STREAMS = ("IDENTITY", "MESSAGING")


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def _publish(js: JetStreamContext, subject: str, event: Message) -> str:
    """Publishes as the producing service's relay does; answers the event id."""
    event_id = str(uuid.uuid4())
    headers = {"Nats-Msg-Id": event_id, "Zorgpost-Event-Type": event.DESCRIPTOR.full_name}
    await js.publish(subject, event.SerializeToString(), headers=headers, timeout=5.0)
    return event_id


async def announce(
    js: JetStreamContext,
    account_id: str,
    email: str,
    *,
    status: str = "active",
    name: str = "Anna de Vries",
    at: datetime | None = None,
) -> None:
    await _publish(
        js,
        "identity.account.contact_details_changed",
        identity.AccountContactDetailsChanged(
            account_id=account_id,
            email=email,
            language="nl",
            display_name=name,
            roles=["person"],
            status=status,
            changed_at=_stamp(at or datetime.now(UTC)),
        ),
    )


def _address() -> str:
    return f"persoon-{uuid.uuid4().hex[:10]}@example.org"


def message_sent(*recipients: messaging.MessageRecipient, sender: str = "Mila de Medewerker") -> messaging.MessageSent:
    return messaging.MessageSent(
        message_id=str(uuid.uuid4()),
        thread_id=str(uuid.uuid4()),
        thread_kind="secure_mail",
        organisation_id=str(uuid.uuid4()),
        organisation_name=ORGANISATION,
        sender_participant_id=str(uuid.uuid4()),
        sender_display_name=sender,
        recipients=list(recipients),
        sent_at=_stamp(datetime.now(UTC)),
        seq=2,
    )


def to_account(account_id: str, reason: str = "participant") -> messaging.MessageRecipient:
    return messaging.MessageRecipient(kind="account", account_id=account_id, reason=reason, display_name="x")


async def deliveries_of(stack: Stack, source_id: str) -> list[str]:
    rows = await fetch(
        stack.database_urls["notifications"], "SELECT recipient FROM deliveries WHERE source_id = $1", source_id
    )
    return [row["recipient"] for row in rows]


async def test_an_account_is_told_at_its_address_book_address_without_the_content(
    js: JetStreamContext, stack: Stack
) -> None:
    account_id, email = str(uuid.uuid4()), _address()
    await announce(js, account_id, email)
    event = message_sent(to_account(account_id, "original_sender"))
    await _publish(js, "messaging.message.sent", event)

    [message] = await settled_messages(stack, email, outboxes=(), streams=STREAMS)
    mail = await notice_detail(stack, message)
    assert_notice(
        mail,
        subject="Zorgpost – Nieuw bericht van Mila de Medewerker",
        organisation=ORGANISATION,
        language="nl",
        link=f"{stack.web_url}/threads/{event.thread_id}",
    )
    assert mail["text"].startswith("Beste Anna de Vries,")


async def test_a_guest_gets_the_read_link_and_the_shared_inbox_tells_nobody_else(
    js: JetStreamContext, stack: Stack
) -> None:
    guest_email, read_token = _address(), secrets.token_urlsafe(32)
    event = message_sent(
        messaging.MessageRecipient(
            kind="guest",
            participant_id=str(uuid.uuid4()),
            email=guest_email,
            read_token=read_token,
            read_link_expires_at=_stamp(datetime.now(UTC) + timedelta(days=30)),
            language="en",
            reason="participant",
        ),
        messaging.MessageRecipient(kind="organisation", organisation_id=str(uuid.uuid4()), reason="shared_inbox"),
    )
    await _publish(js, "messaging.message.sent", event)

    [message] = await settled_messages(stack, guest_email, outboxes=(), streams=STREAMS)
    assert_notice(
        await notice_detail(stack, message),
        subject=f"Zorgpost Secure e-mail – New message from {ORGANISATION}",
        organisation=ORGANISATION,
        language="en",
        link=f"{stack.web_url}/secure-mail/{read_token}",
    )
    assert await deliveries_of(stack, event.thread_id) == [guest_email], "the shared inbox itself gets nothing"


async def test_a_message_to_an_account_announced_a_moment_later_is_still_told(
    js: JetStreamContext, stack: Stack
) -> None:
    account_id, email = str(uuid.uuid4()), _address()
    event_id = await _publish(js, "messaging.message.sent", message_sent(to_account(account_id)))

    async def waiting_for_the_address_book() -> bool:
        log = (stack.log_dir / "notifications.log").read_text(encoding="utf-8", errors="replace")
        return any(event_id in line and "AddresseeNotKnownYet" in line for line in log.splitlines())

    await wait_until(waiting_for_the_address_book, within=20.0, what="the message waiting for the address book")
    await announce(js, account_id, email)

    [message] = await settled_messages(stack, email, outboxes=(), streams=STREAMS, timeout=40.0)
    assert message["subject"].strip() == "Zorgpost – Nieuw bericht van Mila de Medewerker"


async def test_a_late_older_announcement_does_not_undo_the_newer_address(js: JetStreamContext, stack: Stack) -> None:
    account_id, old, new = str(uuid.uuid4()), _address(), _address()
    now = datetime.now(UTC)
    await announce(js, account_id, new, at=now)
    await announce(js, account_id, old, at=now - timedelta(minutes=5))

    async def both_handled() -> bool:
        rows = await fetch(
            stack.database_urls["notifications"],
            "SELECT email FROM address_book WHERE account_id = $1",
            account_id,
        )
        return bool(rows) and rows[0]["email"] == new

    await wait_until(both_handled, what="the newer address in the book")
    await _publish(js, "messaging.message.sent", message_sent(to_account(account_id)))

    assert len(await settled_messages(stack, new, outboxes=(), streams=STREAMS)) == 1
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        assert (await outbox.get("/api/messages", params={"to": old})).json() == []


async def test_a_disabled_account_is_not_told(js: JetStreamContext, stack: Stack) -> None:
    account_id, email = str(uuid.uuid4()), _address()
    await announce(js, account_id, email, status="disabled")
    event = message_sent(to_account(account_id))
    await _publish(js, "messaging.message.sent", event)
    # A guest in the same message shows when the event was handled.
    witness = _address()
    guest = messaging.MessageRecipient(kind="guest", email=witness, read_token="t" * 43, language="nl")
    await _publish(js, "messaging.message.sent", message_sent(guest))

    await settled_messages(stack, witness, outboxes=(), streams=STREAMS)
    assert await deliveries_of(stack, event.thread_id) == []


async def test_a_resent_read_link_is_mailed_to_the_recipient(js: JetStreamContext, stack: Stack) -> None:
    email, token = _address(), secrets.token_urlsafe(32)
    await _publish(
        js,
        "messaging.secure_mail.link_resent",
        messaging.SecureMailLinkResent(
            thread_id=str(uuid.uuid4()),
            organisation_id=str(uuid.uuid4()),
            organisation_name=ORGANISATION,
            recipient_participant_id=str(uuid.uuid4()),
            recipient_email=email,
            read_token=token,
            read_link_expires_at=_stamp(datetime.now(UTC) + timedelta(days=30)),
            language="nl",
        ),
    )

    [message] = await settled_messages(stack, email, outboxes=(), streams=STREAMS)
    assert_notice(
        await notice_detail(stack, message),
        subject=f"Zorgpost Secure e-mail – Nieuw bericht van {ORGANISATION}",
        organisation=ORGANISATION,
        language="nl",
        link=f"{stack.web_url}/secure-mail/{token}",
    )
