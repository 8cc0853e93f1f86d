"""Identity's unit of work: the kit's transaction + outbox, with identity's repositories
(implements :class:`identity.service.ports.UnitOfWork`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.repositories.access_requests import SqlAccessRequestRepository
from identity.adapters.repositories.accounts import (
    SqlAccountRepository,
    SqlClientLinkRepository,
    SqlContactChangeRepository,
    SqlOrganisationRepository,
    SqlSecretQuestionRepository,
    SqlTermsAcceptanceRepository,
)
from identity.adapters.repositories.client_accounts import SqlActivationLinkRepository
from identity.adapters.repositories.codes import (
    SqlOneTimeCodeRepository,
    SqlRateCounterRepository,
    SqlRecoveryCodeRepository,
    SqlSecondFactorRepository,
)
from identity.adapters.repositories.delegations import SqlDelegationRepository, SqlPortalPreferenceRepository
from identity.adapters.repositories.invitations import SqlInvitationRepository
from identity.adapters.repositories.registrations import SqlRegistrationRepository
from identity.adapters.repositories.security_policies import SqlSecurityPolicyRepository
from identity.adapters.repositories.sessions import (
    SqlLoginChallengeRepository,
    SqlLoginThrottleRepository,
    SqlPasswordResetRepository,
    SqlRefreshTokenRepository,
    SqlSessionRepository,
)
from identity.adapters.repositories.staff import SqlStaffDirectory
from identity.adapters.repositories.supervisions import SqlSupervisionRepository
from identity.adapters.repositories.teams import SqlTeamRepository
from identity.domain.contact_details import AccountContactDetailsChanged
from zorgpost_kit.calendar import utcnow
from zorgpost_kit.db import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    # accounts and profile
    organisations: SqlOrganisationRepository
    accounts: SqlAccountRepository
    client_links: SqlClientLinkRepository
    # organisations: staff, teams and supervision
    staff: SqlStaffDirectory
    teams: SqlTeamRepository
    supervisions: SqlSupervisionRepository
    contact_changes: SqlContactChangeRepository
    secret_questions: SqlSecretQuestionRepository
    terms_acceptances: SqlTermsAcceptanceRepository
    # authentication and sessions
    sessions: SqlSessionRepository
    refresh_tokens: SqlRefreshTokenRepository
    login_throttles: SqlLoginThrottleRepository
    login_challenges: SqlLoginChallengeRepository
    password_resets: SqlPasswordResetRepository
    # one-time codes, second factors and sending limits
    one_time_codes: SqlOneTimeCodeRepository
    second_factors: SqlSecondFactorRepository
    recovery_codes: SqlRecoveryCodeRepository
    rate_counters: SqlRateCounterRepository
    # invitations
    invitations: SqlInvitationRepository
    # practice-made accounts and self-registrations
    activation_links: SqlActivationLinkRepository
    registrations: SqlRegistrationRepository
    # delegations
    delegations: SqlDelegationRepository
    portal_preferences: SqlPortalPreferenceRepository
    access_requests: SqlAccessRequestRepository
    # security policy
    security_policies: SqlSecurityPolicyRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.organisations = SqlOrganisationRepository(session)
        self.accounts = SqlAccountRepository(session)
        self.client_links = SqlClientLinkRepository(session)
        self.staff = SqlStaffDirectory(session)
        self.teams = SqlTeamRepository(session)
        self.supervisions = SqlSupervisionRepository(session)
        self.contact_changes = SqlContactChangeRepository(session)
        self.secret_questions = SqlSecretQuestionRepository(session)
        self.terms_acceptances = SqlTermsAcceptanceRepository(session)
        self.sessions = SqlSessionRepository(session)
        self.refresh_tokens = SqlRefreshTokenRepository(session)
        self.login_throttles = SqlLoginThrottleRepository(session)
        self.login_challenges = SqlLoginChallengeRepository(session)
        self.password_resets = SqlPasswordResetRepository(session)
        self.one_time_codes = SqlOneTimeCodeRepository(session)
        self.second_factors = SqlSecondFactorRepository(session)
        self.recovery_codes = SqlRecoveryCodeRepository(session)
        self.rate_counters = SqlRateCounterRepository(session)
        self.invitations = SqlInvitationRepository(session)
        self.activation_links = SqlActivationLinkRepository(session)
        self.registrations = SqlRegistrationRepository(session)
        self.delegations = SqlDelegationRepository(session)
        self.portal_preferences = SqlPortalPreferenceRepository(session)
        self.access_requests = SqlAccessRequestRepository(session)
        self.security_policies = SqlSecurityPolicyRepository(session)

    async def commit(self) -> None:
        """Commits, announcing with the change the new contact details of every account
        whose address, number, language, name, roles or status this unit of work changed
        (whichever use case changed them), or whose organisation it renamed."""
        for organisation_id in sorted(self.organisations.renamed):
            self.accounts.contact_details_changed |= await self.accounts.ids_in_organisation(organisation_id)
        self.organisations.renamed = set()
        changed, self.accounts.contact_details_changed = sorted(self.accounts.contact_details_changed), set()
        now = utcnow()
        for account_id in changed:
            account = await self.accounts.get(account_id)
            if account is None:
                continue
            organisation = await self.organisations.get(account.organisation_id) if account.organisation_id else None
            self.emit(AccountContactDetailsChanged.of(account, organisation, now))
        await super().commit()

    async def rollback(self) -> None:
        self.accounts.contact_details_changed = set()
        self.organisations.renamed = set()
        await super().rollback()
