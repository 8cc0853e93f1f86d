"""Every service verifies access tokens itself: identity, messaging, contacts,
notifications and portal over real gRPC, and the gateway over HTTP, each refuse a token
with ``alg: none``, a wrong audience, a foreign signature under the real key id, or an
expired ``exp`` — while the genuine token is accepted."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import jwt
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, resign_with_foreign_key
from support import StaffMember
from support import login as http_login

from identity.adapters.signing_keys import AccessTokenIssuer, KeyEncryption, SigningKeyStore
from identity.config import Settings as IdentitySettings
from identity.domain.accounts import Role
from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from zorgpost.portal.v1 import portal_pb2, portal_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    # Staff who also work in the portal: every service has a call this token may make.
    pytest.mark.services(staff_roles=(Role.STAFF, Role.PRACTITIONER)),
]

ISSUER = "zorgpost-identity"
AUDIENCE = "zorgpost"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def real_keys(stack: Stack) -> SigningKeyStore:
    """Identity's own signing key, read as identity reads it: the forgeries below differ
    from a genuine token in exactly the one respect each names."""
    engine = create_engine(stack.database_urls["identity"], pool_size=1)
    try:
        secret = IdentitySettings().signing_key_encryption_key.get_secret_value()
        keys = SigningKeyStore(create_session_factory(engine), KeyEncryption(secret))
        await keys.load()
    finally:
        await engine.dispose()
    return keys


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def genuine(stack: Stack, staff: StaffMember) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        return await http_login(api, staff.email)


def _issuer(keys: SigningKeyStore, *, audience: str = AUDIENCE) -> AccessTokenIssuer:
    return AccessTokenIssuer(keys, issuer=ISSUER, audience=audience, ttl=timedelta(minutes=15))


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _reissue(keys: SigningKeyStore, genuine: str, *, audience: str = AUDIENCE, now: datetime | None = None) -> str:
    claims = _claims(genuine)
    return _issuer(keys, audience=audience).issue(
        subject_id=claims["sub"],
        session_id=claims["sid"],
        roles=frozenset(claims["roles"]),
        organisation=(claims["org"]["id"], claims["org"]["name"]),
        now=now,
    )


def _forgeries(keys: SigningKeyStore, genuine: str) -> dict[str, str]:
    kid = jwt.get_unverified_header(genuine)["kid"]
    return {
        "alg-none": jwt.encode(_claims(genuine), None, algorithm="none", headers={"kid": kid}),
        "wrong-audience": _reissue(keys, genuine, audience="someone-else"),
        "foreign-signature-real-kid": resign_with_foreign_key(genuine, kid=kid),
        # 20 minutes ago with a 15-minute lifetime: expired 5 minutes ago, beyond any leeway.
        "expired": _reissue(keys, genuine, now=datetime.now(UTC) - timedelta(minutes=20)),
        # A temporary password's token: only identity's password change accepts it.
        "password-change-only": _reissue(keys, genuine, audience="zorgpost-password-change"),
    }


Call = Callable[[grpc.aio.Channel, str], Awaitable[object]]


async def _identity(channel: grpc.aio.Channel, token: str) -> object:
    # ListSecondFactors, not GetMe: GetMe is one of the few a password-change token may call.
    return await identity_pb2_grpc.IdentityServiceStub(channel).ListSecondFactors(
        identity_pb2.ListSecondFactorsRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )


async def _messaging(channel: grpc.aio.Channel, token: str) -> object:
    return await messaging_pb2_grpc.MessagingServiceStub(channel).SendSecureMail(
        messaging_pb2.SendSecureMailRequest(
            recipient_email=f"ontvanger-{uuid.uuid4().hex[:6]}@test.example", subject="Onderwerp", body="Inhoud"
        ),
        metadata=call_metadata(token),
        timeout=RPC_TIMEOUT,
    )


async def _contacts(channel: grpc.aio.Channel, token: str) -> object:
    return await contacts_pb2_grpc.ContactsServiceStub(channel).GetOrganisationProfile(
        contacts_pb2.GetOrganisationProfileRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )


async def _notifications(channel: grpc.aio.Channel, token: str) -> object:
    return await notifications_pb2_grpc.NotificationsServiceStub(channel).GetPreferences(
        notifications_pb2.GetPreferencesRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )


async def _portal(channel: grpc.aio.Channel, token: str) -> object:
    return await portal_pb2_grpc.PortalServiceStub(channel).GetDashboard(
        portal_pb2.GetDashboardRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )


SERVICES: dict[str, Call] = {
    "identity": _identity,
    "messaging": _messaging,
    "contacts": _contacts,
    "notifications": _notifications,
    "portal": _portal,
}
FORGERIES = ["alg-none", "wrong-audience", "foreign-signature-real-kid", "expired", "password-change-only"]


async def _status(call: Call, stack: Stack, service: str, token: str) -> grpc.StatusCode:
    async with grpc.aio.insecure_channel(stack.grpc_address(service)) as channel:
        try:
            await call(channel, token)
        except grpc.aio.AioRpcError as error:
            return error.code()
    return grpc.StatusCode.OK


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_service_accepts_the_genuine_token(stack: Stack, genuine: str, service: str) -> None:
    assert await _status(SERVICES[service], stack, service, genuine) == grpc.StatusCode.OK


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_service_refuses_a_forged_token(
    stack: Stack, real_keys: SigningKeyStore, genuine: str, service: str, forgery: str
) -> None:
    token = _forgeries(real_keys, genuine)[forgery]
    status = await _status(SERVICES[service], stack, service, token)
    if service == "identity" and forgery == "password-change-only":
        # Identity knows this audience and says why: change the password first.
        assert status == grpc.StatusCode.PERMISSION_DENIED
    else:
        assert status == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/me/sessions", "/api/v1/portal/dashboard"])
async def test_the_gateway_refuses_a_forged_token(
    stack: Stack, real_keys: SigningKeyStore, genuine: str, forgery: str, path: str
) -> None:
    token = _forgeries(real_keys, genuine)[forgery]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        assert (await api.get(path, headers={"Authorization": f"Bearer {genuine}"})).status_code != 401
        response = await api.get(path, headers={"Authorization": f"Bearer {token}"})
    if forgery == "password-change-only":
        expected = (200, None) if path == "/api/v1/me" else (403, "password_change_required")
        assert (response.status_code, response.json().get("code")) == expected
    else:
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
