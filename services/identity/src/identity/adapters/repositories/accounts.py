"""Organisations, accounts, and what belongs to an account: its pending e-mail or mobile
change, its secret question and the terms it accepted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import (
    accounts,
    client_links,
    contact_changes,
    organisations,
    secret_questions,
    terms_acceptances,
)
from identity.domain.accounts import (
    Account,
    AccountStatus,
    ClientLink,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
)
from identity.domain.client_accounts import SecretQuestion
from identity.domain.profile import ContactChange, ContactKind
from identity.domain.terms import Acceptance


def _organisation(row: Row[tuple[object, ...]]) -> Organisation:
    return Organisation(row.id, row.name, OrganisationKind(row.kind), OrganisationStatus(row.status))


class SqlOrganisationRepository:
    """Organisations. A rename is recorded in :attr:`renamed`: the unit of work then
    announces the contact details of the organisation's accounts, which name it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        #: Ids of the organisations this unit of work renamed.
        self.renamed: set[str] = set()

    async def add(self, organisation: Organisation) -> None:
        await self._session.execute(
            insert(organisations).values(
                id=organisation.id,
                name=organisation.name,
                kind=organisation.kind.value,
                status=organisation.status.value,
            )
        )

    async def get(self, organisation_id: str) -> Organisation | None:
        row = (await self._session.execute(select(organisations).where(organisations.c.id == organisation_id))).first()
        return _organisation(row) if row else None

    async def get_for_update(self, organisation_id: str) -> Organisation | None:
        row = (
            await self._session.execute(
                select(organisations).where(organisations.c.id == organisation_id).with_for_update()
            )
        ).first()
        return _organisation(row) if row else None

    async def get_many(self, organisation_ids: set[str]) -> dict[str, Organisation]:
        if not organisation_ids:
            return {}
        rows = (
            await self._session.execute(select(organisations).where(organisations.c.id.in_(organisation_ids)))
        ).all()
        return {row.id: _organisation(row) for row in rows}

    async def find_by_name(self, name: str) -> Organisation | None:
        row = (await self._session.execute(select(organisations).where(organisations.c.name == name))).first()
        return _organisation(row) if row else None

    async def list_all(self) -> list[Organisation]:
        rows = (await self._session.execute(select(organisations).order_by(organisations.c.name))).all()
        return [_organisation(row) for row in rows]

    async def rename(self, organisation_id: str, name: str) -> None:
        self.renamed.add(organisation_id)
        await self._session.execute(
            update(organisations).where(organisations.c.id == organisation_id).values(name=name)
        )

    async def set_status(self, organisation_id: str, status: OrganisationStatus) -> None:
        await self._session.execute(
            update(organisations).where(organisations.c.id == organisation_id).values(status=status.value)
        )


def account_from_row(row: Row[tuple[object, ...]]) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        organisation_id=row.organisation_id,
        roles=frozenset(Role(role) for role in row.roles),
        status=AccountStatus(row.status),
        username=row.username,
        language=row.language,
        first_name=row.first_name,
        last_name=row.last_name,
        mobile=row.mobile,
        birth_date=row.birth_date,
        country=row.country,
        must_change_password=row.must_change_password,
    )


class SqlAccountRepository:
    """Accounts. Every method that changes what the address book holds (address, number,
    language, name, organisation, roles, status) records the account in
    :attr:`contact_details_changed`: the unit of work then announces its new state with
    the change (``identity.account.contact_details_changed``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        #: Ids of the accounts whose contact details this unit of work changed.
        self.contact_details_changed: set[str] = set()

    async def add(self, account: Account) -> None:
        self.contact_details_changed.add(account.id)
        await self._session.execute(
            insert(accounts).values(
                id=account.id,
                organisation_id=account.organisation_id,
                email=account.email.lower(),
                username=account.username.lower() if account.username else None,
                display_name=account.display_name,
                password_hash=account.password_hash,
                roles=sorted(account.roles),
                status=account.status,
                language=account.language,
                first_name=account.first_name,
                last_name=account.last_name,
                mobile=account.mobile,
                birth_date=account.birth_date,
                country=account.country,
                must_change_password=account.must_change_password,
            )
        )

    async def get(self, account_id: str) -> Account | None:
        row = (await self._session.execute(select(accounts).where(accounts.c.id == account_id))).first()
        return account_from_row(row) if row else None

    async def get_for_update(self, account_id: str) -> Account | None:
        row = (
            await self._session.execute(select(accounts).where(accounts.c.id == account_id).with_for_update())
        ).first()
        return account_from_row(row) if row else None

    async def ids_in_organisation(self, organisation_id: str) -> set[str]:
        """Every account whose home is the organisation (staff and the people it serves)."""
        rows = await self._session.execute(select(accounts.c.id).where(accounts.c.organisation_id == organisation_id))
        return {row.id for row in rows}

    async def get_many(self, account_ids: set[str]) -> dict[str, Account]:
        if not account_ids:
            return {}
        rows = (await self._session.execute(select(accounts).where(accounts.c.id.in_(account_ids)))).all()
        return {row.id: account_from_row(row) for row in rows}

    async def list_clients_born_on(self, organisation_id: str, born: date) -> list[Account]:
        rows = (
            await self._session.execute(
                select(accounts)
                .where(
                    accounts.c.organisation_id == organisation_id,
                    accounts.c.birth_date == born,
                    accounts.c.status != AccountStatus.DISABLED.value,
                )
                .order_by(accounts.c.display_name, accounts.c.id)
            )
        ).all()
        return [account for account in map(account_from_row, rows) if not account.works_for_organisation]

    async def find_for_login(self, login_name: str) -> Account | None:
        """By username or e-mail address, case-insensitively."""
        name = login_name.strip().lower()
        row = (
            await self._session.execute(
                select(accounts).where(or_(accounts.c.email == name, accounts.c.username == name))
            )
        ).first()
        return account_from_row(row) if row else None

    async def mobile_in_use(self, mobile: str, *, except_account_id: str | None = None) -> bool:
        query = select(accounts.c.id).where(accounts.c.mobile == mobile)
        if except_account_id is not None:
            query = query.where(accounts.c.id != except_account_id)
        return (await self._session.execute(query.limit(1))).first() is not None

    async def save_profile(self, account: Account) -> None:
        self.contact_details_changed.add(account.id)
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
        self.contact_details_changed.add(account_id)
        await self._session.execute(update(accounts).where(accounts.c.id == account_id).values(status=status.value))

    async def set_username(self, account_id: str, username: str | None) -> None:
        await self._session.execute(
            update(accounts).where(accounts.c.id == account_id).values(username=username.lower() if username else None)
        )

    async def set_membership(self, account_id: str, organisation_id: str | None, roles: frozenset[Role]) -> None:
        """The organisation the account signs in with (its home) and its roles there."""
        self.contact_details_changed.add(account_id)
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(organisation_id=organisation_id, roles=sorted(roles))
        )

    async def set_password(self, account_id: str, password_hash: str, *, must_change: bool) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=password_hash, must_change_password=must_change)
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


class SqlContactChangeRepository:
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


class SqlSecretQuestionRepository:
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


class SqlTermsAcceptanceRepository:
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


class SqlClientLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, link: ClientLink) -> None:
        """Links the person to the organisation (a link that exists stays as it is)."""
        await self._session.execute(
            pg_insert(client_links)
            .values(account_id=link.account_id, organisation_id=link.organisation_id, linked_at=link.linked_at)
            .on_conflict_do_nothing()
        )

    async def list_for_account(self, account_id: str) -> list[ClientLink]:
        """Oldest first."""
        rows = (
            await self._session.execute(
                select(client_links)
                .where(client_links.c.account_id == account_id)
                .order_by(client_links.c.linked_at, client_links.c.organisation_id)
            )
        ).all()
        return [ClientLink(row.account_id, row.organisation_id, row.linked_at) for row in rows]
