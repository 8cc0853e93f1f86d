"""The gateway's gRPC clients: one channel per service, opened at start, closed at stop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.config import Settings
from zorgpost.contacts.v1 import contacts_pb2_grpc
from zorgpost.identity.v1 import (
    accounts_pb2_grpc,
    delegations_pb2_grpc,
    identity_pb2_grpc,
    invitations_pb2_grpc,
    organisations_pb2_grpc,
    secure_mail_access_pb2_grpc,
)
from zorgpost.messaging.v1 import messaging_pb2_grpc
from zorgpost.notifications.v1 import notifications_pb2_grpc
from zorgpost.portal.v1 import portal_pb2_grpc
from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.grpc_client import call_metadata, create_channel
from zorgpost_kit.identity_client import remote_jwks, remote_token_verifier

ResponseT = TypeVar("ResponseT")


class Credentials(Protocol):
    """Whoever a call is made for: their access token travels with it."""

    @property
    def access_token(self) -> str: ...


@dataclass
class ServiceClients:
    identity: identity_pb2_grpc.IdentityServiceStub
    messaging: messaging_pb2_grpc.MessagingServiceStub
    contacts: contacts_pb2_grpc.ContactsServiceStub
    notifications: notifications_pb2_grpc.NotificationsServiceStub
    portal: portal_pb2_grpc.PortalServiceStub
    #: The portal's back office (same channel as portal).
    practice: portal_pb2_grpc.PracticeServiceStub
    channels: dict[str, grpc.aio.Channel]
    verifier: TokenVerifier
    timeout: float
    #: Verifies the tokens that only allow changing the password (their own audience).
    password_change_verifier: TokenVerifier
    # journeys (issue 3 part B): identity's invitation, client-account, registration,
    # profile and delegation services (same channel as identity)
    invitations: invitations_pb2_grpc.InvitationServiceStub
    client_accounts: accounts_pb2_grpc.ClientAccountServiceStub
    registrations: accounts_pb2_grpc.RegistrationServiceStub
    profiles: accounts_pb2_grpc.ProfileServiceStub
    delegations: delegations_pb2_grpc.DelegationServiceStub
    #: Staff, teams and supervision of the caller's organisation (same channel as identity).
    organisations: organisations_pb2_grpc.OrganisationServiceStub
    #: Identity's access codes and guest tokens for a secure mail's outside recipient.
    secure_mail_access: secure_mail_access_pb2_grpc.SecureMailAccessServiceStub

    @classmethod
    def connect(cls, settings: Settings) -> ServiceClients:
        addresses = {
            "identity": settings.identity_address,
            "messaging": settings.messaging_address,
            "contacts": settings.contacts_address,
            "notifications": settings.notifications_address,
            "portal": settings.portal_address,
        }
        channels = {name: create_channel(address) for name, address in addresses.items()}
        identity = identity_pb2_grpc.IdentityServiceStub(channels["identity"])
        timeout = settings.rpc_timeout_seconds
        jwks = remote_jwks(channels["identity"], timeout=timeout)
        return cls(
            identity=identity,
            messaging=messaging_pb2_grpc.MessagingServiceStub(channels["messaging"]),
            contacts=contacts_pb2_grpc.ContactsServiceStub(channels["contacts"]),
            notifications=notifications_pb2_grpc.NotificationsServiceStub(channels["notifications"]),
            portal=portal_pb2_grpc.PortalServiceStub(channels["portal"]),
            practice=portal_pb2_grpc.PracticeServiceStub(channels["portal"]),
            channels=channels,
            verifier=remote_token_verifier(
                channels["identity"],
                issuer=settings.token_issuer,
                audience=settings.token_audience,
                timeout=timeout,
                jwks=jwks,
            ),
            timeout=timeout,
            password_change_verifier=TokenVerifier(
                jwks, issuer=settings.token_issuer, audience=settings.password_change_token_audience
            ),
            invitations=invitations_pb2_grpc.InvitationServiceStub(channels["identity"]),
            client_accounts=accounts_pb2_grpc.ClientAccountServiceStub(channels["identity"]),
            registrations=accounts_pb2_grpc.RegistrationServiceStub(channels["identity"]),
            profiles=accounts_pb2_grpc.ProfileServiceStub(channels["identity"]),
            delegations=delegations_pb2_grpc.DelegationServiceStub(channels["identity"]),
            organisations=organisations_pb2_grpc.OrganisationServiceStub(channels["identity"]),
            secure_mail_access=secure_mail_access_pb2_grpc.SecureMailAccessServiceStub(channels["identity"]),
        )

    async def call(
        self,
        method: Callable[..., Awaitable[ResponseT]],
        request: Any,
        caller: Credentials | None = None,
        *,
        timeout: float | None = None,
    ) -> ResponseT:
        """Calls one RPC the way every route does: with the caller's token (``None`` on public
        routes), the request id and the default deadline (``timeout`` for a longer one, e.g. an
        upload; ``request`` may be an async iterator for a client-streaming RPC). A failure
        raises the RPC error, which the problem handlers turn into problem+json."""
        token = caller.access_token if caller is not None else None
        return await method(request, metadata=call_metadata(token), timeout=timeout or self.timeout)

    async def health(self) -> dict[str, str]:
        """Each service's health status name ("SERVING", "NOT_SERVING", "UNREACHABLE")."""
        statuses: dict[str, str] = {}
        for name, channel in self.channels.items():
            try:
                response = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=2.0
                )
                statuses[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
            except grpc.aio.AioRpcError:
                statuses[name] = "UNREACHABLE"
        return statuses

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()
