"""A token the gateway refuses (identity revoked it after a change of roles or
organisation): the session is renewed once with its refresh token, the account read
again, and the call tried once more; only when that fails is the person signed out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import Call, FakeStore, FakeStream, ScriptedGateway, csrf_token

from web.domain.sessions import Acting, BrowserSession, SignedInAccount, Tokens, session_id_for
from web.service.ports import BrowserContext, GatewayError
from web.service.sessions import Sessions

REVOKED = GatewayError(401, "unauthenticated", "")
ME: dict[str, Any] = {
    "id": "acc-1",
    "display_name": "Anna Beheer",
    "email": "anna@zorg.example",
    "organisation": {"id": "org-2", "name": "Nieuwe Zorg"},
    "roles": ["admin", "staff"],
    "language": "nl",
    "password_change_required": False,
}


def _only_for(token: str, answer: Any) -> Any:
    def respond(call: Call) -> Any:
        return answer if call.token == token else REVOKED

    return respond


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway(
        {
            ("POST", "/auth/refresh"): {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 900},
            ("GET", "/me"): _only_for("access-2", ME),
            ("GET", "/organisation/staff"): _only_for("access-2", []),
            ("GET", "/organisation/staff-invitations"): _only_for("access-2", []),
        }
    )


def _signed_in(store: FakeStore) -> BrowserSession:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("acc-1", "Anna Beheer", "anna@zorg.example", "Oude Zorg", ["admin"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    return session


def _refreshes(gateway: ScriptedGateway) -> list[Call]:
    return [call for call in gateway.calls if call.path == "/auth/refresh"]


def test_a_revoked_token_is_renewed_once_and_the_page_shows_the_account_as_it_is_now(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    session = _signed_in(store)
    client.cookies.set("zorgpost_session", "cookie-1")

    answer = client.get("/admin/staff", follow_redirects=False)

    assert answer.status_code == 200
    assert [call.json for call in _refreshes(gateway)] == [{"refresh_token": "refresh-1"}]
    stored = BrowserSession.from_state(session.id, store.rows[session.id])
    assert stored.tokens is not None and stored.tokens.refresh_token == "refresh-2"
    assert stored.account is not None and stored.account.organisation_name == "Nieuwe Zorg"
    assert stored.account.roles == ["admin", "staff"]

    # The next page goes straight through with the new token.
    gateway.calls.clear()
    assert client.get("/admin/staff", follow_redirects=False).status_code == 200
    assert _refreshes(gateway) == []


def test_a_token_still_refused_after_renewal_signs_out_without_a_second_try(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    session = _signed_in(store)
    client.cookies.set("zorgpost_session", "cookie-1")
    gateway.answers[("GET", "/organisation/staff")] = REVOKED

    answer = client.get("/admin/staff", follow_redirects=False)

    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")
    assert len(_refreshes(gateway)) == 1
    assert [call.token for call in gateway.calls if call.path == "/organisation/staff"] == ["access-1", "access-2"]
    assert session.id not in store.rows


def test_a_refused_refresh_signs_out_and_retries_nothing(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    session = _signed_in(store)
    client.cookies.set("zorgpost_session", "cookie-1")
    gateway.answers[("POST", "/auth/refresh")] = REVOKED

    answer = client.get("/admin/staff", follow_redirects=False)

    assert answer.headers["location"].startswith("/login")
    assert [call.path for call in gateway.calls if call.path == "/organisation/staff"] == ["/organisation/staff"]
    assert session.id not in store.rows


def _sessions(store: FakeStore, gateway: ScriptedGateway) -> Sessions:
    return Sessions(store, gateway, idle=timedelta(hours=1), refresh_margin=timedelta(seconds=60))


async def test_a_renewal_another_request_already_did_is_taken_not_done_again() -> None:
    store, gateway = FakeStore(), ScriptedGateway({("GET", "/me"): ME})
    session = _signed_in(store)
    # Another request of the same session renewed meanwhile.
    other = BrowserSession.from_state(session.id, store.rows[session.id])
    other.tokens = Tokens("access-2", "refresh-2", datetime.now(UTC) + timedelta(minutes=15))
    store.rows[session.id] = other.to_state()

    await _sessions(store, gateway).renew(session, BrowserContext(), rejected="access-1")

    assert gateway.calls == []
    assert session.tokens is not None and session.tokens.refresh_token == "refresh-2"


async def test_a_rotated_refresh_token_is_kept_when_the_account_cannot_be_read() -> None:
    store = FakeStore()
    gateway = ScriptedGateway(
        {
            ("POST", "/auth/refresh"): {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 900},
            ("GET", "/me"): GatewayError(503, "unavailable", ""),
        }
    )
    session = _signed_in(store)

    with pytest.raises(GatewayError):
        await _sessions(store, gateway).renew(session, BrowserContext(), rejected="access-1")

    assert store.rows[session.id]["tokens"]["refresh_token"] == "refresh-2"


def _csrf(client: TestClient) -> str:
    return csrf_token(client.get("/admin/staff/invite").text)


def test_a_file_sent_with_a_revoked_token_is_sent_again_whole_after_renewal(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _signed_in(store)
    client.cookies.set("zorgpost_session", "cookie-1")
    sent: list[tuple[str | None, bytes]] = []

    def receive(call: Call) -> Any:
        sent.append((call.token, call.json["content"]))
        return {"id": "m-1"} if call.token == "access-2" else REVOKED

    gateway.answers[("POST", "/threads/t-1/messages")] = receive
    csrf = _csrf(client)

    answer = client.post(
        "/messages/t-1/send",
        data={"csrf_token": csrf, "body": "Zie bijlage"},
        files={"files": ("verslag.pdf", b"%PDF-1.7 verslag", "application/pdf")},
        follow_redirects=False,
    )

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/messages/t-1#message-m-1"
    assert sent == [("access-1", b"%PDF-1.7 verslag"), ("access-2", b"%PDF-1.7 verslag")]


def test_a_download_with_a_revoked_token_is_renewed_and_served(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    _signed_in(store)
    client.cookies.set("zorgpost_session", "cookie-1")
    gateway.answers[("GET", "/threads/t-1/attachments/a-1")] = _only_for(
        "access-2", FakeStream([b"%PDF-1.7"], {"content-type": "application/pdf"})
    )

    answer = client.get("/messages/t-1/attachments/a-1", follow_redirects=False)

    assert answer.status_code == 200
    assert answer.content == b"%PDF-1.7"
    assert len(_refreshes(gateway)) == 1


def test_a_note_for_a_child_whose_delegation_ended_is_never_written_in_the_parents_own_portal(
    client: TestClient, store: FakeStore, gateway: ScriptedGateway
) -> None:
    session = _signed_in(store)
    session.acting = Acting("acting-1", datetime.now(UTC) + timedelta(minutes=10), "child-1", "Jip")
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")
    gateway.answers[("POST", "/portal/diary")] = REVOKED
    gateway.answers[("POST", "/me/act-as")] = GatewayError(403, "not_permitted", "")
    csrf = _csrf(client)

    answer = client.post(
        "/portal/diary", data={"csrf_token": csrf, "body": "Vandaag ging het goed"}, follow_redirects=False
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert [call.token for call in gateway.calls if call.path == "/portal/diary"] == ["acting-1"]
    stored = BrowserSession.from_state(session.id, store.rows[session.id])
    assert stored.acting is None
    assert stored.flash == [{"kind": "error", "key": "acting.ended", "params": {"name": "Jip"}}]
