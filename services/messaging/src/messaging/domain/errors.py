"""Messaging's error taxonomy: one class per condition, each with a stable code."""

from __future__ import annotations

from zorgpost_kit.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, ResourceExhausted


class ThreadNotFound(NotFound):
    """Unknown, or the caller does not take part: whether it exists is private."""

    code = "thread_not_found"
    default_message = "No such conversation."


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = "No such message."


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    default_message = "No such file."


class ReadLinkNotFound(NotFound):
    """Unknown, expired or withdrawn: the three look the same from outside."""

    code = "read_link_not_found"
    default_message = "This link does not work (any more)."


class ThreadNotOpen(FailedPrecondition):
    code = "thread_not_open"
    default_message = "This conversation is closed or withdrawn."


class AlreadyOpened(FailedPrecondition):
    code = "already_opened"
    default_message = "The recipient has already opened this mail; it can no longer be withdrawn."


class NotForDelegates(PermissionDenied):
    code = "not_for_delegates"
    default_message = "Someone acting for another person reaches only the conversations of their portal."


class NotAllowedForKind(FailedPrecondition):
    code = "not_allowed_for_kind"
    default_message = "This is not possible in this kind of conversation."


class NoGuestRecipient(FailedPrecondition):
    code = "no_guest_recipient"
    default_message = "This conversation has no outside recipient."


class NotStaffOfOrganisation(PermissionDenied):
    code = "staff_of_organisation_only"
    default_message = "Only staff of the organisation may do this."


class PersonsOnly(PermissionDenied):
    code = "persons_only"
    default_message = "Only a citizen, client or patient may do this; staff send secure mail instead."


class NoOrganisation(FailedPrecondition):
    code = "no_organisation"
    default_message = "Your account does not belong to an organisation to write to."


class SendingLimitReached(ResourceExhausted):
    code = "sending_limit_reached"
    default_message = "Too many secure mails sent; try again later."


class NoHelpdesk(FailedPrecondition):
    """The asker's organisation is supervised by no department, so no helpdesk runs its
    e-counter."""

    code = "no_helpdesk"
    default_message = (
        "Er is geen helpdesk voor uw organisatie: geen departement houdt er toezicht op. (There is no "
        "helpdesk for your organisation: no department supervises it.)"
    )


class HelpdeskLimitReached(ResourceExhausted):
    code = "helpdesk_limit_reached"
    default_message = "Too many questions to the helpdesk; try again later."


class AttachmentTooLarge(InvalidArgument):
    """Mapped to HTTP 413 by the gateway (by this code)."""

    code = "attachment_too_large"
    default_message = "A file is larger than allowed."


class AttachmentTypeRefused(InvalidArgument):
    """Mapped to HTTP 415 by the gateway (by this code): the content is not an allowed type,
    or not the type the sender claims."""

    code = "unsupported_attachment_type"
    default_message = "A file's content is not an allowed type, or not the type it claims to be."


class AttachmentQuarantined(FailedPrecondition):
    code = "attachment_quarantined"
    default_message = "This file is not available: it has not been found clean by the virus scan."


class OnlySenderMayWithdraw(PermissionDenied):
    code = "only_sender_may_withdraw"
    default_message = "Only the staff member who sent this mail may withdraw it."


class TooManyStreams(ResourceExhausted):
    code = "too_many_streams"
    default_message = "Too many live-update connections are open; close one and try again."
