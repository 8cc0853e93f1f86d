"""Identity's DirectoryService, asked with the caller's own token: which contact persons'
addresses are those of colleagues who work the shared inbox and e-counter."""

from __future__ import annotations

import grpc

from zorgpost.identity.v1 import directory_pb2, directory_pb2_grpc
from zorgpost_kit.errors import Unauthenticated, Unavailable
from zorgpost_kit.grpc_client import call_metadata


class IdentityRefusedCaller(Unauthenticated):
    code = "unauthenticated"
    default_message = "Your session has ended; log in again."


class IdentityStaffDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._directory = directory_pb2_grpc.DirectoryServiceStub(channel)
        self._timeout = timeout

    async def inbox_staff(self, access_token: str, emails: list[str]) -> set[str]:
        try:
            found = await self._directory.FindInboxStaff(
                directory_pb2.FindInboxStaffRequest(emails=emails),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.UNAUTHENTICATED:
                # Identity refused the caller (a session ended since the token was issued):
                # nothing is answered in their name, and the caller signs in again.
                raise IdentityRefusedCaller() from None
            # Any other failure is identity's, not the caller's session: never a sign-out.
            raise Unavailable() from None
        return {str(email).lower() for email in found.emails}
