"""Composition of the journeys into an account (issue 3 part B), called by
:func:`identity.bootstrap.bootstrap`: the use cases, their gRPC servicers, the
trajectory-ended consumer and the delegation expiry worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import grpc

from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.entrypoints import grpc_accounts, grpc_delegations, grpc_invitations
from identity.entrypoints.callers import Callers
from identity.entrypoints.consumers import TrajectoryEndedConsumer
from identity.service.client_accounts import ClientAccounts
from identity.service.delegations import Delegations, delegation_expiry_loop
from identity.service.invitations import Invitations
from identity.service.one_time_codes import OneTimeCodes
from identity.service.profile import Profiles
from identity.service.registration import Registrations
from zorgpost.identity.v1 import accounts_pb2_grpc, delegations_pb2_grpc, invitations_pb2_grpc
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.consumer import EventConsumer


@dataclass(frozen=True)
class JourneyParts:
    servicers: Sequence[tuple[str, Callable[[grpc.aio.Server], None]]]
    consumers: Sequence[EventConsumer[Any, Any]]
    workers: Sequence[BackgroundLoop]


def build_journeys(
    uow: Callable[[], IdentityUnitOfWork],
    hasher: PasswordHasher,
    codes: OneTimeCodes,
    access_tokens: AccessTokenIssuer,
    callers: Callers,
    *,
    delegation_check_interval_seconds: float = 3600.0,
) -> JourneyParts:
    delegations = Delegations(uow, access_tokens)
    invitations = grpc_invitations.InvitationServicer(Invitations(uow, hasher), callers)
    client_accounts = grpc_accounts.ClientAccountServicer(ClientAccounts(uow, hasher), callers)
    registrations = grpc_accounts.RegistrationServicer(Registrations(uow, hasher, codes), callers)
    profiles = grpc_accounts.ProfileServicer(Profiles(uow, codes, hasher), callers)
    delegation_servicer = grpc_delegations.DelegationServicer(delegations, callers)
    return JourneyParts(
        servicers=[
            (
                grpc_invitations.SERVICE_NAME,
                partial(invitations_pb2_grpc.add_InvitationServiceServicer_to_server, invitations),
            ),
            (
                grpc_accounts.CLIENT_ACCOUNT_SERVICE,
                partial(accounts_pb2_grpc.add_ClientAccountServiceServicer_to_server, client_accounts),
            ),
            (
                grpc_accounts.REGISTRATION_SERVICE,
                partial(accounts_pb2_grpc.add_RegistrationServiceServicer_to_server, registrations),
            ),
            (grpc_accounts.PROFILE_SERVICE, partial(accounts_pb2_grpc.add_ProfileServiceServicer_to_server, profiles)),
            (
                grpc_delegations.SERVICE_NAME,
                partial(delegations_pb2_grpc.add_DelegationServiceServicer_to_server, delegation_servicer),
            ),
        ],
        consumers=[TrajectoryEndedConsumer()],
        workers=[delegation_expiry_loop(delegations, interval_seconds=delegation_check_interval_seconds)],
    )
