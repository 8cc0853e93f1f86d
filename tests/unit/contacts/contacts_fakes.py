"""The one set of fakes for contacts' use cases: an in-memory unit of work with its
repository (nothing is kept without a commit, as in PostgreSQL). It implements the
protocols of ``contacts.service.ports``, so a use case takes it as it is.

(Named after the service: test directories are not packages, so two services' ``fakes``
modules would clash.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from contacts.domain.model import OrganisationProfile


@dataclass
class Store:
    """What the database holds between units of work."""

    profiles: dict[str, OrganisationProfile] = field(default_factory=dict)
    commits: int = 0


class FakeOrganisationProfileRepository:
    def __init__(self, rows: dict[str, OrganisationProfile]) -> None:
        self._rows = rows

    async def get(self, organisation_id: str) -> OrganisationProfile | None:
        return self._rows.get(organisation_id)

    async def save(self, profile: OrganisationProfile) -> None:
        self._rows[profile.organisation_id] = profile


class FakeUnitOfWork:
    """Works on a copy of the store; :meth:`commit` writes the copy back. (Profiles are
    frozen, so a shallow copy of the table is a copy.)"""

    profiles: FakeOrganisationProfileRepository

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._rows = dict(self._store.profiles)
        self.profiles = FakeOrganisationProfileRepository(self._rows)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store.profiles = dict(self._rows)
        self._store.commits += 1
