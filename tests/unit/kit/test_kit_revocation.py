"""The revocation list every service keeps: a token of a revoked account or session issued at
or before the revocation is refused, one issued after it is not, and a revocation is
forgotten once no token it could concern can still be valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from zorgpost.events.v1 import identity_events_pb2
from zorgpost_kit.auth import Principal
from zorgpost_kit.revocation import Revocation, RevocationList, revocation_from_message

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def token(
    issued: datetime | None, *, account: str = "anna", session: str = "s1", actor: str | None = None
) -> Principal:
    return Principal(account, actor or account, session, "org-1", "Gemeente X", frozenset({"staff"}), issued_at=issued)


def test_an_account_revocation_refuses_its_earlier_tokens_and_not_its_later_ones() -> None:
    revoked = RevocationList(clock=lambda: T0)
    revoked.add(Revocation("anna", "", T0))

    assert revoked.refuses(token(T0 - timedelta(minutes=5)))
    assert revoked.refuses(token(T0))  # issued in the same instant: not after it
    assert not revoked.refuses(token(T0 + timedelta(milliseconds=1)))
    assert not revoked.refuses(token(T0 - timedelta(minutes=5), account="bert", session="s2"))


def test_a_session_revocation_concerns_that_session_only() -> None:
    revoked = RevocationList(clock=lambda: T0)
    revoked.add(Revocation("", "s1", T0))

    assert revoked.refuses(token(T0 - timedelta(seconds=1), session="s1"))
    assert not revoked.refuses(token(T0 - timedelta(seconds=1), session="s2"))


def test_someone_acting_for_another_is_refused_once_their_own_access_ended() -> None:
    revoked = RevocationList(clock=lambda: T0)
    revoked.add(Revocation("parent", "", T0))

    assert revoked.refuses(token(T0 - timedelta(seconds=1), account="child", actor="parent"))


def test_a_token_without_an_issue_time_counts_as_issued_before() -> None:
    revoked = RevocationList(clock=lambda: T0)
    revoked.add(Revocation("anna", "", T0))

    assert revoked.refuses(token(None))


def test_the_latest_revocation_counts_and_old_ones_are_forgotten() -> None:
    now = [T0]
    revoked = RevocationList(keep_for=timedelta(hours=1), clock=lambda: now[0])
    revoked.add(Revocation("anna", "", T0))
    revoked.add(Revocation("anna", "", T0 - timedelta(minutes=30)))  # an older one arriving late
    assert revoked.refuses(token(T0 - timedelta(minutes=10)))

    now[0] = T0 + timedelta(hours=2)
    revoked.add(Revocation("bert", "", now[0]))
    assert len(revoked) == 1
    assert not revoked.refuses(token(T0 - timedelta(minutes=10)))


def test_the_event_on_the_wire_becomes_a_revocation_and_junk_becomes_nothing() -> None:
    stamp = Timestamp()
    stamp.FromDatetime(T0)
    event = identity_events_pb2.AccessRevoked(account_id="anna", revoked_at=stamp, reason="deactivated")

    assert revocation_from_message(event.SerializeToString()) == Revocation("anna", "", T0)
    assert revocation_from_message(identity_events_pb2.AccessRevoked(reason="x").SerializeToString()) is None
    assert revocation_from_message(b"\xff\xff not protobuf") is None
