"""What contacts' use cases need from the world, as protocols: the unit of work and its
repositories, and identity's directory. The adapters implement them (``contacts.adapters``); the unit tests pass fakes
(``tests/unit/contacts/contacts_fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from contacts.domain.contact_persons import ContactPerson
from contacts.domain.model import OrganisationProfile
from contacts.domain.themes import Theme
from zorgpost_kit.events import DomainEvent


class OrganisationProfileRepository(Protocol):
    async def get(self, organisation_id: str) -> OrganisationProfile | None:
        """The stored profile; None when the organisation never filled it in."""

    async def save(self, profile: OrganisationProfile) -> None:
        """Inserts or replaces the organisation's profile."""


class ThemeRepository(Protocol):
    async def all(self) -> list[Theme]:
        """The catalogue, by department and name."""

    async def get(self, theme_id: str) -> Theme | None: ...

    async def save(self, theme: Theme) -> None:
        """Inserts or replaces a theme (the department's catalogue, the demo data)."""


class ContactPersonRepository(Protocol):
    async def of_organisation(self, organisation_id: str) -> list[ContactPerson]:
        """Every contact person of the organisation, by last and first name."""

    async def get(self, organisation_id: str, contact_person_id: str, *, lock: bool = False) -> ContactPerson | None:
        """One of the organisation's contact persons; None for anyone else's."""

    async def by_confirmation(self, token_hash: str, *, lock: bool = False) -> ContactPerson | None: ...

    async def add(self, person: ContactPerson) -> None:
        """Raises ``ContactEmailTaken`` (a field error) when the organisation has the address already."""

    async def save(self, person: ContactPerson) -> None: ...

    async def remove(self, person: ContactPerson) -> None: ...


class StaffDirectory(Protocol):
    """Identity's answers about the caller's organisation (its colleagues, the organisations
    it supervises, the departments supervising it), asked with the caller's own token; an
    outage raises ``Unavailable``, never an empty answer."""

    async def inbox_staff(self, access_token: str, emails: list[str]) -> set[str]:
        """Which of ``emails`` (lower-cased in the answer) are addresses of active staff of
        the caller's organisation whose roles work its shared inbox and e-counter."""

    async def supervised(self, access_token: str) -> dict[str, tuple[str, ...]]:
        """The organisations the caller's organisation (a department) supervises, each with
        the theme codes of the link; empty for any other organisation."""

    async def supervisors(self, access_token: str) -> dict[str, tuple[str, ...]]:
        """The departments that supervise the caller's organisation, each with the theme
        codes of the link; empty when none does. Asked afresh every time: a link that ended
        counts at once."""


class ContactsUnitOfWork(Protocol):
    """One transaction over the repositories; nothing is kept unless :meth:`commit` ran."""

    @property
    def profiles(self) -> OrganisationProfileRepository: ...

    @property
    def themes(self) -> ThemeRepository: ...

    @property
    def contact_persons(self) -> ContactPersonRepository: ...

    def emit(self, event: DomainEvent) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], ContactsUnitOfWork]
Clock = Callable[[], datetime]
