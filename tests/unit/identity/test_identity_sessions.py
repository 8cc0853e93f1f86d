"""A session (a signed-in device) ends when unused too long, when too old, or when revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity.domain.sessions import Session

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(days=7)
ABSOLUTE = timedelta(days=30)


def opened_session() -> Session:
    return Session(
        id="session-1",
        account_id="account-anna",
        created_at=OPENED,
        last_seen_at=OPENED,
        expires_at=OPENED + ABSOLUTE,
        idle_ttl=IDLE,
    )


def test_a_fresh_session_is_active() -> None:
    assert opened_session().is_active(OPENED + timedelta(minutes=1))


def test_a_session_unused_for_the_idle_time_ends() -> None:
    session = opened_session()

    assert session.is_active(OPENED + IDLE - timedelta(seconds=1))
    assert not session.is_active(OPENED + IDLE)


def test_use_keeps_a_session_alive_past_the_idle_time() -> None:
    session = opened_session()
    session.last_seen_at = OPENED + timedelta(days=6)

    assert session.is_active(OPENED + timedelta(days=12))


def test_even_a_session_in_daily_use_ends_at_its_absolute_limit() -> None:
    session = opened_session()
    session.last_seen_at = OPENED + ABSOLUTE - timedelta(hours=1)

    assert session.is_active(OPENED + ABSOLUTE - timedelta(seconds=1))
    assert not session.is_active(OPENED + ABSOLUTE)


def test_a_revoked_session_is_no_longer_active() -> None:
    session = opened_session()

    session.revoke(OPENED + timedelta(hours=1))

    assert not session.is_active(OPENED + timedelta(hours=2))


def test_revoking_twice_keeps_the_first_revocation_time() -> None:
    session = opened_session()

    session.revoke(OPENED + timedelta(hours=1))
    session.revoke(OPENED + timedelta(hours=5))

    assert session.revoked_at == OPENED + timedelta(hours=1)
