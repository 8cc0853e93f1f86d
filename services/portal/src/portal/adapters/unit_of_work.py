"""The portal's unit of work on PostgreSQL (the port :class:`portal.service.ports.PortalUnitOfWork`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portal.adapters.repositories import SqlDashboardQueries
from zorgpost_kit.db import UnitOfWork


class SqlPortalUnitOfWork(UnitOfWork):
    dashboard: SqlDashboardQueries

    def _open_repositories(self, session: AsyncSession) -> None:
        self.dashboard = SqlDashboardQueries(session)
