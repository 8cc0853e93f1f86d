"""Notifications' repositories on PostgreSQL (the ports of ``notifications.service.ports``):
they take and return domain objects, never rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.orm import address_book, deliveries, notification_preferences
from notifications.domain.address_book import AddressBookEntry
from notifications.domain.model import SECRET_PARAMS, Category, Channel, Delivery, DeliveryStatus
from notifications.domain.preferences import ChannelChoice, Preferences


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
        category=Category(row.category),
        account_id=row.account_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        failure_reason=row.failure_reason,
        sent_at=row.sent_at,
        message_id=row.message_id,
        digest_key=row.digest_key,
        expires_at=row.expires_at,
    )


def _changing_values(delivery: Delivery) -> dict[str, Any]:
    """The columns a delivery's life changes (the rest is fixed when it is queued)."""
    return {
        "status": delivery.status,
        "attempts": delivery.attempts,
        "failure_reason": delivery.failure_reason,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
        # Rewritten because a sent or undeliverable delivery forgets its secrets, and a
        # dead letter forgets them (and expires) after its retention.
        "params": delivery.params,
        "expires_at": delivery.expires_at,
    }


class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delivery: Delivery) -> None:
        await self._session.execute(
            insert(deliveries).values(
                id=delivery.id,
                source_id=delivery.source_id,
                organisation_id=delivery.organisation_id,
                template=delivery.template,
                category=delivery.category,
                channel=delivery.channel,
                recipient=delivery.recipient,
                account_id=delivery.account_id,
                language=delivery.language,
                message_id=delivery.message_id,
                created_at=delivery.created_at,
                digest_key=delivery.digest_key,
                **_changing_values(delivery),
            )
        )

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Locks due deliveries for this transaction; other workers skip them."""
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(deliveries.c.status == DeliveryStatus.QUEUED, deliveries.c.next_attempt_at <= now)
                .order_by(deliveries.c.next_attempt_at, deliveries.c.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [_delivery(row) for row in rows]

    async def claim_digest(self, digest_key: str, exclude: set[str]) -> list[Delivery]:
        """Locks the other queued deliveries of a digest, so the digest goes out whole even
        when a batch limit cut it in two."""
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(
                    deliveries.c.status == DeliveryStatus.QUEUED,
                    deliveries.c.digest_key == digest_key,
                    deliveries.c.id.not_in(exclude),
                )
                .order_by(deliveries.c.created_at)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [_delivery(row) for row in rows]

    async def open_digest_send_time(self, digest_key: str) -> datetime | None:
        """When the queued digest for ``digest_key`` goes out, or None when none is open."""
        send_time: datetime | None = (
            await self._session.execute(
                select(func.min(deliveries.c.next_attempt_at)).where(
                    deliveries.c.status == DeliveryStatus.QUEUED, deliveries.c.digest_key == digest_key
                )
            )
        ).scalar_one()
        return send_time

    async def save(self, delivery: Delivery) -> None:
        await self._session.execute(
            update(deliveries).where(deliveries.c.id == delivery.id).values(**_changing_values(delivery))
        )

    async def get_for_update(self, delivery_id: str) -> Delivery | None:
        row = (
            await self._session.execute(select(deliveries).where(deliveries.c.id == delivery_id).with_for_update())
        ).first()
        return _delivery(row) if row is not None else None

    async def list_for_source(self, organisation_id: str, source_id: str) -> list[Delivery]:
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(deliveries.c.organisation_id == organisation_id, deliveries.c.source_id == source_id)
                .order_by(deliveries.c.created_at.desc(), deliveries.c.channel)
            )
        ).all()
        return [_delivery(row) for row in rows]

    async def list_failed(self, *, limit: int, for_update: bool = False) -> list[Delivery]:
        """Dead letters, oldest first."""
        query = (
            select(deliveries)
            .where(deliveries.c.status == DeliveryStatus.FAILED)
            .order_by(deliveries.c.created_at)
            .limit(limit)
        )
        if for_update:
            query = query.with_for_update(skip_locked=True)
        return [_delivery(row) for row in (await self._session.execute(query)).all()]

    async def claim_failed_with_secrets(self, created_before: datetime, limit: int) -> list[Delivery]:
        """Old dead letters still holding a code or token, locked; other instances skip them.
        (``ix_deliveries_failed`` finds the failed ones by age.)"""
        rows = (
            await self._session.execute(
                select(deliveries)
                .where(
                    deliveries.c.status == DeliveryStatus.FAILED,
                    deliveries.c.created_at < created_before,
                    deliveries.c.params.has_any(array(sorted(SECRET_PARAMS))),
                )
                .order_by(deliveries.c.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [_delivery(row) for row in rows]


_CATEGORY_NAMES = frozenset(category.value for category in Category)


def _preferences(row: Row[tuple[object, ...]]) -> Preferences:
    categories: dict[str, dict[str, bool]] = row.categories
    return Preferences(
        account_id=row.account_id,
        language=row.language,
        digest_window_minutes=row.digest_window_minutes,
        categories={
            Category(name): ChannelChoice(email=bool(choice.get("email")), sms=bool(choice.get("sms")))
            for name, choice in categories.items()
            # A category a later release removed is ignored rather than breaking the read.
            if name in _CATEGORY_NAMES
        },
        updated_at=row.updated_at,
    )


class SqlPreferencesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_id: str) -> Preferences | None:
        row = (
            await self._session.execute(
                select(notification_preferences).where(notification_preferences.c.account_id == account_id)
            )
        ).first()
        return _preferences(row) if row is not None else None

    async def save(self, preferences: Preferences) -> None:
        """Inserts or replaces the account's preferences."""
        assert preferences.updated_at is not None, "saved preferences carry their time"
        values = {
            "language": preferences.language,
            "digest_window_minutes": preferences.digest_window_minutes,
            "categories": {
                category.value: {"email": choice.email, "sms": choice.sms}
                for category, choice in preferences.categories.items()
            },
            "updated_at": preferences.updated_at,
        }
        statement = pg_insert(notification_preferences).values(account_id=preferences.account_id, **values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[notification_preferences.c.account_id], set_=values)
        )


def _entry(row: Row[tuple[object, ...]]) -> AddressBookEntry:
    return AddressBookEntry(
        account_id=row.account_id,
        email=row.email,
        mobile=row.mobile,
        language=row.language,
        display_name=row.display_name,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name,
        roles=frozenset(row.roles),
        status=row.status,
        changed_at=row.changed_at,
    )


class SqlAddressBookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_id: str) -> AddressBookEntry | None:
        row = (await self._session.execute(select(address_book).where(address_book.c.account_id == account_id))).first()
        return _entry(row) if row is not None else None

    async def put(self, entry: AddressBookEntry) -> bool:
        """Stores ``entry`` unless the book holds a later state of the account (decided in
        one statement, so two consumers storing at once cannot undo the later one)."""
        values = {
            "email": entry.email,
            "mobile": entry.mobile,
            "language": entry.language,
            "display_name": entry.display_name,
            "organisation_id": entry.organisation_id,
            "organisation_name": entry.organisation_name,
            "roles": sorted(entry.roles),
            "status": entry.status,
            "changed_at": entry.changed_at,
        }
        statement = pg_insert(address_book).values(account_id=entry.account_id, **values)
        stored = await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[address_book.c.account_id],
                set_=values,
                where=address_book.c.changed_at <= statement.excluded.changed_at,
            ).returning(address_book.c.account_id)
        )
        return stored.first() is not None
