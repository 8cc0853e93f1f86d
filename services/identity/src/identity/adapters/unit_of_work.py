"""Identity's unit of work: the kit's transaction + outbox, with identity's repositories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.journey_repositories import (
    AccountChangeRepository,
    ActivationLinkRepository,
    ContactChangeRepository,
    DelegationRepository,
    InvitationRepository,
    PortalPreferenceRepository,
    RegistrationRepository,
    SecretQuestionRepository,
    TermsAcceptanceRepository,
)
from identity.adapters.repositories import (
    AccountRepository,
    OrganisationRepository,
    RefreshTokenRepository,
    SessionRepository,
)
from identity.adapters.security_repositories import (
    CredentialRepository,
    DeviceRepository,
    LoginChallengeRepository,
    LoginThrottleRepository,
    OneTimeCodeRepository,
    PasswordResetRepository,
    RecoveryCodeRepository,
    SecondFactorRepository,
    SecurityPolicyRepository,
)
from zorgpost_kit.db import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    organisations: OrganisationRepository
    accounts: AccountRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    # security (issue 3 part A)
    security_policies: SecurityPolicyRepository
    one_time_codes: OneTimeCodeRepository
    login_throttles: LoginThrottleRepository
    second_factors: SecondFactorRepository
    recovery_codes: RecoveryCodeRepository
    login_challenges: LoginChallengeRepository
    password_resets: PasswordResetRepository
    credentials: CredentialRepository
    devices: DeviceRepository
    # journeys (issue 3 part B)
    account_changes: AccountChangeRepository
    invitations: InvitationRepository
    activation_links: ActivationLinkRepository
    secret_questions: SecretQuestionRepository
    terms_acceptances: TermsAcceptanceRepository
    registrations: RegistrationRepository
    contact_changes: ContactChangeRepository
    delegations: DelegationRepository
    portal_preferences: PortalPreferenceRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.organisations = OrganisationRepository(session)
        self.accounts = AccountRepository(session)
        self.sessions = SessionRepository(session)
        self.refresh_tokens = RefreshTokenRepository(session)
        # security (issue 3 part A)
        self.security_policies = SecurityPolicyRepository(session)
        self.one_time_codes = OneTimeCodeRepository(session)
        self.login_throttles = LoginThrottleRepository(session)
        self.second_factors = SecondFactorRepository(session)
        self.recovery_codes = RecoveryCodeRepository(session)
        self.login_challenges = LoginChallengeRepository(session)
        self.password_resets = PasswordResetRepository(session)
        self.credentials = CredentialRepository(session)
        self.devices = DeviceRepository(session)
        # journeys (issue 3 part B)
        self.account_changes = AccountChangeRepository(session)
        self.invitations = InvitationRepository(session)
        self.activation_links = ActivationLinkRepository(session)
        self.secret_questions = SecretQuestionRepository(session)
        self.terms_acceptances = TermsAcceptanceRepository(session)
        self.registrations = RegistrationRepository(session)
        self.contact_changes = ContactChangeRepository(session)
        self.delegations = DelegationRepository(session)
        self.portal_preferences = PortalPreferenceRepository(session)
