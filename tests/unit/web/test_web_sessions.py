"""Browser sessions: sealed at rest, refreshed one request at a time, signed out when the
refresh is refused; CSRF tokens bound to the browser's cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from web_fakes import FakeStore

from web.adapters.crypto import CsrfSigner, StateCipher
from web.domain.sessions import Acting, BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import BrowserContext, GatewayError
from web.service.sessions import SessionEnded, Sessions

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeGateway:
    def __init__(self, refusal: GatewayError | None = None) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.refusal = refusal

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
    ) -> Any:
        self.calls.append((method, path, json))
        if path == "/auth/refresh":
            if self.refusal is not None:
                raise self.refusal
            return {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 900}
        if path == "/me":
            return {"id": "a1", "display_name": "Anna", "email": "anna@example.org", "organisation": None,
                    "roles": ["person"], "language": "en", "password_change_required": False}  # fmt: skip
        return None

    async def ready(self) -> bool:
        return True


def _signed_in(expires_at: datetime) -> BrowserSession:
    session = BrowserSession(id=session_id_for("cookie"), created_at=NOW)
    account = SignedInAccount("a1", "Anna", "anna@example.org", "", ["person"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", expires_at), account)
    return session


def _sessions(store: FakeStore, gateway: FakeGateway) -> Sessions:
    return Sessions(store, gateway, idle=timedelta(hours=1), refresh_margin=timedelta(seconds=60), clock=lambda: NOW)


def test_a_session_survives_its_storage_form_whole() -> None:
    session = _signed_in(NOW + timedelta(minutes=10))
    session.acting = Acting("acting-token", NOW + timedelta(minutes=5), "p1", "Sam")
    session.pending["login"] = {"challenge_id": "c1"}
    session.add_flash("success", "flash.logged_out")

    again = BrowserSession.from_state(session.id, session.to_state())

    assert again == session


def test_sealed_state_opens_only_under_its_own_id_and_key() -> None:
    cipher = StateCipher("secret")
    blob = cipher.seal(b'{"a": 1}', "id-1")
    assert b"a" not in blob[12:] or blob != b'{"a": 1}'
    assert cipher.open(blob, "id-1") == b'{"a": 1}'
    assert cipher.open(blob, "id-2") is None
    assert StateCipher("other secret").open(blob, "id-1") is None


def test_a_csrf_token_fits_only_the_cookie_it_was_made_for() -> None:
    signer = CsrfSigner("secret")
    token = signer.token_for("cookie-a")
    assert signer.valid("cookie-a", token)
    assert not signer.valid("cookie-b", token)
    assert not signer.valid("", signer.token_for(""))
    assert not CsrfSigner("other").valid("cookie-a", token)


async def test_a_fresh_token_is_used_as_it_is() -> None:
    store, gateway = FakeStore(), FakeGateway()
    session = _signed_in(NOW + timedelta(minutes=10))
    store.rows[session.id] = session.to_state()

    assert await _sessions(store, gateway).access_token(session, BrowserContext()) == "access-1"
    assert gateway.calls == []


async def test_a_token_about_to_expire_is_refreshed_once_and_stored() -> None:
    store, gateway = FakeStore(), FakeGateway()
    session = _signed_in(NOW + timedelta(seconds=30))
    store.rows[session.id] = session.to_state()

    token = await _sessions(store, gateway).access_token(session, BrowserContext())

    assert token == "access-2"
    assert gateway.calls == [("POST", "/auth/refresh", {"refresh_token": "refresh-1"})]
    assert store.rows[session.id]["tokens"]["refresh_token"] == "refresh-2"


async def test_a_refresh_another_request_already_did_is_not_done_again() -> None:
    """The stored session is the truth: a stale copy in this request does not rotate the
    (already rotated) refresh token again, which identity would take for theft."""
    store, gateway = FakeStore(), FakeGateway()
    stale = _signed_in(NOW + timedelta(seconds=30))
    fresh = _signed_in(NOW + timedelta(minutes=15))
    assert fresh.tokens is not None
    fresh.tokens.access_token, fresh.tokens.refresh_token = "access-9", "refresh-9"
    store.rows[stale.id] = fresh.to_state()

    assert await _sessions(store, gateway).access_token(stale, BrowserContext()) == "access-9"
    assert gateway.calls == []


async def test_a_refused_refresh_signs_the_session_out() -> None:
    store = FakeStore()
    gateway = FakeGateway(refusal=GatewayError(401, "invalid_refresh_token", "no"))
    session = _signed_in(NOW - timedelta(minutes=1))
    store.rows[session.id] = session.to_state()

    with pytest.raises(SessionEnded):
        await _sessions(store, gateway).access_token(session, BrowserContext())

    assert not session.signed_in
    assert store.rows[session.id]["tokens"] is None


async def test_signing_in_gives_a_new_cookie_and_forgets_the_old_session() -> None:
    store, gateway = FakeStore(), FakeGateway()
    sessions = _sessions(store, gateway)
    cookie, before = sessions.start()
    before.pending["reset"] = {"token": "t"}
    await sessions.save(before)

    new_cookie, after = await sessions.sign_in(
        before, {"access_token": "a", "refresh_token": "r", "expires_in": 900}, BrowserContext()
    )

    assert new_cookie != cookie and after.id == session_id_for(new_cookie)
    assert before.id not in store.rows and after.id in store.rows
    assert after.account is not None and after.account.language == "en"
    assert after.pending == {"reset": {"token": "t"}}


async def test_saving_an_older_copy_keeps_the_tokens_another_request_rotated() -> None:
    store, gateway = FakeStore(), FakeGateway()
    older = _signed_in(NOW + timedelta(minutes=5))
    newer = _signed_in(NOW + timedelta(minutes=15))
    assert newer.tokens is not None
    newer.tokens.refresh_token = "refresh-rotated"
    store.rows[older.id] = newer.to_state()
    older.add_flash("success", "flash.profile_saved")

    await _sessions(store, gateway).save(older)

    assert store.rows[older.id]["tokens"]["refresh_token"] == "refresh-rotated"
    assert store.rows[older.id]["flash"], "the rest of the request's changes are stored"
