"""The names people see, from identity: the ``name`` claim when the token has one, else
identity's GetMe with the caller's own token (kept a few minutes per account)."""

from __future__ import annotations

import time

import grpc

from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import Unavailable
from zorgpost_kit.grpc_client import call_metadata


class IdentityDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float, ttl_seconds: float = 300.0) -> None:
        self._stub = identity_pb2_grpc.IdentityServiceStub(channel)
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
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise Unavailable() from None
            # The token was verified here already; identity may still refuse it for its own
            # reasons (e.g. a session ended a moment ago). The name is not worth a refusal.
            return principal.organisation_name or ""
        name = str(account.display_name) or str(account.email)
        if len(self._names) > 10_000:
            self._names.clear()
        self._names[principal.subject_id] = (name, time.monotonic())
        return name
