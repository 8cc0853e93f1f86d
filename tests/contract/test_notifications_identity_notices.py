"""Notifications' contract with identity: each identity event that reaches a person, published
on JetStream as identity would, becomes the mail or SMS the person expects (read from the
development outbox like a recipient would), over the channel the event or the person's
preferences choose; staff of the organisation can see whether it went out."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, Person, access_token, refusal
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from nats.js import JetStreamContext
from support import StaffMember, assert_notice, create_staff_member, notice_detail, settled_messages, wait_until

from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "notifications", outbox=True)]

NOTICE_TIMEOUT = 10.0


@pytest_asyncio.fixture(loop_scope="module")
async def notifications(stack: Stack) -> AsyncIterator[notifications_pb2_grpc.NotificationsServiceStub]:
    async with grpc.aio.insecure_channel(stack.grpc_address("notifications")) as channel:
        yield notifications_pb2_grpc.NotificationsServiceStub(channel)


# --------------------------------------------------------------------------- events
def _recipient(*, account_id: str | None = None, language: str = "nl", mobile: bool = True) -> identity.Recipient:
    return identity.Recipient(
        account_id=account_id if account_id is not None else str(uuid.uuid4()),
        email=f"persoon-{uuid.uuid4().hex[:10]}@example.org",
        mobile=f"+316{secrets.randbelow(10**8):08d}" if mobile else "",
        display_name="Anna de Vries",
        language=language,
    )


def _in(minutes: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC) + timedelta(minutes=minutes))
    return stamp


def _org(staff: StaffMember) -> dict[str, str]:
    return {"organisation_id": staff.organisation_id, "organisation_name": staff.organisation_name}


async def _publish(js: JetStreamContext, subject: str, event: Message) -> None:
    headers = {"Nats-Msg-Id": str(uuid.uuid4()), "Zorgpost-Event-Type": event.DESCRIPTOR.full_name}
    await js.publish(subject, event.SerializeToString(), headers=headers, timeout=5.0)


async def _publish_code(
    js: JetStreamContext,
    staff: StaffMember,
    recipient: identity.Recipient,
    *,
    channel: str,
    code: str,
    purpose: str = "login",
) -> None:
    event = identity.OneTimeCodeIssued(
        **_org(staff), recipient=recipient, purpose=purpose, channel=channel, code=code, expires_at=_in(15)
    )
    await _publish(js, "identity.one_time_code.issued", event)


async def _only(stack: Stack, to: str) -> dict[str, Any]:
    """The one message to ``to``, in full (the test fails on none, or on more than one once
    every event is handled and nothing is queued any more)."""
    [message] = await settled_messages(stack, to, outboxes=("identity",), timeout=NOTICE_TIMEOUT)
    return await notice_detail(stack, message)


async def _nothing_to(stack: Stack, to: str) -> None:
    """Checked after :func:`_only`: by then every notice the event caused has been sent."""
    async with httpx.AsyncClient(base_url=stack.outbox_url, timeout=5.0) as outbox:
        assert (await outbox.get("/api/messages", params={"to": to})).json() == []


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


# --------------------------------------------------------------------------- one-time codes
async def test_a_code_asked_by_sms_comes_by_sms_only(js: JetStreamContext, stack: Stack, staff: StaffMember) -> None:
    recipient = _recipient()
    await _publish_code(js, staff, recipient, channel="sms", code="482913")

    sms = await _only(stack, recipient.mobile)
    assert sms["channel"] == "sms"
    assert re.fullmatch(r"Uw Zorgpost-code is 482913\. Geldig tot \d\d:\d\d\.", sms["text"]), sms["text"]
    await _nothing_to(stack, recipient.email)


async def test_a_code_asked_by_email_comes_by_mail_only_on_a_line_of_its_own(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    recipient = _recipient(language="en")
    await _publish_code(js, staff, recipient, channel="email", code="605144", purpose="secure_mail_access")

    mail = await _only(stack, recipient.email)
    assert_notice(
        mail, subject="Zorgpost Secure e-mail – Your access code", organisation=staff.organisation_name, language="en"
    )
    assert "605144" in _lines(mail["text"])
    await _nothing_to(stack, recipient.mobile)


async def test_a_code_by_sms_without_a_mobile_number_shows_the_sender_why_nothing_came(
    js: JetStreamContext,
    stack: Stack,
    staff: StaffMember,
    staff_token: str,
    notifications: notifications_pb2_grpc.NotificationsServiceStub,
) -> None:
    recipient = _recipient(mobile=False)
    await _publish_code(js, staff, recipient, channel="sms", code="111222")

    async def recorded() -> bool:
        return bool(await _deliveries(notifications, staff_token, recipient.account_id))

    await wait_until(recorded, within=NOTICE_TIMEOUT, what="failed delivery recorded")
    [delivery] = await _deliveries(notifications, staff_token, recipient.account_id)
    assert (delivery.channel, delivery.status, delivery.failure_reason) == ("sms", "failed", "no mobile number known")
    assert delivery.category == "security"
    await _nothing_to(stack, recipient.email)


# --------------------------------------------------------------------------- links
#: (subject, link path, the mail's subject with ``{org}`` for the organisation's name)
LINK_NOTICES = [
    ("identity.invitation.sent", "/invitations/", "Uitnodiging voor een veilige conversatie met {org}"),
    ("identity.client_account.created", "/activate/", "Er is een portaalaccount voor u aangemaakt bij {org}"),
    ("identity.registration.approved", "/register/", "Uw aanvraag voor het portaal van {org} is goedgekeurd"),
    ("identity.password_reset.requested", "/password-reset/", "Nieuw wachtwoord instellen voor Zorgpost"),
]


def _link_event(subject: str, staff: StaffMember, recipient: identity.Recipient, token: str) -> Message:
    common: dict[str, Any] = {**_org(staff), "recipient": recipient, "token": token, "expires_at": _in(60 * 24)}
    if subject == "identity.invitation.sent":
        return identity.InvitationSent(invitation_id=str(uuid.uuid4()), inviter_name="Piet Jansen", **common)
    if subject == "identity.client_account.created":
        return identity.ClientAccountCreated(**common)
    if subject == "identity.registration.approved":
        return identity.RegistrationApproved(registration_id=str(uuid.uuid4()), **common)
    return identity.PasswordResetRequested(**common)


@pytest.mark.parametrize(("subject", "path", "subject_start"), LINK_NOTICES, ids=[s for s, _, _ in LINK_NOTICES])
async def test_a_link_notice_links_to_the_public_site_with_its_token(
    js: JetStreamContext, stack: Stack, staff: StaffMember, subject: str, path: str, subject_start: str
) -> None:
    recipient = _recipient()
    token = secrets.token_urlsafe(24)
    await _publish(js, subject, _link_event(subject, staff, recipient, token))

    detail = await _only(stack, recipient.email)
    assert_notice(
        detail,
        subject=subject_start.format(org=staff.organisation_name),
        organisation=staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}{path}{token}",
    )
    assert detail["headers"]["Message-ID"]
    assert detail["headers"]["Date"]
    # Mandatory notices cannot be switched off, so they offer no unsubscribing.
    assert "List-Unsubscribe" not in detail["headers"]
    await _nothing_to(stack, recipient.mobile)


async def test_an_email_change_is_confirmed_at_the_new_address_and_told_to_the_old_one_without_the_link(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    recipient = _recipient()
    new_email = f"nieuw-{uuid.uuid4().hex[:8]}@example.net"
    token = secrets.token_urlsafe(24)
    await _publish(
        js,
        "identity.email_change.requested",
        identity.EmailChangeRequested(
            **_org(staff), recipient=recipient, new_email=new_email, token=token, expires_at=_in(60)
        ),
    )

    confirmation = await _only(stack, new_email)
    assert_notice(
        confirmation,
        subject="Bevestig uw nieuwe e-mailadres voor Zorgpost",
        organisation=staff.organisation_name,
        language="nl",
        link=f"{stack.web_url}/confirm-email/{token}",
    )
    notice = await _only(stack, recipient.email)
    # The old address learns of the request, never the link that would confirm it.
    assert_notice(
        notice,
        subject="Er is gevraagd uw e-mailadres te wijzigen",
        organisation=staff.organisation_name,
        language="nl",
        absent=[token, "/confirm-email/"],
    )


# --------------------------------------------------------------------------- the other notices
async def test_an_invitation_declined_is_told_to_the_inviter(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    inviter = _recipient()
    invitee = f"genodigde-{uuid.uuid4().hex[:8]}@example.org"
    await _publish(
        js,
        "identity.invitation.declined",
        identity.InvitationDeclined(
            **_org(staff), invitation_id=str(uuid.uuid4()), inviter=inviter, invitee_email=invitee
        ),
    )

    mail = await _only(stack, inviter.email)
    assert_notice(
        mail, subject=f"Uitnodiging afgewezen door {invitee}", organisation=staff.organisation_name, language="nl"
    )
    await _nothing_to(stack, invitee)


async def test_a_temporary_password_comes_on_a_line_of_its_own(
    js: JetStreamContext, stack: Stack, staff: StaffMember
) -> None:
    recipient = _recipient()
    await _publish(
        js,
        "identity.temporary_password.issued",
        identity.TemporaryPasswordIssued(
            **_org(staff), recipient=recipient, login_name="anna.devries", temporary_password="Tijd-Xy7!kq29"
        ),
    )

    mail = await _only(stack, recipient.email)
    assert_notice(
        mail,
        subject=f"Uw inloggegevens voor het portaal van {staff.organisation_name}",
        organisation=staff.organisation_name,
        language="nl",
    )
    assert {"anna.devries", "Tijd-Xy7!kq29"} <= set(_lines(mail["text"]))


@pytest.mark.parametrize("subject", ["identity.delegation.granted", "identity.delegation.ended"])
async def test_a_delegation_that_starts_or_ends_is_told_to_both_people(
    js: JetStreamContext, stack: Stack, staff: StaffMember, subject: str
) -> None:
    person, delegate = _recipient(), _recipient()
    delegation_id = str(uuid.uuid4())
    if subject == "identity.delegation.granted":
        event: Message = identity.DelegationGranted(
            **_org(staff), delegation_id=delegation_id, person=person, delegate=delegate
        )
    else:
        event = identity.DelegationEnded(
            **_org(staff), delegation_id=delegation_id, person=person, delegate=delegate, reason="turned_16"
        )
    await _publish(js, subject, event)

    org = staff.organisation_name
    subjects = {
        "identity.delegation.granted": (
            f"{delegate.display_name} heeft nu toegang tot uw portaal bij {org}",
            f"U heeft nu toegang tot het portaal van {person.display_name} bij {org}",
        ),
        "identity.delegation.ended": (
            f"De toegang van {delegate.display_name} tot uw portaal bij {org} is beëindigd",
            f"Uw toegang tot het portaal van {person.display_name} bij {org} is beëindigd",
        ),
    }[subject]
    for to, mail_subject in zip((person.email, delegate.email), subjects, strict=True):
        mail = await _only(stack, to)
        assert_notice(
            mail,
            subject=mail_subject,
            organisation=org,
            language="nl",
            link=f"{stack.web_url}/delegations/{delegation_id}",
        )
        # Delegation notices are optional: they say where to switch them off.
        assert mail["headers"]["List-Unsubscribe"] == f"<{stack.web_url}/me/notification-preferences>"


@pytest.mark.parametrize(
    ("subject", "event_type", "mail_subject"),
    [
        (
            "identity.registration.requested",
            identity.RegistrationRequested,
            "Uw aanvraag voor het portaal van {org} is ontvangen",
        ),
        ("identity.password.changed", identity.PasswordChanged, "Uw wachtwoord is gewijzigd"),
        ("identity.account.locked", identity.AccountLocked, "Uw Zorgpost-account is tijdelijk geblokkeerd"),
        (
            "identity.delegation.consent_requested",
            identity.DelegationConsentRequested,
            "Jan de Vries vraagt toegang tot uw portaal bij {org}",
        ),
    ],
)
async def test_a_receipt_or_security_notice_reaches_the_person_once(
    js: JetStreamContext, stack: Stack, staff: StaffMember, subject: str, event_type: type[Message], mail_subject: str
) -> None:
    person = _recipient()
    fields: dict[str, Any] = {**_org(staff)}
    if event_type is identity.DelegationConsentRequested:
        fields.update(delegation_id=str(uuid.uuid4()), person=person, delegate_name="Jan de Vries")
    else:
        fields["recipient"] = person
    if event_type is identity.AccountLocked:
        fields["locked_until"] = _in(15)
    await _publish(js, subject, event_type(**fields))

    mail = await _only(stack, person.email)
    assert_notice(
        mail,
        subject=mail_subject.format(org=staff.organisation_name),
        organisation=staff.organisation_name,
        language="nl",
    )
    await _nothing_to(stack, person.mobile)


# --------------------------------------------------------------------------- preferences
async def test_preferences_start_as_the_defaults(
    stack: Stack, person: Person, notifications: notifications_pb2_grpc.NotificationsServiceStub
) -> None:
    token = await access_token(stack, person)

    preferences = await notifications.GetPreferences(
        notifications_pb2.GetPreferencesRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )

    assert preferences.language == ""
    assert preferences.digest_window_minutes == 0
    assert not preferences.HasField("updated_at")
    assert {name: (c.channels.email, c.channels.sms, c.mandatory) for name, c in preferences.categories.items()} == {
        "security": (True, False, True),
        "account": (True, False, True),
        "messages": (True, False, False),
        "delegations": (True, False, False),
        "appointments": (True, False, False),
        "results": (True, False, False),
    }


async def test_a_mandatory_category_cannot_be_switched_off_and_nothing_is_saved(
    stack: Stack, person: Person, notifications: notifications_pb2_grpc.NotificationsServiceStub
) -> None:
    token = await access_token(stack, person)

    failure = await refusal(
        notifications.UpdatePreferences(
            notifications_pb2.UpdatePreferencesRequest(
                language="de",
                categories={
                    "security": notifications_pb2.ChannelChoice(email=False, sms=True),
                    "messages": notifications_pb2.ChannelChoice(email=False, sms=False),
                    "newsletter": notifications_pb2.ChannelChoice(email=True),
                },
                digest_window_minutes=-5,
            ),
            metadata=call_metadata(token),
            timeout=RPC_TIMEOUT,
        )
    )

    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "invalid_preferences"
    assert set(failure.fields) == {
        "language",
        "categories.security.email",
        "categories.newsletter",
        "digest_window_minutes",
    }
    after = await notifications.GetPreferences(
        notifications_pb2.GetPreferencesRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    assert not after.HasField("updated_at")
    assert after.categories["messages"].channels.email is True


async def test_chosen_channels_and_language_decide_how_an_optional_notice_comes(
    js: JetStreamContext,
    stack: Stack,
    staff: StaffMember,
    person: Person,
    notifications: notifications_pb2_grpc.NotificationsServiceStub,
) -> None:
    token = await access_token(stack, person)
    saved = await notifications.UpdatePreferences(
        notifications_pb2.UpdatePreferencesRequest(
            language="en",
            categories={"delegations": notifications_pb2.ChannelChoice(email=False, sms=True)},
        ),
        metadata=call_metadata(token),
        timeout=RPC_TIMEOUT,
    )
    assert saved.HasField("updated_at")
    assert (saved.categories["delegations"].channels.email, saved.categories["delegations"].channels.sms) == (
        False,
        True,
    )

    recipient = _recipient(account_id=person.account_id, language="nl")
    await _publish(
        js,
        "identity.delegation.consent_requested",
        identity.DelegationConsentRequested(
            **_org(staff), delegation_id=str(uuid.uuid4()), person=recipient, delegate_name="Jan de Vries"
        ),
    )
    sms = await _only(stack, recipient.mobile)
    assert sms["text"] == (
        f"Zorgpost: someone asks for access to your portal at {staff.organisation_name}. Log in to view the request."
    )
    await _nothing_to(stack, recipient.email)

    # Security notices still come by mail, now in the chosen language.
    await _publish(
        js,
        "identity.password.changed",
        identity.PasswordChanged(**_org(staff), recipient=recipient, changed_at=_in(0)),
    )
    mail = await _only(stack, recipient.email)
    assert_notice(mail, subject="Your password was changed", organisation=staff.organisation_name, language="en")


async def test_preferences_are_for_account_holders_with_a_valid_token(
    notifications: notifications_pb2_grpc.NotificationsServiceStub,
) -> None:
    failure = await refusal(
        notifications.GetPreferences(notifications_pb2.GetPreferencesRequest(), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED


# --------------------------------------------------------------------------- delivery status
async def _deliveries(
    notifications: notifications_pb2_grpc.NotificationsServiceStub, token: str, source_id: str
) -> list[notifications_pb2.Delivery]:
    response = await notifications.ListDeliveries(
        notifications_pb2.ListDeliveriesRequest(source_id=source_id), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return list(response.deliveries)


async def test_the_organisation_sees_its_invitation_delivered_and_no_one_else_does(
    js: JetStreamContext,
    stack: Stack,
    staff: StaffMember,
    staff_token: str,
    notifications: notifications_pb2_grpc.NotificationsServiceStub,
) -> None:
    recipient = _recipient()
    invitation_id = str(uuid.uuid4())
    await _publish(
        js,
        "identity.invitation.sent",
        identity.InvitationSent(
            **_org(staff),
            invitation_id=invitation_id,
            inviter_name="Piet Jansen",
            recipient=recipient,
            token=secrets.token_urlsafe(24),
            expires_at=_in(60),
        ),
    )
    await _only(stack, recipient.email)

    async def sent() -> bool:
        deliveries = await _deliveries(notifications, staff_token, invitation_id)
        return [d.status for d in deliveries] == ["sent"]

    await wait_until(sent, within=NOTICE_TIMEOUT, what="invitation delivery sent")
    [delivery] = await _deliveries(notifications, staff_token, invitation_id)
    assert (delivery.template, delivery.channel, delivery.category, delivery.attempts) == (
        "invitation",
        "email",
        "account",
        1,
    )
    assert delivery.recipient.startswith("p***@")
    other_token = await access_token(stack, await create_staff_member(stack))
    assert await _deliveries(notifications, other_token, invitation_id) == []
