"""Demo data for `make run` (development only, idempotent). Documented in the README.

A municipality with one member of staff; a GP practice with a patient who signs in with an
SMS code; and a youth mental-health practice with a parent who acts for a child of 10 (no
account of its own) and, with consent, for a youth of 13 who has an own account. Every
organisation has an administrator (who signs in with an e-mail code, as administrators
always use a second factor), and a government department supervises the two practices.
Birth dates are set relative to the day the data is first loaded, so the ages hold then.

Demo ids are fixed (uuid5), so other services' demo data can refer to the same
organisations and people.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from identity.adapters.events import event_codec
from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, OrganisationKind, Role
from identity.domain.delegations import Delegation
from identity.domain.notices import no_login_email
from identity.domain.people import display_name
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy
from identity.domain.second_factors import EnrolledFactor, FactorMethod
from identity.domain.supervision import Supervision
from identity.domain.terms import acceptances
from zorgpost_kit import calendar
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.logging import get_logger
from zorgpost_kit.settings import ServiceSettings

DEMO_PASSWORD = "ZorgpostDemo!2026"
_NAMESPACE = uuid.UUID("5b0c39f4-7a4e-4a57-9d0e-6f1f3c1d2a10")


def demo_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


DEMO_ORGANISATIONS = [
    Organisation(demo_id("org:gemeente-vlaardingen"), "Gemeente Vlaardingen", OrganisationKind.MUNICIPALITY),
    Organisation(
        demo_id("org:inspectie-gezondheidszorg-en-jeugd"),
        "Inspectie Gezondheidszorg en Jeugd",
        OrganisationKind.GOVERNMENT_DEPARTMENT,
    ),
    # The e-counter (seed 3): a government department and a care organisation it oversees.
    Organisation(demo_id("org:departement-zorg"), "Departement Zorg", OrganisationKind.GOVERNMENT_DEPARTMENT),
    Organisation(demo_id("org:het-anker"), "Woonzorgcentrum Het Anker", OrganisationKind.CARE_ORGANISATION),
]
#: (address, name, organisation, roles): a member of staff and an administrator per organisation.
DEMO_STAFF = [
    ("medewerker@vlaardingen.example", "Mila de Medewerker", DEMO_ORGANISATIONS[0].id, frozenset({Role.STAFF})),
    ("beheerder@vlaardingen.example", "Bas Beheerder", DEMO_ORGANISATIONS[0].id, frozenset({Role.ADMIN})),
    ("beheerder@igj.example", "Iris Inspecteur", DEMO_ORGANISATIONS[1].id, frozenset({Role.ADMIN, Role.CASE_HANDLER})),
    # The e-counter's demo logins: the department's case handler and the care organisation's user.
    (
        "behandelaar@departementzorg.example",
        "Bert Behandelaar",
        DEMO_ORGANISATIONS[2].id,
        frozenset({Role.CASE_HANDLER}),
    ),
    # The department's technical helpdesk ("Hulp nodig?"): only its helpdesk role reads tickets.
    ("helpdesk@departementzorg.example", "Hugo Helpdesk", DEMO_ORGANISATIONS[2].id, frozenset({Role.HELPDESK})),
    ("beheerder@departementzorg.example", "Dora Beheerder", DEMO_ORGANISATIONS[2].id, frozenset({Role.ADMIN})),
    ("medewerker@hetanker.example", "Anke Ankersmit", DEMO_ORGANISATIONS[3].id, frozenset({Role.STAFF})),
    ("beheerder@hetanker.example", "Hans Beheerder", DEMO_ORGANISATIONS[3].id, frozenset({Role.ADMIN})),
    (
        "beheerder@delinde.example",
        "Dirk Beheerder",
        demo_id("org:huisartsenpraktijk-de-linde"),
        frozenset({Role.ADMIN}),
    ),
    ("beheerder@kindenmeer.example", "Karin Beheerder", demo_id("org:kind-en-meer"), frozenset({Role.ADMIN})),
]
#: The department supervises both practices in these themes.
DEMO_SUPERVISION_THEMES = ("jeugdzorg", "kwaliteit-van-zorg")
#: Departement Zorg oversees Het Anker in the e-counter's demo themes (contacts' catalogue).
DEMO_ECOUNTER_THEMES = ("erkenning", "subsidies")

log = get_logger(__name__)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    first_name: str
    last_name: str
    #: None: a record without login (a child under 12).
    email: str | None
    organisation_key: str
    roles: frozenset[Role]
    age: int | None = None
    mobile: str | None = None


DEMO_PRACTICES = {
    "org:huisartsenpraktijk-de-linde": (
        "Huisartsenpraktijk De Linde",
        OrganisationKind.GP_PRACTICE,
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.GP_PORTAL), second_factor=SecondFactor.SMS),
    ),
    "org:kind-en-meer": (
        "Kind & meer",
        OrganisationKind.YOUTH_CARE_PRACTICE,
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.CLIENT_PORTAL), secret_question=True),
    ),
}
_PERSON = frozenset({Role.PERSON})
_PRACTITIONER = frozenset({Role.STAFF, Role.PRACTITIONER})

DEMO_PEOPLE = [
    DemoPerson(
        "delinde-staff",
        "Dokter",
        "Linde",
        "medewerker@delinde.example",
        "org:huisartsenpraktijk-de-linde",
        _PRACTITIONER,
    ),
    DemoPerson(
        "delinde-patient",
        "Petra",
        "Patiënt",
        "patient@delinde.example",
        "org:huisartsenpraktijk-de-linde",
        _PERSON,
        age=52,
        mobile="+31612345678",
    ),
    DemoPerson(
        "kindenmeer-staff", "Kim", "Behandelaar", "medewerker@kindenmeer.example", "org:kind-en-meer", _PRACTITIONER
    ),
    DemoPerson(
        "kindenmeer-parent", "Olga", "Ouder", "ouder@kindenmeer.example", "org:kind-en-meer", _PERSON, age=41
    ),
    DemoPerson("kindenmeer-child", "Sam", "Ouder", None, "org:kind-en-meer", _PERSON, age=10),
    DemoPerson(
        "kindenmeer-youth", "Jip", "Ouder", "jongere@kindenmeer.example", "org:kind-en-meer", _PERSON, age=13
    ),
]

#: (person, delegate): the parent acts for the child of 10 (granted by the practice) and
#: for the youth of 13 (who consented).
DEMO_DELEGATIONS = [("kindenmeer-child", "kindenmeer-parent"), ("kindenmeer-youth", "kindenmeer-parent")]


def _born(age: int, today: date) -> date:
    # Half a year past the birthday: the age holds for a while after loading.
    return calendar.birth_date_for_age(age, today, days_younger=-182)


async def _seed_practices(uow: IdentityUnitOfWork, hasher: PasswordHasher, password: str) -> None:
    """The practices, their people and delegations; adds what is missing, changes nothing
    that exists."""
    now = calendar.utcnow()
    for key, (name, kind, policy) in DEMO_PRACTICES.items():
        if await uow.organisations.get(demo_id(key)) is None:
            await uow.organisations.add(Organisation(demo_id(key), name, kind))
            await uow.security_policies.save(demo_id(key), policy)
    for person in DEMO_PEOPLE:
        account_id = demo_id(f"account:{person.key}")
        if await uow.accounts.get(account_id) is not None:
            continue
        await uow.accounts.add(
            Account(
                id=account_id,
                email=person.email or no_login_email(account_id),
                display_name=display_name(person.first_name, person.last_name),
                password_hash=hasher.hash(password) if person.email else None,
                organisation_id=demo_id(person.organisation_key),
                roles=person.roles,
                status=AccountStatus.ACTIVE,
                first_name=person.first_name,
                last_name=person.last_name,
                mobile=person.mobile,
                birth_date=_born(person.age, calendar.local_date(now)) if person.age is not None else None,
            )
        )
        if person.roles == _PERSON:
            await uow.client_links.add(ClientLink(account_id, demo_id(person.organisation_key), now))
            if person.email:
                await uow.terms_acceptances.add_all(acceptances(account_id, now))
        if person.mobile:
            await uow.second_factors.put(EnrolledFactor(account_id, FactorMethod.SMS, created_at=now, confirmed_at=now))
    for person_key, delegate_key in DEMO_DELEGATIONS:
        person_id, delegate_id = demo_id(f"account:{person_key}"), demo_id(f"account:{delegate_key}")
        if await uow.delegations.find_open(person_id, delegate_id) is not None:
            continue
        person = next(p for p in DEMO_PEOPLE if p.key == person_key)
        assert person.age is not None
        delegation = Delegation.request(
            id=demo_id(f"delegation:{person_key}:{delegate_key}"),
            organisation_id=demo_id(person.organisation_key),
            person_account_id=person_id,
            delegate_account_id=delegate_id,
            person_age=person.age,
            created_by=demo_id("account:kindenmeer-staff"),
            now=now,
        )
        if not delegation.is_active:
            delegation.consent(True, now)  # the youth consented from their own account
        if await uow.delegations.get_for_update(delegation.id) is None:
            await uow.delegations.add(delegation)


async def seed_demo(settings: ServiceSettings) -> None:
    engine = create_engine(settings.database_url, pool_size=2)
    session_factory = create_session_factory(engine)
    hasher = PasswordHasher()
    try:
        async with IdentityUnitOfWork(session_factory, event_codec()) as uow:
            for organisation in DEMO_ORGANISATIONS:
                if await uow.organisations.get(organisation.id) is None:
                    await uow.organisations.add(organisation)
            await _seed_practices(uow, hasher, DEMO_PASSWORD)
            for email, name, organisation_id, roles in DEMO_STAFF:
                if await uow.accounts.find_for_login(email) is None:
                    await uow.accounts.add(
                        Account(
                            id=demo_id(f"account:{email}"),
                            email=email,
                            display_name=name,
                            password_hash=hasher.hash(DEMO_PASSWORD),
                            organisation_id=organisation_id,
                            roles=roles,
                            status=AccountStatus.ACTIVE,
                        )
                    )
            department = DEMO_ORGANISATIONS[1].id
            for key in DEMO_PRACTICES:
                if await uow.supervisions.get_for_update(department, demo_id(key)) is None:
                    await uow.supervisions.add(
                        Supervision(department, demo_id(key), DEMO_SUPERVISION_THEMES, calendar.utcnow())
                    )
            ecounter_department, het_anker = DEMO_ORGANISATIONS[2].id, DEMO_ORGANISATIONS[3].id
            if await uow.supervisions.get_for_update(ecounter_department, het_anker) is None:
                await uow.supervisions.add(
                    Supervision(ecounter_department, het_anker, DEMO_ECOUNTER_THEMES, calendar.utcnow())
                )
            await uow.commit()
        log.info("demo_data_loaded", organisations=len(DEMO_ORGANISATIONS) + len(DEMO_PRACTICES))
    finally:
        await engine.dispose()
