"""Supervision as the organisations see it: a government department lists the organisations it
supervises and, as administrator, changes the themes or ends a link; a supervised
organisation's staff see who supervises them in which themes. The operator makes the links
(:meth:`identity.service.organisations.Organisations.do_link_supervision`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from identity.domain.accounts import Organisation
from identity.domain.errors import SupervisionNotFound
from identity.domain.supervision import Supervision, SupervisionEnded, SupervisionThemesChanged, check_themes
from identity.service.callers import staff_member
from identity.service.common import parse_id
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability


@dataclass(frozen=True)
class SupervisionListing:
    supervision: Supervision
    #: The organisation on the other side of the link.
    organisation: Organisation


@dataclass
class Supervisions:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def list_supervised(self, principal: Principal) -> list[SupervisionListing]:
        """The organisations the caller's organisation supervises (empty for any other kind)."""
        async with self.uow() as uow:
            member = await staff_member(uow, principal, self.clock(), Capability.VIEW_ORGANISATION)
            links = await uow.supervisions.list_supervised_by(member.organisation.id)
            others = await uow.organisations.get_many({link.supervised_organisation_id for link in links})
        return [SupervisionListing(link, others[link.supervised_organisation_id]) for link in links]

    async def list_supervisors(self, principal: Principal) -> list[SupervisionListing]:
        """The departments that supervise the caller's organisation."""
        async with self.uow() as uow:
            member = await staff_member(uow, principal, self.clock(), Capability.VIEW_ORGANISATION)
            links = await uow.supervisions.list_supervisors_of(member.organisation.id)
            others = await uow.organisations.get_many({link.supervisor_organisation_id for link in links})
        return [SupervisionListing(link, others[link.supervisor_organisation_id]) for link in links]

    async def do_set_themes(
        self, principal: Principal, supervised_id: str, themes: Sequence[str]
    ) -> SupervisionListing:
        """The themes of a link of the caller's department (an administrator's)."""
        errors = FieldErrors()
        checked = check_themes(themes, errors)
        errors.raise_if_any()
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_SUPERVISION)
            parsed = parse_id(supervised_id)
            if parsed is None:
                raise SupervisionNotFound()
            link = await uow.supervisions.get_for_update(admin.organisation.id, parsed)
            supervised = await uow.organisations.get(parsed)
            if link is None or supervised is None:
                raise SupervisionNotFound()
            if link.themes != checked:
                await uow.supervisions.set_themes(link.supervisor_organisation_id, supervised.id, checked)
                uow.emit(
                    SupervisionThemesChanged(
                        supervisor_organisation_id=link.supervisor_organisation_id,
                        supervised_organisation_id=supervised.id,
                        themes=checked,
                    )
                )
                await uow.commit()
        return SupervisionListing(
            Supervision(link.supervisor_organisation_id, supervised.id, checked, link.since), supervised
        )

    async def do_end(self, principal: Principal, supervised_id: str) -> None:
        async with self.uow() as uow:
            admin = await staff_member(uow, principal, self.clock(), Capability.MANAGE_SUPERVISION)
            parsed = parse_id(supervised_id)
            link = None if parsed is None else await uow.supervisions.get_for_update(admin.organisation.id, parsed)
            if link is None:
                raise SupervisionNotFound()
            await uow.supervisions.remove(link.supervisor_organisation_id, link.supervised_organisation_id)
            uow.emit(
                SupervisionEnded(
                    supervisor_organisation_id=link.supervisor_organisation_id,
                    supervised_organisation_id=link.supervised_organisation_id,
                )
            )
            await uow.commit()
