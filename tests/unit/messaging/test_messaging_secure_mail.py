"""Secure e-mail (seed 2): staff send it; the notice event carries the link, never the content."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest

from messaging.adapters.events import event_codec
from messaging.domain.model import SecureMail, SecureMailSent, SendSecureMail
from messaging.service.secure_mail import MAX_SUBJECT_LENGTH, SecureMailDraft, check_send_secure_mail
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import InvalidArgument, PermissionDenied

SUBJECT = "Uitslag van uw aanvraag Wmo"
BODY = "Beste mevrouw De Vries, uw aanvraag voor huishoudelijke hulp is toegekend."
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

STAFF = Principal(
    subject_id="account-jan",
    actor_id="account-jan",
    session_id="session-1",
    organisation_id="org-vlaardingen",
    organisation_name="Gemeente Vlaardingen",
    roles=frozenset({"staff"}),
)


def command(**overrides: object) -> SendSecureMail:
    values: dict[str, object] = {
        "sender_account_id": "account-jan",
        "organisation_id": "org-vlaardingen",
        "organisation_name": "Gemeente Vlaardingen",
        "recipient_email": "anna@example.nl",
        "recipient_mobile": "+31612345678",
        "subject": SUBJECT,
        "body": BODY,
    }
    values.update(overrides)
    return SendSecureMail(**values)  # type: ignore[arg-type]


def draft(**overrides: str) -> SecureMailDraft:
    values = {
        "recipient_email": "anna@example.nl",
        "recipient_mobile": "06 12345678",
        "subject": SUBJECT,
        "body": BODY,
    }
    values.update(overrides)
    return SecureMailDraft(**values)


def the_event(mail: SecureMail) -> SecureMailSent:
    [event] = mail.events
    assert isinstance(event, SecureMailSent)
    return event


# --- SecureMail.send ----------------------------------------------------------------------


def test_sending_raises_one_event_with_what_the_notice_needs() -> None:
    mail = SecureMail.send(command(), now=NOW)

    event = the_event(mail)
    assert event.secure_mail_id == mail.id
    assert event.recipient_email == "anna@example.nl"
    assert event.recipient_mobile == "+31612345678"
    assert event.organisation_name == "Gemeente Vlaardingen"
    assert event.sent_at == NOW
    assert event.read_token


def test_the_event_carries_neither_subject_nor_body() -> None:
    mail = SecureMail.send(command(), now=NOW)
    event = the_event(mail)

    event_values = [str(value) for value in dataclasses.asdict(event).values()]
    wire = event_codec().encode(event).payload

    assert not {"subject", "body"} & {f.name for f in dataclasses.fields(event)}
    assert all(SUBJECT not in value and BODY not in value for value in event_values)
    assert SUBJECT.encode() not in wire and BODY.encode() not in wire


def test_the_mail_keeps_only_the_sha256_hash_of_the_read_token() -> None:
    mail = SecureMail.send(command(), now=NOW)
    token = the_event(mail).read_token

    assert mail.read_token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = {name: value for name, value in dataclasses.asdict(mail).items() if name != "events"}
    assert token not in repr(stored)


def test_every_mail_gets_its_own_unguessable_read_token() -> None:
    tokens = {the_event(SecureMail.send(command(), now=NOW)).read_token for _ in range(20)}

    assert len(tokens) == 20
    assert all(len(token) >= 43 for token in tokens), "at least 256 bits, url-safe"


def test_the_mail_is_its_own_thread_holding_the_first_message() -> None:
    mail = SecureMail.send(command(), now=NOW)

    assert mail.thread_id == mail.id == the_event(mail).thread_id
    assert mail.subject == SUBJECT
    assert mail.first_message.body == BODY
    assert mail.first_message.thread_id == mail.id
    assert mail.first_message.author_account_id == "account-jan"
    assert mail.first_message.created_at == mail.sent_at == NOW


def test_a_mail_without_mobile_number_says_so_in_the_event() -> None:
    mail = SecureMail.send(command(recipient_mobile=None), now=NOW)

    assert the_event(mail).recipient_mobile is None


# --- check_send_secure_mail ---------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param(dataclasses.replace(STAFF, roles=frozenset({"person"})), id="a citizen"),
        pytest.param(dataclasses.replace(STAFF, organisation_id=None), id="staff role without organisation"),
    ],
)
def test_only_staff_of_an_organisation_may_send(principal: Principal) -> None:
    with pytest.raises(PermissionDenied) as refused:
        check_send_secure_mail(principal, draft())

    assert refused.value.code == "staff_only"


def test_a_refused_sender_learns_nothing_about_the_fields() -> None:
    citizen = dataclasses.replace(STAFF, roles=frozenset({"person"}))

    with pytest.raises(PermissionDenied) as refused:
        check_send_secure_mail(citizen, draft(recipient_email="not-an-address"))

    assert refused.value.fields == {}


def test_every_bad_field_is_reported_at_once() -> None:
    bad = draft(
        recipient_email="anna.example.nl",
        recipient_mobile="010 248 4000",
        subject="x" * (MAX_SUBJECT_LENGTH + 1),
        body="   ",
    )

    with pytest.raises(InvalidArgument) as refused:
        check_send_secure_mail(STAFF, bad)

    assert set(refused.value.fields) == {"recipient_email", "recipient_mobile", "subject", "body"}
    assert refused.value.fields["recipient_mobile"] == "is not a valid mobile number"
    assert refused.value.fields["body"] == "is required"


def test_valid_input_is_normalised_into_the_command() -> None:
    checked = check_send_secure_mail(
        STAFF,
        draft(
            recipient_email="  anna.de.vries@Example.NL ",
            recipient_mobile="06 12 34 56 78",
            subject=f"  {SUBJECT}  ",
            body=f"\n{BODY}\n",
        ),
    )

    assert checked == SendSecureMail(
        sender_account_id="account-jan",
        organisation_id="org-vlaardingen",
        organisation_name="Gemeente Vlaardingen",
        recipient_email="anna.de.vries@example.nl",
        recipient_mobile="+31612345678",
        subject=SUBJECT,
        body=BODY,
    )


def test_the_mobile_number_is_optional() -> None:
    assert check_send_secure_mail(STAFF, draft(recipient_mobile="")).recipient_mobile is None


def test_a_proxy_acting_for_staff_is_recorded_as_the_sender() -> None:
    acting = dataclasses.replace(STAFF, actor_id="account-secretary")

    assert check_send_secure_mail(acting, draft()).sender_account_id == "account-secretary"
