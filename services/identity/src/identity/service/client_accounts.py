"""Accounts a practice makes for its clients (seed 4): creation by staff, activation with
the birth date, the temporary password, and the secret question set afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, Role
from identity.domain.client_accounts import (
    ACTIVATION_LIFETIME,
    ActivationLink,
    ClientAccountCreated,
    PersonForm,
    SecretQuestion,
    TemporaryPasswordIssued,
    check_own_account_form,
    generate_temporary_password,
    normalise_secret_answer,
)
from identity.domain.errors import (
    ActivationBlocked,
    ActivationNotFound,
    ActivationUsed,
    PersonNotFound,
    WrongBirthDate,
    WrongPassword,
)
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.people import PersonDetails, check_birth_date
from identity.service.accounts import check_contact_details_free
from identity.service.callers import organisation_of, own_account, staff_member
from identity.service.ports import PasswordHasher, UnitOfWork
from zorgpost_kit import calendar
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability
from zorgpost_kit.validation import check_text

SECRET_QUESTION_MAX_LENGTH = 200
SECRET_ANSWER_MIN_LENGTH = 2


@dataclass(frozen=True)
class ActivationView:
    organisation_name: str
    #: "open", "expired", "used" or "blocked".
    state: str
    attempts_left: int


@dataclass(frozen=True)
class SecretQuestionChange:
    password: str
    question: str
    normalised_answer: str


def check_secret_question(*, password: str, question: str, answer: str) -> SecretQuestionChange:
    errors = FieldErrors()
    text = check_text(question, "question", errors, max_length=SECRET_QUESTION_MAX_LENGTH)
    normalised = normalise_secret_answer(answer)
    if len(normalised) < SECRET_ANSWER_MIN_LENGTH:
        errors.add("answer", f"use at least {SECRET_ANSWER_MIN_LENGTH} characters")
    if not password:
        errors.add("password", "is required")
    errors.raise_if_any()
    return SecretQuestionChange(password, text, normalised)


def check_activation(birth_date: str, today: date) -> date:
    """The birth date the client typed (a real date, in the past)."""
    errors = FieldErrors()
    given = check_birth_date(birth_date, errors, today=today)
    errors.raise_if_any()
    assert given is not None
    return given


def check_client_account(form: PersonForm, today: date) -> tuple[PersonDetails, str]:
    """The client's details (e-mail address required, mobile number optional) and language;
    12 or older (``today`` in the Netherlands)."""
    return check_own_account_form(form, today=today, mobile_required=False)


@dataclass
class ClientAccounts:
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    clock: Clock = utcnow

    async def do_create(self, principal: Principal, form: PersonForm) -> Account:
        """Makes an account for a client of 12 or older in the caller's practice (staff
        only), waiting for activation, and emits :class:`ClientAccountCreated` with the
        activation link. Every bad field is named at once; nothing is saved then."""
        now = self.clock()
        details, chosen_language = check_client_account(form, calendar.local_date(now))
        token = new_link_token()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            await check_contact_details_free(uow, email=details.email, mobile=details.mobile)
            account = Account(
                id=str(uuid.uuid4()),
                email=details.email,
                display_name=details.display_name,
                password_hash=None,
                organisation_id=staff.organisation.id,
                roles=frozenset({Role.PERSON}),
                status=AccountStatus.PENDING_ACTIVATION,
                language=chosen_language,
                first_name=details.first_name,
                last_name=details.last_name,
                mobile=details.mobile,
                birth_date=details.birth_date,
            )
            await uow.accounts.add(account)
            await uow.client_links.add(ClientLink(account.id, staff.organisation.id, now))
            await self._new_link(uow, account, staff.organisation, token, now)
            await uow.commit()
        return account

    async def do_resend_activation(self, principal: Principal, account_id: str) -> None:
        """A new activation link for a client of the caller's practice that is not yet
        activated; the old link (also one blocked by wrong birth dates) stops working."""
        now = self.clock()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            account = await uow.accounts.get(account_id)
            if account is None or account.organisation_id != staff.organisation.id or account.works_for_organisation:
                raise PersonNotFound()
            if account.status is not AccountStatus.PENDING_ACTIVATION:
                raise ActivationUsed()
            await self._new_link(uow, account, staff.organisation, new_link_token(), now)
            await uow.commit()

    async def view_activation(self, token: str) -> ActivationView:
        now = self.clock()
        async with self.uow() as uow:
            link = await uow.activation_links.get_by_token_hash(hash_link_token(token))
            if link is None:
                raise ActivationNotFound()
            organisation = await self._organisation_of(uow, link.account_id)
        if link.used_at is not None:
            state = "used"
        elif link.attempts_left == 0:
            state = "blocked"
        else:
            state = "open" if now < link.expires_at else "expired"
        return ActivationView(organisation.name if organisation else "", state, link.attempts_left)

    async def do_activate(self, token: str, birth_date: str) -> str:
        """Activates the account when ``birth_date`` is the client's, and emits
        :class:`TemporaryPasswordIssued` with the login name (answered) and a temporary
        password that must be changed at the first login. A wrong date counts (stored even
        though the call fails); after the last attempt the link is dead."""
        now = self.clock()
        given = check_activation(birth_date, calendar.local_date(now))
        async with self.uow() as uow:
            link = await uow.activation_links.get_by_token_hash_for_update(hash_link_token(token))
            if link is None:
                raise ActivationNotFound()
            account = await uow.accounts.get_for_update(link.account_id)
            if account is None or account.birth_date is None:
                raise ActivationNotFound()
            # Only an account still waiting for it: an old link must never bring back an
            # account whose portal access the practice has ended.
            if account.status is not AccountStatus.PENDING_ACTIVATION:
                link.check_usable(now)  # a used, blocked or expired link says so
                raise ActivationNotFound()
            try:
                link.confirm(given, account.birth_date, now)
            except (WrongBirthDate, ActivationBlocked):
                await uow.activation_links.save(link)
                await uow.commit()
                raise
            await uow.activation_links.save(link)
            temporary = generate_temporary_password()
            await uow.accounts.set_password(account.id, self.hasher.hash(temporary), must_change=True)
            await uow.accounts.set_status(account.id, AccountStatus.ACTIVE)
            uow.emit(
                TemporaryPasswordIssued(
                    **OrganisationNotice.sender(await organisation_of(uow, account)),
                    recipient=Recipient.of(account),
                    login_name=account.email,
                    temporary_password=temporary,
                )
            )
            await uow.commit()
        return account.email

    async def do_set_secret_question(self, principal: Principal, *, password: str, question: str, answer: str) -> None:
        """Sets (or replaces) the caller's secret question, confirmed with the current
        password. The answer is stored as an argon2id hash only; it is an extra check in a
        password reset and never a way in by itself."""
        change = check_secret_question(password=password, question=question, answer=answer)
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            if not self.hasher.verify(account.password_hash, change.password):
                raise WrongPassword(fields={"password": "is not correct"})
            await uow.secret_questions.put(
                SecretQuestion(account.id, change.question, self.hasher.hash(change.normalised_answer), now)
            )
            await uow.commit()

    async def secret_question(self, principal: Principal) -> str | None:
        """The caller's secret question (never the answer), None when none is set."""
        now = self.clock()
        async with self.uow() as uow:
            account = await own_account(uow, principal, now)
            stored = await uow.secret_questions.get(account.id)
        return stored.question if stored else None

    async def _new_link(
        self, uow: UnitOfWork, account: Account, organisation: Organisation, token: str, now: datetime
    ) -> None:
        link = ActivationLink(account.id, hash_link_token(token), now, now + ACTIVATION_LIFETIME)
        await uow.activation_links.replace(link)
        uow.emit(
            ClientAccountCreated(
                **OrganisationNotice.sender(organisation),
                recipient=Recipient.of(account),
                token=token,
                expires_at=link.expires_at,
            )
        )

    @staticmethod
    async def _organisation_of(uow: UnitOfWork, account_id: str) -> Organisation | None:
        account = await uow.accounts.get(account_id)
        return await organisation_of(uow, account) if account else None
