"""Demo data for `make run` (development only, idempotent). Documented in the README.

The organisations and accounts are identity's demo data: identity derives their ids with
uuid5 from fixed names, and so does this module, with the same namespace, so both services'
demo data refer to the same people without either reading the other's database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from messaging.adapters.events import event_codec
from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.bootstrap import blob_store
from messaging.config import Settings
from messaging.domain.threads import (
    Access,
    Thread,
    ThreadKind,
    account_participant,
)
from messaging.service.common import Caller, Services
from messaging.service.conversations import add_message
from messaging.service.ports import Member, SupervisionLink
from messaging.service.secure_mail import SecureMailDraft, check_send_secure_mail, do_send_secure_mail
from zorgpost_kit.auth import Principal
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.logging import get_logger
from zorgpost_kit.settings import ServiceSettings

#: identity.demo's namespace: the same names give the same ids.
_NAMESPACE = uuid.UUID("5b0c39f4-7a4e-4a57-9d0e-6f1f3c1d2a10")

log = get_logger(__name__)


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


VLAARDINGEN = (demo_id("org:gemeente-vlaardingen"), "Gemeente Vlaardingen")
DE_LINDE = (demo_id("org:huisartsenpraktijk-de-linde"), "Huisartsenpraktijk De Linde")
MILA = (demo_id("account:medewerker@vlaardingen.example"), "Mila de Medewerker")
DOKTER_LINDE = (demo_id("account:delinde-staff"), "Dokter Linde")
#: The outside recipient of the demo secure mail; the notice with its link is in the outbox.
DEMO_RECIPIENT = ("ontvanger@example.org", "+31687654321")
DEMO_SECURE_MAIL = demo_id("thread:secure-mail-vlaardingen")
DEMO_CHAT = demo_id("thread:chat-vlaardingen-de-linde")


@dataclass(frozen=True)
class _FixedNames:
    names: dict[str, str]

    async def display_name(self, principal: Principal, access_token: str) -> str:
        return self.names.get(principal.subject_id, "")

    async def member(self, access_token: str, account_id: str) -> Member | None:
        return None

    async def organisation_name(self, access_token: str, organisation_id: str) -> str | None:
        return None

    async def supervised(self, access_token: str) -> list[SupervisionLink]:
        return []

    async def supervisors(self, access_token: str) -> list[SupervisionLink]:
        return []


def _staff(account: tuple[str, str], organisation: tuple[str, str]) -> Caller:
    return Caller(
        Principal(
            subject_id=account[0],
            actor_id=account[0],
            session_id="demo",
            organisation_id=organisation[0],
            organisation_name=organisation[1],
            roles=frozenset({"staff"}),
        )
    )


async def seed_demo(settings: ServiceSettings) -> None:
    assert isinstance(settings, Settings)
    engine = create_engine(settings.database_url, pool_size=2)
    codec = event_codec()
    session_factory = create_session_factory(engine)
    services = Services(
        uow=lambda: MessagingUnitOfWork(session_factory, codec),
        directory=_FixedNames({MILA[0]: MILA[1], DOKTER_LINDE[0]: DOKTER_LINDE[1]}),
        blobs=blob_store(settings),
        clock=lambda: datetime.now(UTC),
    )
    try:
        async with services.uow() as uow:
            have_mail = await uow.threads.get(DEMO_SECURE_MAIL) is not None
            have_chat = await uow.threads.get(DEMO_CHAT) is not None
        if not have_mail:
            await _secure_mail(services)
        if not have_chat:
            await _chat(services)
        log.info("demo_data_loaded", secure_mail=not have_mail, chat=not have_chat)
    finally:
        await engine.dispose()


async def _secure_mail(services: Services) -> None:
    """A secure mail from "Gemeente Vlaardingen" to the demo recipient, through the same use
    case staff use (its notice goes out once the services run), under a fixed id."""
    caller = _staff(MILA, VLAARDINGEN)
    command = check_send_secure_mail(
        caller,
        SecureMailDraft(
            recipient_email=DEMO_RECIPIENT[0],
            recipient_mobile=DEMO_RECIPIENT[1],
            subject="Uw aanvraag huishoudelijke hulp",
            body="Beste heer, mevrouw,\n\nUw aanvraag is ontvangen. "
            "Wilt u een kopie van uw identiteitsbewijs sturen?\n\nMet vriendelijke groet,\nMila de Medewerker",
        ),
    )
    await do_send_secure_mail(services, caller, command, thread_id=DEMO_SECURE_MAIL)


async def _chat(services: Services) -> None:
    """A conversation between Mila (Gemeente Vlaardingen) and Dokter Linde, as seed 1 shows it."""
    now = services.clock()
    thread = Thread(
        id=DEMO_CHAT,
        kind=ThreadKind.CHAT,
        subject="IT Vlaardingen",
        organisation_id=VLAARDINGEN[0],
        organisation_name=VLAARDINGEN[1],
        created_by_account_id=MILA[0],
        created_at=now,
        last_activity_at=now,
    )
    mila = account_participant(thread.id, MILA[0], MILA[1], now, via_organisation_id=VLAARDINGEN[0])
    linde = account_participant(thread.id, DOKTER_LINDE[0], DOKTER_LINDE[1], now)
    people = [mila, linde]
    async with services.uow() as uow:
        await uow.threads.add(thread)
        for participant in people:
            await uow.participants.add(participant)
        first = await add_message(uow, Access(thread, mila, people), "Hallo, welkom in ons veilige gesprek.", now)
        await add_message(uow, Access(thread, linde, people), "Hoi, dank voor de uitnodiging!", now)
        await uow.messages.set_like(first.id, linde.id, True, now)
        await uow.commit()
