"""What the portal asks identity, always with the caller's own token: how well the caller's
account is secured (seed 4, "Privacy en beveiliging"), and the caller's name."""

from __future__ import annotations

import time

import grpc

from zorgpost.identity.v1 import accounts_pb2, accounts_pb2_grpc, identity_pb2, identity_pb2_grpc
from zorgpost_kit.errors import Unavailable
from zorgpost_kit.grpc_client import call_metadata

_UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class IdentityAccountSecurity:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float, ttl_seconds: float = 300.0) -> None:
        self._identity = identity_pb2_grpc.IdentityServiceStub(channel)
        self._accounts = accounts_pb2_grpc.ClientAccountServiceStub(channel)
        self._timeout = timeout
        self._ttl = ttl_seconds
        self._names: dict[str, tuple[str, float]] = {}

    async def security_status(self, access_token: str) -> tuple[bool, bool] | None:
        metadata = call_metadata(access_token)
        try:
            factors = await self._identity.ListSecondFactors(
                identity_pb2.ListSecondFactorsRequest(), metadata=metadata, timeout=self._timeout
            )
            question = await self._accounts.GetSecretQuestion(
                accounts_pb2.GetSecretQuestionRequest(), metadata=metadata, timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in _UNAVAILABLE:
                raise Unavailable() from None
            # Identity keeps it to the account owner (an act-as token is refused there).
            return None
        return any(factor.confirmed for factor in factors.factors), bool(question.question)

    async def display_name(self, account_id: str, access_token: str) -> str:
        cached = self._names.get(account_id)
        if cached is not None and time.monotonic() - cached[1] < self._ttl:
            return cached[0]
        try:
            account = await self._identity.GetMe(
                identity_pb2.GetMeRequest(), metadata=call_metadata(access_token), timeout=self._timeout
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in _UNAVAILABLE:
                raise Unavailable() from None
            return ""
        name = str(account.display_name)
        if len(self._names) > 10_000:
            self._names.clear()
        self._names[account_id] = (name, time.monotonic())
        return name
