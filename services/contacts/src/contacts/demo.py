"""Demo data for `make run` (development only, idempotent). Documented in the README.

The e-counter of seed 3: the department "Departement Zorg" keeps two themes; the care
organisation "Woonzorgcentrum Het Anker" has a confirmed contact person for the first theme
and an unconfirmed one for the second. Organisation ids are identity's demo ids (uuid5 of
the same names), so the demo data of every service refers to the same organisations.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contacts.adapters.events import event_codec
from contacts.adapters.unit_of_work import SqlContactsUnitOfWork
from contacts.domain.contact_persons import ContactDetails, ContactPerson
from contacts.domain.themes import Theme
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.settings import ServiceSettings

#: identity's demo namespace (``identity.demo.demo_id``).
_NAMESPACE = uuid.UUID("5b0c39f4-7a4e-4a57-9d0e-6f1f3c1d2a10")


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


DEPARTMENT_ID = demo_id("org:departement-zorg")
HET_ANKER_ID = demo_id("org:het-anker")

DEMO_THEMES = (
    Theme("erkenning", "Erkenning", "Accreditation", DEPARTMENT_ID, "Departement Zorg", "Team Erkenningen"),
    Theme("subsidies", "Subsidies", "Subsidies", DEPARTMENT_ID, "Departement Zorg", "Team Subsidies"),
)

_CONFIRMED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEMO_CONTACT_PERSONS = (
    ContactPerson(
        id=demo_id("contact:het-anker:jan-janssens"),
        organisation_id=HET_ANKER_ID,
        details=ContactDetails("Jan", "Janssens", "jan.janssens@hetanker.example", "+3210123456", ("erkenning",)),
        created_at=_CONFIRMED_AT,
        updated_at=_CONFIRMED_AT,
        confirmed_at=_CONFIRMED_AT,
    ),
    # Unconfirmed, with no link to follow: the start page shows the task for "Subsidies".
    ContactPerson(
        id=demo_id("contact:het-anker:els-peeters"),
        organisation_id=HET_ANKER_ID,
        details=ContactDetails("Els", "Peeters", "els.peeters@hetanker.example", "+3210654321", ("subsidies",)),
        created_at=_CONFIRMED_AT,
        updated_at=_CONFIRMED_AT,
    ),
)


async def seed_demo(settings: ServiceSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with SqlContactsUnitOfWork(create_session_factory(engine), event_codec()) as uow:
            for theme in DEMO_THEMES:
                await uow.themes.save(theme)
            for person in DEMO_CONTACT_PERSONS:
                if await uow.contact_persons.get(person.organisation_id, person.id) is None:
                    await uow.contact_persons.add(person)
            await uow.commit()
    finally:
        await engine.dispose()
