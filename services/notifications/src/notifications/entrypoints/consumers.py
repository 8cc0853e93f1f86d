"""Notifications' event consumers, as one table: which event tells whom what.

Every event that reaches a person has one :class:`NoticeRule`: its subject, its protobuf
message and a function naming the notices it causes (kind, addressee, the parameters the
templates show). :func:`notice_consumers` makes one durable consumer per rule; each queues
the notices' deliveries in the runner's unit of work, so an event queues them exactly once.

Only what a template shows is taken from an event: the content of a message is never in
an event, and codes and tokens go to the delivery's parameters only.

New messages (``messaging.message.sent``) name their recipients by kind:

- an account (a participant, the staff member who sent the secure mail a guest answers,
  the colleague the thread is assigned to) gets "nieuw bericht van X" with a link to the
  conversation, at the address the address book holds, by the channels and digest they
  chose for messages;
- a guest (a secure mail's outside recipient) gets the "Bericht lezen" mail with the fresh
  read link messaging made for this notice;
- an organisation's shared inbox gets no mail of its own: the people responsible for the
  thread (its original sender, its assignee) are named as accounts in the same event, and
  everyone else sees it as unread in the inbox. Telling every colleague would teach them to
  ignore the notices.

:class:`AccountContactDetailsConsumer` keeps the address book (who is reached how).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from notifications.adapters.unit_of_work import SqlNotificationsUnitOfWork
from notifications.domain import notices as kinds
from notifications.domain.address_book import AddressBookEntry
from notifications.domain.model import Channel, mask_recipient
from notifications.domain.notices import Addressee, Notice, NoticeKind
from notifications.service.address_book import do_record
from notifications.service.notices import NoticeQueue
from zorgpost.events.v1 import contacts_events_pb2 as contacts
from zorgpost.events.v1 import identity_events_pb2 as identity
from zorgpost.events.v1 import messaging_events_pb2 as messaging
from zorgpost.events.v1 import portal_events_pb2 as portal
from zorgpost_kit.consumer import EventConsumer, EventEnvelope

E = TypeVar("E", bound=Message)

#: Deliveries of an event during which an account it names but the address book does not
#: know yet is waited for (identity's announcement of a new account may come a moment
#: after the first message to it): with the growing redelivery delay about 15 seconds.
ADDRESS_BOOK_PATIENCE = 5


@dataclass(frozen=True)
class NoticeRule(Generic[E]):
    subject: str
    message_type: type[E]
    notices: Callable[[E], list[Notice]]

    @property
    def producer(self) -> str:
        return self.subject.split(".", 1)[0]

    @property
    def durable(self) -> str:
        """``identity.one_time_code.issued`` → ``notifications-one-time-code-issued``."""
        _, rest = self.subject.split(".", 1)
        return "notifications-" + rest.replace(".", "-").replace("_", "-")


# --------------------------------------------------------------------------- from protobuf
def _addressee(recipient: identity.Recipient) -> Addressee:
    return Addressee(
        account_id=recipient.account_id,
        email=recipient.email,
        mobile=recipient.mobile,
        language=recipient.language,
        display_name=recipient.display_name,
    )


def _time(message: Message, field: str) -> datetime | None:
    """An optional timestamp field; unset is None rather than 1970."""
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=UTC)


def _iso(moment: datetime | None) -> str:
    """Times travel in the delivery's JSON parameters as ISO 8601 ("" when unknown)."""
    return moment.isoformat() if moment is not None else ""


def _to_recipient(
    # Identity's events to one person share organisation_id, organisation_name and
    # recipient by convention, not through a common protobuf type.
    event: Any,
    kind: NoticeKind,
    *,
    source_id: str | None = None,
    params: dict[str, Any] | None = None,
    channel: Channel | None = None,
    expires: str | None = None,
) -> Notice:
    """A notice of ``kind`` to the event's ``recipient``. Without a source object of its own,
    the notice is about the recipient's account: that is what a sender looks it up by.
    ``expires`` names the event's expiry field: the notice is not sent after it."""
    shown = dict(params or {})
    expires_at = _time(event, expires) if expires else None
    if expires:
        shown["expires_at"] = _iso(expires_at)
    return Notice(
        kind=kind,
        addressee=_addressee(event.recipient),
        source_id=source_id or event.recipient.account_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        params=shown,
        channel=channel,
        expires_at=expires_at,
    )


# --------------------------------------------------------------------------- events a lambda cannot say
def _secure_mail_sent(event: messaging.SecureMailSent) -> list[Notice]:
    # The event names an address, not an account: the defaults apply (by e-mail).
    return [
        Notice(
            kind=kinds.SECURE_MAIL_NOTICE,
            addressee=Addressee(account_id="", email=event.recipient_email, language=event.language),
            source_id=event.secure_mail_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            params={"read_token": event.read_token},
        )
    ]


def _read_link_notice(
    event: messaging.MessageSent | messaging.SecureMailLinkResent,
    *,
    email: str,
    language: str,
    read_token: str,
    expires_at: datetime | None,
) -> Notice:
    """The "Bericht lezen" mail to a secure mail's outside recipient (no account: the
    defaults apply, by e-mail); about the mail (its thread), as its first notice is."""
    return Notice(
        kind=kinds.SECURE_MAIL_NOTICE,
        addressee=Addressee(account_id="", email=email, language=language),
        source_id=event.thread_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        params={"read_token": read_token},
        expires_at=expires_at,
    )


def _message_sent(event: messaging.MessageSent) -> list[Notice]:
    """A notice per person to tell, once each (see the module's docstring)."""
    notices: list[Notice] = []
    told: set[str] = set()
    for recipient in event.recipients:
        if recipient.kind == "account" and recipient.account_id and recipient.account_id not in told:
            told.add(recipient.account_id)
            notices.append(
                Notice(
                    kind=kinds.NEW_MESSAGE,
                    addressee=Addressee.of_account(recipient.account_id),
                    source_id=event.thread_id,
                    organisation_id=event.organisation_id,
                    # A chat outside any organisation is sent on behalf of its writer.
                    organisation_name=event.organisation_name or event.sender_display_name,
                    params={"sender_name": event.sender_display_name, "thread_id": event.thread_id},
                )
            )
        elif recipient.kind == "guest" and recipient.email and recipient.read_token:
            notices.append(
                _read_link_notice(
                    event,
                    email=recipient.email,
                    language=recipient.language,
                    read_token=recipient.read_token,
                    expires_at=_time(recipient, "read_link_expires_at"),
                )
            )
    return notices


def _link_resent(event: messaging.SecureMailLinkResent) -> list[Notice]:
    return [
        _read_link_notice(
            event,
            email=event.recipient_email,
            language=event.language,
            read_token=event.read_token,
            expires_at=_time(event, "read_link_expires_at"),
        )
    ]


def _invitation_declined(event: identity.InvitationDeclined) -> list[Notice]:
    return [
        Notice(
            kind=kinds.INVITATION_DECLINED,
            addressee=_addressee(event.inviter),
            source_id=event.invitation_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            params={"invitee_email": event.invitee_email},
        )
    ]


def _one_time_code(event: identity.OneTimeCodeIssued) -> list[Notice]:
    # Anything but "sms" goes by mail: the person is waiting for the code somewhere.
    channel = Channel.SMS if event.channel == Channel.SMS else Channel.EMAIL
    return [
        _to_recipient(
            event,
            kinds.ONE_TIME_CODE,
            params={"code": event.code, "purpose": event.purpose},
            channel=channel,
            expires="expires_at",
        )
    ]


def _email_change(event: identity.EmailChangeRequested) -> list[Notice]:
    """The link to the new address; to the old one only that a change was asked."""
    new_address = Addressee(
        account_id=event.recipient.account_id,
        email=event.new_email,
        language=event.recipient.language,
        display_name=event.recipient.display_name,
    )
    confirmation = _to_recipient(
        event,
        kinds.EMAIL_CHANGE_CONFIRMATION,
        params={"token": event.token},
        channel=Channel.EMAIL,
        expires="expires_at",
    )
    return [
        replace(confirmation, addressee=new_address),
        _to_recipient(
            event,
            kinds.EMAIL_CHANGE_NOTICE,
            params={"new_email_masked": mask_recipient(event.new_email)},
            channel=Channel.EMAIL,
        ),
    ]


_DelegationEvent = identity.DelegationConsentRequested | identity.DelegationGranted | identity.DelegationEnded


def _delegation_notice(event: _DelegationEvent, kind: NoticeKind, to: identity.Recipient, delegate_name: str) -> Notice:
    return Notice(
        kind=kind,
        addressee=_addressee(to),
        source_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        params={
            "delegation_id": event.delegation_id,
            "delegate_name": delegate_name,
            "person_name": event.person.display_name,
            "reason": event.reason if isinstance(event, identity.DelegationEnded) else "",
        },
    )


def _consent_requested(event: identity.DelegationConsentRequested) -> list[Notice]:
    return [_delegation_notice(event, kinds.DELEGATION_CONSENT_REQUEST, event.person, event.delegate_name)]


def _to_both(to_person: NoticeKind, to_delegate: NoticeKind) -> Callable[[Any], list[Notice]]:
    """A delegation that started or ended: the person and the delegate are both told."""

    def notices(event: identity.DelegationGranted | identity.DelegationEnded) -> list[Notice]:
        name = event.delegate.display_name
        return [
            _delegation_notice(event, to_person, event.person, name),
            _delegation_notice(event, to_delegate, event.delegate, name),
        ]

    return notices


def _to_portal_recipients(
    kind: NoticeKind, source_field: str, params: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[Any], list[Notice]]:
    """A portal event → the notice to each of its recipients (the person and their delegates).
    The portal's events share organisation_id, organisation_name and recipients by
    convention, not through a common protobuf type."""

    def notices(event: Any) -> list[Notice]:
        shown = params(event) if params is not None else {}
        return [
            Notice(
                kind=kind,
                addressee=Addressee(
                    account_id=recipient.account_id,
                    email=recipient.email,
                    language=recipient.language,
                    display_name=recipient.display_name,
                ),
                source_id=getattr(event, source_field),
                organisation_id=event.organisation_id,
                organisation_name=event.organisation_name,
                params=shown,
            )
            for recipient in event.recipients
        ]

    return notices


# --------------------------------------------------------------------------- the e-counter (seed 3)
def _to_contact(
    event: Any, kind: NoticeKind, email: str, *, params: dict[str, Any] | None = None, expires: str | None = None
) -> Notice:
    """A notice to a contact person: an e-mail address, no account (the defaults apply,
    by e-mail, in Dutch); about the contact person."""
    shown = dict(params or {})
    expires_at = _time(event, expires) if expires else None
    if expires:
        shown["expires_at"] = _iso(expires_at)
    return Notice(
        kind=kind,
        addressee=Addressee(account_id="", email=email, display_name=event.display_name),
        source_id=event.contact_person_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        params=shown,
        channel=Channel.EMAIL,
        expires_at=expires_at,
    )


def _contact_added(event: contacts.ContactPersonAdded) -> list[Notice]:
    return [
        _to_contact(
            event,
            kinds.CONTACT_CONFIRMATION,
            event.email,
            params={"token": event.token, "theme_names": list(event.theme_names)},
            expires="expires_at",
        )
    ]


def _contact_changed(event: contacts.ContactPersonChanged) -> list[Notice]:
    """Which fields changed, to the person; a new address gets the confirmation link and the
    old one is told where the notices go now (masked)."""
    changed = {"changed_fields": list(event.changed_fields)}
    if not event.previous_email:
        return [_to_contact(event, kinds.CONTACT_CHANGED, event.email, params=changed)]
    return [
        _to_contact(
            event,
            kinds.CONTACT_CONFIRMATION,
            event.email,
            params={"token": event.token, "theme_names": []},
            expires="expires_at",
        ),
        _to_contact(
            event,
            kinds.CONTACT_EMAIL_CHANGED,
            event.previous_email,
            params={**changed, "new_email_masked": mask_recipient(event.email)},
        ),
    ]


def _ecounter_message(event: messaging.EcounterMessageSent) -> list[Notice]:
    notices: list[Notice] = []
    told: set[str] = set()
    for contact in event.contacts:
        if contact.email and contact.email.lower() not in told:
            told.add(contact.email.lower())
            notices.append(
                Notice(
                    kind=kinds.ECOUNTER_MESSAGE,
                    addressee=Addressee(account_id="", email=contact.email, display_name=contact.display_name),
                    source_id=event.thread_id,
                    organisation_id=event.organisation_id,
                    organisation_name=event.organisation_name,
                    params={"thread_id": event.thread_id, "sender_organisation_name": event.sender_organisation_name},
                    channel=Channel.EMAIL,
                )
            )
    return notices


def _helpdesk_confirmation(event: messaging.HelpdeskQuestionAsked) -> list[Notice]:
    """The address the asker gave is told the question arrived, in the language they asked
    in, with a link to the ticket; never the question."""
    return [
        Notice(
            kind=kinds.HELPDESK_CONFIRMATION,
            addressee=Addressee(account_id="", email=event.email, language=event.language),
            source_id=event.thread_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            params={"thread_id": event.thread_id},
            channel=Channel.EMAIL,
        )
    ]


# --------------------------------------------------------------------------- the table
RULES: tuple[NoticeRule[Any], ...] = (
    NoticeRule("contacts.contact_person.added", contacts.ContactPersonAdded, _contact_added),
    NoticeRule("contacts.contact_person.changed", contacts.ContactPersonChanged, _contact_changed),
    NoticeRule(
        "contacts.contact_person.removed",
        contacts.ContactPersonRemoved,
        lambda e: [_to_contact(e, kinds.CONTACT_REMOVED, e.email)],
    ),
    NoticeRule("messaging.ecounter_message.sent", messaging.EcounterMessageSent, _ecounter_message),
    NoticeRule("messaging.helpdesk_question.asked", messaging.HelpdeskQuestionAsked, _helpdesk_confirmation),
    NoticeRule("messaging.secure_mail.sent", messaging.SecureMailSent, _secure_mail_sent),
    NoticeRule("messaging.secure_mail.link_resent", messaging.SecureMailLinkResent, _link_resent),
    NoticeRule("messaging.message.sent", messaging.MessageSent, _message_sent),
    NoticeRule(
        "identity.invitation.sent",
        identity.InvitationSent,
        lambda e: [
            _to_recipient(
                e,
                kinds.INVITATION,
                source_id=e.invitation_id,
                params={"token": e.token, "inviter_name": e.inviter_name},
                expires="expires_at",
            )
        ],
    ),
    NoticeRule("identity.invitation.declined", identity.InvitationDeclined, _invitation_declined),
    NoticeRule(
        "identity.client_account.created",
        identity.ClientAccountCreated,
        lambda e: [_to_recipient(e, kinds.CLIENT_ACCOUNT_ACTIVATION, params={"token": e.token}, expires="expires_at")],
    ),
    NoticeRule(
        "identity.temporary_password.issued",
        identity.TemporaryPasswordIssued,
        lambda e: [
            _to_recipient(
                e,
                kinds.TEMPORARY_PASSWORD,
                params={"login_name": e.login_name, "temporary_password": e.temporary_password},
                channel=Channel.EMAIL,
            )
        ],
    ),
    NoticeRule(
        "identity.registration.requested",
        identity.RegistrationRequested,
        lambda e: [_to_recipient(e, kinds.REGISTRATION_RECEIVED, source_id=e.registration_id)],
    ),
    NoticeRule(
        "identity.registration.approved",
        identity.RegistrationApproved,
        lambda e: [
            _to_recipient(
                e,
                kinds.REGISTRATION_APPROVED,
                source_id=e.registration_id,
                params={"token": e.token},
                expires="expires_at",
            )
        ],
    ),
    NoticeRule("identity.one_time_code.issued", identity.OneTimeCodeIssued, _one_time_code),
    NoticeRule(
        "identity.password_reset.requested",
        identity.PasswordResetRequested,
        lambda e: [
            _to_recipient(
                e, kinds.PASSWORD_RESET, params={"token": e.token}, channel=Channel.EMAIL, expires="expires_at"
            )
        ],
    ),
    NoticeRule(
        "identity.password.changed",
        identity.PasswordChanged,
        lambda e: [_to_recipient(e, kinds.PASSWORD_CHANGED, params={"changed_at": _iso(_time(e, "changed_at"))})],
    ),
    NoticeRule("identity.email_change.requested", identity.EmailChangeRequested, _email_change),
    NoticeRule(
        "identity.delegation.consent_requested",
        identity.DelegationConsentRequested,
        _consent_requested,
    ),
    NoticeRule(
        "identity.delegation.granted",
        identity.DelegationGranted,
        _to_both(kinds.DELEGATION_GRANTED_PERSON, kinds.DELEGATION_GRANTED_DELEGATE),
    ),
    NoticeRule(
        "identity.delegation.ended",
        identity.DelegationEnded,
        _to_both(kinds.DELEGATION_ENDED_PERSON, kinds.DELEGATION_ENDED_DELEGATE),
    ),
    NoticeRule(
        "identity.access_request.submitted",
        identity.AccessRequestSubmitted,
        lambda e: [
            _to_recipient(
                e, kinds.ACCESS_REQUEST_RECEIVED, source_id=e.access_request_id, params={"child_name": e.child_name}
            )
        ],
    ),
    # Under 12 the delegation is active at once and identity.delegation.granted tells the
    # parent so: one mail per approval, not two.
    NoticeRule(
        "identity.access_request.approved",
        identity.AccessRequestApproved,
        lambda e: [
            _to_recipient(
                e, kinds.ACCESS_REQUEST_APPROVED, source_id=e.access_request_id, params={"child_name": e.child_name}
            )
        ]
        if e.awaiting_consent
        else [],
    ),
    NoticeRule(
        "identity.access_request.rejected",
        identity.AccessRequestRejected,
        lambda e: [
            _to_recipient(
                e, kinds.ACCESS_REQUEST_REJECTED, source_id=e.access_request_id, params={"child_name": e.child_name}
            )
        ],
    ),
    NoticeRule(
        "identity.account.locked",
        identity.AccountLocked,
        lambda e: [_to_recipient(e, kinds.ACCOUNT_LOCKED, params={"locked_until": _iso(_time(e, "locked_until"))})],
    ),
    NoticeRule(
        "identity.staff_invitation.sent",
        identity.StaffInvitationSent,
        lambda e: [
            _to_recipient(
                e,
                kinds.STAFF_INVITATION,
                source_id=e.invitation_id,
                params={"token": e.token, "inviter_name": e.inviter_name, "administrator": e.administrator},
                expires="expires_at",
            )
        ],
    ),
    NoticeRule(
        "identity.staff.roles_changed",
        identity.StaffRolesChanged,
        lambda e: [
            _to_recipient(
                e, kinds.STAFF_ROLES_CHANGED, params={"roles": list(e.roles), "changed_by_name": e.changed_by_name}
            )
        ],
    ),
    NoticeRule(
        "identity.staff.deactivated",
        identity.StaffDeactivated,
        lambda e: [_to_recipient(e, kinds.STAFF_ACCESS_ENDED, params={"deactivated_by_name": e.deactivated_by_name})],
    ),
    NoticeRule(
        "portal.appointment.booked",
        portal.AppointmentBooked,
        _to_portal_recipients(
            kinds.APPOINTMENT_BOOKED, "appointment_id", lambda e: {"starts_at": _iso(_time(e, "starts_at"))}
        ),
    ),
    NoticeRule(
        "portal.appointment.cancelled",
        portal.AppointmentCancelled,
        _to_portal_recipients(
            kinds.APPOINTMENT_CANCELLED,
            "appointment_id",
            lambda e: {"starts_at": _iso(_time(e, "starts_at")), "cancelled_by": e.cancelled_by},
        ),
    ),
    NoticeRule(
        "portal.prescription.ready",
        portal.PrescriptionReady,
        _to_portal_recipients(kinds.PRESCRIPTION_READY, "request_id"),
    ),
    NoticeRule(
        "portal.result.published", portal.ResultPublished, _to_portal_recipients(kinds.RESULT_PUBLISHED, "result_id")
    ),
    NoticeRule(
        "portal.document.published",
        portal.DocumentPublished,
        _to_portal_recipients(
            kinds.DOCUMENT_PUBLISHED,
            "document_id",
            lambda e: {"document_kind": e.document_kind, "requires_approval": e.requires_approval},
        ),
    ),
    NoticeRule(
        "portal.questionnaire.sent",
        portal.QuestionnaireSent,
        _to_portal_recipients(kinds.QUESTIONNAIRE_SENT, "questionnaire_id"),
    ),
)


def notice_consumer(rule: NoticeRule[Any], queue: NoticeQueue) -> EventConsumer[Message, SqlNotificationsUnitOfWork]:
    """The durable consumer of one rule's subject."""

    class NoticeConsumer(EventConsumer[Message, SqlNotificationsUnitOfWork]):
        producer = rule.producer
        subject = rule.subject
        durable = rule.durable
        message_type = rule.message_type

        async def consume(self, event: Message, envelope: EventEnvelope, uow: SqlNotificationsUnitOfWork) -> None:
            await queue.do_queue(uow, rule.notices(event), may_wait=envelope.delivery_attempt < ADDRESS_BOOK_PATIENCE)

    NoticeConsumer.__qualname__ = NoticeConsumer.__name__ = f"NoticeConsumer[{rule.subject}]"
    return NoticeConsumer()


def notice_consumers(
    queue: NoticeQueue, rules: Sequence[NoticeRule[Any]] = RULES
) -> list[EventConsumer[Message, SqlNotificationsUnitOfWork]]:
    return [notice_consumer(rule, queue) for rule in rules]


class AccountContactDetailsConsumer(EventConsumer[identity.AccountContactDetailsChanged, SqlNotificationsUnitOfWork]):
    """Keeps the address book: how to reach each account, as identity last announced it."""

    producer = "identity"
    subject = "identity.account.contact_details_changed"
    durable = "notifications-address-book"
    message_type = identity.AccountContactDetailsChanged

    async def consume(
        self, event: identity.AccountContactDetailsChanged, envelope: EventEnvelope, uow: SqlNotificationsUnitOfWork
    ) -> None:
        changed_at = _time(event, "changed_at") or envelope.occurred_at or datetime.now(UTC)
        await do_record(
            uow,
            AddressBookEntry(
                account_id=event.account_id,
                email=event.email,
                mobile=event.mobile,
                language=event.language,
                display_name=event.display_name,
                organisation_id=event.organisation_id,
                organisation_name=event.organisation_name,
                roles=frozenset(event.roles),
                status=event.status,
                changed_at=changed_at,
            ),
        )
