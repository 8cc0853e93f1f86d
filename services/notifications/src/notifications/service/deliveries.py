"""Use cases of delivery: send what is due, show what happened, re-drive dead letters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from jinja2 import TemplateError

from notifications.adapters.channels import DeliveryFailed, Mailer, SmsSender
from notifications.adapters.mail import build_message
from notifications.adapters.templates import TemplateCatalogue
from notifications.adapters.unit_of_work import NotificationsUnitOfWork
from notifications.domain.errors import DeliveryNotFound
from notifications.domain.model import Channel, Delivery, RetryPolicy
from notifications.domain.notices import MESSAGES_DIGEST
from zorgpost_kit.auth import Principal
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _Unrenderable(Exception):
    """A delivery whose template cannot be rendered: a bug no retry will fix."""


@dataclass
class DeliveryWorker:
    """Sends due deliveries, one send per transaction.

    Each send happens inside the transaction that holds its rows' locks, and the outcome is
    committed right after it: a crash before that commit leaves the delivery queued, so it
    is retried (at least once); the stable Message-ID lets receivers spot the rare duplicate
    of that window. Several instances share the queue (locked rows are skipped).
    Deliveries of one digest go out as one mail; an expired notice is not sent at all.
    """

    uow: Callable[[], NotificationsUnitOfWork]
    templates: TemplateCatalogue
    mailer: Mailer
    sms: SmsSender
    policy: RetryPolicy
    mail_from: str
    batch_size: int = 10
    clock: Callable[[], datetime] = _utcnow

    def background_loop(self, *, idle_seconds: float = 1.0) -> BackgroundLoop:
        """The worker as a service's background loop, woken after every commit (a commit may
        have queued deliveries) and polling every ``idle_seconds`` for retries that fell due."""

        async def step() -> bool:
            return await self.send_due() > 0

        return BackgroundLoop("delivery_worker", step, idle_seconds=idle_seconds)

    async def send_due(self) -> int:
        """Attempts up to ``batch_size`` due sends; returns how many were attempted."""
        attempted = 0
        while attempted < self.batch_size:
            async with self.uow() as uow:
                due = await uow.deliveries.claim_due(self.clock(), 1)
                if not due:
                    break
                first = due[0]
                group = [first]
                if first.digest_key is not None:
                    group += await uow.deliveries.claim_digest(first.digest_key, exclude={first.id})
                await self._attempt(group)
                for delivery in group:
                    await uow.deliveries.save(delivery)
                await uow.commit()
            attempted += 1
        return attempted

    async def _attempt(self, group: list[Delivery]) -> None:
        """One send for ``group`` (one delivery, or the deliveries of one digest)."""
        now = self.clock()
        live = []
        for delivery in group:
            if delivery.is_expired(now):
                delivery.mark_undeliverable("expired before it could be sent")
                log.warning("delivery_expired", delivery_id=delivery.id, template=delivery.template)
            else:
                live.append(delivery)
        if not live:
            return
        try:
            await self._send(live)
        except _Unrenderable as error:
            for delivery in live:
                delivery.mark_undeliverable(f"cannot be rendered: {error}")
            log.error("delivery_unrenderable", delivery_ids=[d.id for d in live], error=str(error))
            return
        except DeliveryFailed as failure:
            for delivery in live:
                delivery.mark_failed_attempt(
                    self.clock(), failure.reason, permanent=failure.permanent, policy=self.policy
                )
            log.warning(
                "delivery_attempt_failed",
                delivery_ids=[d.id for d in live],
                channel=live[0].channel,
                attempt=live[0].attempts,
                permanent=failure.permanent,
                status=live[0].status,
                reason=failure.reason,
            )
            return
        sent_at = self.clock()
        for delivery in live:
            delivery.mark_sent(sent_at)
        log.info(
            "delivery_sent",
            delivery_ids=[d.id for d in live],
            template=live[0].template if len(live) == 1 else MESSAGES_DIGEST.template,
            channel=live[0].channel,
            attempt=live[0].attempts,
        )

    async def _send(self, group: list[Delivery]) -> None:
        lead = group[0]
        if lead.channel is Channel.SMS:
            try:
                text = self.templates.render_sms(lead.template, lead.language, lead.params)
            except (TemplateError, ValueError) as error:
                raise _Unrenderable(type(error).__name__) from None
            await self.sms.send(lead.recipient, text, reference=lead.id)
        else:
            await self.mailer.send(self._mail(group))

    def _mail(self, group: list[Delivery]) -> EmailMessage:
        lead = group[0]
        if len(group) > 1:
            template = MESSAGES_DIGEST.template
            names = dict.fromkeys(str(d.params.get("organisation_name", "")) for d in group)
            params: dict[str, Any] = {"organisation_name": ", ".join(names), "items": [d.params for d in group]}
        else:
            template, params = lead.template, lead.params
        try:
            rendered = self.templates.render_mail(template, lead.language, params, optional=lead.is_optional)
        except (TemplateError, ValueError) as error:
            raise _Unrenderable(type(error).__name__) from None
        return build_message(
            sender=self.mail_from,
            to=lead.recipient,
            mail=rendered,
            message_id=lead.message_id,
            unsubscribe_url=self.templates.preferences_url if lead.is_optional else None,
        )


async def list_deliveries(
    uow_factory: Callable[[], NotificationsUnitOfWork], principal: Principal, source_id: str
) -> list[Delivery]:
    """Staff see the deliveries of their own organisation's objects only, newest first;
    another organisation's are indistinguishable from none."""
    principal.require_staff()
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        return await uow.deliveries.list_for_source(principal.organisation_id, source_id)


async def list_failed(uow_factory: Callable[[], NotificationsUnitOfWork], *, limit: int = 100) -> list[Delivery]:
    """Dead letters (failed deliveries), oldest first: for an operator."""
    async with uow_factory() as uow:
        return await uow.deliveries.list_failed(limit=limit)


async def do_redrive(
    uow_factory: Callable[[], NotificationsUnitOfWork], delivery_id: str, *, now: datetime | None = None
) -> Delivery:
    """Queues one failed delivery again with a fresh set of attempts.

    Raises :class:`DeliveryNotFound`, or :class:`CannotRedrive` when it did not fail or
    could not be sent anyway (no address, expired).
    """
    async with uow_factory() as uow:
        delivery = await uow.deliveries.get_for_update(delivery_id)
        if delivery is None:
            raise DeliveryNotFound()
        delivery.redrive(now or _utcnow())
        await uow.deliveries.save(delivery)
        await uow.commit()
    return delivery


async def do_redrive_all(
    uow_factory: Callable[[], NotificationsUnitOfWork], *, now: datetime | None = None, limit: int = 1000
) -> tuple[list[Delivery], list[Delivery]]:
    """Queues every failed delivery that can still be sent; returns (re-driven, left as failed)."""
    moment = now or _utcnow()
    redriven: list[Delivery] = []
    left: list[Delivery] = []
    async with uow_factory() as uow:
        for delivery in await uow.deliveries.list_failed(limit=limit, for_update=True):
            if delivery.can_redrive(moment):
                delivery.redrive(moment)
                await uow.deliveries.save(delivery)
                redriven.append(delivery)
            else:
                left.append(delivery)
        await uow.commit()
    return redriven, left
