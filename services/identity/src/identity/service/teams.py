"""Teams of an organisation's staff: every staff member sees them; administrators make,
rename and delete them and choose their members (active staff of the same organisation)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from identity.domain.errors import TeamExists, TeamNotFound
from identity.domain.teams import (
    MAX_TEAM_MEMBERS,
    TEAM_NAME_MAX_LENGTH,
    Team,
    TeamCreated,
    TeamDeleted,
    TeamMembersChanged,
    TeamRenamed,
)
from identity.service.callers import StaffMember, staff_member
from identity.service.common import parse_id
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_name


def check_team_name(name: str, errors: FieldErrors) -> str:
    return check_name(name, "name", errors, max_length=TEAM_NAME_MAX_LENGTH)


def check_member_ids(account_ids: Sequence[str], errors: FieldErrors) -> frozenset[str]:
    given = [account_id.strip() for account_id in account_ids if account_id.strip()]
    members = frozenset(parsed for parsed in map(parse_id, given) if parsed is not None)
    malformed = [account_id for account_id in given if parse_id(account_id) is None]
    if malformed:
        # An id that cannot exist is not a staff member either; it never reaches the database.
        errors.add("member_account_ids", f"{malformed[0]} is not an active staff member of your organisation")
    elif len(members) > MAX_TEAM_MEMBERS:
        errors.add("member_account_ids", f"at most {MAX_TEAM_MEMBERS} members")
    return members


@dataclass
class Teams:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def list(self, principal: Principal) -> list[Team]:
        """The organisation's teams, by name (any staff member)."""
        async with self.uow() as uow:
            member = await staff_member(uow, principal, self.clock(), Capability.VIEW_ORGANISATION)
            return await uow.teams.list_for_organisation(member.organisation.id)

    async def get(self, principal: Principal, team_id: str) -> Team:
        async with self.uow() as uow:
            member = await staff_member(uow, principal, self.clock(), Capability.VIEW_ORGANISATION)
            return await self._team(uow, team_id, member)

    async def do_create(self, principal: Principal, name: str, member_account_ids: Sequence[str]) -> Team:
        """A new team (:class:`TeamExists` when the organisation has one of that name);
        every member must be active staff of the organisation (422 otherwise)."""
        errors = FieldErrors()
        checked_name = check_team_name(name, errors)
        members = check_member_ids(member_account_ids, errors)
        errors.raise_if_any()
        now = self.clock()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, now, Capability.MANAGE_TEAMS)
            if await uow.teams.find_by_name(admin.organisation.id, checked_name) is not None:
                raise TeamExists(fields={"name": "is already used by another team"})
            await self._check_members(uow, admin, members)
            team = Team(str(uuid.uuid4()), admin.organisation.id, checked_name, now, members)
            await uow.teams.add(team)
            uow.emit(
                TeamCreated(
                    team_id=team.id,
                    organisation_id=team.organisation_id,
                    name=team.name,
                    changed_by_account_id=admin.account.id,
                )
            )
            if members:
                uow.emit(self._members_changed(team, admin))
            await uow.commit()
        return team

    async def do_rename(self, principal: Principal, team_id: str, name: str) -> Team:
        errors = FieldErrors()
        checked_name = check_team_name(name, errors)
        errors.raise_if_any()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_TEAMS)
            team = await self._team(uow, team_id, admin)
            if team.name == checked_name:
                return team
            holder = await uow.teams.find_by_name(admin.organisation.id, checked_name)
            if holder is not None and holder.id != team.id:
                raise TeamExists(fields={"name": "is already used by another team"})
            team.name = checked_name
            await uow.teams.save(team)
            uow.emit(
                TeamRenamed(
                    team_id=team.id,
                    organisation_id=team.organisation_id,
                    name=team.name,
                    changed_by_account_id=admin.account.id,
                )
            )
            await uow.commit()
        return team

    async def do_set_members(self, principal: Principal, team_id: str, member_account_ids: Sequence[str]) -> Team:
        """The team's members become exactly ``member_account_ids``."""
        errors = FieldErrors()
        members = check_member_ids(member_account_ids, errors)
        errors.raise_if_any()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_TEAMS)
            team = await self._team(uow, team_id, admin)
            if team.member_account_ids == members:
                return team
            await self._check_members(uow, admin, members)
            team.member_account_ids = members
            await uow.teams.save(team)
            uow.emit(self._members_changed(team, admin))
            await uow.commit()
        return team

    async def do_delete(self, principal: Principal, team_id: str) -> None:
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_TEAMS)
            team = await self._team(uow, team_id, admin)
            await uow.teams.delete(team.id)
            uow.emit(
                TeamDeleted(
                    team_id=team.id,
                    organisation_id=team.organisation_id,
                    name=team.name,
                    changed_by_account_id=admin.account.id,
                )
            )
            await uow.commit()

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    async def _team(uow: UnitOfWork, team_id: str, member: StaffMember) -> Team:
        parsed = parse_id(team_id)
        team = (
            None if parsed is None else await uow.teams.get_in_organisation_for_update(parsed, member.organisation.id)
        )
        if team is None:
            raise TeamNotFound()
        return team

    @staticmethod
    async def _check_members(uow: UnitOfWork, admin: StaffMember, members: frozenset[str]) -> None:
        active = await uow.staff.active_ids(admin.organisation.id, set(members))
        outside = sorted(members - active)
        if outside:
            errors = FieldErrors()
            errors.add("member_account_ids", f"{outside[0]} is not an active staff member of your organisation")
            errors.raise_if_any()

    @staticmethod
    def _members_changed(team: Team, admin: StaffMember) -> TeamMembersChanged:
        return TeamMembersChanged(
            team_id=team.id,
            organisation_id=team.organisation_id,
            member_account_ids=tuple(sorted(team.member_account_ids)),
            changed_by_account_id=admin.account.id,
        )
