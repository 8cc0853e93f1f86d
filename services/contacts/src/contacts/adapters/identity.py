"""Identity, asked with the caller's own token: which contact persons' addresses are those of
colleagues who work the shared inbox and e-counter (DirectoryService), and which
organisations the caller's department supervises, or which departments supervise the
caller's organisation, in which themes (OrganisationService)."""

from __future__ import annotations

import grpc

from zorgpost.identity.v1 import directory_pb2, directory_pb2_grpc, organisations_pb2, organisations_pb2_grpc
from zorgpost_kit.errors import NotFound, PermissionDenied, Unauthenticated, Unavailable
from zorgpost_kit.grpc_client import call_metadata


class IdentityRefusedCaller(Unauthenticated):
    code = "unauthenticated"
    default_message = "Your session has ended; log in again."


class IdentityStaffDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._directory = directory_pb2_grpc.DirectoryServiceStub(channel)
        self._organisations = organisations_pb2_grpc.OrganisationServiceStub(channel)
        self._timeout = timeout

    async def inbox_staff(self, access_token: str, emails: list[str]) -> set[str]:
        try:
            found = await self._directory.FindInboxStaff(
                directory_pb2.FindInboxStaffRequest(emails=emails),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error) from None
        return {str(email).lower() for email in found.emails}

    async def supervised(self, access_token: str) -> dict[str, tuple[str, ...]]:
        try:
            found = await self._organisations.ListSupervisedOrganisations(
                organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error) from None
        return _themes_by_organisation(found)

    async def supervisors(self, access_token: str) -> dict[str, tuple[str, ...]]:
        try:
            found = await self._organisations.ListSupervisors(
                organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error) from None
        return _themes_by_organisation(found)


def _themes_by_organisation(found: organisations_pb2.ListSupervisionResponse) -> dict[str, tuple[str, ...]]:
    """The organisation on the other side of each link, with the link's theme codes."""
    return {str(link.organisation.id): tuple(str(theme) for theme in link.themes) for link in found.links}


def _refusal(error: grpc.aio.AioRpcError) -> Exception:
    if error.code() is grpc.StatusCode.UNAUTHENTICATED:
        # Identity refused the caller (a session ended since the token was issued): nothing
        # is answered in their name, and the caller signs in again.
        return IdentityRefusedCaller()
    if error.code() is grpc.StatusCode.PERMISSION_DENIED:
        # Identity says the caller may not ask this (no longer staff, a role taken away):
        # theirs to hear (403), not a failure to try again.
        return PermissionDenied(error.details() or PermissionDenied.default_message)
    if error.code() is grpc.StatusCode.NOT_FOUND:
        return NotFound(error.details() or NotFound.default_message)
    # Any other failure is identity's, not the caller's session: never a sign-out.
    return Unavailable()
