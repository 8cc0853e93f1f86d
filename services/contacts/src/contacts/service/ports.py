"""What contacts' use cases need from the world, as protocols: the unit of work and its
repository. The adapters implement them (``contacts.adapters``); the unit tests pass fakes
(``tests/unit/contacts/contacts_fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from contacts.domain.model import OrganisationProfile


class OrganisationProfileRepository(Protocol):
    async def get(self, organisation_id: str) -> OrganisationProfile | None:
        """The stored profile; None when the organisation never filled it in."""

    async def save(self, profile: OrganisationProfile) -> None:
        """Inserts or replaces the organisation's profile."""


class ContactsUnitOfWork(Protocol):
    """One transaction over the repositories; nothing is kept unless :meth:`commit` ran."""

    @property
    def profiles(self) -> OrganisationProfileRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], ContactsUnitOfWork]
