"""A parent asks online for access to a child's portal; the practice decides (seed 5).

The parent is a person of the practice (their home organisation, the one their token names)
and asks from their own account. The practice's staff who manage clients see the requests
of their own organisation only and approve — which grants the delegation exactly as staff
grant one themselves (:func:`identity.service.delegations.do_grant_to`): under 12 for a
new child record or the child's existing record, from 12 to 15 for the child's own account,
waiting for its consent — or reject with a reason. Anyone else, another parent included,
gets "not found" for a request that is not theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from identity.domain.access_requests import (
    AccessRequest,
    AccessRequestApproved,
    AccessRequestRejected,
    AccessRequestStatus,
    AccessRequestSubmitted,
    ChildAccessForm,
    check_access_form,
    check_child_may_be_requested,
    check_reason,
    decode_cursor,
    normalised_name,
)
from identity.domain.accounts import Account, Organisation
from identity.domain.delegations import ConsentRule, Delegation, is_adult
from identity.domain.errors import (
    AccessRequestExists,
    AccessRequestNotFound,
    ChildIsSixteen,
    ChildTurnedSixteen,
    NoPracticeToAsk,
    PersonNotFound,
    PossibleDuplicateClient,
    RequesterNotClient,
    RequesterTooYoung,
    TooManyAccessRequests,
)
from identity.domain.notices import OrganisationNotice, Recipient
from identity.service.callers import StaffMember, own_account, staff_member
from identity.service.common import parse_id
from identity.service.delegations import add_child_record, client_of, do_grant_to
from identity.service.ports import UnitOfWork
from zorgpost_kit import calendar
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.roles import Capability

#: The most requests one list answer holds; the staff list pages on with a keyset.
PAGE_SIZE = 50
#: The most requests one parent leaves waiting for the practice at a time.
MAX_PENDING_PER_REQUESTER = 5


def client_name(account: Account) -> str:
    """A client's name as :func:`normalised_name` compares it with a request."""
    if account.first_name or account.last_name:
        return normalised_name(account.first_name, account.last_name)
    return normalised_name(account.display_name, "")


@dataclass(frozen=True)
class AccessRequestView:
    """A request with what a reader needs next to it: who asked, and how the delegation an
    approval granted stands now (awaiting the child's consent, active, ended …)."""

    request: AccessRequest
    requester: Account
    delegation: Delegation | None
    #: For staff deciding a pending request: the practice's clients born on the child's
    #: birth date, to pick the child from.
    candidates: list[Account] = field(default_factory=list)
    #: For staff deciding a pending request: whether approving may make a new record
    #: without login (the child is under 12 today).
    new_record_allowed: bool = False


@dataclass(frozen=True)
class AccessRequestList:
    items: list[AccessRequestView]
    #: Where the next page starts; None on the last page.
    next_cursor: str | None


def consent_rule_today(request: AccessRequest, today: date) -> ConsentRule:
    """The age rule for the request's child today (:class:`ChildIsSixteen` from 16)."""
    return check_child_may_be_requested(request.child_birth_date, today)


@dataclass
class AccessRequests:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    # --- the parent -----------------------------------------------------------------------

    async def do_submit(self, principal: Principal, form: ChildAccessForm) -> AccessRequestView:
        """Stores the parent's request at their practice (pending) and emits
        :class:`AccessRequestSubmitted` (the receipt). Bad fields are named at once (422);
        a child of 16 or older on today's Dutch date is refused (409 ``child_is_sixteen``);
        a second pending request for the same child (name and birth date) too (409), and
        more than :data:`MAX_PENDING_PER_REQUESTER` pending ones (409
        ``too_many_access_requests``). Only an adult asks: 409 ``requester_too_young``
        when the caller's birth date says they are under 18 on today's Dutch date."""
        now = self.clock()
        today = calendar.local_date(now)
        checked = check_access_form(form, today)
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            age = me.age_on(today)
            if age is not None and not is_adult(age):
                raise RequesterTooYoung()
            organisation = await self._practice_of(uow, me)
            # The account's row serialises one parent's submissions, so the bound holds.
            await uow.accounts.get_for_update(me.id)
            request = AccessRequest(
                id=str(uuid.uuid4()),
                organisation_id=organisation.id,
                requester_account_id=me.id,
                child_first_name=checked.child_first_name,
                child_last_name=checked.child_last_name,
                child_birth_date=checked.child_birth_date,
                relation=checked.relation,
                note=checked.note,
                requested_at=now,
            )
            if await uow.access_requests.find_pending(me.id, request.child_key, request.child_birth_date):
                raise AccessRequestExists()
            if await uow.access_requests.count_pending(me.id) >= MAX_PENDING_PER_REQUESTER:
                raise TooManyAccessRequests()
            await uow.access_requests.add(request)
            uow.emit(
                AccessRequestSubmitted(
                    **OrganisationNotice.sender(organisation),
                    recipient=Recipient.of(me),
                    access_request_id=request.id,
                    child_name=request.child_name,
                )
            )
            await uow.commit()
        return AccessRequestView(request, me, None)

    async def list_mine(self, principal: Principal) -> list[AccessRequestView]:
        """The caller's own requests, newest first (the latest :data:`PAGE_SIZE`)."""
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            found = await uow.access_requests.list_by_requester(me.id, limit=PAGE_SIZE)
            return [AccessRequestView(r, me, await self._delegation(uow, r)) for r in found]

    async def get_mine(self, principal: Principal, access_request_id: str) -> AccessRequestView:
        now = self.clock()
        async with self.uow() as uow:
            me = await own_account(uow, principal, now)
            request = await self._get(uow, access_request_id)
            if request is None or request.requester_account_id != me.id:
                raise AccessRequestNotFound()
            return AccessRequestView(request, me, await self._delegation(uow, request))

    # --- the practice ---------------------------------------------------------------------

    async def list_for_staff(
        self, principal: Principal, status: AccessRequestStatus | None, cursor: str = ""
    ) -> AccessRequestList:
        """The requests of the caller's practice (staff who manage clients), oldest first,
        :data:`PAGE_SIZE` at a time from ``cursor`` (the previous page's ``next_cursor``)."""
        now = self.clock()
        after = decode_cursor(cursor)
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            page = await uow.access_requests.list_for_organisation(
                staff.organisation.id, status, after=after, limit=PAGE_SIZE
            )
            requesters = await uow.accounts.get_many({r.requester_account_id for r in page.items})
            items = [
                AccessRequestView(r, requesters[r.requester_account_id], await self._delegation(uow, r))
                for r in page.items
            ]
        return AccessRequestList(items, page.next_cursor)

    async def get_for_staff(self, principal: Principal, access_request_id: str) -> AccessRequestView:
        """A request of the caller's practice; while it is pending, with the practice's
        clients born on the child's birth date (to approve for one of them) and whether a
        new record without login may be made instead (the child is under 12 today)."""
        now = self.clock()
        today = calendar.local_date(now)
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            request = await self._of_practice(uow, staff, access_request_id, lock=False)
            requester = await uow.accounts.get(request.requester_account_id)
            if requester is None:
                raise AccessRequestNotFound()
            view = AccessRequestView(request, requester, await self._delegation(uow, request))
            if not request.is_pending:
                return view
            candidates = await uow.accounts.list_clients_born_on(staff.organisation.id, request.child_birth_date)
            try:
                under_twelve = consent_rule_today(request, today) is ConsentRule.NONE_NEEDED
            except ChildIsSixteen:
                under_twelve = False
            return AccessRequestView(
                request,
                requester,
                view.delegation,
                candidates=[c for c in candidates if c.id != requester.id],
                new_record_allowed=under_twelve,
            )

    async def do_approve(
        self,
        principal: Principal,
        access_request_id: str,
        *,
        person_account_id: str = "",
        new_record: bool = False,
    ) -> AccessRequestView:
        """Approves a pending request of the caller's practice: grants the parent the
        delegation for the child and emits :class:`AccessRequestApproved`.

        The child is ``person_account_id`` when the practice has a record of it (its birth
        date and name must be the ones the parent gave: 404, resp. 422, naming the field);
        without it, a child under 12 gets a record without login made from the request —
        unless the practice already has a client with that name and birth date (409
        ``possible_duplicate_client``) and ``new_record`` does not say a new record is
        meant. From 12 the child consents from its own account, so that account must be
        named. A request decided meanwhile is 409 ``access_request_decided``; a child who
        turned 16 since the request is refused (409 ``child_turned_sixteen``): the
        practice rejects the request instead."""
        now = self.clock()
        today = calendar.local_date(now)
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            request = await self._of_practice(uow, staff, access_request_id, lock=True)
            # Before anything else: a second click on "approve" is told the request was
            # decided, not that a record or delegation already exists.
            request.check_pending()
            try:
                rule = consent_rule_today(request, today)
            except ChildIsSixteen:
                raise ChildTurnedSixteen() from None
            parent = await self._requester_as_client(uow, request, staff)
            if person_account_id:
                if new_record:
                    raise InvalidArgument(
                        fields={"person_account_id": "choose either the child's record or a new record"}
                    )
                child = await client_of(uow, person_account_id, staff.organisation.id, "person_account_id")
                if child.birth_date != request.child_birth_date:
                    raise PersonNotFound(
                        fields={"person_account_id": "has another birth date than the child in the request"}
                    )
                if client_name(child) != request.child_key:
                    raise InvalidArgument(
                        fields={"person_account_id": "has another name than the child in the request"}
                    )
            elif rule is ConsentRule.NONE_NEEDED:
                if not new_record:
                    born_that_day = await uow.accounts.list_clients_born_on(
                        staff.organisation.id, request.child_birth_date
                    )
                    if any(client_name(c) == request.child_key for c in born_that_day):
                        raise PossibleDuplicateClient()
                child = await add_child_record(
                    uow,
                    (request.child_first_name, request.child_last_name, request.child_birth_date),
                    staff.organisation.id,
                    today,
                    now,
                )
            else:
                raise PersonNotFound(
                    fields={"person_account_id": "is required: from 12 the child consents from its own account"}
                )
            delegation = await do_grant_to(uow, staff, delegate=parent, person=child, today=today, now=now)
            request.approve(staff.account.id, delegation.id, now)
            await uow.access_requests.save(request)
            uow.emit(
                AccessRequestApproved(
                    **OrganisationNotice.sender(staff.organisation),
                    recipient=Recipient.of(parent),
                    access_request_id=request.id,
                    child_name=request.child_name,
                    delegation_id=delegation.id,
                    awaiting_consent=not delegation.is_active,
                )
            )
            await uow.commit()
        return AccessRequestView(request, parent, delegation)

    async def do_reject(self, principal: Principal, access_request_id: str, *, reason: str) -> AccessRequestView:
        """Rejects a pending request of the caller's practice with a reason the parent
        reads on their page, and emits :class:`AccessRequestRejected` (the notice says
        only that the practice decided)."""
        now = self.clock()
        text = check_reason(reason)
        async with self.uow() as uow:
            staff = await staff_member(uow, principal, now, Capability.MANAGE_CLIENTS)
            request = await self._of_practice(uow, staff, access_request_id, lock=True)
            request.reject(staff.account.id, text, now)
            await uow.access_requests.save(request)
            parent = await uow.accounts.get(request.requester_account_id)
            if parent is None:
                raise AccessRequestNotFound()
            uow.emit(
                AccessRequestRejected(
                    **OrganisationNotice.sender(staff.organisation),
                    recipient=Recipient.of(parent),
                    access_request_id=request.id,
                    child_name=request.child_name,
                )
            )
            await uow.commit()
        return AccessRequestView(request, parent, None)

    # --- helpers --------------------------------------------------------------------------

    @staticmethod
    async def _practice_of(uow: UnitOfWork, me: Account) -> Organisation:
        """The parent's home organisation, whose staff decide; a person without one, or a
        staff account, has no practice to ask."""
        if me.works_for_organisation or not me.organisation_id:
            raise NoPracticeToAsk()
        organisation = await uow.organisations.get(me.organisation_id)
        if organisation is None or not organisation.is_active:
            raise NoPracticeToAsk()
        return organisation

    @staticmethod
    async def _requester_as_client(uow: UnitOfWork, request: AccessRequest, staff: StaffMember) -> Account:
        """The parent who asked, still an active client of the practice (409 otherwise:
        the request can only be rejected)."""
        try:
            return await client_of(uow, request.requester_account_id, staff.organisation.id, "requester")
        except PersonNotFound:
            raise RequesterNotClient() from None

    @staticmethod
    async def _get(uow: UnitOfWork, access_request_id: str, *, lock: bool = False) -> AccessRequest | None:
        request_id = parse_id(access_request_id)
        if request_id is None:
            return None
        return await uow.access_requests.get(request_id, for_update=lock)

    @classmethod
    async def _of_practice(
        cls, uow: UnitOfWork, staff: StaffMember, access_request_id: str, *, lock: bool
    ) -> AccessRequest:
        request = await cls._get(uow, access_request_id, lock=lock)
        if request is None or request.organisation_id != staff.organisation.id:
            raise AccessRequestNotFound()
        return request

    @staticmethod
    async def _delegation(uow: UnitOfWork, request: AccessRequest) -> Delegation | None:
        return await uow.delegations.get(request.delegation_id) if request.delegation_id else None
