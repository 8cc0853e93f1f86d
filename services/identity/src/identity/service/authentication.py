"""Use cases of logging in and out: password check with brute-force throttling, the
second-factor step, sessions, token rotation, and the forced password change."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.accounts import Account, Me
from identity.domain.authentication import AccountLocked, LoginChallenge, PasswordChanged
from identity.domain.codes import CodePurpose
from identity.domain.errors import (
    AccountNotFound,
    CodeNoLongerValid,
    IncorrectCode,
    InvalidCredentials,
    InvalidRefreshToken,
    LoginChallengeEnded,
    SessionEnded,
    TooManyAttempts,
    WrongPassword,
)
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.policy import PasswordRule, check_new_password
from identity.domain.rate_limits import retry_after_seconds
from identity.domain.second_factors import FactorMethod
from identity.domain.sessions import AccessRevoked, RefreshToken, RevocationReason, Session
from identity.domain.throttle import can_be_login_name, normalise_login_name
from identity.service.callers import active_account, check_delegation_behind, organisation_of
from identity.service.ports import AccessTokens, PasswordHasher, UnitOfWork
from identity.service.second_factors import SecondFactors
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.logging import get_logger
from zorgpost_kit.validation import check_required

log = get_logger(__name__)


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    #: The account the tokens were issued to.
    account_id: str = ""
    token_type: str = "Bearer"


@dataclass(frozen=True)
class Challenge:
    """The password was right; the login continues with ``method``'s code."""

    challenge_id: str
    method: FactorMethod


def hash_refresh_token(token: str) -> str:
    # A refresh token is 256 random bits: a fast hash is enough, there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def check_credentials(username: str, password: str) -> Credentials:
    errors = FieldErrors()
    if not username.strip():
        errors.add("username", "is required")
    if not password:
        errors.add("password", "is required")
    errors.raise_if_any()
    return Credentials(username, password)


@dataclass(frozen=True)
class ChallengeAnswer:
    challenge_id: str
    code: str


def check_challenge_answer(challenge_id: str, code: str) -> ChallengeAnswer:
    errors = FieldErrors()
    check_required(errors, challenge_id=challenge_id, code=code)
    errors.raise_if_any()
    return ChallengeAnswer(challenge_id, code)


def check_challenge_id(challenge_id: str) -> str:
    errors = FieldErrors()
    check_required(errors, challenge_id=challenge_id)
    errors.raise_if_any()
    return challenge_id


def check_refresh_token(refresh_token: str) -> str:
    errors = FieldErrors()
    check_required(errors, refresh_token=refresh_token)
    errors.raise_if_any()
    return refresh_token


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str


def check_password_change(current_password: str, new_password: str) -> PasswordChange:
    """Both passwords given (the new one's rules are the organisation's, checked later)."""
    errors = FieldErrors()
    check_required(errors, current_password=current_password, new_password=new_password)
    errors.raise_if_any()
    return PasswordChange(current_password, new_password)


@dataclass
class Authentication:
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    access_tokens: AccessTokens
    session_idle_ttl: timedelta
    session_absolute_ttl: timedelta
    factors: SecondFactors
    clock: Clock = utcnow

    async def do_login(self, username: str, password: str, client: ClientInfo) -> Tokens | Challenge:
        """Checks the password; answers tokens, or a challenge when a second factor is
        required (its SMS or e-mail code is then sent).

        Raises :class:`InvalidCredentials` for a wrong password, an unknown account and an
        account that may not log in alike, and :class:`TooManyAttempts` while the login
        name must wait after repeated failures (known name or not), so the answers reveal
        nothing about which accounts exist. Attempts on one name are judged one at a time
        on every instance (a row lock), so parallel guesses cannot outrun the count.
        """
        credentials = check_credentials(username, password)
        now = self.clock()
        async with self.uow() as uow:
            throttle = await uow.login_throttles.lock(normalise_login_name(credentials.username), now)
            wait = throttle.wait(now)
            if wait > timedelta(0):
                raise TooManyAttempts(retry_after_seconds=retry_after_seconds(wait))
            account = (
                await uow.accounts.find_for_login(credentials.username)
                if can_be_login_name(credentials.username)
                else None
            )
            password_ok = self.hasher.verify(account.password_hash if account else None, credentials.password)
            if account is None or not password_ok or not account.can_log_in:
                # An unknown name is throttled by the default policy, a known one by its own.
                policy = await uow.security_policies.get(account.organisation_id if account else None)
                if throttle.do_record_failure(policy, now) and account is not None:
                    assert throttle.locked_until is not None
                    uow.emit(
                        AccountLocked(
                            **OrganisationNotice.sender(await organisation_of(uow, account)),
                            recipient=Recipient.of(account),
                            locked_until=throttle.locked_until,
                        )
                    )
                await uow.login_throttles.save(throttle)
                await uow.commit()
                log.info("login_refused", account_known=account is not None)
                raise InvalidCredentials()
            throttle.do_record_success()
            await uow.login_throttles.save(throttle)
            assert account.password_hash is not None
            if self.hasher.needs_rehash(account.password_hash):
                await uow.accounts.set_password(
                    account.id, self.hasher.hash(credentials.password), must_change=account.must_change_password
                )
            method = await self.factors.method_for(uow, account)
            if method is not None:
                challenge = await self._start_challenge(uow, account, method)
                await uow.commit()
                log.info("login_challenged", account_id=account.id, method=method.value)
                return challenge
            tokens = await self._open_session(uow, account, client)
            await uow.commit()
        log.info("login_succeeded", account_id=account.id)
        return tokens

    async def do_verify_challenge(self, challenge_id: str, code: str, client: ClientInfo) -> Tokens:
        """Completes a login with the second factor's code (or a recovery code) and opens
        the session. A challenge is completed once: of concurrent correct answers exactly
        one gets tokens. Wrong codes count; after five the login must start again."""
        answer = check_challenge_answer(challenge_id, code)
        now = self.clock()
        async with self.uow() as uow:
            challenge, account = await self._live_challenge(uow, answer.challenge_id, now)
            try:
                await self.factors.check_code(
                    uow, account, challenge.method, purpose=CodePurpose.LOGIN, subject=challenge.id, code=answer.code
                )
            except (IncorrectCode, CodeNoLongerValid):
                challenge.attempts += 1
                await uow.login_challenges.save(challenge)
                await uow.commit()
                raise
            challenge.completed_at = now
            await uow.login_challenges.save(challenge)
            tokens = await self._open_session(uow, account, client)
            await uow.commit()
        log.info("login_succeeded", account_id=account.id, method=challenge.method.value)
        return tokens

    async def do_resend_code(self, challenge_id: str) -> Challenge:
        """Sends a new code for an open SMS or e-mail challenge; the earlier one stops
        working. Counts against the account's and the address's sending limits."""
        checked = check_challenge_id(challenge_id)
        async with self.uow() as uow:
            challenge, account = await self._live_challenge(uow, checked, self.clock())
            await self.factors.do_send_code(
                uow, account, challenge.method, purpose=CodePurpose.LOGIN, subject=challenge.id
            )
            await uow.commit()
        return Challenge(challenge.id, challenge.method)

    async def do_refresh(self, refresh_token: str, client: ClientInfo) -> Tokens:
        """Rotates a refresh token. Reusing an already rotated token revokes its session:
        either the owner or a thief holds a copy, and the session can no longer be trusted."""
        token_hash = hash_refresh_token(check_refresh_token(refresh_token))
        async with self.uow() as uow:
            # Every change that ends or narrows access (deactivation, new roles) locks the
            # account row first and takes its revocation time after that lock; a refresh
            # locks the same row first too (before the token and the session, the order those
            # changes use, so the two cannot deadlock). So a token is never minted from an
            # account state being revoked with an issue time that escapes the revocation.
            account_id = await uow.refresh_tokens.account_id_for(token_hash)
            if account_id is None:
                raise InvalidRefreshToken()
            account = await uow.accounts.get_for_update(account_id)
            now = self.clock()
            stored = await uow.refresh_tokens.get_by_hash_for_update(token_hash)
            if stored is None:
                raise InvalidRefreshToken()
            device = await uow.sessions.get_for_update(stored.session_id)
            assert device is not None
            if stored.used_at is not None:
                device.revoke(now)
                await uow.sessions.save(device)
                uow.emit(AccessRevoked(session_id=device.id, revoked_at=now, reason=RevocationReason.SESSION_REVOKED))
                await uow.commit()
                log.warning("refresh_token_reused", session_id=device.id)
                raise InvalidRefreshToken()
            if not device.is_active(now):
                raise InvalidRefreshToken()
            if account is None or not account.can_log_in:
                raise InvalidRefreshToken()
            await uow.refresh_tokens.mark_used(stored.id, now)
            self._seen(device, now, client)
            await uow.sessions.save(device)
            tokens = await self._issue(uow, account, device)
            await uow.commit()
        return tokens

    async def do_logout(self, principal: Principal) -> None:
        """Ends the caller's session: its refresh tokens stop working at once."""
        async with self.uow() as uow:
            device = await uow.sessions.get_for_update(principal.session_id)
            if device is not None:
                device.revoke(self.clock())
                await uow.sessions.save(device)
                uow.emit(AccessRevoked(session_id=device.id, revoked_at=self.clock(), reason=RevocationReason.LOGOUT))
            await uow.commit()

    async def me(self, principal: Principal) -> Me:
        """The caller's account; refused once the session behind the token has ended, and
        for an act-as token once the delegation behind it is no longer active."""
        async with self.uow() as uow:
            if not await uow.sessions.is_active(principal.session_id, self.clock()):
                raise SessionEnded()
            await check_delegation_behind(uow, principal)
            account = await uow.accounts.get(principal.subject_id)
            if account is None:
                raise AccountNotFound()
            organisation = await organisation_of(uow, account)
        return Me(account=account, organisation=organisation, roles=account.roles)

    async def password_rules(self, principal: Principal) -> list[PasswordRule]:
        """The rules the caller's next password must meet, as the change form lists them:
        those of their organisation's policy (the default one outside any organisation).
        The caller is the account itself (an act-as token is refused, as for the change)."""
        async with self.uow() as uow:
            account = await active_account(uow, principal, self.clock())
            policy = await uow.security_policies.get(account.organisation_id)
        return policy.password.rules()

    async def do_change_password(
        self, principal: Principal, current_password: str, new_password: str, client: ClientInfo
    ) -> Tokens:
        """Replaces the caller's password after checking the current one and the
        organisation's rules (:class:`PasswordRejected` names every broken rule). Clears a
        forced change, ends every other session of the account, tells the owner
        (PasswordChanged) and answers fresh tokens for this session. Wrong current
        passwords count towards the login throttle of the account's address."""
        change = check_password_change(current_password, new_password)
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            throttle = await uow.login_throttles.lock(normalise_login_name(account.email), now)
            wait = throttle.wait(now)
            if wait > timedelta(0):
                raise TooManyAttempts(retry_after_seconds=retry_after_seconds(wait))
            policy = await uow.security_policies.get(account.organisation_id)
            if not self.hasher.verify(account.password_hash, change.current_password):
                throttle.do_record_failure(policy, now)
                await uow.login_throttles.save(throttle)
                await uow.commit()
                raise WrongPassword(fields={"current_password": "is not correct"})
            check_new_password(
                policy.password,
                change.new_password,
                field="new_password",
                personal=account.personal_words,
                language=account.language,
                previous=change.current_password,
            )
            await uow.accounts.set_password(account.id, self.hasher.hash(change.new_password), must_change=False)
            account.must_change_password = False
            for session_id in await uow.sessions.revoke_all_except(account.id, principal.session_id, now):
                uow.emit(AccessRevoked(session_id=session_id, revoked_at=now, reason=RevocationReason.SESSION_REVOKED))
            uow.emit(
                PasswordChanged(
                    **OrganisationNotice.sender(await organisation_of(uow, account)),
                    recipient=Recipient.of(account),
                    changed_at=now,
                )
            )
            device = await uow.sessions.get_for_update(principal.session_id)
            assert device is not None
            self._seen(device, now, client)
            await uow.sessions.save(device)
            tokens = await self._issue(uow, account, device)
            await uow.commit()
        log.info("password_changed", account_id=account.id)
        return tokens

    @staticmethod
    def _seen(device: Session, now: datetime, client: ClientInfo) -> None:
        device.last_seen_at = now
        device.user_agent = client.user_agent or device.user_agent
        device.ip_address = client.ip_address or device.ip_address

    async def _live_challenge(
        self, uow: UnitOfWork, challenge_id: str, now: datetime
    ) -> tuple[LoginChallenge, Account]:
        """The open challenge and its account, which may still log in, both locked for this
        transaction: the account first, as every flow that ends access or mints a token
        locks it (see do_refresh), so checking the code (which locks the second factor's
        row) and opening the session cannot deadlock with a reset of that factor."""
        account_id = await uow.login_challenges.account_id_of(challenge_id)
        if account_id is None:
            raise LoginChallengeEnded()
        account = await uow.accounts.get_for_update(account_id)
        challenge = await uow.login_challenges.get_for_update(challenge_id)
        if challenge is None or not challenge.is_open(now):
            raise LoginChallengeEnded()
        if account is None or not account.can_log_in:
            raise LoginChallengeEnded()
        return challenge, account

    async def _start_challenge(self, uow: UnitOfWork, account: Account, method: FactorMethod) -> Challenge:
        now = self.clock()
        policy = await uow.security_policies.get(account.organisation_id)
        challenge = LoginChallenge(
            id=str(uuid.uuid4()),
            account_id=account.id,
            method=method,
            created_at=now,
            expires_at=now + policy.code_lifetime,
        )
        await uow.login_challenges.add(challenge)
        await self.factors.do_send_code(uow, account, method, purpose=CodePurpose.LOGIN, subject=challenge.id)
        return Challenge(challenge.id, method)

    async def _open_session(self, uow: UnitOfWork, account: Account, client: ClientInfo) -> Tokens:
        # Locked and read again before minting, as in do_refresh: a deactivation or a change
        # of roles committed while the password or code was checked counts.
        locked = await uow.accounts.get_for_update(account.id)
        if locked is None or not locked.can_log_in:
            raise InvalidCredentials()
        account = locked
        now = self.clock()
        device = Session(
            id=str(uuid.uuid4()),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.session_absolute_ttl,
            idle_ttl=self.session_idle_ttl,
            user_agent=client.user_agent[:500],
            ip_address=client.ip_address[:100],
        )
        await uow.sessions.add(device)
        return await self._issue(uow, account, device)

    async def _issue(self, uow: UnitOfWork, account: Account, device: Session) -> Tokens:
        now = self.clock()
        refresh = secrets.token_urlsafe(32)
        await uow.refresh_tokens.add(
            RefreshToken(str(uuid.uuid4()), device.id, hash_refresh_token(refresh), created_at=now)
        )
        organisation = await organisation_of(uow, account)
        access = self.access_tokens.issue(
            subject_id=account.id,
            session_id=device.id,
            roles=frozenset(account.roles),
            organisation=(organisation.id, organisation.name) if organisation else None,
            organisation_kind=organisation.kind.value if organisation else None,
            now=now,
            # A temporary password's tokens open nothing but the password change.
            password_change_required=account.must_change_password,
            display_name=account.display_name,
        )
        return Tokens(access, refresh, int(self.access_tokens.ttl.total_seconds()), account.id)
