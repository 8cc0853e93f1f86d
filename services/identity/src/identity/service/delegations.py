"""Delegations (proxy access, seeds 4 and 5): granted by a practice's staff under the
Dutch age rules, consented to by the person from 12, revoked by either party or the
practice, ended by themselves on the 16th birthday (parental ones) and when the person's
portal access ends. A delegate acts for the person with a short-lived access token whose
``sub`` is the person and whose ``act.sub`` is the delegate.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, Role
from identity.domain.delegations import (
    ConsentRule,
    Delegation,
    DelegationConsentRequested,
    DelegationEnded,
    DelegationGranted,
    EndReason,
    consent_rule,
    sixteen_years_before,
)
from identity.domain.errors import (
    DelegationExists,
    DelegationNotAllowed,
    DelegationNotFound,
    OrganisationNotFound,
    PersonNotFound,
)
from identity.domain.notices import Recipient, no_login_email
from identity.domain.people import check_birth_date, display_name
from identity.service.callers import StaffMember, organisation_of, own_account, staff_member
from identity.service.common import parse_id
from identity.service.ports import AccessTokens, UnitOfWork
from zorgpost_kit import calendar
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.logging import get_logger
from zorgpost_kit.roles import Capability, capabilities_of
from zorgpost_kit.validation import check_name

log = get_logger(__name__)


@dataclass(frozen=True)
class ChildRecord:
    """A child under 12 without an account: the practice records it without a login."""

    first_name: str
    last_name: str
    birth_date: str


@dataclass(frozen=True)
class DelegationListing:
    delegation: Delegation
    person: Account
    delegate: Account


@dataclass(frozen=True)
class MyDelegations:
    #: Who may act for me (and who asked to).
    for_me: list[DelegationListing]
    #: For whom I may act (and who was asked).
    by_me: list[DelegationListing]
    #: The portal opened after login: the caller's own id or a represented person's.
    preferred_person_id: str


@dataclass(frozen=True)
class ActingToken:
    access_token: str
    expires_in: int
    person: Account


async def do_end_delegations(
    uow: UnitOfWork, delegations: Iterable[Delegation], reason: EndReason, now: datetime
) -> int:
    """Ends each open delegation, emits :class:`DelegationEnded` (both parties are told)
    and resets a delegate's preferred portal that pointed at the person. Returns how many."""
    open_ones = [delegation for delegation in delegations if delegation.is_open]
    parties = await uow.accounts.get_many(
        {d.person_account_id for d in open_ones} | {d.delegate_account_id for d in open_ones}
    )
    organisations: dict[str, Organisation | None] = {}
    for delegation in open_ones:
        delegation.end(reason, now)
        await uow.delegations.save(delegation)
        await uow.portal_preferences.forget(delegation.delegate_account_id, delegation.person_account_id)
        if delegation.organisation_id not in organisations:
            organisations[delegation.organisation_id] = await uow.organisations.get(delegation.organisation_id)
        organisation = organisations[delegation.organisation_id]
        uow.emit(
            DelegationEnded(
                delegation_id=delegation.id,
                organisation_id=delegation.organisation_id,
                organisation_name=organisation.name if organisation else "",
                person=Recipient.of(parties[delegation.person_account_id]),
                delegate=Recipient.of(parties[delegation.delegate_account_id]),
                reason=reason,
            )
        )
    return len(open_ones)


async def do_end_parental_delegations_at_sixteen(
    uow_factory: Callable[[], UnitOfWork], today: date, now: datetime
) -> int:
    """Ends every open parental delegation whose person is 16 on ``today`` (reason
    "turned_16"). Idempotent: a second run finds nothing left to end. Returns how many."""
    async with uow_factory() as uow:
        candidates = await uow.delegations.list_open_parental_for_update(sixteen_years_before(today))
        people = await uow.accounts.get_many({d.person_account_id for d in candidates})
        due = [d for d in candidates if d.ends_by_age_on(people[d.person_account_id].birth_date, today)]
        ended = await do_end_delegations(uow, due, EndReason.TURNED_16, now)
        await uow.commit()
    if ended:
        log.info("delegations_ended_at_sixteen", count=ended)
    return ended


def granted_event(
    delegation: Delegation, organisation: Organisation, person: Account, delegate: Account
) -> DelegationGranted:
    return DelegationGranted(
        delegation_id=delegation.id,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        person=Recipient.of(person),
        delegate=Recipient.of(delegate),
    )


async def client_of(uow: UnitOfWork, account_id: str, organisation_id: str, field: str) -> Account:
    """A person (not staff) of the organisation; 404 for anyone else, existing or not."""
    account = await uow.accounts.get(account_id) if account_id else None
    if (
        account is None
        or account.organisation_id != organisation_id
        or account.works_for_organisation
        or account.status is AccountStatus.DISABLED
    ):
        raise PersonNotFound(fields={field: "is not a client of your organisation"})
    return account


async def do_grant_to(
    uow: UnitOfWork, staff: StaffMember, *, delegate: Account, person: Account, today: date, now: datetime
) -> Delegation:
    """The delegation from ``person`` to ``delegate`` that staff of the practice grant (the
    Dutch age rules decide whether it is active at once or waits for the person's consent),
    with its event: :class:`DelegationGranted` or :class:`DelegationConsentRequested`. The
    caller commits."""
    if person.id == delegate.id:
        raise DelegationNotAllowed("A person does not need a delegation for themselves.")
    age = person.age_on(today)
    if age is None:
        raise DelegationNotAllowed("The person's birth date is unknown; the age rules cannot be applied.")
    if (
        consent_rule(age) is not ConsentRule.NONE_NEEDED
        and not person.can_log_in
        and (person.status is not AccountStatus.PENDING_ACTIVATION)
    ):
        raise DelegationNotAllowed("From 12 the person consents from their own account; create it first.")
    if await uow.delegations.find_open(person.id, delegate.id) is not None:
        raise DelegationExists()
    delegation = Delegation.request(
        id=str(uuid.uuid4()),
        organisation_id=staff.organisation.id,
        person_account_id=person.id,
        delegate_account_id=delegate.id,
        person_age=age,
        created_by=staff.account.id,
        now=now,
    )
    await uow.delegations.add(delegation)
    if delegation.is_active:
        uow.emit(granted_event(delegation, staff.organisation, person, delegate))
    else:
        uow.emit(
            DelegationConsentRequested(
                delegation_id=delegation.id,
                organisation_id=staff.organisation.id,
                organisation_name=staff.organisation.name,
                person=Recipient.of(person),
                delegate_name=delegate.display_name,
            )
        )
    return delegation


async def add_child_record(
    uow: UnitOfWork, record: tuple[str, str, date], organisation_id: str, today: date, now: datetime
) -> Account:
    """A person record without login for a child under 12, a client of the organisation."""
    first, last, born = record
    if consent_rule(calendar.age_on(born, today)) is not ConsentRule.NONE_NEEDED:
        raise DelegationNotAllowed("Only a child under 12 is recorded without an account of its own.")
    account_id = str(uuid.uuid4())
    child = Account(
        id=account_id,
        email=no_login_email(account_id),
        display_name=display_name(first, last),
        password_hash=None,
        organisation_id=organisation_id,
        roles=frozenset({Role.PERSON}),
        status=AccountStatus.ACTIVE,
        first_name=first,
        last_name=last,
        birth_date=born,
    )
    await uow.accounts.add(child)
    await uow.client_links.add(ClientLink(child.id, organisation_id, now))
    return child


@dataclass(frozen=True)
class GrantRequest:
    delegate_account_id: str
    person_account_id: str
    #: (first name, last name, birth date) of a new child record without login.
    child: tuple[str, str, date] | None


def check_grant(
    *, delegate_account_id: str, person_account_id: str, child: ChildRecord | None, today: date
) -> GrantRequest:
    """Either an existing person or a new child record (its names and birth date named
    field by field), and the delegate."""
    errors = FieldErrors()
    record: tuple[str, str, date] | None = None
    if child is not None:
        first = check_name(child.first_name, "child.first_name", errors)
        last = check_name(child.last_name, "child.last_name", errors)
        born = check_birth_date(child.birth_date, errors, today=today, field="child.birth_date")
        if born is not None:
            record = (first, last, born)
    elif not person_account_id:
        errors.add("person_account_id", "is required (or describe a child under 12)")
    errors.raise_if_any()
    return GrantRequest(delegate_account_id, person_account_id, record)


@dataclass
class Delegations:
    uow: Callable[[], UnitOfWork]
    access_tokens: AccessTokens
    clock: Clock = utcnow

    def today(self) -> date:
        """Today in the Netherlands: birthdays, and so the 16th, are Dutch calendar days."""
        return calendar.today(self.clock)

    # --- staff --------------------------------------------------------------------------

    async def do_grant(
        self,
        principal: Principal,
        *,
        delegate_account_id: str,
        person_account_id: str,
        child: ChildRecord | None,
    ) -> DelegationListing:
        """A practice's staff give ``delegate_account_id`` (a parent or proxy, a person of
        the practice) access for a person of the practice, or for a new child record
        without login (``child``, under 12 only). Under 12 the delegation is active at once
        (staff have checked the parent's authority); from 12 it waits for the person's
        consent and :class:`DelegationConsentRequested` asks for it."""
        now = self.clock()
        today = self.today()
        request = check_grant(
            delegate_account_id=delegate_account_id, person_account_id=person_account_id, child=child, today=today
        )
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            delegate = await client_of(
                uow, request.delegate_account_id, staff.organisation.id, "delegate_account_id"
            )
            if request.child is not None:
                person = await add_child_record(uow, request.child, staff.organisation.id, today, now)
            else:
                person = await client_of(uow, request.person_account_id, staff.organisation.id, "person_account_id")
            delegation = await do_grant_to(uow, staff, delegate=delegate, person=person, today=today, now=now)
            await uow.commit()
        return DelegationListing(delegation, person, delegate)

    # --- the parties ----------------------------------------------------------------------

    async def do_answer_consent(self, principal: Principal, delegation_id: str, *, accept: bool) -> DelegationListing:
        """The person (12 or older) accepts or declines a delegation asked for them."""
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            delegation = await uow.delegations.get_for_update(delegation_id)
            if delegation is None or delegation.person_account_id != me.id:
                raise DelegationNotFound()
            delegation.consent(accept, now)
            await uow.delegations.save(delegation)
            delegate = await self._account(uow, delegation.delegate_account_id)
            if delegation.is_active:
                organisation = await uow.organisations.get(delegation.organisation_id)
                if organisation is None:
                    raise OrganisationNotFound()
                uow.emit(granted_event(delegation, organisation, me, delegate))
            await uow.commit()
        return DelegationListing(delegation, me, delegate)

    async def do_revoke(self, principal: Principal, delegation_id: str) -> DelegationListing:
        """Ends an open delegation, asked by the person, the delegate or staff of the
        practice; an act-as token on it is refused from the next request on."""
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            delegation = await uow.delegations.get_for_update(delegation_id)
            if delegation is None or not self._may_manage(me, delegation):
                raise DelegationNotFound()
            await do_end_delegations(uow, [delegation], EndReason.REVOKED, now)
            person = await self._account(uow, delegation.person_account_id)
            delegate = await self._account(uow, delegation.delegate_account_id)
            await uow.commit()
        return DelegationListing(delegation, person, delegate)

    async def list_mine(self, principal: Principal) -> MyDelegations:
        """Who may act for the caller, and for whom the caller may act (ended ones too)."""
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            found = await uow.delegations.list_involving(me.id)
            parties = await uow.accounts.get_many(
                {d.person_account_id for d in found} | {d.delegate_account_id for d in found}
            )
            preferred = await uow.portal_preferences.get(me.id)
        listings = [DelegationListing(d, parties[d.person_account_id], parties[d.delegate_account_id]) for d in found]
        return MyDelegations(
            for_me=[entry for entry in listings if entry.person.id == me.id],
            by_me=[entry for entry in listings if entry.delegate.id == me.id],
            preferred_person_id=preferred or me.id,
        )

    async def do_act_as(self, principal: Principal, person_account_id: str) -> ActingToken:
        """An access token to act for the person, issued only while the delegation is
        active: ``sub`` is the person, ``act.sub`` the caller, and the caller's session is
        its session (logging out ends it). It has no refresh token: when it expires, the
        front end asks again, and the delegation is checked again."""
        person_id = parse_id(person_account_id)
        if person_id is None:
            raise DelegationNotFound()
        async with self.uow() as uow:
            # Both accounts locked (in id order, so two switches the other way round cannot
            # deadlock) before anything is read, and the issue time taken after: a
            # revocation of either account committed meanwhile counts (see do_refresh).
            for account_id in sorted({principal.subject_id, person_id}):
                await uow.accounts.get_for_update(account_id)
            now = self.clock()
            me = await own_account(uow, principal, now)
            if not await uow.delegations.is_active(person_id, me.id):
                raise DelegationNotFound()
            person = await self._account(uow, person_id)
            organisation = await organisation_of(uow, person)
        token = self.access_tokens.issue(
            subject_id=person.id,
            session_id=principal.session_id,
            roles=frozenset(person.roles),
            organisation=(organisation.id, organisation.name) if organisation else None,
            organisation_kind=organisation.kind.value if organisation else None,
            actor_id=me.id,
            now=now,
            display_name=person.display_name,
        )
        return ActingToken(token, int(self.access_tokens.ttl.total_seconds()), person)

    async def do_set_preferred_portal(self, principal: Principal, person_account_id: str) -> str:
        """The portal opened after login (seed 4: "hoofdportaal"): the caller's own or that
        of a person the caller actively acts for."""
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            if person_account_id != me.id and not await uow.delegations.is_active(person_account_id, me.id):
                raise DelegationNotFound()
            await uow.portal_preferences.put(me.id, person_account_id)
            await uow.commit()
        return person_account_id

    # --- by themselves --------------------------------------------------------------------

    async def do_end_at_sixteen(self, today: date | None = None) -> int:
        """:func:`do_end_parental_delegations_at_sixteen` for ``today`` (default: today in
        the Netherlands)."""
        return await do_end_parental_delegations_at_sixteen(self.uow, today or self.today(), self.clock())

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _may_manage(me: Account, delegation: Delegation) -> bool:
        if me.id in (delegation.person_account_id, delegation.delegate_account_id):
            return True
        return (
            Capability.MANAGE_CLIENTS in capabilities_of(me.roles, in_organisation=True)
            and me.organisation_id == delegation.organisation_id
        )

    @staticmethod
    async def _account(uow: UnitOfWork, account_id: str) -> Account:
        account = await uow.accounts.get(account_id)
        if account is None:
            raise PersonNotFound()
        return account
