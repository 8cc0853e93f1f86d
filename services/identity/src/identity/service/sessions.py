"""The devices a person is signed in on (seed 1, "Apparaten"): list, revoke one, revoke
all others. A revoked session's refresh tokens stop working at once, and identity refuses
its access token at once; other services accept that access token until it expires (its
lifetime is the ``access_token_ttl_seconds`` setting, 15 minutes by default) only until
the revocation identity announces reaches them (:class:`AccessRevoked`): seconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from user_agents import parse as parse_user_agent

from identity.domain.errors import SessionNotFound
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.service.callers import active_account
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_required


@dataclass(frozen=True)
class Device:
    session_id: str
    device: str
    browser: str
    operating_system: str
    mobile: bool
    ip_address: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool


def describe_user_agent(user_agent: str) -> tuple[str, str, str, bool]:
    """(device, browser, operating system, mobile) as a person recognises them:
    ("Firefox 120 on Linux", "Firefox 120", "Linux", False)."""
    if not user_agent.strip():
        return ("Unknown device", "", "", False)
    parsed = parse_user_agent(user_agent)
    browser = " ".join(part for part in (parsed.browser.family, parsed.browser.version_string) if part)
    system = " ".join(part for part in (parsed.os.family, parsed.os.version_string) if part)
    if parsed.browser.family == "Other" and parsed.os.family == "Other":
        return (user_agent[:60], "", "", False)
    return (f"{browser} on {system}", browser, system, bool(parsed.is_mobile or parsed.is_tablet))


def check_session_id(session_id: str) -> str:
    errors = FieldErrors()
    check_required(errors, session_id=session_id)
    errors.raise_if_any()
    return session_id


@dataclass
class Sessions:
    uow: Callable[[], UnitOfWork]
    clock: Clock = utcnow

    async def list_devices(self, principal: Principal) -> list[Device]:
        """The caller's active sessions, most recently used first; ``current`` marks the
        one of this call's token."""
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            await uow.sessions.touch(principal.session_id, now)
            sessions = await uow.sessions.list_active_for_account(account.id, now)
            await uow.commit()
        devices = []
        for session in sessions:
            device, browser, system, mobile = describe_user_agent(session.user_agent)
            devices.append(
                Device(
                    session_id=session.id,
                    device=device,
                    browser=browser,
                    operating_system=system,
                    mobile=mobile,
                    ip_address=session.ip_address,
                    signed_in_at=session.created_at,
                    last_seen_at=max(session.last_seen_at, now)
                    if session.id == principal.session_id
                    else session.last_seen_at,
                    current=session.id == principal.session_id,
                )
            )
        return devices

    async def do_revoke(self, principal: Principal, session_id: str) -> None:
        """Ends one of the caller's sessions (also the current one: that is a logout).
        Someone else's session id gets :class:`SessionNotFound`, as an unknown one does."""
        checked = check_session_id(session_id)
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            if not await uow.sessions.revoke(account.id, checked, now):
                raise SessionNotFound()
            uow.emit(AccessRevoked(session_id=checked, revoked_at=now, reason=RevocationReason.SESSION_REVOKED))
            await uow.commit()

    async def do_revoke_others(self, principal: Principal) -> int:
        """Ends every session of the caller but the current one; answers how many ended."""
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            revoked = await uow.sessions.revoke_all_except(account.id, principal.session_id, now)
            for session_id in revoked:
                uow.emit(AccessRevoked(session_id=session_id, revoked_at=now, reason=RevocationReason.SESSION_REVOKED))
            await uow.commit()
        return len(revoked)
