"""Identity's composition root: builds every collaborator from settings and infrastructure.
Nothing is built at import time."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from identity.adapters.events import event_codec
from identity.adapters.messaging import MessagingConversations
from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer, KeyEncryption, SigningKeyStore
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.config import Settings
from identity.domain.codes import CodeHasher
from identity.entrypoints import (
    grpc_accounts,
    grpc_delegations,
    grpc_directory,
    grpc_identity,
    grpc_invitations,
    grpc_organisations,
    grpc_secure_mail_access,
)
from identity.entrypoints.callers import Callers
from identity.entrypoints.consumers import TrajectoryEndedConsumer
from identity.entrypoints.workers import delegation_expiry_loop
from identity.service.access_requests import AccessRequests
from identity.service.authentication import Authentication
from identity.service.client_accounts import ClientAccounts
from identity.service.delegations import Delegations
from identity.service.directory import Directory
from identity.service.invitations import Invitations
from identity.service.one_time_codes import OneTimeCodes
from identity.service.password_reset import PasswordResets
from identity.service.profile import Profiles
from identity.service.registrations import Registrations
from identity.service.second_factors import SecondFactors
from identity.service.secure_mail_access import SecureMailAccess
from identity.service.sessions import Sessions
from identity.service.staff import StaffManagement
from identity.service.supervision import Supervisions
from identity.service.teams import Teams
from zorgpost.identity.v1 import (
    accounts_pb2_grpc,
    delegations_pb2_grpc,
    directory_pb2_grpc,
    identity_pb2_grpc,
    invitations_pb2_grpc,
    organisations_pb2_grpc,
    secure_mail_access_pb2_grpc,
)
from zorgpost_kit.auth import JwksCache, TokenVerifier
from zorgpost_kit.runtime import Infrastructure, ServiceParts


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    settings = infra.settings
    assert isinstance(settings, Settings)
    codec = event_codec()

    def uow() -> IdentityUnitOfWork:
        return IdentityUnitOfWork(infra.session_factory, codec, on_commit=infra.relay.wake)

    keys = SigningKeyStore(infra.session_factory, KeyEncryption(settings.signing_key_encryption_key.get_secret_value()))
    await keys.load()

    async def local_jwks() -> str:
        return keys.jwks_json

    # Identity verifies tokens with its own keys, exactly as every other service does with
    # the JWKS it publishes, and refuses revoked ones as they do.
    jwks = JwksCache(local_jwks)
    callers = Callers(
        TokenVerifier(
            jwks, issuer=settings.token_issuer, audience=settings.token_audience, revocations=infra.revocations
        ),
        TokenVerifier(
            jwks,
            issuer=settings.token_issuer,
            audience=settings.password_change_token_audience,
            revocations=infra.revocations,
        ),
    )
    access_tokens = AccessTokenIssuer(
        keys,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        password_change_audience=settings.password_change_token_audience,
    )
    hasher = PasswordHasher()

    # one-time codes and second factors
    codes = OneTimeCodes(uow, CodeHasher(settings.code_hash_key.get_secret_value().encode()))
    factors = SecondFactors(
        uow,
        codes,
        KeyEncryption(settings.second_factor_encryption_key.get_secret_value()),
        totp_issuer=settings.totp_issuer,
        hasher=hasher,
    )
    # authentication and sessions
    authentication = Authentication(
        uow=uow,
        hasher=hasher,
        access_tokens=access_tokens,
        session_idle_ttl=timedelta(seconds=settings.session_idle_ttl_seconds),
        session_absolute_ttl=timedelta(seconds=settings.session_absolute_ttl_seconds),
        factors=factors,
    )
    resets = PasswordResets(uow, hasher, factors, link_lifetime=timedelta(seconds=settings.password_reset_ttl_seconds))
    # delegations
    delegations = Delegations(uow, access_tokens)
    # messaging's conversations (invitations) and read links (secure-mail access)
    conversations = MessagingConversations(
        infra.channel(settings.messaging_address), timeout=settings.rpc_timeout_seconds
    )

    identity = grpc_identity.IdentityServicer(
        authentication, callers, keys, factors=factors, resets=resets, sessions=Sessions(uow), uow=uow
    )
    invitations = grpc_invitations.InvitationServicer(Invitations(uow, hasher, authentication, conversations), callers)
    secure_mail_access = grpc_secure_mail_access.SecureMailAccessServicer(
        SecureMailAccess(uow, codes, conversations, access_tokens)
    )
    client_accounts = grpc_accounts.ClientAccountServicer(ClientAccounts(uow, hasher), callers)
    registrations = grpc_accounts.RegistrationServicer(Registrations(uow, hasher, codes), callers)
    profiles = grpc_accounts.ProfileServicer(Profiles(uow, codes, hasher), callers)
    delegation_servicer = grpc_delegations.DelegationServicer(delegations, AccessRequests(uow), callers)
    # organisations: staff, teams and supervision
    organisations = grpc_organisations.OrganisationServicer(
        StaffManagement(uow), Teams(uow), Supervisions(uow), callers, uow
    )
    directory = grpc_directory.DirectoryServicer(Directory(uow), callers)
    return ServiceParts(
        servicers=[
            (grpc_identity.SERVICE_NAME, partial(identity_pb2_grpc.add_IdentityServiceServicer_to_server, identity)),
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
            (
                grpc_organisations.SERVICE_NAME,
                partial(organisations_pb2_grpc.add_OrganisationServiceServicer_to_server, organisations),
            ),
            (
                grpc_directory.SERVICE_NAME,
                partial(directory_pb2_grpc.add_DirectoryServiceServicer_to_server, directory),
            ),
            (
                grpc_secure_mail_access.SERVICE_NAME,
                partial(secure_mail_access_pb2_grpc.add_SecureMailAccessServiceServicer_to_server, secure_mail_access),
            ),
        ],
        uow_factory=uow,
        consumers=[TrajectoryEndedConsumer()],
        workers=[delegation_expiry_loop(delegations, interval_seconds=settings.delegation_check_interval_seconds)],
    )
