"""The DelegationService servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import optional_timestamp, timestamp
from identity.domain.access_requests import AccessRequestStatus, ChildAccessForm
from identity.domain.accounts import Account
from identity.domain.delegations import Delegation
from identity.domain.notices import has_real_email
from identity.entrypoints.callers import Callers
from identity.service.access_requests import AccessRequests, AccessRequestView
from identity.service.delegations import ChildRecord, DelegationListing, Delegations, MyDelegations
from zorgpost.identity.v1 import delegations_pb2, delegations_pb2_grpc
from zorgpost_kit.errors import InvalidArgument

SERVICE_NAME = delegations_pb2.DESCRIPTOR.services_by_name["DelegationService"].full_name


def _party(account: Account) -> delegations_pb2.Party:
    return delegations_pb2.Party(
        account_id=account.id,
        display_name=account.display_name,
        birth_date=account.birth_date.isoformat() if account.birth_date else "",
        has_login=has_real_email(account.email) and account.password_hash is not None,
    )


def _delegation(listing: DelegationListing) -> delegations_pb2.Delegation:
    delegation = listing.delegation
    return delegations_pb2.Delegation(
        id=delegation.id,
        organisation_id=delegation.organisation_id,
        person=_party(listing.person),
        delegate=_party(listing.delegate),
        kind=delegation.kind.value,
        status=delegation.status.value,
        created_at=timestamp(delegation.created_at),
        granted_at=optional_timestamp(delegation.granted_at),
        ended_at=optional_timestamp(delegation.ended_at),
        end_reason=delegation.end_reason.value if delegation.end_reason else "",
    )


def _access_request(view: AccessRequestView) -> delegations_pb2.AccessRequest:
    request = view.request
    message = delegations_pb2.AccessRequest(
        id=request.id,
        organisation_id=request.organisation_id,
        requester=_party(view.requester),
        child_first_name=request.child_first_name,
        child_last_name=request.child_last_name,
        child_birth_date=request.child_birth_date.isoformat(),
        relation=request.relation.value,
        note=request.note,
        status=request.status.value,
        requested_at=timestamp(request.requested_at),
        decided_at=optional_timestamp(request.decided_at),
        reason=request.reason,
        candidates=[_party(candidate) for candidate in view.candidates],
        new_record_allowed=view.new_record_allowed,
    )
    if view.delegation is not None:
        message.delegation.CopyFrom(_granted_delegation(view.delegation, view.requester))
    return message


def _granted_delegation(delegation: Delegation, delegate: Account) -> delegations_pb2.Delegation:
    """The delegation an approval granted, as it stands; its person by id only (the
    request itself names the child)."""
    return delegations_pb2.Delegation(
        id=delegation.id,
        organisation_id=delegation.organisation_id,
        person=delegations_pb2.Party(account_id=delegation.person_account_id),
        delegate=_party(delegate),
        kind=delegation.kind.value,
        status=delegation.status.value,
        created_at=timestamp(delegation.created_at),
        granted_at=optional_timestamp(delegation.granted_at),
        ended_at=optional_timestamp(delegation.ended_at),
        end_reason=delegation.end_reason.value if delegation.end_reason else "",
    )


def _status(value: str) -> AccessRequestStatus | None:
    if not value:
        return None
    try:
        return AccessRequestStatus(value)
    except ValueError:
        raise InvalidArgument(fields={"status": "must be 'pending', 'approved' or 'rejected'"}) from None


def _mine(mine: MyDelegations) -> delegations_pb2.MyDelegations:
    return delegations_pb2.MyDelegations(
        for_me=[_delegation(entry) for entry in mine.for_me],
        by_me=[_delegation(entry) for entry in mine.by_me],
        preferred_person_id=mine.preferred_person_id,
    )


class DelegationServicer(delegations_pb2_grpc.DelegationServiceServicer):
    def __init__(self, delegations: Delegations, access_requests: AccessRequests, callers: Callers) -> None:
        self._delegations = delegations
        self._access_requests = access_requests
        self._callers = callers

    async def GrantDelegation(
        self, request: delegations_pb2.GrantDelegationRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.Delegation:
        child = (
            ChildRecord(request.child.first_name, request.child.last_name, request.child.birth_date)
            if request.HasField("child")
            else None
        )
        listing = await self._delegations.do_grant(
            await self._callers.principal(context),
            delegate_account_id=request.delegate_account_id,
            person_account_id=request.person_account_id,
            child=child,
        )
        return _delegation(listing)

    async def AnswerDelegationConsent(
        self, request: delegations_pb2.AnswerDelegationConsentRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.Delegation:
        principal = await self._callers.principal(context)
        return _delegation(
            await self._delegations.do_answer_consent(principal, request.delegation_id, accept=request.accept)
        )

    async def RevokeDelegation(
        self, request: delegations_pb2.DelegationIdRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.Delegation:
        principal = await self._callers.principal(context)
        return _delegation(await self._delegations.do_revoke(principal, request.delegation_id))

    async def ListMyDelegations(
        self, request: delegations_pb2.ListMyDelegationsRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.MyDelegations:
        return _mine(await self._delegations.list_mine(await self._callers.principal(context)))

    async def ActAs(
        self, request: delegations_pb2.ActAsRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.ActingToken:
        acting = await self._delegations.do_act_as(await self._callers.principal(context), request.person_id)
        return delegations_pb2.ActingToken(
            access_token=acting.access_token,
            token_type="Bearer",
            expires_in=acting.expires_in,
            person_id=acting.person.id,
            person_name=acting.person.display_name,
        )

    async def SetPreferredPortal(
        self, request: delegations_pb2.SetPreferredPortalRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.MyDelegations:
        principal = await self._callers.principal(context)
        await self._delegations.do_set_preferred_portal(principal, request.person_id)
        return _mine(await self._delegations.list_mine(principal))

    # --- a parent's request for access to a child's portal -------------------------------

    async def SubmitAccessRequest(
        self, request: delegations_pb2.SubmitAccessRequestRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequest:
        form = ChildAccessForm(
            child_first_name=request.child_first_name,
            child_last_name=request.child_last_name,
            child_birth_date=request.child_birth_date,
            relation=request.relation,
            note=request.note,
        )
        return _access_request(await self._access_requests.do_submit(await self._callers.principal(context), form))

    async def ListMyAccessRequests(
        self, request: delegations_pb2.ListMyAccessRequestsRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequestList:
        views = await self._access_requests.list_mine(await self._callers.principal(context))
        return delegations_pb2.AccessRequestList(items=[_access_request(view) for view in views])

    async def GetMyAccessRequest(
        self, request: delegations_pb2.AccessRequestIdRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequest:
        principal = await self._callers.principal(context)
        return _access_request(await self._access_requests.get_mine(principal, request.access_request_id))

    async def ListAccessRequests(
        self, request: delegations_pb2.ListAccessRequestsRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequestList:
        principal = await self._callers.principal(context)
        page = await self._access_requests.list_for_staff(principal, _status(request.status), request.cursor)
        return delegations_pb2.AccessRequestList(
            items=[_access_request(view) for view in page.items], next_cursor=page.next_cursor or ""
        )

    async def GetAccessRequest(
        self, request: delegations_pb2.AccessRequestIdRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequest:
        principal = await self._callers.principal(context)
        return _access_request(await self._access_requests.get_for_staff(principal, request.access_request_id))

    async def ApproveAccessRequest(
        self, request: delegations_pb2.ApproveAccessRequestRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequest:
        principal = await self._callers.principal(context)
        view = await self._access_requests.do_approve(
            principal,
            request.access_request_id,
            person_account_id=request.person_account_id,
            new_record=request.new_record,
        )
        return _access_request(view)

    async def RejectAccessRequest(
        self, request: delegations_pb2.RejectAccessRequestRequest, context: grpc.aio.ServicerContext
    ) -> delegations_pb2.AccessRequest:
        principal = await self._callers.principal(context)
        view = await self._access_requests.do_reject(principal, request.access_request_id, reason=request.reason)
        return _access_request(view)
