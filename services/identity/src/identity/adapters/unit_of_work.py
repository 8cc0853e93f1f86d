"""Identity's unit of work: the kit's transaction + outbox, with identity's repositories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.repositories import (
    AccountRepository,
    OrganisationRepository,
    RefreshTokenRepository,
    SessionRepository,
)
from zorgpost_kit.db import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    organisations: OrganisationRepository
    accounts: AccountRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.organisations = OrganisationRepository(session)
        self.accounts = AccountRepository(session)
        self.sessions = SessionRepository(session)
        self.refresh_tokens = RefreshTokenRepository(session)
