"""Messaging's composition root."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from messaging.adapters.activity_signal import PostgresActivitySignal
from messaging.adapters.blob_stores import FilesystemBlobStore, S3BlobStore
from messaging.adapters.clamd import ClamdScanner
from messaging.adapters.contacts import ContactsClient
from messaging.adapters.directory import IdentityDirectory
from messaging.adapters.events import event_codec
from messaging.adapters.repositories import prune_activity, prune_sending_counts
from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.config import Settings
from messaging.entrypoints.consumers import InvitationAcceptedConsumer
from messaging.entrypoints.grpc_api import SERVICE_NAME, MessagingServicer
from messaging.service.activity import ActivityHub
from messaging.service.attachments import scan_pending
from messaging.service.common import Services
from messaging.service.ports import BlobStore
from zorgpost.messaging.v1 import messaging_pb2_grpc
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.runtime import Infrastructure, ServiceParts


def blob_store(settings: Settings) -> BlobStore:
    if settings.blob_store == "s3":
        return S3BlobStore(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            region=settings.s3_region,
        )
    return FilesystemBlobStore(settings.data_dir / "attachments")


def _now() -> datetime:
    return datetime.now(UTC)


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    settings = infra.settings
    assert isinstance(settings, Settings)
    codec = event_codec()
    workers: list[BackgroundLoop] = []

    def wake_after_commit() -> None:
        infra.relay.wake()
        for worker in workers:
            worker.wake()

    def uow() -> MessagingUnitOfWork:
        return MessagingUnitOfWork(infra.session_factory, codec, on_commit=wake_after_commit)

    blobs = blob_store(settings)
    if isinstance(blobs, S3BlobStore) and settings.s3_create_bucket:
        await blobs.ensure_bucket()
    services = Services(
        uow=uow,
        directory=IdentityDirectory(infra.channel(settings.identity_address), timeout=settings.rpc_timeout_seconds),
        blobs=blobs,
        clock=_now,
        scanning=bool(settings.clamd_host),
        max_attachment_bytes=settings.max_attachment_bytes,
        max_files_per_message=settings.max_files_per_message,
        secure_mails_per_recipient_per_hour=settings.secure_mails_per_recipient_per_hour,
        secure_mails_per_account_per_hour=settings.secure_mails_per_account_per_hour,
        helpdesk_questions_per_account_per_hour=settings.helpdesk_questions_per_account_per_hour,
        helpdesk_questions_per_address_per_hour=settings.helpdesk_questions_per_address_per_hour,
        contacts=ContactsClient(infra.channel(settings.contacts_address), timeout=settings.rpc_timeout_seconds),
        revocations=infra.revocations,
    )
    signal = PostgresActivitySignal(settings.database_url)
    hub = ActivityHub(
        services,
        max_per_account=settings.max_streams_per_account,
        max_per_session=settings.max_streams_per_session,
    )
    # A revocation wakes every open stream: the one whose caller it concerns ends at once.
    infra.revocations.add_listener(hub.wake_all)
    hub_loop = BackgroundLoop("activity_hub", hub.fetch, idle_seconds=settings.activity_poll_seconds)
    signal.add_listener(hub_loop.wake)
    if settings.clamd_host:
        scanner = ClamdScanner(settings.clamd_host, settings.clamd_port)
        workers.append(BackgroundLoop("virus_scan", partial(scan_pending, services, scanner), idle_seconds=5.0))

    # Published outbox rows (which carry plain read-link tokens) are pruned by the kit's
    # retention, as in every service.
    async def housekeeping() -> bool:
        now = _now()
        async with infra.session_factory() as session, session.begin():
            await prune_activity(session, now - timedelta(days=settings.activity_retention_days))
            await prune_sending_counts(session, now - timedelta(hours=2))
        return False

    servicer = MessagingServicer(services, infra.remote_token_verifier(), hub)
    return ServiceParts(
        servicers=[(SERVICE_NAME, partial(messaging_pb2_grpc.add_MessagingServiceServicer_to_server, servicer))],
        uow_factory=uow,
        consumers=[InvitationAcceptedConsumer()],
        workers=[
            signal.background_loop(),
            hub_loop,
            BackgroundLoop("housekeeping", housekeeping, idle_seconds=3600.0),
            *workers,
        ],
    )
