"""The DirectoryService servicer: look-ups for services acting for a staff member."""

from __future__ import annotations

import grpc

from identity.entrypoints.callers import Callers
from identity.service.directory import Directory
from zorgpost.identity.v1 import directory_pb2, directory_pb2_grpc

SERVICE_NAME = directory_pb2.DESCRIPTOR.services_by_name["DirectoryService"].full_name


class DirectoryServicer(directory_pb2_grpc.DirectoryServiceServicer):
    def __init__(self, directory: Directory, callers: Callers) -> None:
        self._directory = directory
        self._callers = callers

    async def GetMember(
        self, request: directory_pb2.GetMemberRequest, context: grpc.aio.ServicerContext
    ) -> directory_pb2.Member:
        account = await self._directory.member(await self._callers.principal(context), request.account_id)
        return directory_pb2.Member(
            account_id=account.id,
            display_name=account.display_name,
            organisation_id=account.organisation_id or "",
            roles=sorted(account.roles),
        )

    async def GetOrganisation(
        self, request: directory_pb2.GetOrganisationRequest, context: grpc.aio.ServicerContext
    ) -> directory_pb2.OrganisationEntry:
        organisation = await self._directory.organisation(
            await self._callers.principal(context), request.organisation_id
        )
        return directory_pb2.OrganisationEntry(id=organisation.id, name=organisation.name)

    async def FindInboxStaff(
        self, request: directory_pb2.FindInboxStaffRequest, context: grpc.aio.ServicerContext
    ) -> directory_pb2.FindInboxStaffResponse:
        found = await self._directory.inbox_staff(await self._callers.principal(context), list(request.emails))
        return directory_pb2.FindInboxStaffResponse(emails=sorted(found))
