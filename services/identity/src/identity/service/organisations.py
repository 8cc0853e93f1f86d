"""The operator's use cases: onboard an organisation (its kind, name, security policy and a first
administrator who is invited by mail), list, rename and deactivate organisations, and link a
government department to the organisations it supervises.

These run without a caller's token: the operator command (``zorgpost-identity organisations``)
works where the database is. Every one is idempotent, so running a command twice leaves the
same state and mails nobody twice.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from identity.domain.accounts import AccountStatus, Organisation, OrganisationKind, OrganisationStatus, Role
from identity.domain.errors import (
    AlreadyStaff,
    OrganisationExists,
    OrganisationKindDiffers,
    OrganisationNotFound,
    StaffOfAnotherOrganisation,
)
from identity.domain.errors import OrganisationDeactivated as OrganisationIsDeactivated
from identity.domain.invitations import INVITATION_LIFETIME, Invitation
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.organisations import (
    ORGANISATION_NAME_MAX_LENGTH,
    OrganisationCreated,
    OrganisationDeactivated,
    OrganisationRenamed,
    check_kind,
)
from identity.domain.people import check_language
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.domain.staff import StaffInvitationSent
from identity.domain.supervision import (
    Supervision,
    SupervisionEnded,
    SupervisionLinked,
    SupervisionThemesChanged,
    check_may_supervise,
    check_themes,
)
from identity.service.ports import UnitOfWork
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_email, check_name


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    kind: OrganisationKind
    policy: SecurityPolicy
    administrator_email: str
    language: str


def check_onboarding(
    *, name: str, kind: str, password_preset: str, second_factor: str, administrator_email: str, language: str
) -> NewOrganisation:
    """Every field checked at once (the organisation's name heads every notice it sends)."""
    errors = FieldErrors()
    checked_name = check_name(name, "name", errors, max_length=ORGANISATION_NAME_MAX_LENGTH)
    checked_kind = check_kind(kind, errors)
    presets = {preset.value for preset in PasswordPreset}
    if password_preset not in presets:
        errors.add("password_preset", "must be one of " + ", ".join(sorted(presets)))
    factors = {factor.value for factor in SecondFactor}
    if second_factor not in factors:
        errors.add("second_factor", "must be one of " + ", ".join(sorted(factors)))
    email = check_email(administrator_email, "administrator_email", errors).lower()
    chosen_language = check_language(language, errors)
    errors.raise_if_any()
    assert checked_kind is not None
    policy = SecurityPolicy(
        password=PasswordPolicy.for_preset(PasswordPreset(password_preset)),
        second_factor=SecondFactor(second_factor),
    )
    return NewOrganisation(checked_name, checked_kind, policy, email, chosen_language)


@dataclass(frozen=True)
class Onboarding:
    organisation: Organisation
    #: False: the organisation existed already (the command ran before).
    created: bool
    #: "invited" (an invitation was mailed now), "invitation_open" (an earlier one still
    #: works; nothing was mailed) or "joined" (the administrator has an account already).
    administrator: str
    invitation: Invitation | None


def _first_administrator_invitation(
    organisation: Organisation, email: str, language: str, now: datetime
) -> tuple[Invitation, StaffInvitationSent]:
    token = new_link_token()
    invitation = Invitation(
        id=str(uuid.uuid4()),
        organisation_id=organisation.id,
        inviter_account_id="",
        email=email,
        thread_id="",
        language=language,
        token_hash=hash_link_token(token),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        roles=frozenset({Role.ADMIN}),
    )
    sent = StaffInvitationSent(
        **OrganisationNotice.sender(organisation),
        recipient=Recipient("", email, "", "", language),
        invitation_id=invitation.id,
        inviter_name="",
        token=token,
        expires_at=invitation.expires_at,
        administrator=True,
    )
    return invitation, sent


@dataclass
class Organisations:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def do_onboard(self, request: NewOrganisation) -> Onboarding:
        """Creates the organisation (with its policy) unless one of that name and kind exists,
        and makes sure its first administrator is invited: a new invitation is mailed only
        when the address has no account there and no invitation that still works.

        Raises :class:`OrganisationKindDiffers` for a name taken by another kind, and
        :class:`StaffOfAnotherOrganisation` for an address that works for another one."""
        now = self.clock()
        async with self.uow() as uow:
            organisation = await uow.organisations.find_by_name(request.name)
            created = organisation is None
            if organisation is None:
                organisation = Organisation(str(uuid.uuid4()), request.name, request.kind)
                await uow.organisations.add(organisation)
                await uow.security_policies.save(organisation.id, request.policy)
                uow.emit(
                    OrganisationCreated(
                        organisation_id=organisation.id,
                        name=organisation.name,
                        kind=organisation.kind,
                        password_preset=request.policy.password.preset.value,
                        second_factor=request.policy.second_factor.value,
                    )
                )
            elif organisation.kind is not request.kind:
                raise OrganisationKindDiffers(
                    f"{organisation.name!r} exists as a {organisation.kind.value}, not a {request.kind.value}.",
                    fields={"kind": f"is {organisation.kind.value} for this organisation"},
                )
            elif not organisation.is_active:
                # Nobody can accept an invitation to a deactivated organisation.
                raise OrganisationIsDeactivated(
                    f"{organisation.name!r} is deactivated; no administrator is invited.",
                    fields={"name": "is a deactivated organisation"},
                )
            account = await uow.accounts.find_for_login(request.administrator_email)
            if account is not None and account.works_for_organisation and account.status is AccountStatus.ACTIVE:
                if account.organisation_id != organisation.id:
                    raise StaffOfAnotherOrganisation(fields={"administrator_email": "works for another organisation"})
                if Role.ADMIN in account.roles:
                    await uow.commit()
                    return Onboarding(organisation, created, "joined", None)
                # The invitation could not be accepted: the account already works here.
                raise AlreadyStaff(
                    "This address already works for the organisation without the admin role; an "
                    "administrator of the organisation gives them that role.",
                    fields={"administrator_email": "is staff of this organisation without the admin role"},
                )
            open_invitation = await uow.invitations.find_open_staff_invitation_for_update(
                organisation.id, request.administrator_email, now
            )
            if open_invitation is not None and Role.ADMIN in open_invitation.roles:
                await uow.commit()
                return Onboarding(organisation, created, "invitation_open", open_invitation)
            invitation, sent = _first_administrator_invitation(
                organisation, request.administrator_email, request.language, now
            )
            await uow.invitations.add(invitation)
            uow.emit(sent)
            await uow.commit()
        return Onboarding(organisation, created, "invited", invitation)

    async def list_all(self) -> list[Organisation]:
        async with self.uow() as uow:
            return await uow.organisations.list_all()

    async def find(self, id_or_name: str) -> Organisation:
        async with self.uow() as uow:
            return await _find(uow, id_or_name)

    async def do_rename(self, id_or_name: str, new_name: str) -> Organisation:
        """Renames the organisation (notices say the new name from now on); the same name
        again changes nothing."""
        errors = FieldErrors()
        name = check_name(new_name, "name", errors, max_length=ORGANISATION_NAME_MAX_LENGTH)
        errors.raise_if_any()
        async with self.uow() as uow:
            organisation = await _find(uow, id_or_name, lock=True)
            if organisation.name == name:
                return organisation
            holder = await uow.organisations.find_by_name(name)
            if holder is not None:
                raise OrganisationExists(fields={"name": "is already in use"})
            await uow.organisations.rename(organisation.id, name)
            uow.emit(OrganisationRenamed(organisation_id=organisation.id, previous_name=organisation.name, name=name))
            await uow.commit()
        return dataclasses.replace(organisation, name=name)

    async def do_deactivate(self, id_or_name: str) -> tuple[Organisation, int]:
        """Deactivates the organisation: every active staff account of it is disabled and
        its sessions end (their tokens are refused everywhere within seconds). Conversations,
        clients and history stay. Answers the organisation and how many staff lost access
        (0 when it was deactivated already)."""
        async with self.uow() as uow:
            organisation = await _find(uow, id_or_name, lock=True)
            if organisation.status is OrganisationStatus.DEACTIVATED:
                return organisation, 0
            staff = await uow.staff.active_ids_of_organisation_for_update(organisation.id)
            now = self.clock()  # under the staff's row locks, as every revocation (see do_refresh)
            for account_id in staff:
                await uow.accounts.set_status(account_id, AccountStatus.DISABLED)
                await uow.sessions.revoke_all_except(account_id, None, now)
                uow.emit(
                    AccessRevoked(
                        account_id=account_id, revoked_at=now, reason=RevocationReason.ORGANISATION_DEACTIVATED
                    )
                )
            await uow.organisations.set_status(organisation.id, OrganisationStatus.DEACTIVATED)
            uow.emit(
                OrganisationDeactivated(
                    organisation_id=organisation.id, name=organisation.name, staff_deactivated=len(staff)
                )
            )
            await uow.commit()
        return dataclasses.replace(organisation, status=OrganisationStatus.DEACTIVATED), len(staff)

    async def do_link_supervision(
        self, supervisor: str, supervised: str, themes: Sequence[str]
    ) -> tuple[Supervision, bool]:
        """Links a government department to an organisation it supervises in ``themes``
        (or sets the themes of a link that exists). Answers the link and whether it changed."""
        errors = FieldErrors()
        checked = check_themes(themes, errors)
        errors.raise_if_any()
        now = self.clock()
        async with self.uow() as uow:
            department = await _find(uow, supervisor)
            organisation = await _find(uow, supervised)
            check_may_supervise(department, organisation)
            existing = await uow.supervisions.get_for_update(department.id, organisation.id)
            if existing is not None:
                if existing.themes == checked:
                    return existing, False
                await uow.supervisions.set_themes(department.id, organisation.id, checked)
                uow.emit(
                    SupervisionThemesChanged(
                        supervisor_organisation_id=department.id,
                        supervised_organisation_id=organisation.id,
                        themes=checked,
                    )
                )
                await uow.commit()
                return Supervision(department.id, organisation.id, checked, existing.since), True
            supervision = Supervision(department.id, organisation.id, checked, now)
            await uow.supervisions.add(supervision)
            uow.emit(
                SupervisionLinked(
                    supervisor_organisation_id=department.id, supervised_organisation_id=organisation.id, themes=checked
                )
            )
            await uow.commit()
        return supervision, True

    async def do_end_supervision(self, supervisor: str, supervised: str) -> bool:
        """Ends the link; False when there was none."""
        async with self.uow() as uow:
            department = await _find(uow, supervisor)
            organisation = await _find(uow, supervised)
            if await uow.supervisions.get_for_update(department.id, organisation.id) is None:
                return False
            await uow.supervisions.remove(department.id, organisation.id)
            uow.emit(
                SupervisionEnded(supervisor_organisation_id=department.id, supervised_organisation_id=organisation.id)
            )
            await uow.commit()
        return True


async def _find(uow: UnitOfWork, id_or_name: str, *, lock: bool = False) -> Organisation:
    """By id, or else by its exact name."""
    key = id_or_name.strip()
    organisation = await (uow.organisations.get_for_update(key) if lock else uow.organisations.get(key))
    if organisation is None:
        by_name = await uow.organisations.find_by_name(key)
        if by_name is not None and lock:
            organisation = await uow.organisations.get_for_update(by_name.id)
        else:
            organisation = by_name
    if organisation is None:
        raise OrganisationNotFound(f"No organisation has the id or name {key!r}.")
    return organisation
