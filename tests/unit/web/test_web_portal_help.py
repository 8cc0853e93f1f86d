"""The footer's tour and support pages: open to anyone (someone locked out needs them most),
naming the practice only to its signed-in client, in Dutch and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from web_fakes import FakeStore

from web.domain.sessions import Acting, BrowserSession, SignedInAccount, Tokens, session_id_for


def _sign_in(store: FakeStore, client: TestClient, roles: list[str]) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("a1", "Anna", "anna@example.org", "Huisartsenpraktijk De Linde", roles, "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")


def test_the_footer_leads_to_the_tour_and_support_before_and_after_logging_in(
    client: TestClient, store: FakeStore
) -> None:
    login = client.get("/login").text
    assert 'href="/portal/tour"' in login and 'href="/portal/support"' in login
    assert 'href="/me/profile">Mijn account' not in login

    support = client.get("/portal/support")
    assert support.status_code == 200
    assert "Het portaal is niet voor spoed" in support.text and 'href="/password-reset"' in support.text
    assert "De Linde" not in support.text

    _sign_in(store, client, ["person"])
    signed_in = client.get("/portal/support").text
    assert "Uw portaal hoort bij Huisartsenpraktijk De Linde." in signed_in
    assert 'href="/me/profile">Mijn account' in signed_in


def test_the_practice_is_not_named_as_a_staff_members_own_and_the_tour_speaks_english(
    client: TestClient, store: FakeStore
) -> None:
    _sign_in(store, client, ["staff", "practitioner"])
    assert "Uw portaal hoort bij" not in client.get("/portal/support").text

    tour = client.get("/portal/tour")
    assert tour.status_code == 200 and "Rondleiding" in tour.text and 'href="/portal/diary"' in tour.text
    client.cookies.set("zorgpost_lang", "en")
    english = client.get("/portal/tour").text
    assert "<h1" in english and "Tour" in english and "Your own notes." in english
    assert "Never pass on your password or a code" in client.get("/portal/support").text


def test_a_parent_acting_for_a_child_is_told_the_practice_of_the_childs_portal(
    client: TestClient, store: FakeStore
) -> None:
    session = BrowserSession(id=session_id_for("cookie-1"), created_at=datetime.now(UTC))
    account = SignedInAccount("a1", "Anna", "anna@example.org", "Huisartsenpraktijk De Linde", ["person"], "nl", False)
    session.sign_in(Tokens("access-1", "refresh-1", datetime.now(UTC) + timedelta(hours=1)), account)
    session.acting = Acting("acting-token", datetime.now(UTC) + timedelta(minutes=10), "kid1", "Sam")
    store.rows[session.id] = session.to_state()
    client.cookies.set("zorgpost_session", "cookie-1")

    support = client.get("/portal/support").text
    assert "Het portaal van Sam hoort bij Huisartsenpraktijk De Linde." in support
    assert "Uw portaal hoort bij" not in support
    client.cookies.set("zorgpost_lang", "en")
    assert "The portal of Sam belongs to Huisartsenpraktijk De Linde." in client.get("/portal/support").text


def test_over_ons_names_the_signed_in_clients_practice_and_what_keeps_the_data_safe(
    client: TestClient, store: FakeStore
) -> None:
    anonymous = client.get("/portal/about-us")
    assert anonymous.status_code == 200 and 'href="/portal/about-us"' in anonymous.text
    assert "Over ons" in anonymous.text and "aangeboden door uw praktijk" in anonymous.text
    assert "nooit wat" in anonymous.text and "De Linde" not in anonymous.text

    _sign_in(store, client, ["person"])
    assert "Uw portaal wordt aangeboden door Huisartsenpraktijk De Linde." in client.get("/portal/about-us").text
    client.cookies.set("zorgpost_lang", "en")
    english = client.get("/portal/about-us").text
    assert "Your portal is offered by Huisartsenpraktijk De Linde." in english and "never what" in english
