"""Identity's composition root: builds every collaborator from settings and infrastructure."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer, KeyEncryption, SigningKeyStore
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.config import Settings
from identity.entrypoints.grpc_api import SERVICE_NAME, IdentityServicer
from identity.service.authentication import Authentication
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
    verifier = TokenVerifier(JwksCache(local_jwks), issuer=settings.token_issuer, audience=settings.token_audience)
    authentication = Authentication(
        uow=uow,
        hasher=PasswordHasher(),
        access_tokens=AccessTokenIssuer(
            keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        ),
        session_idle_ttl=timedelta(seconds=settings.session_idle_ttl_seconds),
        session_absolute_ttl=timedelta(seconds=settings.session_absolute_ttl_seconds),
    )
    servicer = IdentityServicer(authentication, verifier, keys)
    return ServiceParts(
        servicers=[(SERVICE_NAME, partial(identity_pb2_grpc.add_IdentityServiceServicer_to_server, servicer))],
        uow_factory=uow,
    )
