"""Teams of an organisation's staff and their members."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import team_members, teams
from identity.domain.teams import Team


class SqlTeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, team: Team) -> None:
        await self._session.execute(
            insert(teams).values(
                id=team.id, organisation_id=team.organisation_id, name=team.name, created_at=team.created_at
            )
        )
        await self._set_members(team.id, team.member_account_ids)

    async def get_in_organisation_for_update(self, team_id: str, organisation_id: str) -> Team | None:
        row = (
            await self._session.execute(
                select(teams).where(teams.c.id == team_id, teams.c.organisation_id == organisation_id).with_for_update()
            )
        ).first()
        if row is None:
            return None
        members = await self._members([team_id])
        return Team(row.id, row.organisation_id, row.name, row.created_at, frozenset(members.get(row.id, set())))

    async def find_by_name(self, organisation_id: str, name: str) -> Team | None:
        row = (
            await self._session.execute(
                select(teams).where(
                    teams.c.organisation_id == organisation_id, func.lower(teams.c.name) == name.lower()
                )
            )
        ).first()
        return Team(row.id, row.organisation_id, row.name, row.created_at) if row else None

    async def list_for_organisation(self, organisation_id: str) -> list[Team]:
        """By name."""
        rows = (
            await self._session.execute(
                select(teams)
                .where(teams.c.organisation_id == organisation_id)
                .order_by(func.lower(teams.c.name), teams.c.id)
            )
        ).all()
        members = await self._members([row.id for row in rows])
        return [
            Team(row.id, row.organisation_id, row.name, row.created_at, frozenset(members.get(row.id, set())))
            for row in rows
        ]

    async def save(self, team: Team) -> None:
        await self._session.execute(update(teams).where(teams.c.id == team.id).values(name=team.name))
        await self._session.execute(delete(team_members).where(team_members.c.team_id == team.id))
        await self._set_members(team.id, team.member_account_ids)

    async def delete(self, team_id: str) -> None:
        await self._session.execute(delete(teams).where(teams.c.id == team_id))

    async def remove_member_everywhere(self, account_id: str) -> None:
        """A deactivated staff member leaves every team."""
        await self._session.execute(delete(team_members).where(team_members.c.account_id == account_id))

    async def _set_members(self, team_id: str, account_ids: frozenset[str]) -> None:
        if account_ids:
            await self._session.execute(
                insert(team_members).values([{"team_id": team_id, "account_id": member} for member in account_ids])
            )

    async def _members(self, team_ids: list[str]) -> dict[str, set[str]]:
        if not team_ids:
            return {}
        rows = (
            await self._session.execute(
                select(team_members.c.team_id, team_members.c.account_id).where(team_members.c.team_id.in_(team_ids))
            )
        ).all()
        members: dict[str, set[str]] = {}
        for row in rows:
            members.setdefault(row.team_id, set()).add(row.account_id)
        return members
