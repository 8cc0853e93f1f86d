"""Browser sessions: start, sign in, keep the tokens fresh, sign out.

Guarantees: the browser never holds a token; a refresh token is used by one request at a
time across every web replica (the stored session is locked while it is rotated), because
identity revokes a whole session when a rotated refresh token is presented again; a session
whose refresh fails is signed out, never left half-valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from web.domain.sessions import (
    Acting,
    BrowserSession,
    SignedInAccount,
    Tokens,
    new_cookie_value,
    session_id_for,
)
from web.service.ports import BrowserContext, Gateway, GatewayError, SessionStore


def _now() -> datetime:
    return datetime.now(UTC)


class ActingEnded(Exception):
    """Acting for someone ended (the delegation was ended or its age rules no longer
    allow it): nothing more is done in their portal, and nothing meant for it is done in
    one's own instead. ``person_name`` is whose portal it was."""

    def __init__(self, person_name: str) -> None:
        super().__init__("acting for someone ended")
        self.person_name = person_name


class SessionEnded(Exception):
    """The identity session behind a browser session is over (logged out elsewhere, revoked,
    expired): the person must sign in again."""


class Sessions:
    def __init__(
        self,
        store: SessionStore,
        gateway: Gateway,
        *,
        idle: timedelta,
        refresh_margin: timedelta,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._idle = idle
        self._margin = refresh_margin
        self._clock = clock

    # ------------------------------------------------------------------ storage
    async def load(self, cookie_value: str | None) -> BrowserSession | None:
        if not cookie_value:
            return None
        session_id = session_id_for(cookie_value)
        state = await self._store.load(session_id, self._clock())
        return BrowserSession.from_state(session_id, state) if state is not None else None

    def start(self) -> tuple[str, BrowserSession]:
        """A new, empty session and the cookie value that names it."""
        cookie = new_cookie_value()
        return cookie, BrowserSession(id=session_id_for(cookie), created_at=self._clock())

    async def save(self, session: BrowserSession) -> None:
        """Stores the session. Tokens another request rotated meanwhile are kept: writing
        back an older refresh token would have the next refresh present a rotated one,
        which identity takes for theft and answers by ending the session."""
        async with self._store.locked(session.id, self._clock() + self._idle) as held:
            if held.state is not None and session.tokens is not None and session.account is not None:
                stored = BrowserSession.from_state(session.id, held.state)
                if (
                    stored.tokens is not None
                    and stored.account is not None
                    and stored.account.id == session.account.id
                    and stored.tokens.access_expires_at > session.tokens.access_expires_at
                ):
                    # The account read with those tokens goes with them (roles may
                    # have changed when another request renewed them).
                    session.tokens, session.account = stored.tokens, stored.account
            held.replacement = session.to_state()

    async def rotate(self, session: BrowserSession) -> tuple[str, BrowserSession]:
        """The same session under a new cookie, the old one discarded: when the session
        gains access (a secure mail opened with its code), a cookie someone planted or saw
        before is worth nothing after it."""
        cookie, fresh = self.start()
        fresh.tokens, fresh.account, fresh.acting = session.tokens, session.account, session.acting
        fresh.pending, fresh.flash = session.pending, session.flash
        await self.discard(session)
        await self.save(fresh)
        return cookie, fresh

    async def discard(self, session: BrowserSession) -> None:
        await self._store.delete(session.id)

    async def delete_expired(self) -> int:
        return await self._store.delete_expired(self._clock())

    # ------------------------------------------------------------------ sign in
    async def sign_in(
        self, session: BrowserSession, tokens: dict[str, Any], browser: BrowserContext
    ) -> tuple[str, BrowserSession]:
        """Signs in with the gateway's token answer. The session gets a new cookie (so a
        cookie planted before login is worth nothing after it); the old one is discarded."""
        now = self._clock()
        issued = Tokens.issued(tokens["access_token"], tokens["refresh_token"], int(tokens["expires_in"]), now)
        account = await self.fetch_account(issued.access_token, browser)
        cookie, fresh = self.start()
        fresh.pending = {key: value for key, value in session.pending.items() if key != "login"}
        fresh.flash = session.flash
        fresh.sign_in(issued, account)
        await self.discard(session)
        await self.save(fresh)
        return cookie, fresh

    async def fetch_account(self, access_token: str, browser: BrowserContext) -> SignedInAccount:
        me = await self._gateway.call("GET", "/me", token=access_token, browser=browser)
        organisation = me.get("organisation") or {}
        return SignedInAccount(
            id=me["id"],
            display_name=me["display_name"],
            email=me["email"],
            organisation_name=organisation.get("name", ""),
            roles=list(me.get("roles") or []),
            language=me.get("language") or "nl",
            password_change_required=bool(me.get("password_change_required")),
            organisation_kind=str(organisation.get("kind") or ""),
        )

    async def replace_tokens(self, session: BrowserSession, tokens: dict[str, Any], browser: BrowserContext) -> None:
        """New tokens for the same person (after a password change): the account is read again."""
        issued = Tokens.issued(
            tokens["access_token"], tokens["refresh_token"], int(tokens["expires_in"]), self._clock()
        )
        session.sign_in(issued, await self.fetch_account(issued.access_token, browser))
        await self.save(session)

    async def sign_out(self, session: BrowserSession, browser: BrowserContext) -> None:
        """Ends the identity session too (its refresh tokens stop working), then this one."""
        if session.tokens is not None:
            try:
                token = await self.access_token(session, browser)
                await self._gateway.call("POST", "/auth/logout", token=token, browser=browser)
            except (SessionEnded, GatewayError):
                pass  # already over on identity's side
        session.sign_out()
        await self.discard(session)

    # ------------------------------------------------------------------ tokens
    async def access_token(self, session: BrowserSession, browser: BrowserContext) -> str:
        """A valid access token of the signed-in person, refreshed first when it is about
        to run out. Raises SessionEnded when there is none to be had."""
        if session.tokens is None:
            raise SessionEnded
        if not session.needs_refresh(self._clock(), self._margin):
            return session.tokens.access_token
        ended = False
        async with self._store.locked(session.id, self._clock() + self._idle) as held:
            if held.state is None:
                raise SessionEnded
            stored = BrowserSession.from_state(session.id, held.state)
            if stored.tokens is None:
                raise SessionEnded
            if stored.needs_refresh(self._clock(), self._margin):
                # Another request (on any replica) may have refreshed meanwhile: only the
                # stored refresh token is current.
                try:
                    answer = await self._gateway.call(
                        "POST", "/auth/refresh", json={"refresh_token": stored.tokens.refresh_token}, browser=browser
                    )
                except GatewayError as error:
                    if error.status not in (401, 403, 404, 409, 422):
                        raise
                    # Stored when the lock is released; an exception would roll it back.
                    stored.sign_out()
                    held.replacement = stored.to_state()
                    ended = True
                else:
                    stored.tokens = Tokens.issued(
                        answer["access_token"], answer["refresh_token"], int(answer["expires_in"]), self._clock()
                    )
                    held.replacement = stored.to_state()
            session.tokens = stored.tokens
        if ended or session.tokens is None:
            session.sign_out()
            raise SessionEnded
        return session.tokens.access_token

    async def renew(self, session: BrowserSession, browser: BrowserContext, *, rejected: str | None = None) -> None:
        """New tokens and the account read again, after identity changed what the tokens
        say (roles, organisation) and revoked the old ones: a refresh issues tokens with
        the account as it is now. ``rejected`` is the access token the gateway refused;
        when the stored one differs, another request renewed meanwhile and its tokens are
        taken instead of rotating again. Raises SessionEnded when identity refuses the
        refresh (the session is then signed out)."""
        if session.tokens is None:
            raise SessionEnded
        ended = False
        unread: GatewayError | None = None
        async with self._store.locked(session.id, self._clock() + self._idle) as held:
            if held.state is None:
                raise SessionEnded
            stored = BrowserSession.from_state(session.id, held.state)
            if stored.tokens is None or stored.account is None:
                raise SessionEnded
            if rejected is None or stored.tokens.access_token == rejected:
                try:
                    answer = await self._gateway.call(
                        "POST", "/auth/refresh", json={"refresh_token": stored.tokens.refresh_token}, browser=browser
                    )
                except GatewayError as error:
                    if error.status not in (401, 403, 404, 409, 422):
                        raise
                    stored.sign_out()
                    ended = True
                else:
                    stored.tokens = Tokens.issued(
                        answer["access_token"], answer["refresh_token"], int(answer["expires_in"]), self._clock()
                    )
                    try:
                        stored.account = await self.fetch_account(stored.tokens.access_token, browser)
                    except GatewayError as error:
                        # The rotated refresh token must be kept all the same: the old
                        # one presented again would end the identity session.
                        unread = error
                # Stored when the lock is released; an exception would roll it back.
                held.replacement = stored.to_state()
            session.tokens, session.account = stored.tokens, stored.account
        if ended or session.tokens is None:
            session.sign_out()
            raise SessionEnded
        if unread is not None:
            raise unread

    async def act_as(self, session: BrowserSession, person_id: str, browser: BrowserContext) -> Acting:
        """Switches to the portal of a person one may act for (asked of identity each time)."""
        token = await self.access_token(session, browser)
        answer = await self._gateway.call(
            "POST", "/me/act-as", token=token, json={"person_id": person_id}, browser=browser
        )
        session.acting = Acting(
            access_token=answer["access_token"],
            expires_at=self._clock() + timedelta(seconds=int(answer["expires_in"])),
            person_id=answer["person_id"],
            person_name=answer["person_name"],
        )
        await self.save(session)
        return session.acting

    async def portal_token(self, session: BrowserSession, browser: BrowserContext) -> str:
        """The token for portal pages: the acting token when acting for someone (asked
        again when it ran out), else one's own."""
        if session.acting is not None:
            if not session.acting_valid(self._clock(), self._margin):
                await self.act_again(session, browser)
            assert session.acting is not None
            return session.acting.access_token
        return await self.access_token(session, browser)

    async def act_again(self, session: BrowserSession, browser: BrowserContext) -> None:
        """A new acting token for the person one acts for. When identity refuses it (the
        delegation ended meanwhile) one is back in one's own portal and :class:`ActingEnded`
        is raised: the page asked for was that person's, never to be done in one's own."""
        assert session.acting is not None
        acting = session.acting
        try:
            await self.act_as(session, acting.person_id, browser)
        except GatewayError as error:
            if error.status >= 500:
                raise
            session.acting = None
            await self.save(session)
            raise ActingEnded(acting.person_name) from error
