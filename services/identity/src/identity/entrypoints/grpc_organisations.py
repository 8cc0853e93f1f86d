"""The OrganisationService servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from identity.adapters.protobuf import timestamp
from identity.domain.accounts import Account, AccountStatus, Organisation
from identity.domain.staff import StaffListing
from identity.domain.teams import Team
from identity.entrypoints.callers import Callers
from identity.service.memberships import my_organisations
from identity.service.ports import UnitOfWork
from identity.service.staff import StaffInvitationListing, StaffManagement
from identity.service.supervision import SupervisionListing, Supervisions
from identity.service.teams import Teams
from zorgpost.identity.v1 import identity_pb2, organisations_pb2, organisations_pb2_grpc

SERVICE_NAME = organisations_pb2.DESCRIPTOR.services_by_name["OrganisationService"].full_name


def organisation_message(organisation: Organisation) -> identity_pb2.Organisation:
    return identity_pb2.Organisation(id=organisation.id, name=organisation.name, kind=organisation.kind.value)


def _invitation(listing: StaffInvitationListing) -> organisations_pb2.StaffInvitation:
    invitation = listing.invitation
    return organisations_pb2.StaffInvitation(
        id=invitation.id,
        email=invitation.email,
        roles=sorted(invitation.roles),
        state=listing.state,
        inviter_account_id=invitation.inviter_account_id,
        created_at=timestamp(invitation.created_at),
        expires_at=timestamp(invitation.expires_at),
        account_id=invitation.account_id or "",
    )


def _member(listing: StaffListing) -> organisations_pb2.StaffMember:
    message = _account(listing.account)
    message.second_factors.extend(sorted(method.value for method in listing.second_factors))
    if listing.last_login_at is not None:
        message.last_login_at.CopyFrom(timestamp(listing.last_login_at))
    return message


def _account(account: Account) -> organisations_pb2.StaffMember:
    return organisations_pb2.StaffMember(
        account_id=account.id,
        display_name=account.display_name,
        email=account.email,
        roles=sorted(account.staff_roles),
        status="active" if account.status is AccountStatus.ACTIVE else "deactivated",
    )


def _team(team: Team) -> organisations_pb2.Team:
    return organisations_pb2.Team(
        id=team.id,
        name=team.name,
        member_account_ids=sorted(team.member_account_ids),
        created_at=timestamp(team.created_at),
    )


def _link(listing: SupervisionListing) -> organisations_pb2.SupervisionLink:
    return organisations_pb2.SupervisionLink(
        organisation=organisation_message(listing.organisation),
        themes=list(listing.supervision.themes),
        since=timestamp(listing.supervision.since),
    )


class OrganisationServicer(organisations_pb2_grpc.OrganisationServiceServicer):
    def __init__(
        self,
        staff: StaffManagement,
        teams: Teams,
        supervisions: Supervisions,
        callers: Callers,
        uow: Callable[[], UnitOfWork],
    ) -> None:
        self._staff = staff
        self._teams = teams
        self._supervisions = supervisions
        self._callers = callers
        self._uow = uow

    # --- staff --------------------------------------------------------------------------

    async def InviteStaff(
        self, request: organisations_pb2.InviteStaffRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.StaffInvitation:
        principal = await self._callers.principal(context)
        invitation = await self._staff.do_invite(
            principal, email=request.email, roles=list(request.roles), language=request.language
        )
        return _invitation(StaffInvitationListing(invitation, "open"))

    async def ListStaffInvitations(
        self, request: organisations_pb2.ListStaffInvitationsRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListStaffInvitationsResponse:
        listings = await self._staff.list_invitations(await self._callers.principal(context))
        return organisations_pb2.ListStaffInvitationsResponse(invitations=[_invitation(item) for item in listings])

    async def RevokeStaffInvitation(
        self, request: organisations_pb2.StaffInvitationIdRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.StaffInvitation:
        principal = await self._callers.principal(context)
        return _invitation(await self._staff.do_revoke_invitation(principal, request.invitation_id))

    async def ResendStaffInvitation(
        self, request: organisations_pb2.StaffInvitationIdRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.StaffInvitation:
        principal = await self._callers.principal(context)
        return _invitation(await self._staff.do_resend_invitation(principal, request.invitation_id))

    async def ListStaff(
        self, request: organisations_pb2.ListStaffRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListStaffResponse:
        listings = await self._staff.list_staff(await self._callers.principal(context))
        return organisations_pb2.ListStaffResponse(staff=[_member(listing) for listing in listings])

    async def ChangeStaffRoles(
        self, request: organisations_pb2.ChangeStaffRolesRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.StaffMember:
        principal = await self._callers.principal(context)
        return _account(await self._staff.do_change_roles(principal, request.account_id, list(request.roles)))

    async def DeactivateStaff(
        self, request: organisations_pb2.StaffMemberIdRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.StaffMember:
        principal = await self._callers.principal(context)
        return _account(await self._staff.do_deactivate(principal, request.account_id))

    # --- teams --------------------------------------------------------------------------

    async def ListTeams(
        self, request: organisations_pb2.ListTeamsRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListTeamsResponse:
        teams = await self._teams.list(await self._callers.principal(context))
        return organisations_pb2.ListTeamsResponse(teams=[_team(team) for team in teams])

    async def GetTeam(
        self, request: organisations_pb2.TeamIdRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.Team:
        return _team(await self._teams.get(await self._callers.principal(context), request.team_id))

    async def CreateTeam(
        self, request: organisations_pb2.CreateTeamRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.Team:
        principal = await self._callers.principal(context)
        return _team(await self._teams.do_create(principal, request.name, list(request.member_account_ids)))

    async def RenameTeam(
        self, request: organisations_pb2.RenameTeamRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.Team:
        principal = await self._callers.principal(context)
        return _team(await self._teams.do_rename(principal, request.team_id, request.name))

    async def SetTeamMembers(
        self, request: organisations_pb2.SetTeamMembersRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.Team:
        principal = await self._callers.principal(context)
        return _team(await self._teams.do_set_members(principal, request.team_id, list(request.member_account_ids)))

    async def DeleteTeam(
        self, request: organisations_pb2.TeamIdRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.DeleteTeamResponse:
        await self._teams.do_delete(await self._callers.principal(context), request.team_id)
        return organisations_pb2.DeleteTeamResponse()

    # --- supervision --------------------------------------------------------------------

    async def ListSupervisedOrganisations(
        self, request: organisations_pb2.ListSupervisionRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListSupervisionResponse:
        links = await self._supervisions.list_supervised(await self._callers.principal(context))
        return organisations_pb2.ListSupervisionResponse(links=[_link(link) for link in links])

    async def ListSupervisors(
        self, request: organisations_pb2.ListSupervisionRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListSupervisionResponse:
        links = await self._supervisions.list_supervisors(await self._callers.principal(context))
        return organisations_pb2.ListSupervisionResponse(links=[_link(link) for link in links])

    async def SetSupervisionThemes(
        self, request: organisations_pb2.SetSupervisionThemesRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.SupervisionLink:
        principal = await self._callers.principal(context)
        return _link(await self._supervisions.do_set_themes(principal, request.organisation_id, list(request.themes)))

    async def EndSupervision(
        self, request: organisations_pb2.EndSupervisionRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.EndSupervisionResponse:
        await self._supervisions.do_end(await self._callers.principal(context), request.organisation_id)
        return organisations_pb2.EndSupervisionResponse()

    # --- the caller ---------------------------------------------------------------------

    async def ListMyOrganisations(
        self, request: organisations_pb2.ListMyOrganisationsRequest, context: grpc.aio.ServicerContext
    ) -> organisations_pb2.ListMyOrganisationsResponse:
        memberships = await my_organisations(self._uow, await self._callers.principal(context))
        return organisations_pb2.ListMyOrganisationsResponse(
            organisations=[
                organisations_pb2.MyOrganisation(
                    organisation=organisation_message(item.organisation), relation=item.relation, home=item.home
                )
                for item in memberships
            ]
        )
