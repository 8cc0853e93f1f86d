"""What Zorgpost tells people, and how a notice becomes deliveries.

A :class:`NoticeKind` is one entry of the catalogue: its template, its category and the
channels it can go over. A :class:`Notice` is one kind addressed to one person because of
one event; :func:`plan_deliveries` turns it into a delivery per channel the person receives
it on, following their preferences except where a notice must reach them regardless.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from notifications.domain.model import Category, Channel, Delivery
from notifications.domain.preferences import Preferences

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

_EMAIL = frozenset({Channel.EMAIL})
_EMAIL_OR_SMS = frozenset({Channel.EMAIL, Channel.SMS})


@dataclass(frozen=True)
class NoticeKind:
    """One notice of the catalogue. Each has templates in every language for every channel."""

    template: str
    category: Category
    channels: frozenset[Channel]
    #: Several of these to one person within their digest window become one mail.
    digestible: bool = False


SECURE_MAIL_NOTICE = NoticeKind("secure_mail_notice", Category.MESSAGES, _EMAIL_OR_SMS, digestible=True)
#: A new message in a conversation, to someone with an account: "nieuw bericht van X" and a link.
NEW_MESSAGE = NoticeKind("new_message", Category.MESSAGES, _EMAIL_OR_SMS, digestible=True)
#: Not raised by an event: the mail that bundles digestible notices.
MESSAGES_DIGEST = NoticeKind("messages_digest", Category.MESSAGES, _EMAIL)
INVITATION = NoticeKind("invitation", Category.ACCOUNT, _EMAIL)
INVITATION_DECLINED = NoticeKind("invitation_declined", Category.MESSAGES, _EMAIL)
CLIENT_ACCOUNT_ACTIVATION = NoticeKind("client_account_activation", Category.ACCOUNT, _EMAIL)
TEMPORARY_PASSWORD = NoticeKind("temporary_password", Category.SECURITY, _EMAIL)
REGISTRATION_RECEIVED = NoticeKind("registration_received", Category.ACCOUNT, _EMAIL)
REGISTRATION_APPROVED = NoticeKind("registration_approved", Category.ACCOUNT, _EMAIL)
ONE_TIME_CODE = NoticeKind("one_time_code", Category.SECURITY, _EMAIL_OR_SMS)
PASSWORD_RESET = NoticeKind("password_reset", Category.SECURITY, _EMAIL)
PASSWORD_CHANGED = NoticeKind("password_changed", Category.SECURITY, _EMAIL_OR_SMS)
EMAIL_CHANGE_CONFIRMATION = NoticeKind("email_change_confirmation", Category.SECURITY, _EMAIL)
EMAIL_CHANGE_NOTICE = NoticeKind("email_change_notice", Category.SECURITY, _EMAIL)
DELEGATION_CONSENT_REQUEST = NoticeKind("delegation_consent_request", Category.DELEGATIONS, _EMAIL_OR_SMS)
DELEGATION_GRANTED_PERSON = NoticeKind("delegation_granted_person", Category.DELEGATIONS, _EMAIL_OR_SMS)
DELEGATION_GRANTED_DELEGATE = NoticeKind("delegation_granted_delegate", Category.DELEGATIONS, _EMAIL_OR_SMS)
DELEGATION_ENDED_PERSON = NoticeKind("delegation_ended_person", Category.DELEGATIONS, _EMAIL_OR_SMS)
DELEGATION_ENDED_DELEGATE = NoticeKind("delegation_ended_delegate", Category.DELEGATIONS, _EMAIL_OR_SMS)
#: A parent's request for access to a child's portal: received, approved (the child must
#: still consent), rejected (the reason is on the parent's page, never in the notice).
ACCESS_REQUEST_RECEIVED = NoticeKind("access_request_received", Category.DELEGATIONS, _EMAIL)
ACCESS_REQUEST_APPROVED = NoticeKind("access_request_approved", Category.DELEGATIONS, _EMAIL)
ACCESS_REQUEST_REJECTED = NoticeKind("access_request_rejected", Category.DELEGATIONS, _EMAIL)
ACCOUNT_LOCKED = NoticeKind("account_locked", Category.SECURITY, _EMAIL_OR_SMS)
STAFF_INVITATION = NoticeKind("staff_invitation", Category.ACCOUNT, _EMAIL)
STAFF_ROLES_CHANGED = NoticeKind("staff_roles_changed", Category.SECURITY, _EMAIL)
STAFF_ACCESS_ENDED = NoticeKind("staff_access_ended", Category.SECURITY, _EMAIL)
# The portal (seeds 4, 5): that something is ready, never what it says.
APPOINTMENT_BOOKED = NoticeKind("appointment_booked", Category.APPOINTMENTS, _EMAIL)
APPOINTMENT_CANCELLED = NoticeKind("appointment_cancelled", Category.APPOINTMENTS, _EMAIL)
PRESCRIPTION_READY = NoticeKind("prescription_ready", Category.RESULTS, _EMAIL)
RESULT_PUBLISHED = NoticeKind("result_published", Category.RESULTS, _EMAIL)
DOCUMENT_PUBLISHED = NoticeKind("document_published", Category.MESSAGES, _EMAIL)
QUESTIONNAIRE_SENT = NoticeKind("questionnaire_sent", Category.MESSAGES, _EMAIL)
#: The e-counter's contact persons (seed 3), reached by e-mail address, not as accounts.
CONTACT_CONFIRMATION = NoticeKind("contact_confirmation", Category.ACCOUNT, _EMAIL)
CONTACT_CHANGED = NoticeKind("contact_changed", Category.ACCOUNT, _EMAIL)
CONTACT_EMAIL_CHANGED = NoticeKind("contact_email_changed", Category.ACCOUNT, _EMAIL)
CONTACT_REMOVED = NoticeKind("contact_removed", Category.ACCOUNT, _EMAIL)
#: A department's e-counter message, to the organisation's contact persons for the theme.
ECOUNTER_MESSAGE = NoticeKind("ecounter_message", Category.MESSAGES, _EMAIL)
#: A question to the technical helpdesk was received: to the address the asker gave.
HELPDESK_CONFIRMATION = NoticeKind("helpdesk_confirmation", Category.ACCOUNT, _EMAIL)

CATALOGUE: tuple[NoticeKind, ...] = (
    SECURE_MAIL_NOTICE,
    NEW_MESSAGE,
    MESSAGES_DIGEST,
    INVITATION,
    INVITATION_DECLINED,
    CLIENT_ACCOUNT_ACTIVATION,
    TEMPORARY_PASSWORD,
    REGISTRATION_RECEIVED,
    REGISTRATION_APPROVED,
    ONE_TIME_CODE,
    PASSWORD_RESET,
    PASSWORD_CHANGED,
    EMAIL_CHANGE_CONFIRMATION,
    EMAIL_CHANGE_NOTICE,
    DELEGATION_CONSENT_REQUEST,
    DELEGATION_GRANTED_PERSON,
    DELEGATION_GRANTED_DELEGATE,
    DELEGATION_ENDED_PERSON,
    DELEGATION_ENDED_DELEGATE,
    ACCESS_REQUEST_RECEIVED,
    ACCESS_REQUEST_APPROVED,
    ACCESS_REQUEST_REJECTED,
    ACCOUNT_LOCKED,
    STAFF_INVITATION,
    STAFF_ROLES_CHANGED,
    STAFF_ACCESS_ENDED,
    APPOINTMENT_BOOKED,
    APPOINTMENT_CANCELLED,
    PRESCRIPTION_READY,
    RESULT_PUBLISHED,
    DOCUMENT_PUBLISHED,
    QUESTIONNAIRE_SENT,
    CONTACT_CONFIRMATION,
    CONTACT_CHANGED,
    CONTACT_EMAIL_CHANGED,
    CONTACT_REMOVED,
    ECOUNTER_MESSAGE,
    HELPDESK_CONFIRMATION,
)


@dataclass(frozen=True)
class Addressee:
    """Who a notice goes to, as the event names them."""

    account_id: str
    email: str
    mobile: str = ""
    language: str = ""
    display_name: str = ""
    #: The event names only the account: the address book says how to reach it.
    in_address_book: bool = False

    @classmethod
    def of_account(cls, account_id: str) -> Addressee:
        """An account the event names by id only (messaging knows no addresses)."""
        return cls(account_id=account_id, email="", in_address_book=True)


@dataclass(frozen=True)
class Notice:
    """One kind of notice for one person, caused by one event.

    ``params`` are what the templates show besides the organisation and the recipient's
    name; ``source_id`` is the object a sender asks about ("was my notice delivered?").
    """

    kind: NoticeKind
    addressee: Addressee
    source_id: str
    organisation_id: str
    organisation_name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The one channel the event asks for: a code goes where the person is waiting for it,
    #: whatever their preferences. None: the channels the person prefers for the category.
    channel: Channel | None = None
    expires_at: datetime | None = None


def plan_deliveries(notice: Notice, preferences: Preferences, now: datetime) -> list[Delivery]:
    """A queued delivery per channel the notice goes over, email first.

    Guarantees: a notice of a mandatory category always goes by e-mail (when there is an
    address); a notice with a fixed channel goes over that channel only; a notice that must
    be sent but has no address to go to is recorded as failed, so a sender can see why
    nothing arrived. Digestible mail waits for the person's digest window.
    """
    addressee = notice.addressee
    if notice.channel is not None:
        channels = [notice.channel]
        must_send = True
    else:
        choice = preferences.choice(notice.kind.category)
        channels = [channel for channel in (Channel.EMAIL, Channel.SMS) if choice.wants(channel)]
        channels = [channel for channel in channels if channel in notice.kind.channels]
        must_send = preferences.is_mandatory(notice.kind.category)
    language = preferences.language or (addressee.language if addressee.language in LANGUAGES else DEFAULT_LANGUAGE)
    params = {
        **notice.params,
        "organisation_name": notice.organisation_name,
        "recipient_name": addressee.display_name,
    }
    deliveries: list[Delivery] = []
    for channel in channels:
        address = addressee.email if channel is Channel.EMAIL else addressee.mobile
        if not address and not must_send:
            continue  # e.g. SMS preferred, but no mobile number known: the mail still goes
        delivery = Delivery(
            id=str(uuid.uuid4()),
            source_id=notice.source_id,
            organisation_id=notice.organisation_id,
            template=notice.kind.template,
            channel=channel,
            recipient=address,
            language=language,
            params=dict(params),
            created_at=now,
            next_attempt_at=now,
            category=notice.kind.category,
            account_id=addressee.account_id,
            expires_at=notice.expires_at,
        )
        if not address:
            delivery.mark_undeliverable(
                "no e-mail address known" if channel is Channel.EMAIL else "no mobile number known"
            )
        elif notice.kind.digestible and channel is Channel.EMAIL and preferences.digest_window_minutes:
            delivery.digest_key = digest_key(addressee.account_id, notice.kind.category)
            delivery.next_attempt_at = now + timedelta(minutes=preferences.digest_window_minutes)
        deliveries.append(delivery)
    return deliveries


def digest_key(account_id: str, category: Category) -> str:
    return f"{account_id}:{category}"
