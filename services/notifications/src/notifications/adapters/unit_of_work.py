"""Notifications' unit of work on PostgreSQL (the port
:class:`notifications.service.ports.NotificationsUnitOfWork`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.repositories import (
    SqlAddressBookRepository,
    SqlDeliveryRepository,
    SqlPreferencesRepository,
)
from zorgpost_kit.db import UnitOfWork


class SqlNotificationsUnitOfWork(UnitOfWork):
    deliveries: SqlDeliveryRepository
    preferences: SqlPreferencesRepository
    address_book: SqlAddressBookRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.deliveries = SqlDeliveryRepository(session)
        self.preferences = SqlPreferencesRepository(session)
        self.address_book = SqlAddressBookRepository(session)
