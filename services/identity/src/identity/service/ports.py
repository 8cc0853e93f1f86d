"""What identity's use cases need from the outside world, as ``typing.Protocol``s.

The use cases depend on these ports only; ``identity.adapters`` implements them over
PostgreSQL (and argon2, Ed25519, AES-GCM), and the unit tests with the in-memory fakes of
``tests/unit/identity/fakes.py``. Grouped as the use cases are: accounts and profile,
organisations (staff, teams, supervision), authentication and sessions, one-time codes and
second factors, invitations, practice-made accounts and self-registrations, delegations,
security policy.

Methods ending in ``_for_update`` lock what they return until the unit of work ends, so
concurrent requests on the same thing are judged one after the other.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from identity.domain.access_requests import AccessRequest, AccessRequestPage, AccessRequestStatus
from identity.domain.accounts import Account, AccountStatus, ClientLink, Organisation, OrganisationStatus, Role
from identity.domain.authentication import LoginChallenge, PasswordReset
from identity.domain.client_accounts import ActivationLink, SecretQuestion
from identity.domain.codes import CodePurpose, OneTimeCode, Redemption
from identity.domain.delegations import Delegation
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
from zorgpost_kit.events import DomainEvent

# --- accounts and profile ------------------------------------------------------------------


class OrganisationRepository(Protocol):
    async def add(self, organisation: Organisation) -> None: ...

    async def get(self, organisation_id: str) -> Organisation | None: ...

    async def get_for_update(self, organisation_id: str) -> Organisation | None: ...

    async def get_many(self, organisation_ids: set[str]) -> dict[str, Organisation]: ...

    async def find_by_name(self, name: str) -> Organisation | None: ...

    async def list_all(self) -> list[Organisation]:
        """By name."""

    async def rename(self, organisation_id: str, name: str) -> None: ...

    async def set_status(self, organisation_id: str, status: OrganisationStatus) -> None: ...


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None:
        """Stores a new account (e-mail address and username lower-cased)."""

    async def get(self, account_id: str) -> Account | None: ...

    async def get_for_update(self, account_id: str) -> Account | None: ...

    async def get_many(self, account_ids: set[str]) -> dict[str, Account]: ...

    async def list_clients_born_on(self, organisation_id: str, born: date) -> list[Account]:
        """The people (not staff, not disabled) whose home is the organisation and who were
        born on the day, by name."""

    async def find_for_login(self, login_name: str) -> Account | None:
        """By username or e-mail address, case-insensitively."""

    async def mobile_in_use(self, mobile: str, *, except_account_id: str | None = None) -> bool: ...

    async def save_profile(self, account: Account) -> None:
        """Stores names, language, country, e-mail and mobile as they are on ``account``."""

    async def set_status(self, account_id: str, status: AccountStatus) -> None: ...

    async def set_password(self, account_id: str, password_hash: str, *, must_change: bool) -> None: ...

    async def set_username(self, account_id: str, username: str | None) -> None:
        """Lower-cased; None removes it."""

    async def set_membership(self, account_id: str, organisation_id: str | None, roles: frozenset[Role]) -> None:
        """The organisation the account signs in with (its home) and its roles there."""


class ClientLinkRepository(Protocol):
    """The organisations that serve a person (see :mod:`identity.domain.accounts`)."""

    async def add(self, link: ClientLink) -> None:
        """Links the person to the organisation (a link that exists stays as it is)."""

    async def list_for_account(self, account_id: str) -> list[ClientLink]:
        """Oldest first."""


# --- organisations: staff, teams and supervision -----------------------------------------------


class StaffDirectory(Protocol):
    async def list_for_organisation(self, organisation_id: str) -> list[StaffListing]:
        """Every staff account of the organisation, deactivated ones too, by name."""

    async def get_in_organisation_for_update(self, account_id: str, organisation_id: str) -> Account | None:
        """The staff account (active or deactivated) of the organisation, locked."""

    async def administrators_for_update(self, organisation_id: str) -> set[str]:
        """The ids of the organisation's active administrators, locked."""

    async def active_ids(self, organisation_id: str, account_ids: set[str]) -> set[str]:
        """Which of ``account_ids`` are active staff of the organisation."""

    async def active_with_emails(self, organisation_id: str, emails: set[str], roles: frozenset[str]) -> list[Account]:
        """The active staff of the organisation with one of ``emails`` (lower-cased; any case
        matches) who hold one of ``roles``."""

    async def active_ids_of_organisation_for_update(self, organisation_id: str) -> list[str]: ...


class TeamRepository(Protocol):
    async def add(self, team: Team) -> None: ...

    async def get_in_organisation_for_update(self, team_id: str, organisation_id: str) -> Team | None: ...

    async def find_by_name(self, organisation_id: str, name: str) -> Team | None:
        """Case-insensitively."""

    async def list_for_organisation(self, organisation_id: str) -> list[Team]:
        """By name."""

    async def save(self, team: Team) -> None:
        """Its name and members as they are on ``team``."""

    async def delete(self, team_id: str) -> None: ...

    async def remove_member_everywhere(self, account_id: str) -> None: ...


class SupervisionRepository(Protocol):
    async def get_for_update(self, supervisor_id: str, supervised_id: str) -> Supervision | None: ...

    async def add(self, supervision: Supervision) -> None: ...

    async def set_themes(self, supervisor_id: str, supervised_id: str, themes: tuple[str, ...]) -> None: ...

    async def remove(self, supervisor_id: str, supervised_id: str) -> None: ...

    async def list_supervised_by(self, supervisor_id: str) -> list[Supervision]: ...

    async def list_supervisors_of(self, supervised_id: str) -> list[Supervision]: ...


class ContactChangeRepository(Protocol):
    async def replace(self, change: ContactChange) -> None:
        """``change`` becomes the account's one pending change of its kind."""

    async def take_by_token_hash(self, token_hash: str) -> ContactChange | None:
        """Removes and returns the e-mail change of this link: a link confirms once."""

    async def take(self, account_id: str, kind: ContactKind) -> ContactChange | None: ...

    async def list_for_account(self, account_id: str) -> list[ContactChange]: ...


class SecretQuestionRepository(Protocol):
    async def put(self, question: SecretQuestion) -> None: ...

    async def get(self, account_id: str) -> SecretQuestion | None: ...


class TermsAcceptanceRepository(Protocol):
    async def add_all(self, records: list[Acceptance]) -> None: ...


# --- authentication and sessions -------------------------------------------------------------


class SessionRepository(Protocol):
    """Sessions, also as the person sees them: the devices signed in to their account."""

    async def add(self, device: Session) -> None: ...

    async def get_for_update(self, session_id: str) -> Session | None: ...

    async def save(self, device: Session) -> None: ...

    async def is_active(self, session_id: str, now: datetime) -> bool: ...

    async def list_active_for_account(self, account_id: str, now: datetime) -> list[Session]:
        """Most recently used first."""

    async def revoke(self, account_id: str, session_id: str, now: datetime) -> bool:
        """Revokes one of the account's active sessions; False when it has no such session."""

    async def revoke_all_except(self, account_id: str, keep_session_id: str | None, now: datetime) -> list[str]:
        """Revokes every active session of the account but ``keep_session_id``; their ids."""

    async def touch(self, session_id: str, now: datetime) -> None:
        """Records that the device was just used."""


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def account_id_for(self, token_hash: str) -> str | None: ...

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: str, now: datetime) -> None: ...


class LoginThrottleRepository(Protocol):
    async def lock(self, login_name: str, now: datetime) -> LoginThrottle:
        """The throttle of ``login_name`` (a fresh one if none), locked."""

    async def save(self, throttle: LoginThrottle) -> None: ...


class LoginChallengeRepository(Protocol):
    async def add(self, challenge: LoginChallenge) -> None: ...

    async def account_id_of(self, challenge_id: str) -> str | None: ...

    async def get_for_update(self, challenge_id: str) -> LoginChallenge | None: ...

    async def save(self, challenge: LoginChallenge) -> None: ...


class PasswordResetRepository(Protocol):
    async def add(self, reset: PasswordReset) -> None: ...

    async def account_id_of(self, token_hash: str) -> str | None: ...

    async def get_by_token_hash_for_update(self, token_hash: str) -> PasswordReset | None: ...

    async def save(self, reset: PasswordReset) -> None: ...

    async def end_all_for_account(self, account_id: str, now: datetime) -> None: ...


# --- one-time codes, second factors and sending limits ---------------------------------------


class OneTimeCodeRepository(Protocol):
    async def replace(self, code: OneTimeCode) -> None:
        """``code`` becomes the one live code of its purpose and subject."""

    async def use(self, purpose: CodePurpose, subject: str, code_hash: str, now: datetime) -> bool:
        """Uses the live code when ``code_hash`` matches it; exactly once under concurrency."""

    async def count_wrong_attempt(self, purpose: CodePurpose, subject: str, now: datetime) -> Redemption:
        """WRONG (counted against the live code), or NO_LIVE_CODE."""

    async def find(self, purpose: CodePurpose, subject: str) -> OneTimeCode | None:
        """The stored code of (purpose, subject), live or not (to say why it is not)."""


class SecondFactorRepository(Protocol):
    async def list_for_account(self, account_id: str) -> list[EnrolledFactor]: ...

    async def get(self, account_id: str, method: FactorMethod) -> EnrolledFactor | None: ...

    async def put(self, factor: EnrolledFactor) -> None:
        """Stores a (re-)enrolment, replacing an earlier one of the same method."""

    async def claim_totp_step(self, account_id: str, step: int) -> bool:
        """False when ``step`` (or a later one) was used already."""


class RecoveryCodeRepository(Protocol):
    async def replace_all(self, account_id: str, code_hashes: list[str], ids: list[str], now: datetime) -> None: ...

    async def redeem(self, account_id: str, code_hash: str, now: datetime) -> bool: ...

    async def count_unused(self, account_id: str) -> int: ...


class RateCounterRepository(Protocol):
    async def lock(self, limit_name: str, key: str, now: datetime) -> RateCounter:
        """The counter of ``limit_name`` for ``key`` (a fresh one if none), locked."""

    async def save(self, counter: RateCounter) -> None: ...


# --- invitations ------------------------------------------------------------------------------


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> None: ...

    async def get_by_token_hash(self, token_hash: str) -> Invitation | None: ...

    async def get_by_token_hash_for_update(self, token_hash: str) -> Invitation | None: ...

    async def get_in_organisation_for_update(self, invitation_id: str, organisation_id: str) -> Invitation | None: ...

    async def list_for_organisation(self, organisation_id: str, *, staff: bool = False) -> list[Invitation]:
        """Newest first: invitations into conversations, or (``staff``) into the staff."""

    async def find_open_staff_invitation_for_update(
        self, organisation_id: str, email: str, now: datetime
    ) -> Invitation | None: ...

    async def save(self, invitation: Invitation) -> None: ...


# --- practice-made accounts and self-registrations ------------------------------------------


class ActivationLinkRepository(Protocol):
    async def replace(self, link: ActivationLink) -> None:
        """``link`` becomes the account's one activation link."""

    async def get_by_token_hash(self, token_hash: str) -> ActivationLink | None: ...

    async def get_by_token_hash_for_update(self, token_hash: str) -> ActivationLink | None: ...

    async def save(self, link: ActivationLink) -> None: ...


class RegistrationRepository(Protocol):
    async def add(self, registration: Registration) -> None: ...

    async def get_in_organisation_for_update(
        self, registration_id: str, organisation_id: str
    ) -> Registration | None: ...

    async def get_by_token_hash_for_update(self, token_hash: str) -> Registration | None: ...

    async def list_for_organisation(
        self, organisation_id: str, status: RegistrationStatus | None
    ) -> list[Registration]:
        """Oldest first."""

    async def save(self, registration: Registration) -> None: ...


# --- delegations --------------------------------------------------------------------------------


class DelegationRepository(Protocol):
    async def add(self, delegation: Delegation) -> None: ...

    async def get(self, delegation_id: str) -> Delegation | None: ...

    async def get_for_update(self, delegation_id: str) -> Delegation | None: ...

    async def find_open(self, person_account_id: str, delegate_account_id: str) -> Delegation | None: ...

    async def is_active(self, person_account_id: str, delegate_account_id: str) -> bool: ...

    async def list_involving(self, account_id: str) -> list[Delegation]:
        """Every delegation for or by the account, newest first (ended ones too)."""

    async def list_open_involving_for_update(self, account_id: str) -> list[Delegation]: ...

    async def list_open_parental_for_update(self, born_on_or_before: date) -> list[Delegation]:
        """Open parental delegations whose person was born on or before the day, locked;
        rows another worker holds are skipped."""

    async def save(self, delegation: Delegation) -> None: ...


class AccessRequestRepository(Protocol):
    """Parents' requests for access to a child's portal."""

    async def add(self, request: AccessRequest) -> None: ...

    async def get(self, access_request_id: str, *, for_update: bool = False) -> AccessRequest | None: ...

    async def find_pending(self, requester_account_id: str, child_key: str, child_birth_date: date) -> bool:
        """Whether the parent has a pending request for this child (name key and birth date)."""

    async def count_pending(self, requester_account_id: str) -> int:
        """How many of the parent's requests wait for a decision."""

    async def list_by_requester(self, requester_account_id: str, *, limit: int) -> list[AccessRequest]:
        """Newest first."""

    async def list_for_organisation(
        self,
        organisation_id: str,
        status: AccessRequestStatus | None,
        *,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> AccessRequestPage:
        """Oldest first, from after the keyset position (requested at, id)."""

    async def save(self, request: AccessRequest) -> None: ...


class PortalPreferenceRepository(Protocol):
    async def get(self, account_id: str) -> str | None: ...

    async def put(self, account_id: str, person_account_id: str) -> None: ...

    async def forget(self, account_id: str, person_account_id: str) -> None:
        """The account opens its own portal again if it preferred this person's."""


# --- security policy ------------------------------------------------------------------------------


class SecurityPolicyRepository(Protocol):
    async def get(self, organisation_id: str | None) -> SecurityPolicy:
        """The organisation's policy; the default one outside any (or an unknown) organisation."""

    async def save(self, organisation_id: str, policy: SecurityPolicy) -> None: ...


# --- the unit of work ------------------------------------------------------------------------------


class UnitOfWork(Protocol):
    """One transaction: ``async with uow_factory() as uow: ...; uow.emit(event); await uow.commit()``.
    Events are stored with the change (the outbox); leaving without commit rolls back."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, event: DomainEvent) -> None: ...

    async def commit(self) -> None: ...

    @property
    def organisations(self) -> OrganisationRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def client_links(self) -> ClientLinkRepository: ...

    @property
    def staff(self) -> StaffDirectory: ...

    @property
    def teams(self) -> TeamRepository: ...

    @property
    def supervisions(self) -> SupervisionRepository: ...

    @property
    def contact_changes(self) -> ContactChangeRepository: ...

    @property
    def secret_questions(self) -> SecretQuestionRepository: ...

    @property
    def terms_acceptances(self) -> TermsAcceptanceRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...

    @property
    def login_throttles(self) -> LoginThrottleRepository: ...

    @property
    def login_challenges(self) -> LoginChallengeRepository: ...

    @property
    def password_resets(self) -> PasswordResetRepository: ...

    @property
    def one_time_codes(self) -> OneTimeCodeRepository: ...

    @property
    def second_factors(self) -> SecondFactorRepository: ...

    @property
    def recovery_codes(self) -> RecoveryCodeRepository: ...

    @property
    def rate_counters(self) -> RateCounterRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def activation_links(self) -> ActivationLinkRepository: ...

    @property
    def registrations(self) -> RegistrationRepository: ...

    @property
    def delegations(self) -> DelegationRepository: ...

    @property
    def portal_preferences(self) -> PortalPreferenceRepository: ...

    @property
    def access_requests(self) -> AccessRequestRepository: ...

    @property
    def security_policies(self) -> SecurityPolicyRepository: ...


# --- other services ---------------------------------------------------------------------------------


class Conversations(Protocol):
    """Messaging, as identity needs it: invitations go into its conversations, and a secure
    mail's read link is messaging's."""

    async def thread_kind(self, thread_id: str, access_token: str) -> str | None:
        """The kind of conversation ("chat", "secure_mail", …) when the caller whose token
        this is takes part in it; None when it does not exist or they do not. Raises
        ``Unavailable`` when messaging does not answer."""

    async def resolve_read_link(self, token: str) -> ReadLink | None:
        """What a "Bericht lezen" link opens; None when it is unknown, expired or withdrawn."""


# --- credentials and tokens ------------------------------------------------------------------------


class PasswordHasher(Protocol):
    """A slow, salted hash for passwords and secret answers (argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password and for no hash at all, at the same cost."""

    def needs_rehash(self, password_hash: str) -> bool: ...


class AccessTokens(Protocol):
    """Signs the short-lived access tokens every service verifies."""

    @property
    def ttl(self) -> timedelta:
        """How long an access token lives."""

    def issue(
        self,
        *,
        subject_id: str,
        session_id: str,
        roles: frozenset[str],
        organisation: tuple[str, str] | None,
        actor_id: str | None = None,
        now: datetime | None = None,
        password_change_required: bool = False,
        organisation_kind: str | None = None,
        display_name: str = "",
    ) -> str: ...

    def issue_guest(
        self, *, participant_id: str, thread_id: str, session_id: str, now: datetime, expires_at: datetime
    ) -> str:
        """A guest token: ``sub`` = the guest participant, ``roles: ["guest"]``, ``thread`` =
        the one thread it reaches; no organisation, never acting for anyone."""


class Sealing(Protocol):
    """Authenticated encryption of a secret at rest, bound to ``associated`` (an id)."""

    def encrypt(self, plaintext: bytes, associated: str) -> bytes: ...

    def decrypt(self, blob: bytes, associated: str) -> bytes: ...
