"""The InvitationService servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import timestamp
from identity.entrypoints.callers import Callers, bearer_token
from identity.entrypoints.grpc_identity import client_info, login_message, rules_message
from identity.service.invitations import Accepted, InvitationListing, Invitations, NewAccount
from zorgpost.identity.v1 import invitations_pb2, invitations_pb2_grpc

SERVICE_NAME = invitations_pb2.DESCRIPTOR.services_by_name["InvitationService"].full_name


def _accepted(accepted: Accepted) -> invitations_pb2.InvitationAccepted:
    return invitations_pb2.InvitationAccepted(
        account_id=accepted.account_id, login_name=accepted.login_name, thread_id=accepted.thread_id
    )


def _invitation(listing: InvitationListing) -> invitations_pb2.Invitation:
    invitation = listing.invitation
    return invitations_pb2.Invitation(
        id=invitation.id,
        email=invitation.email,
        thread_id=invitation.thread_id,
        state=listing.state,
        inviter_account_id=invitation.inviter_account_id,
        created_at=timestamp(invitation.created_at),
        expires_at=timestamp(invitation.expires_at),
        account_id=invitation.account_id or "",
    )


class InvitationServicer(invitations_pb2_grpc.InvitationServiceServicer):
    def __init__(self, invitations: Invitations, callers: Callers) -> None:
        self._invitations = invitations
        self._callers = callers

    async def SendInvitation(
        self, request: invitations_pb2.SendInvitationRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.Invitation:
        principal = await self._callers.principal(context)
        invitation = await self._invitations.do_send(
            principal,
            bearer_token(context),
            email=request.email,
            thread_id=request.thread_id,
            language=request.language,
        )
        return _invitation(InvitationListing(invitation, "open"))

    async def ListInvitations(
        self, request: invitations_pb2.ListInvitationsRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.ListInvitationsResponse:
        listings = await self._invitations.list_for_staff(await self._callers.principal(context))
        return invitations_pb2.ListInvitationsResponse(invitations=[_invitation(listing) for listing in listings])

    async def RevokeInvitation(
        self, request: invitations_pb2.InvitationIdRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.Invitation:
        principal = await self._callers.principal(context)
        return _invitation(await self._invitations.do_revoke(principal, request.invitation_id))

    async def ResendInvitation(
        self, request: invitations_pb2.InvitationIdRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.Invitation:
        principal = await self._callers.principal(context)
        return _invitation(await self._invitations.do_resend(principal, request.invitation_id))

    async def GetInvitation(
        self, request: invitations_pb2.InvitationTokenRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.InvitationView:
        view = await self._invitations.view(request.token)
        return invitations_pb2.InvitationView(
            invitation_id=view.invitation_id,
            organisation_name=view.organisation_name,
            inviter_name=view.inviter_name,
            email=view.email,
            state=view.state,
            expires_at=timestamp(view.expires_at),
            password_rules=rules_message(view.password_rules),
            terms_version=view.terms_version,
            privacy_version=view.privacy_version,
            roles=sorted(view.roles),
        )

    async def AcceptInvitationWithNewAccount(
        self, request: invitations_pb2.AcceptWithNewAccountRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.InvitationAccepted:
        accepted = await self._invitations.do_accept_with_new_account(
            request.token,
            NewAccount(
                first_name=request.first_name,
                last_name=request.last_name,
                username=request.username,
                password=request.password,
                password_confirmation=request.password_confirmation,
                terms_version=request.terms_version,
                privacy_version=request.privacy_version,
            ),
            dry_run=request.dry_run,
        )
        return _accepted(accepted)

    async def AcceptInvitationWithAccount(
        self, request: invitations_pb2.InvitationTokenRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.InvitationAccepted:
        principal = await self._callers.principal(context)
        return _accepted(await self._invitations.do_accept_with_account(request.token, principal))

    async def AcceptInvitationWithLogin(
        self, request: invitations_pb2.AcceptWithLoginRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.AcceptWithLoginResponse:
        result = await self._invitations.do_accept_with_login(
            request.token, username=request.username, password=request.password, client=client_info(request.client)
        )
        response = invitations_pb2.AcceptWithLoginResponse(login=login_message(result.login))
        if result.accepted is not None:
            response.accepted.CopyFrom(_accepted(result.accepted))
        return response

    async def DeclineInvitation(
        self, request: invitations_pb2.InvitationTokenRequest, context: grpc.aio.ServicerContext
    ) -> invitations_pb2.DeclineInvitationResponse:
        await self._invitations.do_decline(request.token)
        return invitations_pb2.DeclineInvitationResponse()
