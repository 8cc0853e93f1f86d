"""Use cases of secure e-mail (seed 2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.domain.model import SecureMail, SendSecureMail
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_mobile, check_text

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 100_000


@dataclass(frozen=True)
class SecureMailDraft:
    """What the sender typed, unchecked."""

    recipient_email: str
    recipient_mobile: str
    subject: str
    body: str


def check_send_secure_mail(principal: Principal, draft: SecureMailDraft) -> SendSecureMail:
    """Authorises the sender (staff of an organisation) and validates every field at once."""
    principal.require_staff()
    assert principal.organisation_id is not None
    errors = FieldErrors()
    email = check_email(draft.recipient_email, "recipient_email", errors)
    mobile = check_mobile(draft.recipient_mobile, "recipient_mobile", errors)
    subject = check_text(draft.subject, "subject", errors, max_length=MAX_SUBJECT_LENGTH)
    body = check_text(draft.body, "body", errors, max_length=MAX_BODY_LENGTH)
    errors.raise_if_any()
    return SendSecureMail(
        sender_account_id=principal.actor_id,
        organisation_id=principal.organisation_id,
        organisation_name=principal.organisation_name or "",
        recipient_email=email,
        recipient_mobile=mobile,
        subject=subject,
        body=body,
    )


async def do_send_secure_mail(uow_factory: Callable[[], MessagingUnitOfWork], command: SendSecureMail) -> SecureMail:
    """Stores the mail and its ``messaging.secure_mail.sent`` event in one transaction."""
    mail = SecureMail.send(command)
    async with uow_factory() as uow:
        await uow.secure_mails.add(mail)
        for event in mail.events:
            uow.emit(event)
        await uow.commit()
    return mail
