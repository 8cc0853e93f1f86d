"""The DelegationService servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import optional_timestamp, timestamp
from identity.domain.accounts import Account
from identity.domain.notices import has_real_email
from identity.entrypoints.callers import Callers
from identity.service.delegations import ChildRecord, DelegationListing, Delegations, MyDelegations
from zorgpost.identity.v1 import delegations_pb2, delegations_pb2_grpc

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


def _mine(mine: MyDelegations) -> delegations_pb2.MyDelegations:
    return delegations_pb2.MyDelegations(
        for_me=[_delegation(entry) for entry in mine.for_me],
        by_me=[_delegation(entry) for entry in mine.by_me],
        preferred_person_id=mine.preferred_person_id,
    )


class DelegationServicer(delegations_pb2_grpc.DelegationServiceServicer):
    def __init__(self, delegations: Delegations, callers: Callers) -> None:
        self._delegations = delegations
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
