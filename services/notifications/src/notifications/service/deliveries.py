"""Use cases of delivery: send what is due, show what happened, re-drive dead letters,
forget the secrets of old dead letters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from notifications.domain.errors import DeliveryNotFound
from notifications.domain.model import Channel, Delivery, RetryPolicy
from notifications.domain.notices import MESSAGES_DIGEST
from notifications.service.ports import (
    CannotRender,
    DeliveryFailed,
    Mailer,
    NoticeRenderer,
    OutgoingMail,
    SmsSender,
    UnitOfWorkFactory,
)
from zorgpost_kit.auth import Principal
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.logging import get_logger
from zorgpost_kit.roles import Capability

log = get_logger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class DeliveryWorker:
    """Sends due deliveries, one send per transaction.

    Each send happens inside the transaction that holds its rows' locks, and the outcome is
    committed right after it. The promise is at least once: a crash after the mail server
    (or SMS provider) accepted a notice and before that commit leaves the delivery queued,
    so it goes out again, with the same Message-ID, which lets a receiving system spot the
    duplicate. Several instances share the queue (locked rows are skipped).
    Deliveries of one digest go out as one mail; an expired notice is not sent at all.
    """

    uow: UnitOfWorkFactory
    templates: NoticeRenderer
    mailer: Mailer
    sms: SmsSender
    policy: RetryPolicy
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
        except CannotRender as error:
            for delivery in live:
                delivery.mark_undeliverable(f"cannot be rendered: {error.reason}")
            log.error("delivery_unrenderable", delivery_ids=[d.id for d in live], error=error.reason)
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
            text = self.templates.render_sms(lead.template, lead.language, lead.params)
            await self.sms.send(lead.recipient, text, reference=lead.id)
        else:
            await self.mailer.send(self._mail(group))

    def _mail(self, group: list[Delivery]) -> OutgoingMail:
        lead = group[0]
        if len(group) > 1:
            template = MESSAGES_DIGEST.template
            names = dict.fromkeys(str(d.params.get("organisation_name", "")) for d in group)
            params: dict[str, Any] = {"organisation_name": ", ".join(names), "items": [d.params for d in group]}
        else:
            template, params = lead.template, lead.params
        return OutgoingMail(
            to=lead.recipient,
            mail=self.templates.render_mail(template, lead.language, params, optional=lead.is_optional),
            message_id=lead.message_id,
            unsubscribe_url=self.templates.preferences_url if lead.is_optional else None,
        )


async def list_deliveries(
    uow_factory: UnitOfWorkFactory, principal: Principal, source_id: str
) -> list[Delivery]:
    """Staff see the deliveries of their own organisation's objects only, newest first;
    another organisation's are indistinguishable from none."""
    principal.require(Capability.VIEW_DELIVERIES)
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        return await uow.deliveries.list_for_source(principal.organisation_id, source_id)


async def list_failed(uow_factory: UnitOfWorkFactory, *, limit: int = 100) -> list[Delivery]:
    """Dead letters (failed deliveries), oldest first: for an operator."""
    async with uow_factory() as uow:
        return await uow.deliveries.list_failed(limit=limit)


async def do_redrive(
    uow_factory: UnitOfWorkFactory, delivery_id: str, *, now: datetime | None = None
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
    uow_factory: UnitOfWorkFactory, *, now: datetime | None = None, limit: int = 1000
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


@dataclass
class DeadLetterSecrets:
    """Dead letters keep their codes and link tokens for ``retention`` after they were
    queued, so an operator can re-drive them; then they forget them and expire (a sent or
    undeliverable delivery forgets them at once). Several instances share the work (locked
    rows are skipped)."""

    uow: UnitOfWorkFactory
    retention: timedelta
    batch_size: int = 100
    clock: Callable[[], datetime] = _utcnow

    async def do_forget_expired(self) -> int:
        """Forgets the secrets of one batch of dead letters past the retention; returns how many."""
        now = self.clock()
        async with self.uow() as uow:
            stale = await uow.deliveries.claim_failed_with_secrets(now - self.retention, self.batch_size)
            for delivery in stale:
                delivery.forget_secrets_of_dead_letter(now)
                await uow.deliveries.save(delivery)
            await uow.commit()
        if stale:
            log.info("dead_letter_secrets_forgotten", deliveries=len(stale))
        return len(stale)

    def background_loop(self) -> BackgroundLoop:
        """Looks again after a tenth of the retention (at least every second, at most every
        five minutes)."""

        async def step() -> bool:
            return await self.do_forget_expired() == self.batch_size

        idle = min(max(self.retention.total_seconds() / 10, 1.0), 300.0)
        return BackgroundLoop("dead_letter_secrets", step, idle_seconds=idle)
