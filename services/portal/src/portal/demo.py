"""Demo data for `make run` (development only, idempotent). Documented in the README.

The organisations and people are identity's demo data (ids by uuid5 from the same names):

- "Huisartsenpraktijk De Linde": Dokter Linde's consultation hours (weekdays 08:30–12:00,
  10-minute slots, the coming six weeks, topped up at every start), and the demo patient
  Petra Patiënt with one chronic and one non-chronic medication and a published result;
- "Kind & meer": Jip (13) in a youth trajectory whose agreement waits for Jip and the parent,
  a report and a treatment plan to approve, an information document, a questionnaire and
  an appointment; Sam (10) in a trajectory waiting for the parent's approval; the
  practice's consent items. The portal knows that Olga Ouder acts for both children.

Everything goes through the same use cases the practice uses, so the notices of what is
published reach the development outbox once the services run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, time, timedelta

from fpdf import FPDF

from portal.adapters.events import event_codec
from portal.adapters.exports import result_csv, result_pdf
from portal.adapters.unit_of_work import SqlPortalUnitOfWork
from portal.config import Settings
from portal.domain.appointments import ScheduleTemplate
from portal.domain.delegations import DelegateLink
from portal.domain.dossier import ClientRecord, ConsentItem
from portal.domain.people import PracticeCaller
from portal.domain.questionnaires import Question, QuestionKind
from portal.domain.results import LabResult, ObservationDraft
from portal.domain.trajectories import Practitioner
from portal.service import appointments, documents, dossier, medication, questionnaires, results, trajectories
from portal.service.common import Services
from portal.service.documents import PublishDraft
from portal.service.publishing import FileUpload
from portal.service.trajectories import StartDraft
from zorgpost_kit import calendar
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.logging import get_logger
from zorgpost_kit.settings import ServiceSettings

#: identity.demo's namespace: the same names give the same ids.
_NAMESPACE = uuid.UUID("5b0c39f4-7a4e-4a57-9d0e-6f1f3c1d2a10")

log = get_logger(__name__)


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


DE_LINDE = PracticeCaller(
    demo_id("account:delinde-staff"),
    demo_id("org:huisartsenpraktijk-de-linde"),
    "Huisartsenpraktijk De Linde",
    "Dokter Linde",
)
KIND_EN_MEER = PracticeCaller(
    demo_id("account:kindenmeer-staff"), demo_id("org:kind-en-meer"), "Kind & meer", "Kim Behandelaar"
)
PATIENT = demo_id("account:delinde-patient")
PARENT = demo_id("account:kindenmeer-parent")
YOUTH = demo_id("account:kindenmeer-youth")
CHILD = demo_id("account:kindenmeer-child")
#: How far ahead Dokter Linde's consultation hours are kept open.
SCHEDULE_WEEKS = 6


@dataclass(frozen=True)
class DemoClient:
    person_id: str
    practice: PracticeCaller
    first_name: str
    last_name: str
    age: int
    email: str


CLIENTS = [
    DemoClient(PATIENT, DE_LINDE, "Petra", "Patiënt", 52, "patient@delinde.example"),
    DemoClient(PARENT, KIND_EN_MEER, "Olga", "Ouder", 41, "ouder@kindenmeer.example"),
    DemoClient(YOUTH, KIND_EN_MEER, "Jip", "Ouder", 13, "jongere@kindenmeer.example"),
    # Sam has no login and no mailbox: the parent is told.
    DemoClient(CHILD, KIND_EN_MEER, "Sam", "Ouder", 10, ""),
]

KIND_EN_MEER_CONSENTS = [
    ConsentItem("huisarts", "Informatie delen met de huisarts", "Share information with the GP", True),
    ConsentItem("school", "Contact met school over de behandeling", "Contact with school about the treatment", False),
    ConsentItem("video", "Video-opnames voor supervisie", "Video recordings for supervision", False),
    ConsentItem(
        "onderzoek",
        "Geanonimiseerde gegevens voor wetenschappelijk onderzoek",
        "Anonymised data for scientific research",
        False,
    ),
    ConsentItem("zorgverleners", "Overleg met andere zorgverleners", "Consultation with other care providers", True),
]
DE_LINDE_CONSENTS = [
    ConsentItem(
        "lsp", "Gegevens delen via het Landelijk Schakelpunt", "Share data via the national exchange (LSP)", False
    ),
    ConsentItem("herinnering", "Herinnering aan afspraken per e-mail", "Appointment reminders by e-mail", True),
]


def _pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        pdf.multi_cell(0, 6, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class _NoIdentity:
    async def security_status(self, access_token: str) -> tuple[bool, bool] | None:
        return None

    async def display_name(self, account_id: str, access_token: str) -> str:
        return ""


class _Exports:
    def csv(self, result: LabResult) -> bytes:
        return result_csv(result)

    def pdf(self, result: LabResult, record: ClientRecord | None, organisation_name: str) -> bytes:
        return result_pdf(result, record, organisation_name)


async def seed_demo(settings: ServiceSettings) -> None:
    assert isinstance(settings, Settings)
    engine = create_engine(settings.database_url, pool_size=2)
    session_factory = create_session_factory(engine)
    codec = event_codec()
    services = Services(
        uow=lambda: SqlPortalUnitOfWork(session_factory, codec),
        clock=calendar.utcnow,
        identity=_NoIdentity(),
        exporter=_Exports(),
    )
    try:
        async with services.uow() as uow:
            new = await uow.clients.get(PATIENT, DE_LINDE.organisation_id) is None
        if new:
            await _clients_and_delegates(services)
            await _de_linde(services)
            await _kind_en_meer(services)
        added = await _consultation_hours(services)
        log.info("demo_data_loaded", first_time=new, slots_added=added)
    finally:
        await engine.dispose()


async def _clients_and_delegates(services: Services) -> None:
    today = services.today()
    for client in CLIENTS:
        born = calendar.birth_date_for_age(client.age, today, days_younger=-182)
        fields = {"first_name": client.first_name, "last_name": client.last_name, "email": client.email}
        if client.person_id == PATIENT:
            fields |= {
                "phone": "+31612345678",
                "street": "Lindelaan 12",
                "postal_code": "3131 AB",
                "city": "Vlaardingen",
            }
            fields |= {"insurer": "Zilveren Kruis", "policy_number": "123456789"}
        if client.practice is KIND_EN_MEER:
            fields |= {"street": "Parkweg 3", "postal_code": "6811 AA", "city": "Arnhem", "insurer": "VGZ"}
        await dossier.do_register_client(services, client.practice, client.person_id, born, fields, "nl")
    now = services.clock()
    async with services.uow() as uow:
        # identity's demo delegations (made directly, without events): the parent acts for both.
        for person in (CHILD, YOUTH):
            await uow.delegates.record_granted(
                DelegateLink(
                    demo_id(
                        f"delegation:{'kindenmeer-child' if person == CHILD else 'kindenmeer-youth'}:kindenmeer-parent"
                    ),
                    KIND_EN_MEER.organisation_id,
                    person,
                    PARENT,
                    "Olga Ouder",
                    "ouder@kindenmeer.example",
                    "nl",
                    True,
                    now,
                )
            )
        await uow.commit()
    await dossier.do_set_consent_items(services, KIND_EN_MEER, KIND_EN_MEER_CONSENTS)
    await dossier.do_set_consent_items(services, DE_LINDE, DE_LINDE_CONSENTS)


async def _de_linde(services: Services) -> None:
    today = services.today()
    started = (today - timedelta(days=400)).isoformat()
    await medication.do_add_medication(
        services, DE_LINDE, PATIENT, "Metformine 500 mg", "2 maal per dag 1 tablet", True, started
    )
    await medication.do_add_medication(
        services,
        DE_LINDE,
        PATIENT,
        "Amoxicilline 500 mg",
        "3 maal per dag 1 capsule, 7 dagen",
        False,
        today.isoformat(),
    )
    await results.do_publish_result(
        services,
        DE_LINDE,
        PATIENT,
        "Bloedonderzoek",
        services.clock() - timedelta(days=2),
        [
            ObservationDraft("HB", "Hemoglobine", "8.4", "mmol/L", "7.5", "10.0"),
            ObservationDraft("GLUC", "Glucose nuchter", "7.2", "mmol/L", "4.0", "6.1"),
            ObservationDraft("HBA1C", "HbA1c", "53", "mmol/mol", "", "53"),
            ObservationDraft("KREA", "Kreatinine", "78", "µmol/L", "49", "90"),
        ],
    )


async def _consultation_hours(services: Services) -> int:
    """Dokter Linde's free slots for the coming weeks (only what is missing is added)."""
    today = services.today()
    template = ScheduleTemplate(
        first_day=today,
        last_day=today + timedelta(weeks=SCHEDULE_WEEKS),
        weekdays=frozenset(range(5)),
        start=time(8, 30),
        end=time(12, 0),
        slot_minutes=10,
    )
    added, _ = await appointments.do_add_schedule(
        services, DE_LINDE, template, DE_LINDE.account_id, DE_LINDE.name, "Lindelaan 1, Vlaardingen"
    )
    return added


async def _kind_en_meer(services: Services) -> None:
    agreement = _pdf(
        "De overeenkomst",
        [
            "Behandelovereenkomst tussen Kind & meer, de jongere en de ouders/verzorgers.",
            "Met uw akkoord start het traject. Alle gezaghebbenden en jongeren vanaf 12 jaar geven akkoord.",
        ],
    )
    for person, title in ((YOUTH, "Behandeling angstklachten"), (CHILD, "Onderzoek concentratie")):
        await trajectories.do_start(
            services,
            KIND_EN_MEER,
            StartDraft(
                person,
                title,
                [Practitioner(KIND_EN_MEER.account_id, KIND_EN_MEER.name)],
                "overeenkomst.pdf",
                "application/pdf",
                agreement,
            ),
        )
    for kind, title, approval, lines in (
        ("report", "Verslag intakegesprek", True, ["Verslag van het intakegesprek met Jip en moeder."]),
        ("document", "Behandelplan", True, ["Doelen: minder piekeren, beter slapen. Acht gesprekken."]),
        ("document", "Informatie over de behandeling", False, ["Hoe werkt de behandeling bij Kind & meer?"]),
    ):
        await documents.do_publish(
            services,
            KIND_EN_MEER,
            PublishDraft(
                YOUTH,
                kind,
                title,
                approval,
                FileUpload(f"{title.lower().replace(' ', '-')}.pdf", "application/pdf", _pdf(title, lines)),
            ),
        )
    await questionnaires.do_send(
        services,
        KIND_EN_MEER,
        YOUTH,
        "Hoe gaat het deze week?",
        [
            Question(
                "stemming", QuestionKind.SCALE, "Hoe voel je je deze week?", True, (), 1, 10, "slecht", "heel goed"
            ),
            Question("slaap", QuestionKind.CHOICE, "Hoe slaap je?", True, ("goed", "wisselend", "slecht")),
            Question("toelichting", QuestionKind.TEXT, "Wil je nog iets vertellen?", False),
        ],
    )
    next_week = calendar.local_datetime(services.today() + timedelta(days=7), time(15, 30)).astimezone(UTC)
    await appointments.do_create_appointment(
        services,
        KIND_EN_MEER,
        YOUTH,
        next_week,
        next_week + timedelta(minutes=45),
        KIND_EN_MEER.name,
        "Kind & meer, Arnhem",
    )
