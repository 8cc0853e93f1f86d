"""Self-registration for a practice's portal (seed 5): request, the practice's decision,
the SMS code, and the account with a password of the person's choosing.

Asking needs no account, and the receipt is mailed to the address given: each address and
each mobile number may ask a few times an hour (:data:`REGISTRATIONS_PER_EMAIL`), so the
form cannot be used to mail or text anyone over and over under a practice's name."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, Role
from identity.domain.client_accounts import PersonForm, check_own_account_form
from identity.domain.codes import CodeChannel, CodePurpose
from identity.domain.errors import OrganisationNotFound, RegistrationNotFound
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice
from identity.domain.people import PersonDetails, check_chosen_password
from identity.domain.rate_limits import REGISTRATIONS_PER_EMAIL, REGISTRATIONS_PER_MOBILE
from identity.domain.registrations import (
    Registration,
    RegistrationApproved,
    RegistrationRequested,
    RegistrationStatus,
    mask_mobile,
)
from identity.domain.terms import acceptances, check_accepted_current_versions
from identity.service.accounts import check_contact_details_free
from identity.service.callers import staff_member
from identity.service.one_time_codes import OneTimeCodes
from identity.service.ports import PasswordHasher, UnitOfWork
from identity.service.rate_limits import do_count
from zorgpost_kit import calendar
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability


@dataclass(frozen=True)
class CodeSent:
    """Opening the link sent an SMS code: where to (masked) and until when it holds."""

    organisation_name: str
    masked_mobile: str
    expires_at: datetime


@dataclass(frozen=True)
class Completed:
    account_id: str
    login_name: str


def check_registration(form: PersonForm, today: date) -> tuple[PersonDetails, str]:
    """Every field of the request (e-mail address and mobile number required) named at
    once, and 12 or older (``today`` in the Netherlands)."""
    details, language = check_own_account_form(form, today=today, mobile_required=True)
    assert details.birth_date is not None and details.mobile is not None
    return details, language


@dataclass
class Registrations:
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    codes: OneTimeCodes
    clock: Clock = utcnow

    async def do_request(self, organisation_id: str, form: PersonForm) -> Registration:
        """Stores a request for portal access at the organisation and emits
        :class:`RegistrationRequested` (the receipt). E-mail address and mobile number are
        required and every bad field is named at once. Whether the address already has an
        account is not told here (that would let anyone probe addresses): staff see it
        when they approve. Raises :class:`~identity.domain.errors.TooManyRequests` once the
        address or number has asked too often this hour."""
        now = self.clock()
        details, chosen_language = check_registration(form, calendar.local_date(now))
        assert details.birth_date is not None and details.mobile is not None
        async with self.uow() as uow:
            organisation = await uow.organisations.get(organisation_id)
            if organisation is None:
                raise OrganisationNotFound(fields={"organisation_id": "is not a known organisation"})
            await do_count(uow, REGISTRATIONS_PER_EMAIL, details.email, now)
            await do_count(uow, REGISTRATIONS_PER_MOBILE, details.mobile, now)
            registration = Registration(
                id=str(uuid.uuid4()),
                organisation_id=organisation.id,
                first_name=details.first_name,
                last_name=details.last_name,
                email=details.email,
                mobile=details.mobile,
                birth_date=details.birth_date,
                language=chosen_language,
                requested_at=now,
            )
            await uow.registrations.add(registration)
            uow.emit(
                RegistrationRequested(
                    **OrganisationNotice.sender(organisation),
                    recipient=registration.recipient(),
                    registration_id=registration.id,
                )
            )
            await uow.commit()
        return registration

    async def list_for_staff(self, principal: Principal, status: RegistrationStatus | None) -> list[Registration]:
        """The requests of the caller's practice (staff only), oldest first."""
        now = self.clock()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            return await uow.registrations.list_for_organisation(staff.organisation.id, status)

    async def do_approve(self, principal: Principal, registration_id: str) -> Registration:
        """Approves a request of the caller's practice and emits :class:`RegistrationApproved`
        with the link. Refused while the address or number belongs to an account."""
        now = self.clock()
        token = new_link_token()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            registration = await self._of_organisation(uow, registration_id, staff.organisation.id)
            await check_contact_details_free(uow, email=registration.email, mobile=registration.mobile)
            registration.approve(staff.account.id, hash_link_token(token), now)
            await uow.registrations.save(registration)
            assert registration.link_expires_at is not None
            uow.emit(
                RegistrationApproved(
                    **OrganisationNotice.sender(staff.organisation),
                    recipient=registration.recipient(),
                    registration_id=registration.id,
                    token=token,
                    expires_at=registration.link_expires_at,
                )
            )
            await uow.commit()
        return registration

    async def do_reject(self, principal: Principal, registration_id: str) -> Registration:
        """Rejects a request of the caller's practice (no notice: the practice contacts the person)."""
        now = self.clock()
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            registration = await self._of_organisation(uow, registration_id, staff.organisation.id)
            registration.reject(staff.account.id, now)
            await uow.registrations.save(registration)
            await uow.commit()
        return registration

    async def do_send_code(self, token: str) -> CodeSent:
        """Opening the approval link: sends an SMS code to the mobile number of the
        request (a new code replaces an earlier one)."""
        async with self.uow() as uow:
            registration, organisation = await self._by_token(uow, token)
            policy = await uow.security_policies.get(organisation.id)
            issued = await self.codes.do_issue(
                uow,
                purpose=CodePurpose.REGISTRATION,
                subject=registration.id,
                channel=CodeChannel.SMS,
                recipient=registration.recipient(),
                organisation=organisation,
                lifetime=policy.code_lifetime,
            )
            await uow.commit()
        return CodeSent(organisation.name, mask_mobile(registration.mobile), issued.expires_at)

    async def do_complete(
        self,
        token: str,
        *,
        code: str,
        password: str,
        password_confirmation: str,
        terms_version: str,
        privacy_version: str,
    ) -> Completed:
        """With the SMS code and a password that meets the practice's policy, makes the
        active account (login name: the e-mail address) and records the accepted terms.
        Fields are checked before the code is tried, so a typo in the password does not
        cost a code attempt."""
        now = self.clock()
        async with self.uow() as uow:
            registration, organisation = await self._by_token(uow, token)
            policy = await uow.security_policies.get(organisation.id)
            errors = FieldErrors()
            if not code.strip():
                errors.add("code", "is required")
            check_chosen_password(
                policy.password,
                password,
                password_confirmation,
                errors,
                personal=(registration.first_name, registration.last_name, registration.email),
                language=registration.language,
            )
            check_accepted_current_versions(terms_version, privacy_version, errors)
            errors.raise_if_any()
            await check_contact_details_free(uow, email=registration.email, mobile=registration.mobile)
            await self.codes.do_redeem(uow, purpose=CodePurpose.REGISTRATION, subject=registration.id, code=code)
            account = Account(
                id=str(uuid.uuid4()),
                email=registration.email,
                display_name=registration.display_name,
                password_hash=self.hasher.hash(password),
                organisation_id=organisation.id,
                roles=frozenset({Role.PERSON}),
                status=AccountStatus.ACTIVE,
                language=registration.language,
                first_name=registration.first_name,
                last_name=registration.last_name,
                mobile=registration.mobile,
                birth_date=registration.birth_date,
            )
            await uow.accounts.add(account)
            await uow.client_links.add(ClientLink(account.id, organisation.id, now))
            await uow.terms_acceptances.add_all(acceptances(account.id, now))
            registration.complete(account.id, now)
            await uow.registrations.save(registration)
            await uow.commit()
        return Completed(account.id, account.email)

    async def _by_token(self, uow: UnitOfWork, token: str) -> tuple[Registration, Organisation]:
        registration = await uow.registrations.get_by_token_hash_for_update(hash_link_token(token))
        if registration is None:
            raise RegistrationNotFound()
        registration.check_link_usable(self.clock())
        organisation = await uow.organisations.get(registration.organisation_id)
        if organisation is None:
            raise OrganisationNotFound()
        return registration, organisation

    @staticmethod
    async def _of_organisation(uow: UnitOfWork, registration_id: str, organisation_id: str) -> Registration:
        registration = await uow.registrations.get_in_organisation_for_update(registration_id, organisation_id)
        if registration is None:
            raise RegistrationNotFound()
        return registration
