"""Notifications' repositories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.orm import deliveries
from notifications.domain.model import Channel, Delivery, DeliveryStatus


def _delivery(row: Row[tuple[object, ...]]) -> Delivery:
    return Delivery(
        id=row.id,
        source_id=row.source_id,
        organisation_id=row.organisation_id,
        template=row.template,
        channel=Channel(row.channel),
        recipient=row.recipient,
        language=row.language,
        params=dict(row.params),
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        failure_reason=row.failure_reason,
        sent_at=row.sent_at,
        message_id=row.message_id,
    )


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delivery: Delivery) -> None:
        await self._session.execute(
            insert(deliveries).values(
                id=delivery.id,
                source_id=delivery.source_id,
                organisation_id=delivery.organisation_id,
                template=delivery.template,
                channel=delivery.channel,
                recipient=delivery.recipient,
                language=delivery.language,
                params=delivery.params,
                status=delivery.status,
                attempts=delivery.attempts,
                failure_reason=delivery.failure_reason,
                message_id=delivery.message_id,
                created_at=delivery.created_at,
                next_attempt_at=delivery.next_attempt_at,
            )
        )

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Locks due deliveries for this transaction; other workers skip them."""
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(deliveries.c.status == DeliveryStatus.QUEUED, deliveries.c.next_attempt_at <= now)
                .order_by(deliveries.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [_delivery(row) for row in rows]

    async def save(self, delivery: Delivery) -> None:
        await self._session.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery.id)
            .values(
                status=delivery.status,
                attempts=delivery.attempts,
                failure_reason=delivery.failure_reason,
                next_attempt_at=delivery.next_attempt_at,
                sent_at=delivery.sent_at,
            )
        )

    async def list_for_source(self, organisation_id: str, source_id: str) -> list[Delivery]:
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(deliveries.c.organisation_id == organisation_id, deliveries.c.source_id == source_id)
                .order_by(deliveries.c.created_at.desc())
            )
        ).all()
        return [_delivery(row) for row in rows]
