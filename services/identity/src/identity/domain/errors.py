"""Identity's error taxonomy: one class per condition, each with a stable code."""

from __future__ import annotations

from zorgpost_kit.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)

# --- accounts and profile ------------------------------------------------------------------


class AccountNotFound(NotFound):
    code = "account_not_found"
    default_message = "Account not found."


class OrganisationExists(AlreadyExists):
    code = "organisation_exists"
    default_message = "An organisation with this name exists."


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    default_message = "This organisation does not exist."


class PersonNotFound(NotFound):
    """No such client of the caller's organisation (existence elsewhere is private)."""

    code = "person_not_found"
    default_message = "Person not found."


class EmailInUse(AlreadyExists):
    code = "email_in_use"
    default_message = "An account with this e-mail address exists."


class UsernameInUse(AlreadyExists):
    code = "username_in_use"
    default_message = "This username is taken."


class MobileInUse(AlreadyExists):
    """Every person needs a mobile number of their own (seed 5)."""

    code = "mobile_in_use"
    default_message = "Another account uses this mobile number."


class TooYoungForOwnAccount(InvalidArgument):
    """Under 12 a child has no login of its own: the parent acts for it (a delegation)."""

    code = "too_young_for_own_account"
    default_message = "A child under 12 gets no account of its own; grant the parent a delegation."


class ContactChangeNotFound(NotFound):
    code = "contact_change_not_found"
    default_message = "There is no such change waiting for confirmation."


class ContactChangeExpired(FailedPrecondition):
    code = "contact_change_expired"
    default_message = "This confirmation has expired; ask for the change again."


class ActingOnBehalfNotAllowed(PermissionDenied):
    """An act-as token may not start another act-as or change the represented account."""

    code = "acting_on_behalf_not_allowed"
    default_message = "Switch back to your own account first."


# --- authentication and sessions -----------------------------------------------------------


class InvalidCredentials(Unauthenticated):
    """Wrong password and unknown account are deliberately indistinguishable."""

    code = "invalid_credentials"
    default_message = "The username or password is incorrect."


class InvalidRefreshToken(Unauthenticated):
    code = "invalid_refresh_token"
    default_message = "The session has ended; log in again."


class SessionEnded(Unauthenticated):
    code = "session_ended"
    default_message = "The session has ended; log in again."


class SessionNotFound(NotFound):
    """Not the caller's session (or no session at all): the same answer either way."""

    code = "session_not_found"
    default_message = "Session not found."


class LoginChallengeEnded(Unauthenticated):
    """The second step of a login expired, was completed or ran out of attempts."""

    code = "login_challenge_ended"
    default_message = "This login attempt has ended; log in again."


class TooManyAttempts(ResourceExhausted):
    """Repeated failures: wait ``retry_after_seconds``. Said alike for known and unknown
    login names, so it reveals nothing about which accounts exist."""

    code = "too_many_attempts"
    default_message = "Too many attempts; try again later."


class PasswordChangeRequired(PermissionDenied):
    """The account has a temporary password: only changing it is allowed until then."""

    code = "password_change_required"
    default_message = "Choose a new password first."


class PasswordRejected(InvalidArgument):
    """A new password breaks the organisation's policy; ``fields`` names every broken rule
    as ``<field>.<rule code>`` with the text a person reads."""

    code = "password_rejected"
    default_message = "The new password does not meet the password rules."


class WrongPassword(InvalidArgument):
    """The current password given to confirm a change is wrong."""

    code = "wrong_password"
    default_message = "The current password is not correct."


class PasswordResetInvalid(FailedPrecondition):
    """The reset link is unknown, used, expired or out of attempts."""

    code = "password_reset_invalid"
    default_message = "This password reset link is no longer valid; ask for a new one."


class IncorrectSecretAnswer(InvalidArgument):
    code = "incorrect_secret_answer"
    default_message = "The answer to the secret question is not correct."


# --- one-time codes and second factors -----------------------------------------------------


class IncorrectCode(InvalidArgument):
    """A one-time, TOTP or recovery code that does not match; the person may try again."""

    code = "incorrect_code"
    default_message = "The code is not correct."


class CodeNoLongerValid(FailedPrecondition):
    """No live code: used, expired, replaced or out of attempts. Ask for a new one."""

    code = "code_no_longer_valid"
    default_message = "This code is no longer valid; ask for a new one."


class TooManyRequests(ResourceExhausted):
    """Too many requests that make Zorgpost send something (a code, a receipt) for one
    address or account: wait ``retry_after_seconds``."""

    code = "too_many_requests"
    default_message = "Too many requests; try again later."


class SecondFactorUnavailable(FailedPrecondition):
    """The factor cannot be used for this account (no mobile number, nothing enrolled)."""

    code = "second_factor_unavailable"
    default_message = "This second factor is not available for your account."


class SecondFactorNotPending(FailedPrecondition):
    """There is no enrolment of this factor waiting for its first code."""

    code = "second_factor_not_pending"
    default_message = "Start enrolling this second factor first."


class SecondFactorAlreadyEnrolled(AlreadyExists):
    """The factor is confirmed already; a running session cannot silently replace it."""

    code = "second_factor_already_enrolled"
    default_message = "This second factor is already set up."


# --- invitations ---------------------------------------------------------------------------


class InvitationNotFound(NotFound):
    """Unknown link, or an invitation of another organisation: the same answer either way."""

    code = "invitation_not_found"
    default_message = "This invitation does not exist."


class InvitationExpired(FailedPrecondition):
    code = "invitation_expired"
    default_message = "This invitation has expired; ask the sender for a new one."


class InvitationUsed(FailedPrecondition):
    """Accepted or declined already: an invitation is used once."""

    code = "invitation_used"
    default_message = "This invitation has already been used."


class InvitationRevoked(FailedPrecondition):
    code = "invitation_revoked"
    default_message = "This invitation was withdrawn."


# --- practice-made accounts and self-registrations -----------------------------------------


class ActivationNotFound(NotFound):
    code = "activation_not_found"
    default_message = "This activation link does not exist."


class ActivationExpired(FailedPrecondition):
    code = "activation_expired"
    default_message = "This activation link has expired; ask the practice for a new one."


class ActivationUsed(FailedPrecondition):
    code = "activation_used"
    default_message = "This account is already activated; log in."


class ActivationBlocked(FailedPrecondition):
    """Too many wrong birth dates: the link is dead, the practice must send a new one."""

    code = "activation_blocked"
    default_message = "Too many wrong attempts; ask the practice for a new activation link."


class WrongBirthDate(InvalidArgument):
    code = "wrong_birth_date"
    default_message = "The birth date does not match."


class RegistrationNotFound(NotFound):
    """Unknown request or link, or one of another organisation: the same answer."""

    code = "registration_not_found"
    default_message = "This registration does not exist."


class RegistrationDecided(FailedPrecondition):
    code = "registration_decided"
    default_message = "This registration was already approved or rejected."


class RegistrationLinkUsed(FailedPrecondition):
    code = "registration_link_used"
    default_message = "This registration link has already been used; log in."


class RegistrationLinkExpired(FailedPrecondition):
    code = "registration_link_expired"
    default_message = "This registration link has expired; ask the practice for a new one."


# --- delegations ---------------------------------------------------------------------------


class DelegationNotFound(NotFound):
    """Unknown, or not one the caller is party to or manages: the same answer."""

    code = "delegation_not_found"
    default_message = "Delegation not found."


class DelegationExists(AlreadyExists):
    code = "delegation_exists"
    default_message = "This person already has an active or requested delegation for this delegate."


class DelegationNotAllowed(FailedPrecondition):
    """The Dutch age rules do not allow this delegation (or this way of granting it)."""

    code = "delegation_not_allowed"
    default_message = "This delegation is not allowed."


class DelegationNotAwaitingConsent(FailedPrecondition):
    code = "delegation_not_awaiting_consent"
    default_message = "This delegation is not waiting for consent."


class DelegationNotActive(FailedPrecondition):
    """Ended, declined or not yet consented to: nobody may act on it."""

    code = "delegation_not_active"
    default_message = "This delegation is not active."


# --- organisations, staff, teams and supervision --------------------------------------------


class OrganisationDeactivated(FailedPrecondition):
    code = "organisation_deactivated"
    default_message = "This organisation is deactivated."


class OrganisationKindDiffers(AlreadyExists):
    """The operator asked for an organisation that exists under the name with another kind."""

    code = "organisation_kind_differs"
    default_message = "An organisation with this name exists with another kind."


class StaffMemberNotFound(NotFound):
    """No such staff member in the caller's organisation (another organisation's are private)."""

    code = "staff_member_not_found"
    default_message = "Staff member not found."


class LastAdministrator(FailedPrecondition):
    """Every organisation keeps at least one active administrator: nobody else could manage it."""

    code = "last_administrator"
    default_message = (
        "You are the organisation's last administrator. Make a colleague administrator first; "
        "then you can give up the role or leave."
    )


class StaffMemberDeactivated(FailedPrecondition):
    code = "staff_member_deactivated"
    default_message = "This staff member is deactivated; invite them again to give them access."


class AlreadyStaff(AlreadyExists):
    code = "already_staff"
    default_message = "This account already works for your organisation."


class StaffOfAnotherOrganisation(FailedPrecondition):
    """A staff account works for one organisation; another invitation needs another address."""

    code = "staff_of_another_organisation"
    default_message = (
        "This account already works for another organisation. A staff account works for one "
        "organisation: ask for an invitation to another e-mail address."
    )


class TeamNotFound(NotFound):
    code = "team_not_found"
    default_message = "Team not found."


class TeamExists(AlreadyExists):
    code = "team_exists"
    default_message = "Your organisation has a team with this name."


class SupervisionNotAllowed(FailedPrecondition):
    """Only a government department supervises, and only organisations other than itself."""

    code = "supervision_not_allowed"
    default_message = "Only a government department can supervise another organisation."


class SupervisionNotFound(NotFound):
    code = "supervision_not_found"
    default_message = "Your organisation does not supervise this organisation."


# --- secure-mail access (an outside recipient opens a secure e-mail) -----------------------


class ReadLinkNotFound(NotFound):
    """A "Bericht lezen" link that is unknown, expired or whose mail was withdrawn: the same
    answer for each, so a link reveals nothing about mails it does not open."""

    code = "read_link_not_found"
    default_message = "This link does not work (any more); ask the sender for a new one."


class IncorrectAccessCode(Unauthenticated):
    """A wrong access code; the attempt counts against the code's five."""

    code = "incorrect_access_code"
    default_message = "The access code is not correct."


class AccessCodeNoLongerValid(Unauthenticated):
    """Used already, expired, replaced by a newer code, or never asked for."""

    code = "access_code_no_longer_valid"
    default_message = "This access code is no longer valid; ask for a new one."


class AccessCodeAttemptsUsedUp(ResourceExhausted):
    """Five wrong attempts: this code opens nothing any more, a new one must be asked for."""

    code = "too_many_code_attempts"
    default_message = "Too many wrong attempts; ask for a new access code."


class AccessCodesUsedUp(ResourceExhausted):
    """This link has had its day's allowance of access codes (or its recipient their hour's):
    the sender can send a new link."""

    code = "access_codes_used_up"
    default_message = "No more access codes can be sent for this link now; ask the sender for a new link."


class ConversationNotFound(NotFound):
    """An invitation for a conversation that does not exist or that the inviter is not in
    (the same answer: whether it exists is private)."""

    code = "thread_not_found"
    default_message = "This conversation does not exist or you do not take part in it."


class ConversationNotInvitable(InvalidArgument):
    """People are invited into a chat; the other kinds of conversation have their own ways in."""

    code = "thread_not_invitable"
    default_message = "Nobody can be invited into this kind of conversation."


# --- a parent's request for access to a child's portal --------------------------------------


class AccessRequestNotFound(NotFound):
    """Unknown, another parent's, or another practice's: the same answer."""

    code = "access_request_not_found"
    default_message = "Access request not found."


class AccessRequestExists(AlreadyExists):
    code = "access_request_exists"
    default_message = "You already have a request for this child waiting for the practice."


class AccessRequestDecided(FailedPrecondition):
    code = "access_request_decided"
    default_message = "This request was already approved or rejected."


class ChildIsSixteen(FailedPrecondition):
    """From 16 the child decides about its own portal (seed 5): a parent cannot ask for it."""

    code = "child_is_sixteen"
    default_message = (
        "From 16 a child has its own access to the portal. A parent gets access only with the "
        "child's written consent: ask your child, and arrange it with the practice."
    )


class ChildTurnedSixteen(FailedPrecondition):
    """The child of a pending request turned 16 since: the practice can only reject it."""

    code = "child_turned_sixteen"
    default_message = (
        "The child has turned 16 since the request: a parent's request can no longer be approved. "
        "Reject it; with the child's written consent the practice records an authorisation itself."
    )


class NoPracticeToAsk(FailedPrecondition):
    """The caller is no client of an organisation whose staff could decide."""

    code = "no_practice_to_ask"
    default_message = "Your account is not linked to a practice; ask the practice itself."


class RequesterTooYoung(FailedPrecondition):
    """Only an adult asks for access to a child's portal."""

    code = "requester_too_young"
    default_message = "Only an adult (18 or older) can ask for access to a child's portal."


class TooManyAccessRequests(FailedPrecondition):
    """A bound on what one account leaves waiting for a practice."""

    code = "too_many_access_requests"
    default_message = "You already have 5 requests waiting for the practice; wait until it has decided on them."


class RequesterNotClient(FailedPrecondition):
    """The parent who asked is no (active) client of the practice any more."""

    code = "requester_not_client"
    default_message = "The requester is no longer a client of your organisation; reject the request."


class PossibleDuplicateClient(FailedPrecondition):
    """A new child record would duplicate a client with the same name and birth date."""

    code = "possible_duplicate_client"
    default_message = (
        "Your organisation already has a client with this name and date of birth. Choose that "
        "client, or choose a new record explicitly."
    )
