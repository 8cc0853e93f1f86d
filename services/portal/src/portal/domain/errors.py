"""The portal's error taxonomy: one class per condition, each with a stable code.

Whatever belongs to one person (a document, an appointment, a diary note, a result …) is
"not found" for everyone else, whatever id they guess: whether it exists is private.
"""

from __future__ import annotations

from zorgpost_kit.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound


class ClientNotFound(NotFound):
    code = "client_not_found"
    default_message = "No such client of this practice; register the client first."


class TrajectoryNotFound(NotFound):
    code = "trajectory_not_found"
    default_message = "No such care trajectory."


class DocumentNotFound(NotFound):
    code = "document_not_found"
    default_message = "No such document."


class ChangeRequestNotFound(NotFound):
    code = "change_request_not_found"
    default_message = "No such change request."


class ConsentItemNotFound(NotFound):
    code = "consent_item_not_found"
    default_message = "The practice asks no consent for this."


class SlotNotFound(NotFound):
    code = "slot_not_found"
    default_message = "This time is not (or no longer) available."


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"
    default_message = "No such appointment."


class MedicationNotFound(NotFound):
    code = "medication_not_found"
    default_message = "No such medication."


class PrescriptionRequestNotFound(NotFound):
    code = "prescription_request_not_found"
    default_message = "No such repeat-prescription request."


class ResultNotFound(NotFound):
    code = "result_not_found"
    default_message = "No such result."


class DiaryEntryNotFound(NotFound):
    code = "diary_entry_not_found"
    default_message = "No such diary note."


class QuestionnaireNotFound(NotFound):
    code = "questionnaire_not_found"
    default_message = "No such questionnaire."


class SlotTaken(AlreadyExists):
    code = "slot_taken"
    default_message = "Someone else booked this time a moment ago; choose another."


class SlotInThePast(FailedPrecondition):
    code = "slot_in_the_past"
    default_message = "This time has passed; choose another."


class SlotBooked(FailedPrecondition):
    code = "slot_booked"
    default_message = "This time is booked; cancel the appointment first."


class TooLateToCancel(FailedPrecondition):
    """Seed 5: appointments are cancelled in the portal until 24 hours before."""

    code = "too_late_to_cancel"
    default_message = (
        "Less than 24 hours remain before this appointment, so it can no longer be cancelled online. "
        "Please call the practice. / Er zijn minder dan 24 uur tot deze afspraak; annuleren kan nu "
        "alleen telefonisch. Bel de praktijk."
    )


class AppointmentNotActive(FailedPrecondition):
    code = "appointment_not_active"
    default_message = "This appointment was cancelled or has passed."


class TrajectoryEnded(FailedPrecondition):
    code = "trajectory_ended"
    default_message = "This care trajectory has ended."


class ChangeRequestResolved(FailedPrecondition):
    code = "change_request_resolved"
    default_message = "This change request has been handled already."


class PrescriptionRequestHandled(FailedPrecondition):
    code = "prescription_request_handled"
    default_message = "This request has been handled already."


class QuestionnaireSubmitted(FailedPrecondition):
    code = "questionnaire_submitted"
    default_message = "This questionnaire was submitted; it can no longer be changed."


class NoApprovalAsked(FailedPrecondition):
    code = "no_approval_asked"
    default_message = "The practice asks no approval for this document."


class NotChronic(InvalidArgument):
    code = "not_chronic"
    default_message = "Only chronic medication can be ordered as a repeat prescription."


class FileTooLarge(InvalidArgument):
    """The same code as messaging's: the gateway answers 413 for it."""

    code = "attachment_too_large"
    default_message = "The file is larger than allowed."


class FileTypeRefused(InvalidArgument):
    """The same code as messaging's: the gateway answers 415 for it."""

    code = "unsupported_attachment_type"
    default_message = "The file's content is not an allowed type, or not the type it claims to be."
