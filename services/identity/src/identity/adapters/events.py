"""Identity's events on the wire: the subject and protobuf of each domain event.

Subjects read ``identity.<aggregate>.<past-tense-verb>``; payloads are the messages of
``proto/zorgpost/events/v1/identity_events.proto``.
"""

from __future__ import annotations

from identity.adapters.protobuf import timestamp
from identity.domain import (
    access_requests,
    authentication,
    client_accounts,
    codes,
    contact_details,
    delegations,
    invitations,
    organisations,
    policy,
    profile,
    registrations,
    sessions,
    staff,
    supervision,
    teams,
)
from identity.domain.notices import Recipient
from zorgpost.events.v1 import identity_events_pb2 as pb
from zorgpost_kit.events import EventCodec


def _recipient(recipient: Recipient) -> pb.Recipient:
    return pb.Recipient(
        account_id=recipient.account_id,
        email=recipient.email,
        mobile=recipient.mobile,
        display_name=recipient.display_name,
        language=recipient.language,
    )


def _one_time_code_issued(event: codes.OneTimeCodeIssued) -> pb.OneTimeCodeIssued:
    return pb.OneTimeCodeIssued(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        purpose=event.purpose,
        channel=event.channel,
        code=event.code,
        expires_at=timestamp(event.expires_at),
    )


def _password_reset_requested(event: authentication.PasswordResetRequested) -> pb.PasswordResetRequested:
    return pb.PasswordResetRequested(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _password_changed(event: authentication.PasswordChanged) -> pb.PasswordChanged:
    return pb.PasswordChanged(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        changed_at=timestamp(event.changed_at),
    )


def _account_locked(event: authentication.AccountLocked) -> pb.AccountLocked:
    return pb.AccountLocked(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        locked_until=timestamp(event.locked_until),
    )


def _invitation_sent(event: invitations.InvitationSent) -> pb.InvitationSent:
    return pb.InvitationSent(
        invitation_id=event.invitation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        inviter_name=event.inviter_name,
        recipient=_recipient(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _invitation_accepted(event: invitations.InvitationAccepted) -> pb.InvitationAccepted:
    return pb.InvitationAccepted(
        invitation_id=event.invitation_id,
        thread_id=event.thread_id,
        account_id=event.account_id,
        display_name=event.display_name,
        accepted_at=timestamp(event.accepted_at),
        organisation_id=event.organisation_id,
        inviter_account_id=event.inviter_account_id,
    )


def _contact_details_changed(
    event: contact_details.AccountContactDetailsChanged,
) -> pb.AccountContactDetailsChanged:
    return pb.AccountContactDetailsChanged(
        account_id=event.account_id,
        email=event.email,
        mobile=event.mobile,
        language=event.language,
        display_name=event.display_name,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        roles=list(event.roles),
        status=event.status,
        changed_at=timestamp(event.changed_at),
    )


def _invitation_declined(event: invitations.InvitationDeclined) -> pb.InvitationDeclined:
    return pb.InvitationDeclined(
        invitation_id=event.invitation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        inviter=_recipient(event.inviter),
        invitee_email=event.invitee_email,
    )


def _client_account_created(event: client_accounts.ClientAccountCreated) -> pb.ClientAccountCreated:
    return pb.ClientAccountCreated(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _temporary_password_issued(event: client_accounts.TemporaryPasswordIssued) -> pb.TemporaryPasswordIssued:
    return pb.TemporaryPasswordIssued(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        login_name=event.login_name,
        temporary_password=event.temporary_password,
    )


def _registration_requested(event: registrations.RegistrationRequested) -> pb.RegistrationRequested:
    return pb.RegistrationRequested(
        registration_id=event.registration_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
    )


def _registration_approved(event: registrations.RegistrationApproved) -> pb.RegistrationApproved:
    return pb.RegistrationApproved(
        registration_id=event.registration_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _email_change_requested(event: profile.EmailChangeRequested) -> pb.EmailChangeRequested:
    return pb.EmailChangeRequested(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        new_email=event.new_email,
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _delegation_consent_requested(event: delegations.DelegationConsentRequested) -> pb.DelegationConsentRequested:
    return pb.DelegationConsentRequested(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=_recipient(event.person),
        delegate_name=event.delegate_name,
    )


def _delegation_granted(event: delegations.DelegationGranted) -> pb.DelegationGranted:
    return pb.DelegationGranted(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=_recipient(event.person),
        delegate=_recipient(event.delegate),
    )


def _delegation_ended(event: delegations.DelegationEnded) -> pb.DelegationEnded:
    return pb.DelegationEnded(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=_recipient(event.person),
        delegate=_recipient(event.delegate),
        reason=event.reason.value,
    )


def _access_request_submitted(event: access_requests.AccessRequestSubmitted) -> pb.AccessRequestSubmitted:
    return pb.AccessRequestSubmitted(
        access_request_id=event.access_request_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        child_name=event.child_name,
    )


def _access_request_approved(event: access_requests.AccessRequestApproved) -> pb.AccessRequestApproved:
    return pb.AccessRequestApproved(
        access_request_id=event.access_request_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        child_name=event.child_name,
        delegation_id=event.delegation_id,
        awaiting_consent=event.awaiting_consent,
    )


def _access_request_rejected(event: access_requests.AccessRequestRejected) -> pb.AccessRequestRejected:
    return pb.AccessRequestRejected(
        access_request_id=event.access_request_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        child_name=event.child_name,
    )


def _access_revoked(event: sessions.AccessRevoked) -> pb.AccessRevoked:
    return pb.AccessRevoked(
        account_id=event.account_id,
        session_id=event.session_id,
        revoked_at=timestamp(event.revoked_at),
        reason=event.reason.value,
    )


def _organisation_created(event: organisations.OrganisationCreated) -> pb.OrganisationCreated:
    return pb.OrganisationCreated(
        organisation_id=event.organisation_id,
        name=event.name,
        kind=event.kind.value,
        password_preset=event.password_preset,
        second_factor=event.second_factor,
    )


def _organisation_renamed(event: organisations.OrganisationRenamed) -> pb.OrganisationRenamed:
    return pb.OrganisationRenamed(
        organisation_id=event.organisation_id, previous_name=event.previous_name, name=event.name
    )


def _organisation_deactivated(event: organisations.OrganisationDeactivated) -> pb.OrganisationDeactivated:
    return pb.OrganisationDeactivated(
        organisation_id=event.organisation_id, name=event.name, staff_deactivated=event.staff_deactivated
    )


def _staff_invitation_sent(event: staff.StaffInvitationSent) -> pb.StaffInvitationSent:
    return pb.StaffInvitationSent(
        invitation_id=event.invitation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        inviter_name=event.inviter_name,
        recipient=_recipient(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
        administrator=event.administrator,
    )


def _staff_joined(event: staff.StaffJoined) -> pb.StaffJoined:
    return pb.StaffJoined(
        organisation_id=event.organisation_id,
        account_id=event.account_id,
        roles=list(event.roles),
        invitation_id=event.invitation_id,
    )


def _staff_roles_changed(event: staff.StaffRolesChanged) -> pb.StaffRolesChanged:
    return pb.StaffRolesChanged(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        roles=list(event.roles),
        previous_roles=list(event.previous_roles),
        changed_by_account_id=event.changed_by_account_id,
        changed_by_name=event.changed_by_name,
    )


def _staff_deactivated(event: staff.StaffDeactivated) -> pb.StaffDeactivated:
    return pb.StaffDeactivated(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=_recipient(event.recipient),
        deactivated_by_account_id=event.deactivated_by_account_id,
        deactivated_by_name=event.deactivated_by_name,
    )


def _team_created(event: teams.TeamCreated) -> pb.TeamCreated:
    return pb.TeamCreated(
        team_id=event.team_id,
        organisation_id=event.organisation_id,
        name=event.name,
        changed_by_account_id=event.changed_by_account_id,
    )


def _team_renamed(event: teams.TeamRenamed) -> pb.TeamRenamed:
    return pb.TeamRenamed(
        team_id=event.team_id,
        organisation_id=event.organisation_id,
        name=event.name,
        changed_by_account_id=event.changed_by_account_id,
    )


def _team_deleted(event: teams.TeamDeleted) -> pb.TeamDeleted:
    return pb.TeamDeleted(
        team_id=event.team_id,
        organisation_id=event.organisation_id,
        name=event.name,
        changed_by_account_id=event.changed_by_account_id,
    )


def _team_members_changed(event: teams.TeamMembersChanged) -> pb.TeamMembersChanged:
    return pb.TeamMembersChanged(
        team_id=event.team_id,
        organisation_id=event.organisation_id,
        member_account_ids=list(event.member_account_ids),
        changed_by_account_id=event.changed_by_account_id,
    )


def _supervision_linked(event: supervision.SupervisionLinked) -> pb.SupervisionLinked:
    return pb.SupervisionLinked(
        supervisor_organisation_id=event.supervisor_organisation_id,
        supervised_organisation_id=event.supervised_organisation_id,
        themes=list(event.themes),
    )


def _supervision_themes_changed(event: supervision.SupervisionThemesChanged) -> pb.SupervisionThemesChanged:
    return pb.SupervisionThemesChanged(
        supervisor_organisation_id=event.supervisor_organisation_id,
        supervised_organisation_id=event.supervised_organisation_id,
        themes=list(event.themes),
    )


def _supervision_ended(event: supervision.SupervisionEnded) -> pb.SupervisionEnded:
    return pb.SupervisionEnded(
        supervisor_organisation_id=event.supervisor_organisation_id,
        supervised_organisation_id=event.supervised_organisation_id,
    )


def _security_policy_changed(event: policy.SecurityPolicyChanged) -> pb.SecurityPolicyChanged:
    return pb.SecurityPolicyChanged(
        organisation_id=event.organisation_id,
        password_preset=event.password_preset,
        second_factor=event.second_factor,
        changed_by_account_id=event.changed_by_account_id,
    )


def event_codec() -> EventCodec:
    codec = EventCodec()
    # accounts and profile
    codec.register(
        contact_details.AccountContactDetailsChanged,
        "identity.account.contact_details_changed",
        _contact_details_changed,
    )
    codec.register(profile.EmailChangeRequested, "identity.email_change.requested", _email_change_requested)
    # authentication and sessions
    codec.register(
        authentication.PasswordResetRequested, "identity.password_reset.requested", _password_reset_requested
    )
    codec.register(authentication.PasswordChanged, "identity.password.changed", _password_changed)
    codec.register(authentication.AccountLocked, "identity.account.locked", _account_locked)
    codec.register(sessions.AccessRevoked, "identity.access.revoked", _access_revoked)
    # one-time codes
    codec.register(codes.OneTimeCodeIssued, "identity.one_time_code.issued", _one_time_code_issued)
    # invitations
    codec.register(invitations.InvitationSent, "identity.invitation.sent", _invitation_sent)
    codec.register(invitations.InvitationAccepted, "identity.invitation.accepted", _invitation_accepted)
    codec.register(invitations.InvitationDeclined, "identity.invitation.declined", _invitation_declined)
    # practice-made accounts and self-registrations
    codec.register(
        client_accounts.ClientAccountCreated, "identity.client_account.created", _client_account_created
    )
    codec.register(
        client_accounts.TemporaryPasswordIssued, "identity.temporary_password.issued", _temporary_password_issued
    )
    codec.register(
        registrations.RegistrationRequested, "identity.registration.requested", _registration_requested
    )
    codec.register(registrations.RegistrationApproved, "identity.registration.approved", _registration_approved)
    # delegations
    codec.register(
        delegations.DelegationConsentRequested,
        "identity.delegation.consent_requested",
        _delegation_consent_requested,
    )
    codec.register(delegations.DelegationGranted, "identity.delegation.granted", _delegation_granted)
    codec.register(delegations.DelegationEnded, "identity.delegation.ended", _delegation_ended)
    # a parent's request for access to a child's portal
    codec.register(
        access_requests.AccessRequestSubmitted, "identity.access_request.submitted", _access_request_submitted
    )
    codec.register(access_requests.AccessRequestApproved, "identity.access_request.approved", _access_request_approved)
    codec.register(access_requests.AccessRequestRejected, "identity.access_request.rejected", _access_request_rejected)
    # organisations, staff, teams and supervision
    codec.register(organisations.OrganisationCreated, "identity.organisation.created", _organisation_created)
    codec.register(organisations.OrganisationRenamed, "identity.organisation.renamed", _organisation_renamed)
    codec.register(
        organisations.OrganisationDeactivated, "identity.organisation.deactivated", _organisation_deactivated
    )
    codec.register(staff.StaffInvitationSent, "identity.staff_invitation.sent", _staff_invitation_sent)
    codec.register(staff.StaffJoined, "identity.staff.joined", _staff_joined)
    codec.register(staff.StaffRolesChanged, "identity.staff.roles_changed", _staff_roles_changed)
    codec.register(staff.StaffDeactivated, "identity.staff.deactivated", _staff_deactivated)
    codec.register(teams.TeamCreated, "identity.team.created", _team_created)
    codec.register(teams.TeamRenamed, "identity.team.renamed", _team_renamed)
    codec.register(teams.TeamDeleted, "identity.team.deleted", _team_deleted)
    codec.register(teams.TeamMembersChanged, "identity.team.members_changed", _team_members_changed)
    codec.register(supervision.SupervisionLinked, "identity.supervision.linked", _supervision_linked)
    codec.register(
        supervision.SupervisionThemesChanged, "identity.supervision.themes_changed", _supervision_themes_changed
    )
    codec.register(supervision.SupervisionEnded, "identity.supervision.ended", _supervision_ended)
    codec.register(policy.SecurityPolicyChanged, "identity.security_policy.changed", _security_policy_changed)
    return codec
