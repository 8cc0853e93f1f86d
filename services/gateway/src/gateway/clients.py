"""The gateway's gRPC clients: one channel per service, opened at start, closed at stop."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.config import Settings
from zorgpost.contacts.v1 import contacts_pb2_grpc
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost.messaging.v1 import messaging_pb2_grpc
from zorgpost.notifications.v1 import notifications_pb2_grpc
from zorgpost.portal.v1 import portal_pb2_grpc
from zorgpost_kit.auth import JwksCache, TokenVerifier
from zorgpost_kit.grpc_client import create_channel


@dataclass
class ServiceClients:
    identity: identity_pb2_grpc.IdentityServiceStub
    messaging: messaging_pb2_grpc.MessagingServiceStub
    contacts: contacts_pb2_grpc.ContactsServiceStub
    notifications: notifications_pb2_grpc.NotificationsServiceStub
    portal: portal_pb2_grpc.PortalServiceStub
    channels: dict[str, grpc.aio.Channel]
    verifier: TokenVerifier
    timeout: float

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

        async def fetch_jwks() -> str:
            return str((await identity.GetJwks(identity_pb2.GetJwksRequest(), timeout=timeout)).jwks_json)

        return cls(
            identity=identity,
            messaging=messaging_pb2_grpc.MessagingServiceStub(channels["messaging"]),
            contacts=contacts_pb2_grpc.ContactsServiceStub(channels["contacts"]),
            notifications=notifications_pb2_grpc.NotificationsServiceStub(channels["notifications"]),
            portal=portal_pb2_grpc.PortalServiceStub(channels["portal"]),
            channels=channels,
            verifier=TokenVerifier(
                JwksCache(fetch_jwks), issuer=settings.token_issuer, audience=settings.token_audience
            ),
            timeout=timeout,
        )

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
