"""The journeys' events on the wire (issue 3 part B): subject and protobuf of each, in
``proto/zorgpost/events/v1/identity_events.proto``. Registered by :func:`event_codec`."""

from __future__ import annotations

from identity.adapters.events import recipient_proto, timestamp
from identity.domain import client_accounts, delegations, invitations, profile, registration
from zorgpost.events.v1 import identity_events_pb2 as pb
from zorgpost_kit.events import EventCodec


def _invitation_sent(event: invitations.InvitationSent) -> pb.InvitationSent:
    return pb.InvitationSent(
        invitation_id=event.invitation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        inviter_name=event.inviter_name,
        recipient=recipient_proto(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _invitation_declined(event: invitations.InvitationDeclined) -> pb.InvitationDeclined:
    return pb.InvitationDeclined(
        invitation_id=event.invitation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        inviter=recipient_proto(event.inviter),
        invitee_email=event.invitee_email,
    )


def _client_account_created(event: client_accounts.ClientAccountCreated) -> pb.ClientAccountCreated:
    return pb.ClientAccountCreated(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _temporary_password_issued(event: client_accounts.TemporaryPasswordIssued) -> pb.TemporaryPasswordIssued:
    return pb.TemporaryPasswordIssued(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        login_name=event.login_name,
        temporary_password=event.temporary_password,
    )


def _registration_requested(event: registration.RegistrationRequested) -> pb.RegistrationRequested:
    return pb.RegistrationRequested(
        registration_id=event.registration_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
    )


def _registration_approved(event: registration.RegistrationApproved) -> pb.RegistrationApproved:
    return pb.RegistrationApproved(
        registration_id=event.registration_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _email_change_requested(event: profile.EmailChangeRequested) -> pb.EmailChangeRequested:
    return pb.EmailChangeRequested(
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        recipient=recipient_proto(event.recipient),
        new_email=event.new_email,
        token=event.token,
        expires_at=timestamp(event.expires_at),
    )


def _delegation_consent_requested(event: delegations.DelegationConsentRequested) -> pb.DelegationConsentRequested:
    return pb.DelegationConsentRequested(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=recipient_proto(event.person),
        delegate_name=event.delegate_name,
    )


def _delegation_granted(event: delegations.DelegationGranted) -> pb.DelegationGranted:
    return pb.DelegationGranted(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=recipient_proto(event.person),
        delegate=recipient_proto(event.delegate),
    )


def _delegation_ended(event: delegations.DelegationEnded) -> pb.DelegationEnded:
    return pb.DelegationEnded(
        delegation_id=event.delegation_id,
        organisation_id=event.organisation_id,
        organisation_name=event.organisation_name,
        person=recipient_proto(event.person),
        delegate=recipient_proto(event.delegate),
        reason=event.reason.value,
    )


def register_journey_events(codec: EventCodec) -> None:
    codec.register(invitations.InvitationSent, "identity.invitation.sent", _invitation_sent)
    codec.register(invitations.InvitationDeclined, "identity.invitation.declined", _invitation_declined)
    codec.register(
        client_accounts.ClientAccountCreated, "identity.client_account.created", _client_account_created
    )
    codec.register(
        client_accounts.TemporaryPasswordIssued, "identity.temporary_password.issued", _temporary_password_issued
    )
    codec.register(
        registration.RegistrationRequested, "identity.registration.requested", _registration_requested
    )
    codec.register(registration.RegistrationApproved, "identity.registration.approved", _registration_approved)
    codec.register(profile.EmailChangeRequested, "identity.email_change.requested", _email_change_requested)
    codec.register(
        delegations.DelegationConsentRequested,
        "identity.delegation.consent_requested",
        _delegation_consent_requested,
    )
    codec.register(delegations.DelegationGranted, "identity.delegation.granted", _delegation_granted)
    codec.register(delegations.DelegationEnded, "identity.delegation.ended", _delegation_ended)
