"""Demo data for `make run` (development only, idempotent). Documented in the README.

Demo ids are fixed (uuid5), so other services' demo data can refer to the same
organisations and people.
"""

from __future__ import annotations

import uuid

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.demo_journeys import seed_journeys
from identity.domain.model import Account, AccountStatus, Organisation, Role
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.logging import get_logger
from zorgpost_kit.settings import ServiceSettings

DEMO_PASSWORD = "ZorgpostDemo!2026"
_NAMESPACE = uuid.UUID("5b0c39f4-7a4e-4a57-9d0e-6f1f3c1d2a10")


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


DEMO_ORGANISATIONS = [Organisation(demo_id("org:gemeente-vlaardingen"), "Gemeente Vlaardingen")]
DEMO_STAFF = [
    ("medewerker@vlaardingen.example", "Mila de Medewerker", DEMO_ORGANISATIONS[0].id),
]

log = get_logger(__name__)


async def seed_demo(settings: ServiceSettings) -> None:
    engine = create_engine(settings.database_url, pool_size=2)
    session_factory = create_session_factory(engine)
    codec = event_codec()
    hasher = PasswordHasher()
    try:
        async with IdentityUnitOfWork(session_factory, codec) as uow:
            for organisation in DEMO_ORGANISATIONS:
                if await uow.organisations.get(organisation.id) is None:
                    await uow.organisations.add(organisation)
            for email, name, organisation_id in DEMO_STAFF:
                if await uow.accounts.find_for_login(email) is None:
                    await uow.accounts.add(
                        Account(
                            id=demo_id(f"account:{email}"),
                            email=email,
                            display_name=name,
                            password_hash=hasher.hash(DEMO_PASSWORD),
                            organisation_id=organisation_id,
                            roles=frozenset({Role.STAFF}),
                            status=AccountStatus.ACTIVE,
                        )
                    )
            # journeys (issue 3 part B): a GP practice and a youth mental-health practice
            await seed_journeys(uow, hasher, DEMO_PASSWORD, demo_id)
            await uow.commit()
        log.info("demo_data_loaded", organisations=len(DEMO_ORGANISATIONS), staff=len(DEMO_STAFF))
    finally:
        await engine.dispose()
