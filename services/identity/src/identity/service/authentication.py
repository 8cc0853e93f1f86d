"""Use cases of logging in and out: password check, sessions, token rotation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.errors import AccountNotFound, InvalidCredentials, InvalidRefreshToken, SessionEnded
from identity.domain.model import Account, Me, RefreshToken, Session
from zorgpost_kit.auth import Principal
from zorgpost_kit.logging import get_logger

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
    token_type: str = "Bearer"


def hash_refresh_token(token: str) -> str:
    # A refresh token is 256 random bits: a fast hash is enough, there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Authentication:
    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    access_tokens: AccessTokenIssuer
    session_idle_ttl: timedelta
    session_absolute_ttl: timedelta
    clock: Callable[[], datetime] = _utcnow

    async def login(self, username: str, password: str, client: ClientInfo) -> Tokens:
        """Checks the password and opens a session on this device.

        Raises :class:`InvalidCredentials` for a wrong password, an unknown account and an
        account that may not log in alike, so the answer reveals nothing about accounts.
        """
        async with self.uow() as uow:
            account = await uow.accounts.find_for_login(username)
            password_ok = self.hasher.verify(account.password_hash if account else None, password)
            if account is None or not password_ok or not account.can_log_in:
                log.info("login_refused", account_known=account is not None)
                raise InvalidCredentials()
            assert account.password_hash is not None
            if self.hasher.needs_rehash(account.password_hash):
                await uow.accounts.set_password_hash(account.id, self.hasher.hash(password))
            tokens = await self._open_session(uow, account, client)
            await uow.commit()
        log.info("login_succeeded", account_id=account.id)
        return tokens

    async def refresh(self, refresh_token: str, client: ClientInfo) -> Tokens:
        """Rotates a refresh token. Reusing an already rotated token revokes its session:
        either the owner or a thief holds a copy, and the session can no longer be trusted."""
        now = self.clock()
        async with self.uow() as uow:
            stored = await uow.refresh_tokens.get_by_hash_for_update(hash_refresh_token(refresh_token))
            if stored is None:
                raise InvalidRefreshToken()
            device = await uow.sessions.get_for_update(stored.session_id)
            assert device is not None
            if stored.used_at is not None:
                device.revoke(now)
                await uow.sessions.save(device)
                await uow.commit()
                log.warning("refresh_token_reused", session_id=device.id)
                raise InvalidRefreshToken()
            if not device.is_active(now):
                raise InvalidRefreshToken()
            account = await uow.accounts.get(device.account_id)
            if account is None or not account.can_log_in:
                raise InvalidRefreshToken()
            await uow.refresh_tokens.mark_used(stored.id, now)
            device.last_seen_at = now
            device.user_agent = client.user_agent or device.user_agent
            device.ip_address = client.ip_address or device.ip_address
            await uow.sessions.save(device)
            tokens = await self._issue(uow, account, device)
            await uow.commit()
        return tokens

    async def logout(self, principal: Principal) -> None:
        """Ends the caller's session: its refresh tokens stop working at once."""
        async with self.uow() as uow:
            device = await uow.sessions.get_for_update(principal.session_id)
            if device is not None:
                device.revoke(self.clock())
                await uow.sessions.save(device)
            await uow.commit()

    async def me(self, principal: Principal) -> Me:
        """The caller's account; refused once the session behind the token has ended."""
        async with self.uow() as uow:
            if not await uow.sessions.is_active(principal.session_id, self.clock()):
                raise SessionEnded()
            account = await uow.accounts.get(principal.subject_id)
            if account is None:
                raise AccountNotFound()
            organisation = await uow.organisations.get(account.organisation_id) if account.organisation_id else None
        return Me(account=account, organisation=organisation, roles=account.roles)

    async def _open_session(self, uow: IdentityUnitOfWork, account: Account, client: ClientInfo) -> Tokens:
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

    async def _issue(self, uow: IdentityUnitOfWork, account: Account, device: Session) -> Tokens:
        now = self.clock()
        refresh = secrets.token_urlsafe(32)
        await uow.refresh_tokens.add(
            RefreshToken(str(uuid.uuid4()), device.id, hash_refresh_token(refresh), created_at=now)
        )
        organisation = await uow.organisations.get(account.organisation_id) if account.organisation_id else None
        access = self.access_tokens.issue(
            subject_id=account.id,
            session_id=device.id,
            roles=frozenset(account.roles),
            organisation=(organisation.id, organisation.name) if organisation else None,
            now=now,
        )
        return Tokens(access, refresh, int(self.access_tokens.ttl.total_seconds()))
