"""Notifications' composition root."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from notifications.adapters.mail import SmtpMailer
from notifications.adapters.sms import sms_sender
from notifications.adapters.templates import TemplateCatalogue
from notifications.adapters.unit_of_work import SqlNotificationsUnitOfWork
from notifications.config import Settings
from notifications.domain.model import RetryPolicy
from notifications.domain.notices import CATALOGUE
from notifications.entrypoints.consumers import AccountContactDetailsConsumer, notice_consumers
from notifications.entrypoints.grpc_api import SERVICE_NAME, NotificationsServicer
from notifications.service.deliveries import DeadLetterSecrets, DeliveryWorker
from notifications.service.notices import NoticeQueue
from zorgpost.notifications.v1 import notifications_pb2_grpc
from zorgpost_kit.events import EventCodec
from zorgpost_kit.runtime import Infrastructure, ServiceParts


def template_catalogue(settings: Settings) -> TemplateCatalogue:
    """The catalogue, refused at start when a notice lacks a template in some language."""
    templates = TemplateCatalogue(settings.public_url)
    missing = templates.missing(CATALOGUE)
    if missing:
        raise RuntimeError(f"notice templates missing: {', '.join(missing)}")
    return templates


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    settings = infra.settings
    assert isinstance(settings, Settings)
    codec = EventCodec()
    delivery_loop = DeliveryWorker(
        uow=lambda: SqlNotificationsUnitOfWork(infra.session_factory, codec),
        templates=template_catalogue(settings),
        mailer=SmtpMailer(settings),
        sms=sms_sender(settings),
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            base=timedelta(seconds=settings.delivery_retry_base_seconds),
            cap=timedelta(seconds=settings.delivery_retry_max_seconds),
        ),
    ).background_loop()
    dead_letter_secrets = DeadLetterSecrets(
        uow=lambda: SqlNotificationsUnitOfWork(infra.session_factory, codec),
        retention=timedelta(seconds=settings.dead_letter_retention_seconds),
    ).background_loop()

    def on_commit() -> None:
        infra.relay.wake()
        delivery_loop.wake()

    def uow() -> SqlNotificationsUnitOfWork:
        return SqlNotificationsUnitOfWork(infra.session_factory, codec, on_commit=on_commit)

    servicer = NotificationsServicer(uow, infra.remote_token_verifier())
    return ServiceParts(
        servicers=[
            (SERVICE_NAME, partial(notifications_pb2_grpc.add_NotificationsServiceServicer_to_server, servicer))
        ],
        uow_factory=uow,
        consumers=[*notice_consumers(NoticeQueue()), AccountContactDetailsConsumer()],
        workers=[delivery_loop, dead_letter_secrets],
    )
