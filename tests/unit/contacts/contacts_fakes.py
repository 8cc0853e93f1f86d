"""The one set of fakes for contacts' use cases: an in-memory unit of work with its
repository (nothing is kept without a commit, as in PostgreSQL), and identity's directory.
They implement the protocols of ``contacts.service.ports``, so a use case takes them as
they are.

(Named after the service: test directories are not packages, so two services' ``fakes``
modules would clash.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from contacts.domain.contact_persons import ContactPerson
from contacts.domain.model import OrganisationProfile
from contacts.domain.themes import Theme
from contacts.service.contact_persons import EMAIL_TAKEN
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.events import DomainEvent


@dataclass
class Store:
    """What the database holds between units of work."""

    profiles: dict[str, OrganisationProfile] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    contact_persons: dict[str, ContactPerson] = field(default_factory=dict)
    #: Events of committed units of work, in order.
    events: list[DomainEvent] = field(default_factory=list)
    commits: int = 0


class FakeOrganisationProfileRepository:
    def __init__(self, rows: dict[str, OrganisationProfile]) -> None:
        self._rows = rows

    async def get(self, organisation_id: str) -> OrganisationProfile | None:
        return self._rows.get(organisation_id)

    async def save(self, profile: OrganisationProfile) -> None:
        self._rows[profile.organisation_id] = profile


class FakeThemeRepository:
    def __init__(self, rows: dict[str, Theme]) -> None:
        self._rows = rows

    async def all(self) -> list[Theme]:
        return sorted(self._rows.values(), key=lambda t: (t.department_name, t.name))

    async def get(self, theme_id: str) -> Theme | None:
        return self._rows.get(theme_id)

    async def save(self, theme: Theme) -> None:
        self._rows[theme.id] = theme


class FakeContactPersonRepository:
    """Keeps the unique index on (organisation, lower(e-mail)) as PostgreSQL does."""

    def __init__(self, rows: dict[str, ContactPerson]) -> None:
        self._rows = rows

    async def of_organisation(self, organisation_id: str) -> list[ContactPerson]:
        persons = [p for p in self._rows.values() if p.organisation_id == organisation_id]
        return sorted(persons, key=lambda p: (p.details.last_name, p.details.first_name, p.id))

    async def get(self, organisation_id: str, contact_person_id: str, *, lock: bool = False) -> ContactPerson | None:
        person = self._rows.get(contact_person_id)
        return person if person is not None and person.organisation_id == organisation_id else None

    async def by_confirmation(self, token_hash: str, *, lock: bool = False) -> ContactPerson | None:
        return next((p for p in self._rows.values() if p.confirmation_hash == token_hash), None)

    def _check_unique(self, person: ContactPerson) -> None:
        for other in self._rows.values():
            if (
                other.id != person.id
                and other.organisation_id == person.organisation_id
                and other.details.email.lower() == person.details.email.lower()
            ):
                raise InvalidArgument(fields={"email": EMAIL_TAKEN})

    async def add(self, person: ContactPerson) -> None:
        self._check_unique(person)
        self._rows[person.id] = person

    async def save(self, person: ContactPerson) -> None:
        self._check_unique(person)
        self._rows[person.id] = person

    async def remove(self, person: ContactPerson) -> None:
        self._rows.pop(person.id, None)


class FakeUnitOfWork:
    """Works on a copy of the store; :meth:`commit` writes the copy back with the events.
    (Rows are frozen, so a shallow copy of a table is a copy.)"""

    profiles: FakeOrganisationProfileRepository
    themes: FakeThemeRepository
    contact_persons: FakeContactPersonRepository

    def __init__(self, store: Store) -> None:
        self._store = store
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        self._rows = dict(self._store.profiles)
        self._themes = dict(self._store.themes)
        self._persons = dict(self._store.contact_persons)
        self._events = []
        self.profiles = FakeOrganisationProfileRepository(self._rows)
        self.themes = FakeThemeRepository(self._themes)
        self.contact_persons = FakeContactPersonRepository(self._persons)
        return self

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store.profiles = dict(self._rows)
        self._store.themes = dict(self._themes)
        self._store.contact_persons = dict(self._persons)
        self._store.events += self._events
        self._events = []
        self._store.commits += 1


class FakeStaffDirectory:
    """Identity's answers for the caller: the addresses of colleagues who work the
    e-counter, the organisations the caller's department supervises (``supervised``) and the
    departments supervising the caller's organisation (``supervisors``), each with the
    link's themes."""

    def __init__(
        self,
        staff: set[str],
        *,
        supervised: dict[str, tuple[str, ...]] | None = None,
        supervisors: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.staff = staff
        self.links = supervised or {}
        self.supervising = supervisors or {}
        self.asked: list[list[str]] = []

    async def inbox_staff(self, access_token: str, emails: list[str]) -> set[str]:
        self.asked.append(emails)
        return {email.lower() for email in emails if email.lower() in self.staff}

    async def supervised(self, access_token: str) -> dict[str, tuple[str, ...]]:
        return dict(self.links)

    async def supervisors(self, access_token: str) -> dict[str, tuple[str, ...]]:
        return dict(self.supervising)


class FailingStaffDirectory:
    """Identity down, or refusing the caller's token."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def inbox_staff(self, access_token: str, emails: list[str]) -> set[str]:
        raise self.error

    async def supervised(self, access_token: str) -> dict[str, tuple[str, ...]]:
        raise self.error

    async def supervisors(self, access_token: str) -> dict[str, tuple[str, ...]]:
        raise self.error
