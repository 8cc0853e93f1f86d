"""Use case: queue the deliveries an event's notices ask for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from notifications.domain.model import Delivery
from notifications.domain.notices import Notice, plan_deliveries
from notifications.domain.preferences import Preferences
from notifications.service.ports import NotificationsUnitOfWork
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NoticeQueue:
    clock: Callable[[], datetime] = _utcnow

    async def do_queue(self, uow: NotificationsUnitOfWork, notices: Sequence[Notice]) -> list[Delivery]:
        """Adds a delivery per notice and channel to the caller's unit of work (not committed
        here: the consumer commits it with its inbox record, so an event queues its
        deliveries exactly once).

        Guarantees: each person's preferences decide the channels and language, except for
        what must reach them (see :func:`plan_deliveries`); a digestible mail joins the
        person's open digest and goes out when that digest does.
        """
        now = self.clock()
        queued: list[Delivery] = []
        for notice in notices:
            account_id = notice.addressee.account_id
            stored = await uow.preferences.get(account_id) if account_id else None
            for delivery in plan_deliveries(notice, stored or Preferences(account_id), now):
                if delivery.digest_key is not None:
                    open_until = await uow.deliveries.open_digest_send_time(delivery.digest_key)
                    if open_until is not None:
                        delivery.next_attempt_at = open_until
                await uow.deliveries.add(delivery)
                queued.append(delivery)
                # Template, channel and status only: the params hold codes and tokens.
                log.info(
                    "delivery_queued",
                    delivery_id=delivery.id,
                    template=delivery.template,
                    channel=delivery.channel,
                    status=delivery.status,
                    reason=delivery.failure_reason or None,
                )
        return queued
