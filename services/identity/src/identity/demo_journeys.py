"""Demo data of the journeys (issue 3 part B), loaded by :func:`identity.demo.seed_demo`
(development only, idempotent): a GP practice with a patient who signs in with an SMS code,
and a youth mental-health practice with a parent who acts for a child of 10 (no account
of its own) and, with consent, for a youth of 13 who has an own account.

Birth dates are set relative to the day the data is first loaded, so the ages hold then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from identity.adapters.passwords import PasswordHasher
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.delegations import Delegation
from identity.domain.model import Account, AccountStatus, Organisation, Role
from identity.domain.notices import no_login_email
from identity.domain.people import display_name
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy
from identity.domain.second_factors import EnrolledFactor, FactorMethod
from identity.domain.terms import acceptances


@dataclass(frozen=True)
class DemoPerson:
    key: str
    first_name: str
    last_name: str
    #: None: a record without login (a child under 12).
    email: str | None
    organisation_key: str
    role: Role
    age: int | None = None
    mobile: str | None = None


DEMO_PRACTICES = {
    "org:huisartsenpraktijk-de-linde": (
        "Huisartsenpraktijk De Linde",
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.GP_PORTAL), second_factor=SecondFactor.SMS),
    ),
    "org:kind-en-meer": (
        "Kind & meer",
        SecurityPolicy(password=PasswordPolicy.for_preset(PasswordPreset.CLIENT_PORTAL), secret_question=True),
    ),
}

DEMO_PEOPLE = [
    DemoPerson(
        "delinde-staff", "Dokter", "Linde", "medewerker@delinde.example", "org:huisartsenpraktijk-de-linde", Role.STAFF
    ),
    DemoPerson(
        "delinde-patient",
        "Petra",
        "Patiënt",
        "patient@delinde.example",
        "org:huisartsenpraktijk-de-linde",
        Role.PERSON,
        age=52,
        mobile="+31612345678",
    ),
    DemoPerson(
        "kindenmeer-staff", "Kim", "Behandelaar", "medewerker@kindenmeer.example", "org:kind-en-meer", Role.STAFF
    ),
    DemoPerson(
        "kindenmeer-parent", "Olga", "Ouder", "ouder@kindenmeer.example", "org:kind-en-meer", Role.PERSON, age=41
    ),
    DemoPerson("kindenmeer-child", "Sam", "Ouder", None, "org:kind-en-meer", Role.PERSON, age=10),
    DemoPerson(
        "kindenmeer-youth", "Jip", "Ouder", "jongere@kindenmeer.example", "org:kind-en-meer", Role.PERSON, age=13
    ),
]

#: (person, delegate): the parent acts for the child of 10 (granted by the practice) and
#: for the youth of 13 (who consented).
DEMO_DELEGATIONS = [("kindenmeer-child", "kindenmeer-parent"), ("kindenmeer-youth", "kindenmeer-parent")]


def _born(age: int, today: date) -> date:
    # Half a year past the birthday: the age holds for a while after loading.
    birthday = date(today.year - age, today.month, min(today.day, 28))
    return date.fromordinal(birthday.toordinal() - 182)


async def seed_journeys(
    uow: IdentityUnitOfWork, hasher: PasswordHasher, password: str, demo_id: Callable[[str], str]
) -> None:
    """Adds what is missing, inside the caller's unit of work; changes nothing that exists."""
    now = datetime.now(UTC)
    for key, (name, policy) in DEMO_PRACTICES.items():
        if await uow.organisations.get(demo_id(key)) is None:
            await uow.organisations.add(Organisation(demo_id(key), name))
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
                roles=frozenset({person.role}),
                status=AccountStatus.ACTIVE,
                first_name=person.first_name,
                last_name=person.last_name,
                mobile=person.mobile,
                birth_date=_born(person.age, now.date()) if person.age is not None else None,
            )
        )
        if person.email and person.role is Role.PERSON:
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
