"""Notifications' unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.repositories import DeliveryRepository, PreferencesRepository
from zorgpost_kit.db import UnitOfWork


class NotificationsUnitOfWork(UnitOfWork):
    deliveries: DeliveryRepository
    preferences: PreferencesRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.deliveries = DeliveryRepository(session)
        self.preferences = PreferencesRepository(session)
