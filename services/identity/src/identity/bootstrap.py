"""Identity's composition root: builds every collaborator from settings and infrastructure."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer, KeyEncryption, SigningKeyStore
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.config import Settings
from identity.domain.codes import CodeHasher
from identity.entrypoints.callers import Callers
from identity.entrypoints.grpc_api import SERVICE_NAME, IdentityServicer
from identity.journeys import build_journeys
from identity.service.authentication import Authentication
from identity.service.one_time_codes import OneTimeCodes
from identity.service.password_reset import PasswordResets
from identity.service.second_factors import SecondFactors
from identity.service.sessions import Sessions
from zorgpost.identity.v1 import identity_pb2_grpc
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
    # the JWKS it publishes.
    jwks = JwksCache(local_jwks)
    verifier = TokenVerifier(jwks, issuer=settings.token_issuer, audience=settings.token_audience)
    callers = Callers(
        verifier,
        TokenVerifier(jwks, issuer=settings.token_issuer, audience=settings.password_change_token_audience),
    )
    hasher = PasswordHasher()
    # security (issue 3 part A): one-time codes, second factors, password reset, devices
    codes = OneTimeCodes(uow, CodeHasher(settings.code_hash_key.get_secret_value().encode()))
    factors = SecondFactors(
        uow,
        codes,
        KeyEncryption(settings.second_factor_encryption_key.get_secret_value()),
        totp_issuer=settings.totp_issuer,
        hasher=hasher,
    )
    authentication = Authentication(
        uow=uow,
        hasher=hasher,
        access_tokens=AccessTokenIssuer(
            keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            password_change_audience=settings.password_change_token_audience,
        ),
        session_idle_ttl=timedelta(seconds=settings.session_idle_ttl_seconds),
        session_absolute_ttl=timedelta(seconds=settings.session_absolute_ttl_seconds),
        factors=factors,
    )
    resets = PasswordResets(
        uow, hasher, factors, link_lifetime=timedelta(seconds=settings.password_reset_ttl_seconds)
    )
    servicer = IdentityServicer(
        authentication, callers, keys, factors=factors, resets=resets, sessions=Sessions(uow), uow=uow
    )
    # journeys (issue 3 part B): invitations, client accounts, registration, profile, delegations
    journeys = build_journeys(uow, hasher, codes, authentication.access_tokens, callers)
    return ServiceParts(
        servicers=[
            (SERVICE_NAME, partial(identity_pb2_grpc.add_IdentityServiceServicer_to_server, servicer)),
            *journeys.servicers,
        ],
        uow_factory=uow,
        consumers=journeys.consumers,
        workers=journeys.workers,
    )
