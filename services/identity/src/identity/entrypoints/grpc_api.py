"""The IdentityService gRPC servicer: protobuf in, use case, protobuf out. Nothing else."""

from __future__ import annotations

from typing import Protocol

import grpc

from identity.service.authentication import Authentication, ClientInfo, Tokens
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.errors import FieldErrors

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name


def _client(message: identity_pb2.ClientInfo) -> ClientInfo:
    return ClientInfo(ip_address=message.ip_address, user_agent=message.user_agent)


def _token_pair(tokens: Tokens) -> identity_pb2.TokenPair:
    return identity_pb2.TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
    )


class JwksSource(Protocol):
    """Whatever holds the current JWKS document (the signing key store)."""

    @property
    def jwks_json(self) -> str: ...


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, authentication: Authentication, verifier: TokenVerifier, jwks: JwksSource) -> None:
        self._auth = authentication
        self._verifier = verifier
        self._jwks = jwks

    async def Login(
        self, request: identity_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LoginResponse:
        errors = FieldErrors()
        if not request.username.strip():
            errors.add("username", "is required")
        if not request.password:
            errors.add("password", "is required")
        errors.raise_if_any()
        tokens = await self._auth.login(request.username, request.password, _client(request.client))
        return identity_pb2.LoginResponse(tokens=_token_pair(tokens))

    async def RefreshSession(
        self, request: identity_pb2.RefreshSessionRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.TokenPair:
        if not request.refresh_token:
            errors = FieldErrors()
            errors.add("refresh_token", "is required")
            errors.raise_if_any()
        return _token_pair(await self._auth.refresh(request.refresh_token, _client(request.client)))

    async def Logout(
        self, request: identity_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.LogoutResponse:
        await self._auth.logout(await self._verifier.verify_metadata(context))
        return identity_pb2.LogoutResponse()

    async def GetMe(
        self, request: identity_pb2.GetMeRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.Account:
        me = await self._auth.me(await self._verifier.verify_metadata(context))
        account = identity_pb2.Account(
            id=me.account.id,
            display_name=me.account.display_name,
            email=me.account.email,
            roles=sorted(me.roles),
            language=me.account.language,
        )
        if me.organisation is not None:
            account.organisation.CopyFrom(identity_pb2.Organisation(id=me.organisation.id, name=me.organisation.name))
        return account

    async def GetJwks(
        self, request: identity_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> identity_pb2.GetJwksResponse:
        return identity_pb2.GetJwksResponse(jwks_json=self._jwks.jwks_json)
