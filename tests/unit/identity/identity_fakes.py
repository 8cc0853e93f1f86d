"""The one set of in-memory fakes identity's unit tests use (``from identity_fakes import
...``): every port of :mod:`identity.service.ports`, a fast password hasher that counts, a
signing key, and a world that wires the use cases as the composition root does.

The fake unit of work behaves like the real one where the use cases can tell: each unit of
work works on a copy of the committed state, and only :meth:`FakeUnitOfWork.commit` makes
its changes (and its events) count. Row locks are not modelled (concurrency is tested over
real PostgreSQL in tests/contract).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer, KeyEncryption, SigningKey
from identity.domain.access_requests import AccessRequest, AccessRequestPage, AccessRequestStatus, encode_cursor
from identity.domain.accounts import (
    Account,
    AccountStatus,
    ClientLink,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
)
from identity.domain.authentication import LoginChallenge, PasswordReset
from identity.domain.client_accounts import ActivationLink, SecretQuestion
from identity.domain.codes import CodeHasher, CodePurpose, OneTimeCode, Redemption
from identity.domain.delegations import Delegation, DelegationKind, DelegationStatus
from identity.domain.errors import AccessRequestExists
from identity.domain.invitations import Invitation
from identity.domain.policy import SecurityPolicy
from identity.domain.profile import ContactChange, ContactKind
from identity.domain.rate_limits import RateCounter
from identity.domain.registrations import Registration, RegistrationStatus
from identity.domain.second_factors import EnrolledFactor, FactorMethod
from identity.domain.secure_mail_access import ReadLink
from identity.domain.sessions import RefreshToken, Session
from identity.domain.staff import StaffListing
from identity.domain.supervision import Supervision
from identity.domain.teams import Team
from identity.domain.terms import Acceptance
from identity.domain.throttle import LoginThrottle
from identity.service.access_requests import AccessRequests
from identity.service.authentication import Authentication, ClientInfo, Tokens
from identity.service.client_accounts import ClientAccounts
from identity.service.delegations import Delegations
from identity.service.invitations import Invitations
from identity.service.one_time_codes import OneTimeCodes
from identity.service.organisations import Organisations
from identity.service.password_reset import PasswordResets
from identity.service.ports import UnitOfWork
from identity.service.profile import Profiles
from identity.service.registrations import Registrations
from identity.service.second_factors import SecondFactors
from identity.service.secure_mail_access import SecureMailAccess
from identity.service.sessions import Sessions
from identity.service.staff import StaffManagement
from identity.service.supervision import Supervisions
from identity.service.teams import Teams
from zorgpost_kit.auth import JwksCache, Principal, TokenVerifier, principal_from_claims
from zorgpost_kit.calendar import SettableClock
from zorgpost_kit.events import DomainEvent

ISSUER = "zorgpost-identity"
AUDIENCE = "zorgpost"
#: A cheap hash keeps the tests fast; the production parameters are tested in test_identity_passwords.
FAST_HASH = {"time_cost": 1, "memory_cost_kib": 8 * 1024}


# --- committed state -------------------------------------------------------------------------


@dataclass
class Tables:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    client_links: dict[tuple[str, str], ClientLink] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    #: (supervisor id, supervised id) -> the link
    supervisions: dict[tuple[str, str], Supervision] = field(default_factory=dict)
    contact_changes: dict[tuple[str, ContactKind], ContactChange] = field(default_factory=dict)
    secret_questions: dict[str, SecretQuestion] = field(default_factory=dict)
    acceptances: list[Acceptance] = field(default_factory=list)
    sessions: dict[str, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    throttles: dict[str, LoginThrottle] = field(default_factory=dict)
    challenges: dict[str, LoginChallenge] = field(default_factory=dict)
    password_resets: dict[str, PasswordReset] = field(default_factory=dict)
    codes: dict[tuple[CodePurpose, str], OneTimeCode] = field(default_factory=dict)
    factors: dict[tuple[str, FactorMethod], EnrolledFactor] = field(default_factory=dict)
    #: id -> (account id, code hash, used at)
    recovery_codes: dict[str, tuple[str, str, datetime | None]] = field(default_factory=dict)
    rate_counters: dict[tuple[str, str], RateCounter] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    activation_links: dict[str, ActivationLink] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    access_requests: dict[str, AccessRequest] = field(default_factory=dict)
    portal_preferences: dict[str, str] = field(default_factory=dict)
    policies: dict[str, SecurityPolicy] = field(default_factory=dict)
    #: The policy of people outside any organisation (and of unknown organisations).
    default_policy: SecurityPolicy = field(default_factory=SecurityPolicy)


# --- accounts and profile ----------------------------------------------------------------------


class FakeOrganisations:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, organisation: Organisation) -> None:
        self._t.organisations[organisation.id] = organisation

    async def get(self, organisation_id: str) -> Organisation | None:
        return self._t.organisations.get(organisation_id)

    async def get_for_update(self, organisation_id: str) -> Organisation | None:
        return self._t.organisations.get(organisation_id)

    async def get_many(self, organisation_ids: set[str]) -> dict[str, Organisation]:
        return {i: self._t.organisations[i] for i in organisation_ids if i in self._t.organisations}

    async def find_by_name(self, name: str) -> Organisation | None:
        return next((o for o in self._t.organisations.values() if o.name == name), None)

    async def list_all(self) -> list[Organisation]:
        return sorted(self._t.organisations.values(), key=lambda o: o.name)

    async def rename(self, organisation_id: str, name: str) -> None:
        self._t.organisations[organisation_id] = dataclasses.replace(self._t.organisations[organisation_id], name=name)

    async def set_status(self, organisation_id: str, status: OrganisationStatus) -> None:
        self._t.organisations[organisation_id] = dataclasses.replace(
            self._t.organisations[organisation_id], status=status
        )


class FakeAccounts:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, account: Account) -> None:
        stored = copy.deepcopy(account)
        stored.email = stored.email.lower()
        stored.username = stored.username.lower() if stored.username else None
        self._t.accounts[account.id] = stored

    async def get(self, account_id: str) -> Account | None:
        return copy.deepcopy(self._t.accounts.get(account_id))

    async def get_for_update(self, account_id: str) -> Account | None:
        return await self.get(account_id)

    async def get_many(self, account_ids: set[str]) -> dict[str, Account]:
        return {i: copy.deepcopy(self._t.accounts[i]) for i in account_ids if i in self._t.accounts}

    async def list_clients_born_on(self, organisation_id: str, born: date) -> list[Account]:
        found = [
            a
            for a in self._t.accounts.values()
            if a.organisation_id == organisation_id
            and a.birth_date == born
            and a.status is not AccountStatus.DISABLED
            and not a.works_for_organisation
        ]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: (a.display_name, a.id))]

    async def find_for_login(self, login_name: str) -> Account | None:
        name = login_name.strip().lower()
        found = next((a for a in self._t.accounts.values() if name in (a.email, a.username)), None)
        return copy.deepcopy(found)

    async def mobile_in_use(self, mobile: str, *, except_account_id: str | None = None) -> bool:
        return any(a.mobile == mobile and a.id != except_account_id for a in self._t.accounts.values())

    async def save_profile(self, account: Account) -> None:
        stored = self._t.accounts[account.id]
        stored.first_name, stored.last_name, stored.display_name = (
            account.first_name,
            account.last_name,
            account.display_name,
        )
        stored.language, stored.country = account.language, account.country
        stored.email, stored.mobile = account.email.lower(), account.mobile

    async def set_status(self, account_id: str, status: AccountStatus) -> None:
        self._t.accounts[account_id].status = status

    async def set_password(self, account_id: str, password_hash: str, *, must_change: bool) -> None:
        self._t.accounts[account_id].password_hash = password_hash
        self._t.accounts[account_id].must_change_password = must_change

    async def set_username(self, account_id: str, username: str | None) -> None:
        self._t.accounts[account_id].username = username.lower() if username else None

    async def set_membership(self, account_id: str, organisation_id: str | None, roles: frozenset[Role]) -> None:
        self._t.accounts[account_id].organisation_id = organisation_id
        self._t.accounts[account_id].roles = roles


class FakeClientLinks:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, link: ClientLink) -> None:
        self._t.client_links.setdefault((link.account_id, link.organisation_id), link)

    async def list_for_account(self, account_id: str) -> list[ClientLink]:
        found = [link for (owner, _), link in self._t.client_links.items() if owner == account_id]
        return sorted(found, key=lambda link: (link.linked_at, link.organisation_id))


# --- organisations: staff, teams and supervision ---------------------------------------------


class FakeStaffDirectory:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    def _staff(self, organisation_id: str) -> list[Account]:
        return [
            a for a in self._t.accounts.values() if a.organisation_id == organisation_id and a.works_for_organisation
        ]

    async def list_for_organisation(self, organisation_id: str) -> list[StaffListing]:
        listings = []
        for account in sorted(self._staff(organisation_id), key=lambda a: (a.display_name.lower(), a.id)):
            logins = [s.created_at for s in self._t.sessions.values() if s.account_id == account.id]
            factors = frozenset(
                method for (owner, method), f in self._t.factors.items() if owner == account.id and f.confirmed
            )
            listings.append(StaffListing(copy.deepcopy(account), max(logins, default=None), factors))
        return listings

    async def get_in_organisation_for_update(self, account_id: str, organisation_id: str) -> Account | None:
        found = next((a for a in self._staff(organisation_id) if a.id == account_id), None)
        return copy.deepcopy(found)

    async def administrators_for_update(self, organisation_id: str) -> set[str]:
        return {
            a.id for a in self._staff(organisation_id) if a.status is AccountStatus.ACTIVE and Role.ADMIN in a.roles
        }

    async def active_ids(self, organisation_id: str, account_ids: set[str]) -> set[str]:
        return {a.id for a in self._staff(organisation_id) if a.status is AccountStatus.ACTIVE} & account_ids

    async def active_with_emails(self, organisation_id: str, emails: set[str], roles: frozenset[str]) -> list[Account]:
        return [
            copy.deepcopy(a)
            for a in self._staff(organisation_id)
            if a.status is AccountStatus.ACTIVE
            and a.email.lower() in emails
            and any(role.value in roles for role in a.roles)
        ]

    async def active_ids_of_organisation_for_update(self, organisation_id: str) -> list[str]:
        return sorted(a.id for a in self._staff(organisation_id) if a.status is AccountStatus.ACTIVE)


class FakeTeams:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, team: Team) -> None:
        self._t.teams[team.id] = copy.deepcopy(team)

    async def get_in_organisation_for_update(self, team_id: str, organisation_id: str) -> Team | None:
        found = self._t.teams.get(team_id)
        return copy.deepcopy(found) if found and found.organisation_id == organisation_id else None

    async def find_by_name(self, organisation_id: str, name: str) -> Team | None:
        found = next(
            (
                t
                for t in self._t.teams.values()
                if t.organisation_id == organisation_id and t.name.lower() == name.lower()
            ),
            None,
        )
        return copy.deepcopy(found)

    async def list_for_organisation(self, organisation_id: str) -> list[Team]:
        found = [t for t in self._t.teams.values() if t.organisation_id == organisation_id]
        return [copy.deepcopy(t) for t in sorted(found, key=lambda t: (t.name.lower(), t.id))]

    async def save(self, team: Team) -> None:
        self._t.teams[team.id] = copy.deepcopy(team)

    async def delete(self, team_id: str) -> None:
        self._t.teams.pop(team_id, None)

    async def remove_member_everywhere(self, account_id: str) -> None:
        for team in self._t.teams.values():
            team.member_account_ids = team.member_account_ids - {account_id}


class FakeSupervisions:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get_for_update(self, supervisor_id: str, supervised_id: str) -> Supervision | None:
        return self._t.supervisions.get((supervisor_id, supervised_id))

    async def add(self, supervision: Supervision) -> None:
        key = (supervision.supervisor_organisation_id, supervision.supervised_organisation_id)
        self._t.supervisions.setdefault(key, supervision)

    async def set_themes(self, supervisor_id: str, supervised_id: str, themes: tuple[str, ...]) -> None:
        key = (supervisor_id, supervised_id)
        self._t.supervisions[key] = dataclasses.replace(self._t.supervisions[key], themes=themes)

    async def remove(self, supervisor_id: str, supervised_id: str) -> None:
        self._t.supervisions.pop((supervisor_id, supervised_id), None)

    async def list_supervised_by(self, supervisor_id: str) -> list[Supervision]:
        found = [s for (boss, _), s in self._t.supervisions.items() if boss == supervisor_id]
        return sorted(found, key=lambda s: (s.since, s.supervised_organisation_id))

    async def list_supervisors_of(self, supervised_id: str) -> list[Supervision]:
        found = [s for (_, overseen), s in self._t.supervisions.items() if overseen == supervised_id]
        return sorted(found, key=lambda s: (s.since, s.supervisor_organisation_id))


class FakeContactChanges:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def replace(self, change: ContactChange) -> None:
        self._t.contact_changes[(change.account_id, change.kind)] = change

    async def take_by_token_hash(self, token_hash: str) -> ContactChange | None:
        key = next((k for k, c in self._t.contact_changes.items() if c.token_hash == token_hash), None)
        return self._t.contact_changes.pop(key) if key else None

    async def take(self, account_id: str, kind: ContactKind) -> ContactChange | None:
        return self._t.contact_changes.pop((account_id, kind), None)

    async def list_for_account(self, account_id: str) -> list[ContactChange]:
        return [c for (owner, _), c in self._t.contact_changes.items() if owner == account_id]


class FakeSecretQuestions:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def put(self, question: SecretQuestion) -> None:
        self._t.secret_questions[question.account_id] = question

    async def get(self, account_id: str) -> SecretQuestion | None:
        return self._t.secret_questions.get(account_id)


class FakeTermsAcceptances:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add_all(self, records: list[Acceptance]) -> None:
        self._t.acceptances.extend(r for r in records if r not in self._t.acceptances)


# --- authentication and sessions -------------------------------------------------------------


class FakeSessions:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, device: Session) -> None:
        self._t.sessions[device.id] = copy.deepcopy(device)

    async def get_for_update(self, session_id: str) -> Session | None:
        return copy.deepcopy(self._t.sessions.get(session_id))

    async def save(self, device: Session) -> None:
        self._t.sessions[device.id] = copy.deepcopy(device)

    async def is_active(self, session_id: str, now: datetime) -> bool:
        device = self._t.sessions.get(session_id)
        return device is not None and device.is_active(now)

    async def list_active_for_account(self, account_id: str, now: datetime) -> list[Session]:
        found = [s for s in self._t.sessions.values() if s.account_id == account_id and s.is_active(now)]
        return sorted((copy.deepcopy(s) for s in found), key=lambda s: s.last_seen_at, reverse=True)

    async def revoke(self, account_id: str, session_id: str, now: datetime) -> bool:
        device = self._t.sessions.get(session_id)
        if device is None or device.account_id != account_id or not device.is_active(now):
            return False
        device.revoke(now)
        return True

    async def revoke_all_except(self, account_id: str, keep_session_id: str | None, now: datetime) -> list[str]:
        ended = [
            s
            for s in self._t.sessions.values()
            if s.account_id == account_id and s.revoked_at is None and s.id != keep_session_id
        ]
        for device in ended:
            device.revoke(now)
        return [device.id for device in ended]

    async def touch(self, session_id: str, now: datetime) -> None:
        device = self._t.sessions.get(session_id)
        if device is not None and device.last_seen_at < now - timedelta(minutes=1):
            device.last_seen_at = now


class FakeRefreshTokens:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, token: RefreshToken) -> None:
        self._t.refresh_tokens[token.id] = token

    async def account_id_for(self, token_hash: str) -> str | None:
        token = await self.get_by_hash_for_update(token_hash)
        return None if token is None else self._t.sessions[token.session_id].account_id

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._t.refresh_tokens.values() if t.token_hash == token_hash), None)

    async def mark_used(self, token_id: str, now: datetime) -> None:
        self._t.refresh_tokens[token_id] = dataclasses.replace(self._t.refresh_tokens[token_id], used_at=now)


class FakeLoginThrottles:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def lock(self, login_name: str, now: datetime) -> LoginThrottle:
        return copy.deepcopy(self._t.throttles.setdefault(login_name, LoginThrottle(login_name, now)))

    async def save(self, throttle: LoginThrottle) -> None:
        self._t.throttles[throttle.login_name] = copy.deepcopy(throttle)


class FakeLoginChallenges:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, challenge: LoginChallenge) -> None:
        self._t.challenges[challenge.id] = copy.deepcopy(challenge)

    async def account_id_of(self, challenge_id: str) -> str | None:
        found = self._t.challenges.get(challenge_id)
        return None if found is None else found.account_id

    async def get_for_update(self, challenge_id: str) -> LoginChallenge | None:
        return copy.deepcopy(self._t.challenges.get(challenge_id))

    async def save(self, challenge: LoginChallenge) -> None:
        self._t.challenges[challenge.id] = copy.deepcopy(challenge)


class FakePasswordResets:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, reset: PasswordReset) -> None:
        self._t.password_resets[reset.id] = copy.deepcopy(reset)

    async def account_id_of(self, token_hash: str) -> str | None:
        found = await self.get_by_token_hash_for_update(token_hash)
        return None if found is None else found.account_id

    async def get_by_token_hash_for_update(self, token_hash: str) -> PasswordReset | None:
        found = next((r for r in self._t.password_resets.values() if r.token_hash == token_hash), None)
        return copy.deepcopy(found)

    async def save(self, reset: PasswordReset) -> None:
        self._t.password_resets[reset.id] = copy.deepcopy(reset)

    async def end_all_for_account(self, account_id: str, now: datetime) -> None:
        for reset in self._t.password_resets.values():
            if reset.account_id == account_id and reset.used_at is None:
                reset.used_at = now


# --- one-time codes, second factors and sending limits --------------------------------------


class FakeOneTimeCodes:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def replace(self, code: OneTimeCode) -> None:
        self._t.codes[(code.purpose, code.subject)] = code

    def _live(self, purpose: CodePurpose, subject: str, now: datetime) -> OneTimeCode | None:
        code = self._t.codes.get((purpose, subject))
        if code is None or code.used_at is not None or code.expires_at <= now or code.attempts >= code.max_attempts:
            return None
        return code

    async def use(self, purpose: CodePurpose, subject: str, code_hash: str, now: datetime) -> bool:
        code = self._live(purpose, subject, now)
        if code is None or code.code_hash != code_hash:
            return False
        self._t.codes[(purpose, subject)] = dataclasses.replace(code, used_at=now)
        return True

    async def count_wrong_attempt(self, purpose: CodePurpose, subject: str, now: datetime) -> Redemption:
        code = self._live(purpose, subject, now)
        if code is None:
            return Redemption.NO_LIVE_CODE
        self._t.codes[(purpose, subject)] = dataclasses.replace(code, attempts=code.attempts + 1)
        return Redemption.WRONG

    async def find(self, purpose: CodePurpose, subject: str) -> OneTimeCode | None:
        return self._t.codes.get((purpose, subject))


class FakeSecondFactors:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def list_for_account(self, account_id: str) -> list[EnrolledFactor]:
        found = [f for (owner, _), f in self._t.factors.items() if owner == account_id]
        return [copy.deepcopy(f) for f in sorted(found, key=lambda f: f.method.value)]

    async def get(self, account_id: str, method: FactorMethod) -> EnrolledFactor | None:
        return copy.deepcopy(self._t.factors.get((account_id, method)))

    async def put(self, factor: EnrolledFactor) -> None:
        self._t.factors[(factor.account_id, factor.method)] = copy.deepcopy(factor)

    async def claim_totp_step(self, account_id: str, step: int) -> bool:
        factor = self._t.factors.get((account_id, FactorMethod.TOTP))
        if factor is None or (factor.last_totp_step is not None and factor.last_totp_step >= step):
            return False
        factor.last_totp_step = step
        return True


class FakeRecoveryCodes:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def replace_all(self, account_id: str, code_hashes: list[str], ids: list[str], now: datetime) -> None:
        for code_id in [i for i, (owner, _, _) in self._t.recovery_codes.items() if owner == account_id]:
            del self._t.recovery_codes[code_id]
        for code_id, code_hash in zip(ids, code_hashes, strict=True):
            self._t.recovery_codes[code_id] = (account_id, code_hash, None)

    async def redeem(self, account_id: str, code_hash: str, now: datetime) -> bool:
        for code_id, (owner, stored, used_at) in self._t.recovery_codes.items():
            if owner == account_id and stored == code_hash and used_at is None:
                self._t.recovery_codes[code_id] = (owner, stored, now)
                return True
        return False

    async def count_unused(self, account_id: str) -> int:
        return sum(1 for owner, _, used in self._t.recovery_codes.values() if owner == account_id and used is None)


class FakeRateCounters:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def lock(self, limit_name: str, key: str, now: datetime) -> RateCounter:
        return copy.deepcopy(self._t.rate_counters.setdefault((limit_name, key), RateCounter(limit_name, key, now)))

    async def save(self, counter: RateCounter) -> None:
        self._t.rate_counters[(counter.limit_name, counter.key)] = copy.deepcopy(counter)


# --- invitations, practice-made accounts, self-registrations -----------------------------


class FakeInvitations:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, invitation: Invitation) -> None:
        self._t.invitations[invitation.id] = copy.deepcopy(invitation)

    async def get_by_token_hash(self, token_hash: str) -> Invitation | None:
        return copy.deepcopy(next((i for i in self._t.invitations.values() if i.token_hash == token_hash), None))

    async def get_by_token_hash_for_update(self, token_hash: str) -> Invitation | None:
        return await self.get_by_token_hash(token_hash)

    async def get_in_organisation_for_update(self, invitation_id: str, organisation_id: str) -> Invitation | None:
        found = self._t.invitations.get(invitation_id)
        return copy.deepcopy(found) if found and found.organisation_id == organisation_id else None

    async def list_for_organisation(self, organisation_id: str, *, staff: bool = False) -> list[Invitation]:
        found = [
            i
            for i in self._t.invitations.values()
            if i.organisation_id == organisation_id and i.is_staff_invitation is staff
        ]
        return [copy.deepcopy(i) for i in sorted(found, key=lambda i: i.created_at, reverse=True)]

    async def find_open_staff_invitation_for_update(
        self, organisation_id: str, email: str, now: datetime
    ) -> Invitation | None:
        found = [
            i
            for i in self._t.invitations.values()
            if i.organisation_id == organisation_id
            and i.email == email
            and i.is_staff_invitation
            and i.state_on(now) == "open"
        ]
        return copy.deepcopy(max(found, key=lambda i: i.created_at)) if found else None

    async def save(self, invitation: Invitation) -> None:
        self._t.invitations[invitation.id] = copy.deepcopy(invitation)


class FakeActivationLinks:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def replace(self, link: ActivationLink) -> None:
        self._t.activation_links[link.account_id] = copy.deepcopy(link)

    async def get_by_token_hash(self, token_hash: str) -> ActivationLink | None:
        found = next((lk for lk in self._t.activation_links.values() if lk.token_hash == token_hash), None)
        return copy.deepcopy(found)

    async def get_by_token_hash_for_update(self, token_hash: str) -> ActivationLink | None:
        return await self.get_by_token_hash(token_hash)

    async def save(self, link: ActivationLink) -> None:
        self._t.activation_links[link.account_id] = copy.deepcopy(link)


class FakeRegistrations:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, registration: Registration) -> None:
        self._t.registrations[registration.id] = copy.deepcopy(registration)

    async def get_in_organisation_for_update(self, registration_id: str, organisation_id: str) -> Registration | None:
        found = self._t.registrations.get(registration_id)
        return copy.deepcopy(found) if found and found.organisation_id == organisation_id else None

    async def get_by_token_hash_for_update(self, token_hash: str) -> Registration | None:
        return copy.deepcopy(next((r for r in self._t.registrations.values() if r.token_hash == token_hash), None))

    async def list_for_organisation(
        self, organisation_id: str, status: RegistrationStatus | None
    ) -> list[Registration]:
        found = [
            r
            for r in self._t.registrations.values()
            if r.organisation_id == organisation_id and (status is None or r.status is status)
        ]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r.requested_at)]

    async def save(self, registration: Registration) -> None:
        self._t.registrations[registration.id] = copy.deepcopy(registration)


# --- delegations ------------------------------------------------------------------------------


class FakeDelegations:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, delegation: Delegation) -> None:
        self._t.delegations[delegation.id] = copy.deepcopy(delegation)

    async def get(self, delegation_id: str) -> Delegation | None:
        return copy.deepcopy(self._t.delegations.get(delegation_id))

    async def get_for_update(self, delegation_id: str) -> Delegation | None:
        return copy.deepcopy(self._t.delegations.get(delegation_id))

    def _pair(self, person: str, delegate: str) -> list[Delegation]:
        return [
            d
            for d in self._t.delegations.values()
            if d.person_account_id == person and d.delegate_account_id == delegate
        ]

    async def find_open(self, person_account_id: str, delegate_account_id: str) -> Delegation | None:
        found = next((d for d in self._pair(person_account_id, delegate_account_id) if d.is_open), None)
        return copy.deepcopy(found)

    async def is_active(self, person_account_id: str, delegate_account_id: str) -> bool:
        return any(d.is_active for d in self._pair(person_account_id, delegate_account_id))

    def _involving(self, account_id: str) -> list[Delegation]:
        return [d for d in self._t.delegations.values() if account_id in (d.person_account_id, d.delegate_account_id)]

    async def list_involving(self, account_id: str) -> list[Delegation]:
        found = sorted(self._involving(account_id), key=lambda d: d.created_at, reverse=True)
        return [copy.deepcopy(d) for d in found]

    async def list_open_involving_for_update(self, account_id: str) -> list[Delegation]:
        return [copy.deepcopy(d) for d in self._involving(account_id) if d.is_open]

    async def list_open_parental_for_update(self, born_on_or_before: date) -> list[Delegation]:
        def born_by(account_id: str) -> bool:
            born = self._t.accounts[account_id].birth_date
            return born is not None and born <= born_on_or_before

        return [
            copy.deepcopy(d)
            for d in self._t.delegations.values()
            if d.kind is DelegationKind.PARENTAL
            and d.status in (DelegationStatus.ACTIVE, DelegationStatus.AWAITING_CONSENT)
            and born_by(d.person_account_id)
        ]

    async def save(self, delegation: Delegation) -> None:
        self._t.delegations[delegation.id] = copy.deepcopy(delegation)


class FakeAccessRequests:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def add(self, request: AccessRequest) -> None:
        if await self.find_pending(request.requester_account_id, request.child_key, request.child_birth_date):
            raise AccessRequestExists()
        self._t.access_requests[request.id] = copy.deepcopy(request)

    async def get(self, access_request_id: str, *, for_update: bool = False) -> AccessRequest | None:
        return copy.deepcopy(self._t.access_requests.get(access_request_id))

    async def find_pending(self, requester_account_id: str, child_key: str, child_birth_date: date) -> bool:
        return any(
            r.is_pending
            and r.requester_account_id == requester_account_id
            and r.child_key == child_key
            and r.child_birth_date == child_birth_date
            for r in self._t.access_requests.values()
        )

    async def count_pending(self, requester_account_id: str) -> int:
        return sum(
            1
            for r in self._t.access_requests.values()
            if r.is_pending and r.requester_account_id == requester_account_id
        )

    async def list_by_requester(self, requester_account_id: str, *, limit: int) -> list[AccessRequest]:
        found = [r for r in self._t.access_requests.values() if r.requester_account_id == requester_account_id]
        found.sort(key=lambda r: (r.requested_at, r.id), reverse=True)
        return [copy.deepcopy(r) for r in found[:limit]]

    async def list_for_organisation(
        self,
        organisation_id: str,
        status: AccessRequestStatus | None,
        *,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> AccessRequestPage:
        found = sorted(
            (
                r
                for r in self._t.access_requests.values()
                if r.organisation_id == organisation_id
                and (status is None or r.status is status)
                and (after is None or (r.requested_at, r.id) > after)
            ),
            key=lambda r: (r.requested_at, r.id),
        )
        items = [copy.deepcopy(r) for r in found[:limit]]
        return AccessRequestPage(items, encode_cursor(items[-1]) if len(found) > limit else None)

    async def save(self, request: AccessRequest) -> None:
        self._t.access_requests[request.id] = copy.deepcopy(request)


class FakePortalPreferences:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get(self, account_id: str) -> str | None:
        return self._t.portal_preferences.get(account_id)

    async def put(self, account_id: str, person_account_id: str) -> None:
        self._t.portal_preferences[account_id] = person_account_id

    async def forget(self, account_id: str, person_account_id: str) -> None:
        if self._t.portal_preferences.get(account_id) == person_account_id:
            del self._t.portal_preferences[account_id]


class FakeSecurityPolicies:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get(self, organisation_id: str | None) -> SecurityPolicy:
        return self._t.policies.get(organisation_id or "", self._t.default_policy)

    async def save(self, organisation_id: str, policy: SecurityPolicy) -> None:
        self._t.policies[organisation_id] = policy


# --- the unit of work --------------------------------------------------------------------------


class FakeDatabase:
    """Committed state, the events committed with it, and how many commits there were."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.events: list[DomainEvent] = []
        self.commits = 0
        #: Units of work open right now (a call to another service should see none).
        self.open_units = 0

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def events_of(self, kind: type[DomainEvent]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self._events: list[DomainEvent] = []
        self._open(Tables())

    def _open(self, working: Tables) -> None:
        self._working = working
        self.organisations = FakeOrganisations(working)
        self.accounts = FakeAccounts(working)
        self.client_links = FakeClientLinks(working)
        self.staff = FakeStaffDirectory(working)
        self.teams = FakeTeams(working)
        self.supervisions = FakeSupervisions(working)
        self.contact_changes = FakeContactChanges(working)
        self.secret_questions = FakeSecretQuestions(working)
        self.terms_acceptances = FakeTermsAcceptances(working)
        self.sessions = FakeSessions(working)
        self.refresh_tokens = FakeRefreshTokens(working)
        self.login_throttles = FakeLoginThrottles(working)
        self.login_challenges = FakeLoginChallenges(working)
        self.password_resets = FakePasswordResets(working)
        self.one_time_codes = FakeOneTimeCodes(working)
        self.second_factors = FakeSecondFactors(working)
        self.recovery_codes = FakeRecoveryCodes(working)
        self.rate_counters = FakeRateCounters(working)
        self.invitations = FakeInvitations(working)
        self.activation_links = FakeActivationLinks(working)
        self.registrations = FakeRegistrations(working)
        self.delegations = FakeDelegations(working)
        self.portal_preferences = FakePortalPreferences(working)
        self.access_requests = FakeAccessRequests(working)
        self.security_policies = FakeSecurityPolicies(working)

    async def __aenter__(self) -> Self:
        self._open(copy.deepcopy(self._database.tables))
        self._events = []
        self._database.open_units += 1
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open(Tables())  # whatever was not committed is gone
        self._events = []
        self._database.open_units -= 1

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    async def commit(self) -> None:
        self._database.tables = copy.deepcopy(self._working)
        self._database.events.extend(self._events)
        self._events = []
        self._database.commits += 1


def _uow_factory(database: FakeDatabase) -> Callable[[], UnitOfWork]:
    """The database's unit of work as the port the use cases take (checked by mypy)."""
    return database.unit_of_work


# --- messaging ------------------------------------------------------------------------------------


@dataclass
class FakeConversations:
    """Messaging as identity sees it (the :class:`~identity.service.ports.Conversations` port):
    conversations by id with their kind and the tokens of the people in them, and read links."""

    #: thread id → (kind, access tokens of its participants)
    threads: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    read_links: dict[str, ReadLink] = field(default_factory=dict)
    resolved: int = 0
    #: For each look at a conversation: how many units of work were open then.
    looked_with_open_units: list[int] = field(default_factory=list)
    database: FakeDatabase | None = None

    def add_thread(self, thread_id: str, kind: str = "chat", *, tokens: set[str] | None = None) -> None:
        self.threads[thread_id] = (kind, tokens if tokens is not None else {ANY_TOKEN})

    async def thread_kind(self, thread_id: str, access_token: str) -> str | None:
        if self.database is not None:
            self.looked_with_open_units.append(self.database.open_units)
        found = self.threads.get(thread_id)
        if found is None or not ({access_token, ANY_TOKEN} & found[1]):
            return None
        return found[0]

    async def resolve_read_link(self, token: str) -> ReadLink | None:
        self.resolved += 1
        return self.read_links.get(token)


#: A conversation every caller takes part in.
ANY_TOKEN = "*"


# --- credentials and keys ------------------------------------------------------------------------


class CountingHasher(PasswordHasher):
    """The real argon2id hasher at cheap parameters, counting password checks."""

    def __init__(self) -> None:
        super().__init__(**FAST_HASH)
        self.verifications = 0

    def verify(self, password_hash: str | None, password: str) -> bool:
        self.verifications += 1
        return super().verify(password_hash, password)


@dataclass
class FakeSigningKey:
    """A signing key of the test's own (the :class:`~identity.adapters.signing_keys.ActiveKey` port)."""

    active: SigningKey

    @classmethod
    def generate(cls) -> FakeSigningKey:
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return cls(SigningKey("kid-1", private, {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "kid-1"}))

    @property
    def jwks_json(self) -> str:
        return json.dumps({"keys": [self.active.public_jwk]})

    def verifier(self, *, audience: str = AUDIENCE) -> TokenVerifier:
        async def fetch() -> str:
            return self.jwks_json

        return TokenVerifier(JwksCache(fetch), issuer=ISSUER, audience=audience)


# --- the use cases, wired as the composition root wires them -------------------------------------


@dataclass
class World:
    """Every use case over one fake database and one settable clock."""

    database: FakeDatabase
    clock: SettableClock
    hasher: CountingHasher
    key: FakeSigningKey
    codes: OneTimeCodes
    factors: SecondFactors
    auth: Authentication
    resets: PasswordResets
    sessions: Sessions
    invitations: Invitations
    client_accounts: ClientAccounts
    registrations: Registrations
    profiles: Profiles
    delegations: Delegations
    access_requests: AccessRequests
    organisations: Organisations
    staff: StaffManagement
    teams: Teams
    supervisions: Supervisions
    conversations: FakeConversations
    secure_mail_access: SecureMailAccess

    @property
    def tables(self) -> Tables:
        return self.database.tables

    def add_organisation(
        self,
        name: str = "Gemeente Vlaardingen",
        *,
        organisation_id: str = "org-1",
        kind: OrganisationKind = OrganisationKind.OTHER,
    ) -> Organisation:
        organisation = Organisation(organisation_id, name, kind)
        self.tables.organisations[organisation.id] = organisation
        return organisation

    async def principal(self, login_name: str, password: str) -> Principal:
        """Logs an account without a second factor in; answers who its access token says it is."""
        tokens = await self.auth.do_login(login_name, password, ClientInfo())
        assert isinstance(tokens, Tokens), "the account was asked for a second factor"
        # Signed by the world's key; issued at the world's (perhaps pinned) time, so the
        # expiry is not judged by the machine's clock.
        claims = jwt.decode(
            tokens.access_token,
            key=self.key.active.private_key.public_key(),
            algorithms=["EdDSA"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        return principal_from_claims(claims)

    def add_account(
        self,
        email: str,
        *,
        password: str | None = None,
        role: Role = Role.STAFF,
        organisation_id: str | None = "org-1",
        status: AccountStatus = AccountStatus.ACTIVE,
        roles: frozenset[Role] | None = None,
        account_id: str | None = None,
        **extra: Any,
    ) -> Account:
        account = Account(
            id=account_id or f"account-{email.split('@')[0]}",
            email=email,
            display_name=extra.pop("display_name", "Anna de Vries"),
            password_hash=self.hasher.hash(password) if password is not None else None,
            organisation_id=organisation_id,
            roles=roles if roles is not None else frozenset({role}),
            status=status,
            **extra,
        )
        self.tables.accounts[account.id] = account
        return account


def make_world(*, now: datetime | None = None) -> World:
    database = FakeDatabase()
    clock = SettableClock(now)
    hasher = CountingHasher()
    key = FakeSigningKey.generate()
    uow = _uow_factory(database)
    access_tokens = AccessTokenIssuer(key, issuer=ISSUER, audience=AUDIENCE, ttl=timedelta(minutes=15))
    codes = OneTimeCodes(uow, CodeHasher(b"a test key of at least sixteen bytes"), clock=clock)
    factors = SecondFactors(
        uow, codes, KeyEncryption("test-second-factor-key"), totp_issuer="Zorgpost", hasher=hasher, clock=clock
    )
    auth = Authentication(
        uow=uow,
        hasher=hasher,
        access_tokens=access_tokens,
        session_idle_ttl=timedelta(days=7),
        session_absolute_ttl=timedelta(days=30),
        factors=factors,
        clock=clock,
    )
    conversations = FakeConversations(database=database)
    return World(
        database=database,
        clock=clock,
        hasher=hasher,
        key=key,
        codes=codes,
        factors=factors,
        auth=auth,
        resets=PasswordResets(uow, hasher, factors, link_lifetime=timedelta(hours=1), clock=clock),
        sessions=Sessions(uow, clock=clock),
        invitations=Invitations(uow, hasher, auth, conversations, clock=clock),
        client_accounts=ClientAccounts(uow, hasher, clock=clock),
        registrations=Registrations(uow, hasher, codes, clock=clock),
        profiles=Profiles(uow, codes, hasher, clock=clock),
        delegations=Delegations(uow, access_tokens, clock=clock),
        access_requests=AccessRequests(uow, clock=clock),
        organisations=Organisations(uow, clock=clock),
        staff=StaffManagement(uow, clock=clock),
        teams=Teams(uow, clock=clock),
        supervisions=Supervisions(uow, clock=clock),
        conversations=conversations,
        secure_mail_access=SecureMailAccess(uow, codes, conversations, access_tokens, clock=clock),
    )
