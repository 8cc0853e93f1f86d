"""Repositories of the journey tables (:mod:`identity.adapters.orm_journeys`) and the
account changes the journeys make: named queries that return domain objects."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Row, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import accounts
from identity.adapters.orm_journeys import (
    activation_links,
    contact_changes,
    delegations,
    invitations,
    portal_preferences,
    registrations,
    secret_questions,
    terms_acceptances,
)
from identity.adapters.repositories import account_from_row
from identity.domain.client_accounts import ActivationLink, SecretQuestion
from identity.domain.delegations import Delegation, DelegationKind, DelegationStatus, EndReason
from identity.domain.invitations import Invitation, InvitationStatus
from identity.domain.model import Account, AccountStatus
from identity.domain.profile import ContactChange, ContactKind
from identity.domain.registration import Registration, RegistrationStatus
from identity.domain.terms import Acceptance


class AccountChangeRepository:
    """The changes journeys make to accounts (profile, contact details, status)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, account_ids: set[str]) -> dict[str, Account]:
        if not account_ids:
            return {}
        rows = (await self._session.execute(select(accounts).where(accounts.c.id.in_(account_ids)))).all()
        return {row.id: account_from_row(row) for row in rows}

    async def get_for_update(self, account_id: str) -> Account | None:
        row = (
            await self._session.execute(select(accounts).where(accounts.c.id == account_id).with_for_update())
        ).first()
        return account_from_row(row) if row else None

    async def mobile_in_use(self, mobile: str, *, except_account_id: str | None = None) -> bool:
        query = select(accounts.c.id).where(accounts.c.mobile == mobile)
        if except_account_id is not None:
            query = query.where(accounts.c.id != except_account_id)
        return (await self._session.execute(query.limit(1))).first() is not None

    async def save_profile(self, account: Account) -> None:
        """Stores names, language, country, e-mail and mobile as they are on ``account``."""
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account.id)
            .values(
                first_name=account.first_name,
                last_name=account.last_name,
                display_name=account.display_name,
                language=account.language,
                country=account.country,
                email=account.email.lower(),
                mobile=account.mobile,
            )
        )

    async def set_status(self, account_id: str, status: AccountStatus) -> None:
        await self._session.execute(update(accounts).where(accounts.c.id == account_id).values(status=status.value))


def _invitation(row: Row[tuple[object, ...]]) -> Invitation:
    return Invitation(
        id=row.id,
        organisation_id=row.organisation_id,
        inviter_account_id=row.inviter_account_id,
        email=row.email,
        thread_id=row.thread_id,
        language=row.language,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=InvitationStatus(row.status),
        decided_at=row.decided_at,
        account_id=row.account_id,
    )


class InvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, invitation: Invitation) -> None:
        await self._session.execute(
            insert(invitations).values(
                id=invitation.id,
                organisation_id=invitation.organisation_id,
                inviter_account_id=invitation.inviter_account_id,
                email=invitation.email,
                thread_id=invitation.thread_id,
                language=invitation.language,
                token_hash=invitation.token_hash,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                status=invitation.status.value,
            )
        )

    async def get_by_token_hash_for_update(self, token_hash: str) -> Invitation | None:
        """Locks the row: two concurrent answers to one invitation are judged in turn."""
        row = (
            await self._session.execute(
                select(invitations).where(invitations.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def get_in_organisation_for_update(self, invitation_id: str, organisation_id: str) -> Invitation | None:
        row = (
            await self._session.execute(
                select(invitations)
                .where(invitations.c.id == invitation_id, invitations.c.organisation_id == organisation_id)
                .with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def list_for_organisation(self, organisation_id: str, *, limit: int = 500) -> list[Invitation]:
        rows = (
            await self._session.execute(
                select(invitations)
                .where(invitations.c.organisation_id == organisation_id)
                .order_by(invitations.c.created_at.desc())
                .limit(limit)
            )
        ).all()
        return [_invitation(row) for row in rows]

    async def save(self, invitation: Invitation) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation.id)
            .values(
                token_hash=invitation.token_hash,
                expires_at=invitation.expires_at,
                status=invitation.status.value,
                decided_at=invitation.decided_at,
                account_id=invitation.account_id,
            )
        )


def _activation(row: Row[tuple[object, ...]]) -> ActivationLink:
    return ActivationLink(
        account_id=row.account_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        failed_attempts=row.failed_attempts,
        used_at=row.used_at,
    )


class ActivationLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, link: ActivationLink) -> None:
        """``link`` becomes the account's one activation link; an earlier one stops working."""
        values = {
            "token_hash": link.token_hash,
            "created_at": link.created_at,
            "expires_at": link.expires_at,
            "failed_attempts": 0,
            "used_at": None,
        }
        await self._session.execute(
            pg_insert(activation_links)
            .values(account_id=link.account_id, **values)
            .on_conflict_do_update(index_elements=["account_id"], set_=values)
        )

    async def get_by_token_hash_for_update(self, token_hash: str) -> ActivationLink | None:
        row = (
            await self._session.execute(
                select(activation_links).where(activation_links.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _activation(row) if row else None

    async def get_by_token_hash(self, token_hash: str) -> ActivationLink | None:
        row = (
            await self._session.execute(select(activation_links).where(activation_links.c.token_hash == token_hash))
        ).first()
        return _activation(row) if row else None

    async def save(self, link: ActivationLink) -> None:
        await self._session.execute(
            update(activation_links)
            .where(activation_links.c.account_id == link.account_id)
            .values(failed_attempts=link.failed_attempts, used_at=link.used_at)
        )


class SecretQuestionRepository:
    """Read by the password reset (part A) as its extra check; set by the account owner."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, question: SecretQuestion) -> None:
        values = {"question": question.question, "answer_hash": question.answer_hash, "set_at": question.set_at}
        await self._session.execute(
            pg_insert(secret_questions)
            .values(account_id=question.account_id, **values)
            .on_conflict_do_update(index_elements=["account_id"], set_=values)
        )

    async def get(self, account_id: str) -> SecretQuestion | None:
        row = (
            await self._session.execute(select(secret_questions).where(secret_questions.c.account_id == account_id))
        ).first()
        return SecretQuestion(row.account_id, row.question, row.answer_hash, row.set_at) if row else None


class TermsAcceptanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, records: list[Acceptance]) -> None:
        await self._session.execute(
            pg_insert(terms_acceptances)
            .values(
                [
                    {
                        "account_id": record.account_id,
                        "document": record.document.value,
                        "version": record.version,
                        "accepted_at": record.accepted_at,
                    }
                    for record in records
                ]
            )
            .on_conflict_do_nothing()
        )


def _registration(row: Row[tuple[object, ...]]) -> Registration:
    return Registration(
        id=row.id,
        organisation_id=row.organisation_id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        mobile=row.mobile,
        birth_date=row.birth_date,
        language=row.language,
        requested_at=row.requested_at,
        status=RegistrationStatus(row.status),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        token_hash=row.token_hash,
        link_expires_at=row.link_expires_at,
        account_id=row.account_id,
    )


class RegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, registration: Registration) -> None:
        await self._session.execute(
            insert(registrations).values(
                id=registration.id,
                organisation_id=registration.organisation_id,
                first_name=registration.first_name,
                last_name=registration.last_name,
                email=registration.email,
                mobile=registration.mobile,
                birth_date=registration.birth_date,
                language=registration.language,
                requested_at=registration.requested_at,
                status=registration.status.value,
            )
        )

    async def get_in_organisation_for_update(self, registration_id: str, organisation_id: str) -> Registration | None:
        row = (
            await self._session.execute(
                select(registrations)
                .where(registrations.c.id == registration_id, registrations.c.organisation_id == organisation_id)
                .with_for_update()
            )
        ).first()
        return _registration(row) if row else None

    async def get_by_token_hash_for_update(self, token_hash: str) -> Registration | None:
        row = (
            await self._session.execute(
                select(registrations).where(registrations.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _registration(row) if row else None

    async def list_for_organisation(
        self, organisation_id: str, status: RegistrationStatus | None, *, limit: int = 500
    ) -> list[Registration]:
        query = select(registrations).where(registrations.c.organisation_id == organisation_id)
        if status is not None:
            query = query.where(registrations.c.status == status.value)
        rows = (await self._session.execute(query.order_by(registrations.c.requested_at).limit(limit))).all()
        return [_registration(row) for row in rows]

    async def save(self, registration: Registration) -> None:
        await self._session.execute(
            update(registrations)
            .where(registrations.c.id == registration.id)
            .values(
                status=registration.status.value,
                decided_at=registration.decided_at,
                decided_by=registration.decided_by,
                token_hash=registration.token_hash,
                link_expires_at=registration.link_expires_at,
                account_id=registration.account_id,
            )
        )


def _contact_change(row: Row[tuple[object, ...]]) -> ContactChange:
    return ContactChange(
        account_id=row.account_id,
        kind=ContactKind(row.kind),
        new_value=row.new_value,
        token_hash=row.token_hash,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
    )


class ContactChangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, change: ContactChange) -> None:
        values = {
            "new_value": change.new_value,
            "token_hash": change.token_hash,
            "requested_at": change.requested_at,
            "expires_at": change.expires_at,
        }
        await self._session.execute(
            pg_insert(contact_changes)
            .values(account_id=change.account_id, kind=change.kind.value, **values)
            .on_conflict_do_update(index_elements=["account_id", "kind"], set_=values)
        )

    async def take_by_token_hash(self, token_hash: str) -> ContactChange | None:
        """Removes and returns the e-mail change of this link: a link confirms once."""
        row = (
            await self._session.execute(
                contact_changes.delete().where(contact_changes.c.token_hash == token_hash).returning(*contact_changes.c)
            )
        ).first()
        return _contact_change(row) if row else None

    async def take(self, account_id: str, kind: ContactKind) -> ContactChange | None:
        row = (
            await self._session.execute(
                contact_changes.delete()
                .where(contact_changes.c.account_id == account_id, contact_changes.c.kind == kind.value)
                .returning(*contact_changes.c)
            )
        ).first()
        return _contact_change(row) if row else None

    async def list_for_account(self, account_id: str) -> list[ContactChange]:
        rows = (
            await self._session.execute(select(contact_changes).where(contact_changes.c.account_id == account_id))
        ).all()
        return [_contact_change(row) for row in rows]


def _delegation(row: Row[tuple[object, ...]]) -> Delegation:
    return Delegation(
        id=row.id,
        organisation_id=row.organisation_id,
        person_account_id=row.person_account_id,
        delegate_account_id=row.delegate_account_id,
        kind=DelegationKind(row.kind),
        status=DelegationStatus(row.status),
        created_at=row.created_at,
        created_by=row.created_by,
        granted_at=row.granted_at,
        ended_at=row.ended_at,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
    )


_OPEN = (DelegationStatus.ACTIVE.value, DelegationStatus.AWAITING_CONSENT.value)


def _involving(account_id: str) -> ColumnElement[bool]:
    return (delegations.c.person_account_id == account_id) | (delegations.c.delegate_account_id == account_id)


class DelegationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delegation: Delegation) -> None:
        await self._session.execute(
            insert(delegations).values(
                id=delegation.id,
                organisation_id=delegation.organisation_id,
                person_account_id=delegation.person_account_id,
                delegate_account_id=delegation.delegate_account_id,
                kind=delegation.kind.value,
                status=delegation.status.value,
                created_at=delegation.created_at,
                created_by=delegation.created_by,
                granted_at=delegation.granted_at,
            )
        )

    async def get_for_update(self, delegation_id: str) -> Delegation | None:
        row = (
            await self._session.execute(select(delegations).where(delegations.c.id == delegation_id).with_for_update())
        ).first()
        return _delegation(row) if row else None

    async def find_open(self, person_account_id: str, delegate_account_id: str) -> Delegation | None:
        row = (
            await self._session.execute(
                select(delegations).where(
                    delegations.c.person_account_id == person_account_id,
                    delegations.c.delegate_account_id == delegate_account_id,
                    delegations.c.status.in_(_OPEN),
                )
            )
        ).first()
        return _delegation(row) if row else None

    async def is_active(self, person_account_id: str, delegate_account_id: str) -> bool:
        row = (
            await self._session.execute(
                select(delegations.c.id).where(
                    delegations.c.person_account_id == person_account_id,
                    delegations.c.delegate_account_id == delegate_account_id,
                    delegations.c.status == DelegationStatus.ACTIVE.value,
                )
            )
        ).first()
        return row is not None

    async def list_involving(self, account_id: str) -> list[Delegation]:
        """Every delegation for or by the account, newest first (ended ones too: history)."""
        rows = (
            await self._session.execute(
                select(delegations)
                .where(_involving(account_id))
                .order_by(delegations.c.created_at.desc())
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def list_open_involving_for_update(self, account_id: str) -> list[Delegation]:
        rows = (
            await self._session.execute(
                select(delegations)
                .where(_involving(account_id), delegations.c.status.in_(_OPEN))
                .with_for_update()
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def list_open_parental_for_update(self, born_on_or_before: date) -> list[Delegation]:
        """Open parental delegations whose person was born on or before the given day
        (the candidates for ending at 16), locked, skipping rows another worker holds."""
        rows = (
            await self._session.execute(
                select(delegations)
                .join(accounts, accounts.c.id == delegations.c.person_account_id)
                .where(
                    delegations.c.kind == DelegationKind.PARENTAL.value,
                    delegations.c.status.in_(_OPEN),
                    accounts.c.birth_date <= born_on_or_before,
                )
                .with_for_update(of=delegations, skip_locked=True)
            )
        ).all()
        return [_delegation(row) for row in rows]

    async def save(self, delegation: Delegation) -> None:
        await self._session.execute(
            update(delegations)
            .where(delegations.c.id == delegation.id)
            .values(
                status=delegation.status.value,
                granted_at=delegation.granted_at,
                ended_at=delegation.ended_at,
                end_reason=delegation.end_reason.value if delegation.end_reason else None,
            )
        )


class PortalPreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_id: str) -> str | None:
        row = (
            await self._session.execute(
                select(portal_preferences.c.person_account_id).where(portal_preferences.c.account_id == account_id)
            )
        ).first()
        return str(row.person_account_id) if row else None

    async def put(self, account_id: str, person_account_id: str) -> None:
        await self._session.execute(
            pg_insert(portal_preferences)
            .values(account_id=account_id, person_account_id=person_account_id)
            .on_conflict_do_update(index_elements=["account_id"], set_={"person_account_id": person_account_id})
        )

    async def forget(self, account_id: str, person_account_id: str) -> None:
        """The account opens its own portal again if it preferred this person's (the
        delegation between them ended)."""
        await self._session.execute(
            delete(portal_preferences).where(
                portal_preferences.c.account_id == account_id,
                portal_preferences.c.person_account_id == person_account_id,
            )
        )
