"""The notice catalogue: every event that reaches a person has a rule, every notice has its
templates in Dutch and English for each channel it can go over, and every notice, rendered
from an event whose every field is filled, shows only what it is meant to show — never an
id, never content, never a link off the public site, never a tracking image."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from notifications.adapters.templates import TemplateCatalogue
from notifications.domain.model import Category, Channel
from notifications.domain.notices import (
    CATALOGUE,
    LANGUAGES,
    MESSAGES_DIGEST,
    NEW_MESSAGE,
    SECURE_MAIL_NOTICE,
    Addressee,
    NoticeKind,
    plan_deliveries,
)
from notifications.domain.preferences import ChannelChoice, Preferences
from notifications.entrypoints.consumers import RULES, NoticeRule
from zorgpost.events.v1 import contacts_events_pb2, identity_events_pb2, messaging_events_pb2, portal_events_pb2

PUBLIC_URL = "https://zorgpost.example"
NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
PROTO_DIR = Path(__file__).resolve().parents[3] / "proto" / "zorgpost" / "events" / "v1"
#: Fields that hold one of a few values: each value is rendered.
ENUM_FIELDS = {
    "language": ["nl"],
    "channel": ["email", "sms"],
    "purpose": ["login", "registration", "password_reset", "mobile_change", "email_change", "secure_mail_access"],
    "reason": ["revoked", "turned_16", "access_ended"],
    # Repeated: every role at once, in a notice that names them.
    "roles": ["admin", "staff", "practitioner", "case_handler", "helpdesk"],
    "previous_roles": ["staff"],
    "cancelled_by": ["patient", "practice"],
    "document_kind": ["report", "document", "agreement"],
    # A message's recipients: one of each kind is filled in.
    "kind": ["account", "guest", "organisation"],
    # A contact person's change: with a new address (the old one is told) and without.
    "previous_email": ["vorig-adres@example.org", ""],
}
#: Flags set in every filled event: the notice they govern is caused only when they are set.
TRUE_FLAGS = frozenset({"awaiting_consent"})
#: Only these event fields may appear in a notice of each template; anything else filled in
#: the event (ids, other addresses, the account id) must not.
SHOWN: dict[str, set[str]] = {
    # From a secure mail, a fresh link, or a later message in its thread.
    "secure_mail_notice": {"organisation_name", "read_token", "recipients.read_token"},
    # The link names the conversation; the reader logs in to read it.
    "new_message": {"organisation_name", "sender_display_name", "thread_id"},
    "invitation": {"organisation_name", "recipient.display_name", "inviter_name", "token"},
    "invitation_declined": {"organisation_name", "inviter.display_name", "invitee_email"},
    "client_account_activation": {"organisation_name", "recipient.display_name", "token"},
    "temporary_password": {"organisation_name", "recipient.display_name", "login_name", "temporary_password"},
    "registration_received": {"organisation_name", "recipient.display_name"},
    # A parent's request for a child's portal: the child's name, never the parent's note or
    # the practice's reason (neither is in the events).
    "access_request_received": {"organisation_name", "recipient.display_name", "child_name"},
    "access_request_approved": {"organisation_name", "recipient.display_name", "child_name"},
    "access_request_rejected": {"organisation_name", "recipient.display_name", "child_name"},
    "registration_approved": {"organisation_name", "recipient.display_name", "token"},
    "one_time_code": {"organisation_name", "recipient.display_name", "code"},
    "password_reset": {"organisation_name", "recipient.display_name", "token"},
    "password_changed": {"organisation_name", "recipient.display_name"},
    "email_change_confirmation": {"organisation_name", "recipient.display_name", "token"},
    # The new address is shown masked, so its marker never appears whole.
    "email_change_notice": {"organisation_name", "recipient.display_name"},
    "delegation_consent_request": {"organisation_name", "person.display_name", "delegate_name", "delegation_id"},
    "delegation_granted_person": {"organisation_name", "person.display_name", "delegate.display_name", "delegation_id"},
    "delegation_granted_delegate": {
        "organisation_name", "person.display_name", "delegate.display_name", "delegation_id",
    },
    "delegation_ended_person": {"organisation_name", "person.display_name", "delegate.display_name", "delegation_id"},
    "delegation_ended_delegate": {
        "organisation_name", "person.display_name", "delegate.display_name", "delegation_id",
    },
    "account_locked": {"organisation_name", "recipient.display_name"},
    "staff_invitation": {"organisation_name", "recipient.display_name", "inviter_name", "token"},
    "staff_roles_changed": {"organisation_name", "recipient.display_name", "changed_by_name"},
    "staff_access_ended": {"organisation_name", "recipient.display_name", "deactivated_by_name"},
    # The portal's notices: that something is ready, never what (the time of one's own
    # appointment is shown, as a Timestamp, not a marker).
    "appointment_booked": {"organisation_name", "recipients.display_name"},
    "appointment_cancelled": {"organisation_name", "recipients.display_name"},
    "prescription_ready": {"organisation_name", "recipients.display_name"},
    "result_published": {"organisation_name", "recipients.display_name"},
    "document_published": {"organisation_name", "recipients.display_name"},
    "questionnaire_sent": {"organisation_name", "recipients.display_name"},
    # The e-counter's contact persons (seed 3), reached by address; the message's link names its thread.
    "contact_confirmation": {"organisation_name", "display_name", "token", "theme_names"},
    "contact_changed": {"organisation_name", "display_name"},
    "contact_email_changed": {"organisation_name", "display_name"},
    "contact_removed": {"organisation_name", "display_name"},
    "ecounter_message": {"organisation_name", "sender_organisation_name", "thread_id", "contacts.display_name"},
    # The technical helpdesk's confirmation: the ticket's link, never the question.
    "helpdesk_confirmation": {"organisation_name", "thread_id"},
}  # fmt: skip
#: In an SMS even less: the organisation and, for a code, the code.
SHOWN_BY_SMS: dict[str, set[str]] = {"one_time_code": {"code"}, "new_message": {"sender_display_name"}}


def marker(path: str) -> str:
    return f"mark-{path.replace('.', '-')}-end"


def filled(message_type: type[Message], prefix: str = "", **choices: str) -> Message:
    """An event with every field set: strings to a marker naming the field, addresses and
    numbers to recognisable values, times to a fixed moment, enumerations to ``choices``
    (or their first value)."""
    message = message_type()
    for field in message.DESCRIPTOR.fields:
        path = prefix + field.name
        if field.is_repeated:
            items = getattr(message, field.name)
            if field.message_type is None:
                items.append(marker(path))
                continue
            # One element per value of the element's enumeration (a recipient of each kind).
            element_type = type(items.add())
            del items[:]
            kinds = [name for name in element_type.DESCRIPTOR.fields_by_name if name in ENUM_FIELDS]
            for value in ENUM_FIELDS[kinds[0]] if kinds else [""]:
                items.add().CopyFrom(filled(element_type, f"{path}.", **({kinds[0]: value} if kinds else {})))
        elif field.message_type is not None and field.message_type.full_name == "google.protobuf.Timestamp":
            getattr(message, field.name).FromDatetime(NOW + timedelta(minutes=30))
        elif field.message_type is not None:
            getattr(message, field.name).CopyFrom(filled(type(getattr(message, field.name)), f"{path}."))
        elif field.type == FieldDescriptor.TYPE_BOOL and field.name in TRUE_FLAGS:
            setattr(message, field.name, True)
        elif field.type == FieldDescriptor.TYPE_STRING and field.is_repeated:
            chosen = choices.get(field.name)
            getattr(message, field.name).extend(
                [chosen] if chosen else ENUM_FIELDS.get(field.name, [marker(path)])
            )
        elif field.type == FieldDescriptor.TYPE_STRING:
            if field.name in ENUM_FIELDS:
                value = choices.get(field.name, ENUM_FIELDS[field.name][0])
            elif "email" in field.name:
                value = f"{marker(path).lower()}@example.org"
            elif field.name == "mobile":
                value = "+31612345678"
            else:
                value = marker(path)
            setattr(message, field.name, value)
    return message


def markers_of(message_type: type[Message], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for field in message_type.DESCRIPTOR.fields:
        path = prefix + field.name
        if field.is_repeated and field.message_type is not None:
            found.update(markers_of(type(getattr(message_type(), field.name).add()), f"{path}."))
        elif field.message_type is not None and field.message_type.full_name != "google.protobuf.Timestamp":
            found.update(markers_of(type(getattr(message_type(), field.name)), f"{path}."))
        elif field.type == FieldDescriptor.TYPE_STRING and field.name not in ENUM_FIELDS and field.name != "mobile":
            found[path] = marker(path).lower() if "email" in field.name else marker(path)
    return found


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs.extend(value or "" for name, value in attrs if name in ("href", "src", "background"))


def page(html: str) -> Page:
    parsed = Page()
    parsed.feed(html)
    return parsed


def from_address_book(account_id: str) -> Addressee:
    """What the address book answers for an account an event names by id only."""
    return Addressee(account_id=account_id, email="persoon@example.org", language="nl", display_name="Persoon X")


@pytest.fixture(scope="module")
def catalogue() -> TemplateCatalogue:
    return TemplateCatalogue(PUBLIC_URL)


# --------------------------------------------------------------------------- completeness
def proto_subjects() -> dict[str, str]:
    """Message name → subject, as the event protos' comments declare them."""
    subjects: dict[str, str] = {}
    for name in ("identity_events.proto", "messaging_events.proto", "portal_events.proto", "contacts_events.proto"):
        text = (PROTO_DIR / name).read_text()
        for subject, message in re.findall(r"// Subject: (\S+)\n(?://.*\n)*message (\w+)", text):
            subjects[message] = subject
    return subjects


#: Parts of events, not events.
EVENT_PARTS = {"Recipient", "MessageRecipient", "PortalRecipient", "EcounterContact"}
#: Events for other services and the audit trail, not for a notice (messaging adds the invitee
#: to the thread; notifications keeps its address book with a consumer of its own; every
#: service refuses a revoked access; an organisation's changes are kept; identity ends portal
#: access when a trajectory ends).
NOT_NOTICES = {
    "InvitationAccepted",
    "AccountContactDetailsChanged",
    "AccessRevoked",
    "OrganisationCreated",
    "OrganisationRenamed",
    "OrganisationDeactivated",
    "SecurityPolicyChanged",
    "StaffJoined",
    "TeamCreated",
    "TeamRenamed",
    "TeamDeleted",
    "TeamMembersChanged",
    "SupervisionLinked",
    "SupervisionThemesChanged",
    "SupervisionEnded",
    "TrajectoryEnded",
    "ContactPersonConfirmed",
}
#: Notices whose rules are still to come; remove each name here together with its rule.
AWAITING_RULES: set[str] = set()


def test_every_event_that_reaches_a_person_has_exactly_one_rule_on_its_declared_subject() -> None:
    declared = {name: subject for name, subject in proto_subjects().items() if name not in NOT_NOTICES | AWAITING_RULES}
    events = {
        name
        for module in (identity_events_pb2, messaging_events_pb2, portal_events_pb2, contacts_events_pb2)
        for name in module.DESCRIPTOR.message_types_by_name
        if name not in EVENT_PARTS | NOT_NOTICES | AWAITING_RULES
    }
    ruled = {rule.message_type.DESCRIPTOR.name: rule.subject for rule in RULES}

    assert events == set(declared), "every event message declares its subject"
    assert ruled == declared
    assert len(RULES) == len(ruled)


def test_each_rule_has_its_own_durable_consumer_and_secure_mail_keeps_its_old_one() -> None:
    durables = [rule.durable for rule in RULES]

    assert len(set(durables)) == len(durables)
    assert "notifications-secure-mail-sent" in durables
    assert "notifications-one-time-code-issued" in durables


def test_every_notice_has_all_its_templates_in_both_languages(catalogue: TemplateCatalogue) -> None:
    assert catalogue.missing(CATALOGUE) == []


def test_a_notice_without_templates_is_reported_missing(catalogue: TemplateCatalogue) -> None:
    made_up = NoticeKind("appointment_reminder", Category.APPOINTMENTS, frozenset({Channel.EMAIL, Channel.SMS}))

    assert catalogue.missing([made_up]) == [
        f"{language}/appointment_reminder.{part}.j2"
        for language in LANGUAGES
        for part in ("subject", "txt", "html", "sms")
    ]


def test_every_kind_an_event_causes_is_in_the_catalogue() -> None:
    caused = {
        notice.kind
        for rule in RULES
        for choices in variants(rule.message_type)
        for notice in rule.notices(filled(rule.message_type, **choices))
    }

    assert caused <= set(CATALOGUE)
    assert set(CATALOGUE) - caused == {MESSAGES_DIGEST}, "only the digest is not caused by an event itself"


# --------------------------------------------------------------------------- every notice, rendered
def variants(message_type: type[Message]) -> list[dict[str, str]]:
    """One choice per value of the event's enumeration fields (none: one plain variant)."""
    names = [
        field.name for field in message_type.DESCRIPTOR.fields if field.name in ENUM_FIELDS and field.name != "language"
    ]
    return [{name: value} for name in names for value in ENUM_FIELDS[name]] or [{}]


def rendered_cases() -> list[tuple[str, NoticeRule[Any], dict[str, str], int, str]]:
    cases = []
    for rule in RULES:
        for choices in variants(rule.message_type):
            for index, notice in enumerate(rule.notices(filled(rule.message_type, **choices))):
                for language in LANGUAGES:
                    label = "-".join([notice.kind.template, *choices.values(), language])
                    cases.append((label, rule, choices, index, language))
    return cases


CASES = rendered_cases()


@pytest.mark.parametrize(("case", "rule", "choices", "index", "language"), CASES, ids=[c[0] for c in CASES])
def test_a_notice_shows_only_what_it_is_meant_to(
    catalogue: TemplateCatalogue,
    case: str,
    rule: NoticeRule[Any],
    choices: dict[str, str],
    index: int,
    language: str,
) -> None:
    notice = rule.notices(filled(rule.message_type, **choices))[index]
    if notice.addressee.in_address_book:
        notice = replace(notice, addressee=from_address_book(notice.addressee.account_id))
    # Reachable on every channel, even where the event has no mobile number (secure mail).
    notice = replace(notice, addressee=replace(notice.addressee, mobile="+31612345678"))
    markers = markers_of(rule.message_type)
    template = notice.kind.template
    # Every channel the notice can go over, chosen by the person where it is not fixed.
    preferences = Preferences(
        "account", language=language, categories={notice.kind.category: ChannelChoice(email=True, sms=True)}
    )
    deliveries = plan_deliveries(notice, preferences, NOW)
    assert {d.channel for d in deliveries} == ({notice.channel} if notice.channel else set(notice.kind.channels))

    for delivery in deliveries:
        if delivery.channel is Channel.SMS:
            sms = catalogue.render_sms(template, language, delivery.params)
            shown = {path for path, value in markers.items() if value in sms}
            assert shown <= SHOWN_BY_SMS.get(template, set()) | {"organisation_name"}, sms
            assert len(sms) <= 160, sms
            assert "http" not in sms
            continue
        mail = catalogue.render_mail(template, language, delivery.params, optional=delivery.is_optional)
        everything = mail.subject + mail.text + mail.html
        shown = {path for path, value in markers.items() if value in everything}
        assert shown <= SHOWN[template], sorted(shown - SHOWN[template])
        assert markers["organisation_name"] in mail.text
        assert markers["organisation_name"] in mail.html
        html = page(mail.html)
        assert f'lang="{language}"' in mail.html
        assert not html.tags & {"img", "script", "iframe", "object", "form"}, "no tracking pixel, nothing active"
        assert all(href.startswith(PUBLIC_URL + "/") for href in html.hrefs), html.hrefs
        for secret in ("token", "read_token", "code", "temporary_password"):
            if secret in markers and markers[secret] in mail.text:
                # A secret the person needs is in both parts, on a line of its own or in a link.
                assert markers[secret] in mail.html


@pytest.mark.parametrize(
    ("subject", "path"),
    [
        ("identity.invitation.sent", "/invitations/"),
        ("identity.staff_invitation.sent", "/invitations/"),
        ("identity.client_account.created", "/activate/"),
        ("identity.registration.approved", "/register/"),
        ("identity.password_reset.requested", "/password-reset/"),
        ("identity.email_change.requested", "/confirm-email/"),
        ("identity.delegation.consent_requested", "/delegations/"),
        ("messaging.secure_mail.sent", "/secure-mail/"),
        ("messaging.secure_mail.link_resent", "/secure-mail/"),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_link_goes_to_the_path_the_event_contract_names(
    catalogue: TemplateCatalogue, subject: str, path: str, language: str
) -> None:
    rule = next(rule for rule in RULES if rule.subject == subject)
    event = filled(rule.message_type)
    notice = rule.notices(event)[0]
    value = getattr(event, "delegation_id", None) or getattr(event, "token", None) or event.read_token
    [delivery] = plan_deliveries(notice, Preferences(""), NOW)

    mail = catalogue.render_mail(notice.kind.template, language, delivery.params)

    link = f"{PUBLIC_URL}{path}{value}"
    assert link in mail.text
    assert link in page(mail.html).hrefs


@pytest.mark.parametrize(("language", "text"), [("nl", "Uw Zorgpost-code is 123456. Geldig tot 14:35."),
                                               ("en", "Your Zorgpost code is 123456. Valid until 14:35.")])  # fmt: skip
def test_a_code_sms_says_the_code_and_until_when_in_dutch_time(
    catalogue: TemplateCatalogue, language: str, text: str
) -> None:
    # 13:35 UTC is 14:35 in Amsterdam in winter.
    params = {"code": "123456", "expires_at": "2026-03-02T13:35:00+00:00", "organisation_name": "Gemeente X"}

    assert catalogue.render_sms("one_time_code", language, params) == text


def test_a_code_mail_has_the_code_on_a_line_of_its_own(catalogue: TemplateCatalogue) -> None:
    params = {"code": "123456", "purpose": "secure_mail_access", "expires_at": "", "organisation_name": "Gemeente X"}

    mail = catalogue.render_mail("one_time_code", "nl", params)

    assert mail.subject == "Zorgpost Secure e-mail – Uw toegangscode"
    assert "123456" in [line.strip() for line in mail.text.splitlines()]


def test_the_digest_lists_each_message_with_its_link_and_sender(catalogue: TemplateCatalogue) -> None:
    items = [
        {"organisation_name": "Gemeente Vlaardingen", "read_token": "tok-1"},
        {"organisation_name": "GGD Rotterdam", "read_token": "tok-2"},
    ]

    mail = catalogue.render_mail(
        MESSAGES_DIGEST.template,
        "nl",
        {"organisation_name": "Gemeente Vlaardingen, GGD Rotterdam", "items": items},
        optional=True,
    )

    assert mail.subject == "Zorgpost Secure e-mail – 2 nieuwe berichten"
    for item in items:
        assert f"- van {item['organisation_name']}: {PUBLIC_URL}/secure-mail/{item['read_token']}" in mail.text
        assert f"{PUBLIC_URL}/secure-mail/{item['read_token']}" in page(mail.html).hrefs
    assert f"{PUBLIC_URL}/me/notification-preferences" in mail.text


def test_optional_mail_says_where_to_change_settings_and_mandatory_mail_does_not(
    catalogue: TemplateCatalogue,
) -> None:
    params = {"organisation_name": "Gemeente X", "read_token": "abc"}
    optional = catalogue.render_mail("secure_mail_notice", "nl", params, optional=True)
    mandatory = catalogue.render_mail("secure_mail_notice", "nl", params, optional=False)

    assert f"{PUBLIC_URL}/me/notification-preferences" in optional.text
    assert f"{PUBLIC_URL}/me/notification-preferences" in page(optional.html).hrefs
    assert "notification-preferences" not in mandatory.text + mandatory.html


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        ("2026-03-02T13:35:00+00:00", "nl", "2 maart 2026 om 14:35"),
        ("2026-07-15T08:05:00+00:00", "en", "15 July 2026 at 10:05"),
    ],
)
def test_times_are_shown_in_dutch_local_time_in_the_readers_language(
    catalogue: TemplateCatalogue, value: str, language: str, shown: str
) -> None:
    mail = catalogue.render_mail("account_locked", language, {"organisation_name": "Gemeente X", "locked_until": value})

    assert shown in mail.text


@pytest.mark.parametrize(
    ("subject", "path"),
    [
        ("portal.appointment.booked", "/portal/appointments"),
        ("portal.appointment.cancelled", "/portal/appointments"),
        ("portal.prescription.ready", "/portal/prescriptions"),
        ("portal.result.published", "/portal/results"),
        ("portal.document.published", "/portal/documents"),
        ("portal.questionnaire.sent", "/portal/questionnaires"),
    ],
)
def test_a_portal_notice_goes_to_every_recipient_and_links_to_its_portal_page(
    catalogue: TemplateCatalogue, subject: str, path: str
) -> None:
    rule = next(rule for rule in RULES if rule.subject == subject)
    event = filled(rule.message_type)
    second = event.recipients.add()  # type: ignore[attr-defined]
    second.CopyFrom(event.recipients[0])  # type: ignore[attr-defined]
    second.email, second.account_id = "ouder@example.org", "ouder"

    notices = rule.notices(event)

    assert [n.addressee.email for n in notices] == [event.recipients[0].email, "ouder@example.org"]  # type: ignore[attr-defined]
    [delivery] = plan_deliveries(notices[0], Preferences(""), NOW)
    mail = catalogue.render_mail(notices[0].kind.template, "nl", delivery.params)
    assert f"{PUBLIC_URL}{path}" in mail.text
    assert f"{PUBLIC_URL}{path}" in page(mail.html).hrefs


def test_an_appointment_notice_tells_the_time_in_dutch_and_a_cancellation_who_cancelled(
    catalogue: TemplateCatalogue,
) -> None:
    params = {"organisation_name": "Huisartsenpraktijk De Linde", "starts_at": "2026-12-01T08:30:00+00:00"}
    booked = catalogue.render_mail("appointment_booked", "nl", params)
    by_practice = catalogue.render_mail("appointment_cancelled", "nl", {**params, "cancelled_by": "practice"})

    assert booked.subject == "Bevestiging van uw afspraak"
    assert "1 december 2026 om 09:30" in booked.text and "24 uur" in booked.text
    assert "geannuleerd door de praktijk" in by_practice.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_message_tells_each_account_and_guest_once_and_the_shared_inbox_nobody(
    catalogue: TemplateCatalogue, language: str
) -> None:
    rule = next(rule for rule in RULES if rule.subject == "messaging.message.sent")
    event = filled(rule.message_type)
    # The same account named twice (a participant who is also the assignee) is told once.
    event.recipients.add().CopyFrom(event.recipients[0])

    notices = rule.notices(event)

    assert [(n.kind, n.addressee.in_address_book) for n in notices] == [
        (NEW_MESSAGE, True),
        (SECURE_MAIL_NOTICE, False),
    ]
    account, guest = notices
    assert account.addressee.account_id == event.recipients[0].account_id
    assert guest.addressee.email == event.recipients[1].email
    assert guest.expires_at is not None
    [to_account] = plan_deliveries(replace(account, addressee=from_address_book("a")), Preferences("a"), NOW)
    mail = catalogue.render_mail(NEW_MESSAGE.template, language, to_account.params)
    assert f"{PUBLIC_URL}/threads/{event.thread_id}" in page(mail.html).hrefs
    assert event.sender_display_name in mail.subject
    [to_guest] = plan_deliveries(guest, Preferences(""), NOW)
    link = f"{PUBLIC_URL}/secure-mail/{event.recipients[1].read_token}"
    assert link in catalogue.render_mail(SECURE_MAIL_NOTICE.template, language, to_guest.params).text


def test_a_digest_lists_conversation_messages_with_their_writer_and_link(catalogue: TemplateCatalogue) -> None:
    items = [
        {"organisation_name": "Gemeente Vlaardingen", "sender_name": "Mila de Medewerker", "thread_id": "t-1"},
        {"organisation_name": "Persoon X", "sender_name": "Persoon X", "thread_id": "t-2"},
    ]

    mail = catalogue.render_mail(
        MESSAGES_DIGEST.template, "nl", {"organisation_name": "Gemeente Vlaardingen", "items": items}, optional=True
    )

    assert f"- van Mila de Medewerker (Gemeente Vlaardingen): {PUBLIC_URL}/threads/t-1" in mail.text
    assert f"- van Persoon X: {PUBLIC_URL}/threads/t-2" in mail.text
    assert "toegangscode" not in mail.text
    assert {f"{PUBLIC_URL}/threads/t-1", f"{PUBLIC_URL}/threads/t-2"} <= set(page(mail.html).hrefs)


def test_an_approval_under_twelve_is_told_once_by_the_delegation_granted_notice() -> None:
    rule = next(rule for rule in RULES if rule.subject == "identity.access_request.approved")
    event = identity_events_pb2.AccessRequestApproved(
        access_request_id="r", child_name="Sam", delegation_id="d", awaiting_consent=False
    )

    assert rule.notices(event) == []


@pytest.mark.parametrize(
    ("template", "language", "expected"),
    [
        ("access_request_received", "nl", "Uw aanvraag bij Kind & meer is ontvangen"),
        ("access_request_approved", "nl", "Uw aanvraag bij Kind & meer is goedgekeurd"),
        ("access_request_rejected", "nl", "Uw aanvraag bij Kind & meer is afgewezen"),
        ("access_request_received", "en", "Your request at Kind & meer was received"),
        ("access_request_approved", "en", "Your request at Kind & meer was approved"),
        ("access_request_rejected", "en", "Your request at Kind & meer was declined"),
    ],
)
def test_an_access_request_mail_subject_names_the_practice_and_the_step_not_the_child(
    catalogue: TemplateCatalogue, template: str, language: str, expected: str
) -> None:
    params = {
        "organisation_name": "Kind & meer",
        "recipient": {"display_name": "Anna Ouder"},
        "child_name": "Sam Ouder",
        "public_url": PUBLIC_URL,
    }
    mail = catalogue.render_mail(template, language, params, optional=False)
    # Each step its own subject: a lock screen tells which without naming the child.
    assert mail.subject == expected and "Sam" not in mail.subject
