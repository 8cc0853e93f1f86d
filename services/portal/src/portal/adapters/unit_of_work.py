"""The portal's unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.adapters.repositories import DashboardQueries
from zorgpost_kit.db import UnitOfWork


class PortalUnitOfWork(UnitOfWork):
    dashboard: DashboardQueries

    def _open_repositories(self, session: AsyncSession) -> None:
        self.dashboard = DashboardQueries(session)
