"""Use case: queue the deliveries an event's notices ask for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from notifications.domain.model import Delivery
from notifications.domain.notices import Notice, plan_deliveries
from notifications.domain.preferences import Preferences
from notifications.service.ports import NotificationsUnitOfWork
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AddresseeNotKnownYet(Exception):
    """An account the address book does not know (yet): retried, not a dead letter."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id} is not in the address book yet")


@dataclass(frozen=True)
class NoticeQueue:
    clock: Callable[[], datetime] = _utcnow

    async def _addressed(self, uow: NotificationsUnitOfWork, notice: Notice, *, may_wait: bool) -> Notice | None:
        """The notice with the address book's addressee, or None when there is nobody to reach."""
        if not notice.addressee.in_address_book:
            return notice
        entry = await uow.address_book.get(notice.addressee.account_id)
        if entry is None and may_wait:
            raise AddresseeNotKnownYet(notice.addressee.account_id)
        if entry is None or not entry.reachable:
            log.info(
                "notice_without_addressee",
                template=notice.kind.template,
                account_id=notice.addressee.account_id,
                reason="not in the address book" if entry is None else f"account {entry.status}",
            )
            return None
        return replace(notice, addressee=entry.addressee())

    async def do_queue(
        self, uow: NotificationsUnitOfWork, notices: Sequence[Notice], *, may_wait: bool = False
    ) -> list[Delivery]:
        """Adds a delivery per notice and channel to the caller's unit of work (not committed
        here: the consumer commits it with its inbox record, so an event queues its
        deliveries exactly once).

        Guarantees: each person's preferences decide the channels and language, except for
        what must reach them (see :func:`plan_deliveries`); a digestible mail joins the
        person's open digest and goes out when that digest does. A notice to an account the
        event names by id only goes where the address book says; an account the book does
        not know yet raises :class:`AddresseeNotKnownYet` while ``may_wait`` (identity's
        announcement of a new account may come a moment after the message), and is left
        out after that, as is an account that is not active.
        """
        now = self.clock()
        queued: list[Delivery] = []
        for named in notices:
            notice = await self._addressed(uow, named, may_wait=may_wait)
            if notice is None:
                continue
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
