"""Who the portal tells that something is ready, and the events that carry it to
notifications. A notice says only that there is something ("a new result is ready") and
links to the portal: never a value, a medicine, a document's title or a reason.

The person is told at the address in their record; every delegate who may act for them is
told too (a parent for a child without a mailbox of its own, a proxy for a patient), each
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.domain.delegations import DelegateLink
from portal.domain.dossier import ClientRecord
from zorgpost_kit.events import DomainEvent


@dataclass(frozen=True)
class Recipient:
    account_id: str
    email: str
    display_name: str
    language: str = "nl"


def notice_recipients(record: ClientRecord | None, delegates: list[DelegateLink]) -> tuple[Recipient, ...]:
    recipients: list[Recipient] = []
    if record is not None and record.email:
        recipients.append(Recipient(record.person_id, record.email, record.display_name, record.language or "nl"))
    for link in delegates:
        if link.active and link.delegate_email and all(r.account_id != link.delegate_id for r in recipients):
            recipients.append(
                Recipient(link.delegate_id, link.delegate_email, link.delegate_name, link.delegate_language or "nl")
            )
    return tuple(recipients)


@dataclass(frozen=True, kw_only=True)
class PortalNotice(DomainEvent):
    organisation_id: str
    organisation_name: str
    person_id: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True, kw_only=True)
class AppointmentBooked(PortalNotice):
    """``portal.appointment.booked``: the confirmation mail (seed 5)."""

    appointment_id: str
    starts_at: datetime


@dataclass(frozen=True, kw_only=True)
class AppointmentCancelled(PortalNotice):
    """``portal.appointment.cancelled``: the confirmation of a cancellation."""

    appointment_id: str
    starts_at: datetime
    #: "patient" or "practice".
    cancelled_by: str


@dataclass(frozen=True, kw_only=True)
class PrescriptionReady(PortalNotice):
    """``portal.prescription.ready``: the repeat prescription can be collected."""

    request_id: str
    ready_on: date


@dataclass(frozen=True, kw_only=True)
class ResultPublished(PortalNotice):
    """``portal.result.published``: a result is ready (seed 5), never its values."""

    result_id: str


@dataclass(frozen=True, kw_only=True)
class DocumentPublished(PortalNotice):
    """``portal.document.published``: a new report or document, perhaps awaiting approval."""

    document_id: str
    #: "report", "document" or "agreement".
    kind: str
    requires_approval: bool


@dataclass(frozen=True, kw_only=True)
class QuestionnaireSent(PortalNotice):
    """``portal.questionnaire.sent``: a questionnaire waits to be filled in."""

    questionnaire_id: str
