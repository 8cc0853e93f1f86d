"""Messaging's unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from messaging.adapters.repositories import SecureMailRepository
from zorgpost_kit.db import UnitOfWork


class MessagingUnitOfWork(UnitOfWork):
    secure_mails: SecureMailRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.secure_mails = SecureMailRepository(session)
