"""Use cases of delivery: queue a notice, send what is due, show what happened."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from notifications.adapters.mail import DeliveryFailed, SmtpMailer, build_message
from notifications.adapters.templates import TemplateCatalogue
from notifications.adapters.unit_of_work import NotificationsUnitOfWork
from notifications.domain.model import Channel, Delivery, RetryPolicy
from zorgpost_kit.auth import Principal
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def queue_email(
    uow: NotificationsUnitOfWork,
    *,
    source_id: str,
    organisation_id: str,
    template: str,
    recipient: str,
    language: str,
    params: dict[str, Any],
    now: datetime | None = None,
) -> Delivery:
    """Creates a queued e-mail delivery in the caller's unit of work (not committed here)."""
    created = now or _utcnow()
    return Delivery(
        id=str(uuid.uuid4()),
        source_id=source_id,
        organisation_id=organisation_id,
        template=template,
        channel=Channel.EMAIL,
        recipient=recipient,
        language=language,
        params=params,
        created_at=created,
        next_attempt_at=created,
    )


@dataclass
class DeliveryWorker:
    """Sends due deliveries. Each is sent inside the transaction that holds its row lock and
    then marked: a crash before the mark leaves it queued, so it is retried (at least once);
    the stable Message-ID lets receivers spot the rare duplicate of that window."""

    uow: Callable[[], NotificationsUnitOfWork]
    templates: TemplateCatalogue
    mailer: SmtpMailer
    policy: RetryPolicy
    mail_from: str
    batch_size: int = 10
    idle_seconds: float = 1.0
    clock: Callable[[], datetime] = _utcnow

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                sent = await self.send_due()
            except Exception as error:  # noqa: BLE001 - the worker outlives database outages
                log.warning("delivery_worker_failed", error=type(error).__name__, detail=str(error))
                sent = 0
            if sent:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.idle_seconds)
            except TimeoutError:
                pass

    async def send_due(self) -> int:
        """Attempts one batch of due deliveries; returns how many were attempted."""
        async with self.uow() as uow:
            due = await uow.deliveries.claim_due(self.clock(), self.batch_size)
            for delivery in due:
                await self._attempt(delivery)
                await uow.deliveries.save(delivery)
            await uow.commit()
        return len(due)

    async def _attempt(self, delivery: Delivery) -> None:
        rendered = self.templates.render_mail(delivery.template, delivery.language, delivery.params)
        message = build_message(
            sender=self.mail_from,
            to=delivery.recipient,
            mail=rendered,
            message_id=delivery.message_id,
            unsubscribe_url=None,
        )
        try:
            await self.mailer.send(message)
        except DeliveryFailed as failure:
            delivery.mark_failed_attempt(self.clock(), failure.reason, permanent=failure.permanent, policy=self.policy)
            log.warning(
                "delivery_attempt_failed",
                delivery_id=delivery.id,
                attempt=delivery.attempts,
                permanent=failure.permanent,
                status=delivery.status,
                reason=failure.reason,
            )
            return
        delivery.mark_sent(self.clock())
        log.info("delivery_sent", delivery_id=delivery.id, template=delivery.template, attempt=delivery.attempts)


async def list_deliveries(
    uow_factory: Callable[[], NotificationsUnitOfWork], principal: Principal, source_id: str
) -> list[Delivery]:
    """Staff see the deliveries of their own organisation's objects only."""
    principal.require_staff()
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        return await uow.deliveries.list_for_source(principal.organisation_id, source_id)
