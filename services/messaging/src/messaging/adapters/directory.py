"""The names people see, from identity: the ``name`` claim when the token has one, else
identity's GetMe with the caller's own token (kept a few minutes per account); identity's
DirectoryService for whom a staff member may hand a thread to or start one with; and its
OrganisationService for the supervision links the e-counter's reach follows (never kept:
a link that ended counts at once, and only sending asks)."""

from __future__ import annotations

import time

import grpc

from messaging.domain.errors import NotStaffOfOrganisation
from messaging.service.ports import Member, SupervisionLink
from zorgpost.identity.v1 import (
    directory_pb2,
    directory_pb2_grpc,
    identity_pb2,
    identity_pb2_grpc,
    organisations_pb2,
    organisations_pb2_grpc,
)
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import Unauthenticated, Unavailable
from zorgpost_kit.grpc_client import call_metadata
from zorgpost_kit.roles import is_staff_role


class IdentityRefusedCaller(Unauthenticated):
    code = "unauthenticated"
    default_message = "Your session has ended; log in again."


def _refusal(error: grpc.aio.AioRpcError, *, staff_only: bool = False) -> Exception:
    """What an identity refusal means here. Unreachable: try again. Refused: the caller is
    not (any more) who the token says (a session ended, an account disabled), and nothing is
    done in their name — least of all under a stand-in name such as their organisation's."""
    if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return Unavailable()
    if staff_only and error.code() is grpc.StatusCode.PERMISSION_DENIED:
        return NotStaffOfOrganisation()
    return IdentityRefusedCaller()


class IdentityDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float, ttl_seconds: float = 300.0) -> None:
        self._stub = identity_pb2_grpc.IdentityServiceStub(channel)
        self._directory = directory_pb2_grpc.DirectoryServiceStub(channel)
        self._organisations = organisations_pb2_grpc.OrganisationServiceStub(channel)
        self._timeout = timeout
        self._ttl = ttl_seconds
        self._names: dict[str, tuple[str, float]] = {}

    async def display_name(self, principal: Principal, access_token: str) -> str:
        if principal.display_name:
            return principal.display_name
        cached = self._names.get(principal.subject_id)
        if cached is not None and time.monotonic() - cached[1] < self._ttl:
            return cached[0]
        try:
            account = await self._stub.GetMe(
                identity_pb2.GetMeRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error) from None
        name = str(account.display_name) or str(account.email)
        if len(self._names) > 10_000:
            self._names.clear()
        self._names[principal.subject_id] = (name, time.monotonic())
        return name

    async def member(self, access_token: str, account_id: str) -> Member | None:
        try:
            found = await self._directory.GetMember(
                directory_pb2.GetMemberRequest(account_id=account_id),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND:
                return None
            raise _refusal(error, staff_only=True) from None
        return Member(
            account_id=found.account_id,
            display_name=found.display_name,
            organisation_id=found.organisation_id,
            is_staff=any(is_staff_role(role) for role in found.roles),
            is_person="person" in found.roles,
            roles=frozenset(str(role) for role in found.roles),
        )

    async def organisation_name(self, access_token: str, organisation_id: str) -> str | None:
        try:
            found = await self._directory.GetOrganisation(
                directory_pb2.GetOrganisationRequest(organisation_id=organisation_id),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND:
                return None
            raise _refusal(error, staff_only=True) from None
        return str(found.name)

    async def supervised(self, access_token: str) -> list[SupervisionLink]:
        try:
            found = await self._organisations.ListSupervisedOrganisations(
                organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error, staff_only=True) from None
        return _links(found)

    async def supervisors(self, access_token: str) -> list[SupervisionLink]:
        try:
            found = await self._organisations.ListSupervisors(
                organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _refusal(error, staff_only=True) from None
        return _links(found)


def _links(found: organisations_pb2.ListSupervisionResponse) -> list[SupervisionLink]:
    return [
        SupervisionLink(str(link.organisation.id), str(link.organisation.name), tuple(str(t) for t in link.themes))
        for link in found.links
    ]
