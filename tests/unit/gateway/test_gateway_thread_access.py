"""The gateway's part of guest access: a guest token works on the three thread routes for
its own thread only, and every other route answers it 404 (the kit's default refusal)."""

from __future__ import annotations

import pytest
from fastapi.security import HTTPAuthorizationCredentials

from gateway.deps import Caller, get_caller_during_password_change, get_thread_caller, require_thread_scope
from gateway.problems import ProblemException
from zorgpost_kit.auth import GuestTokenRefused, InvalidToken, Principal

GUEST = Principal("participant-anna", "participant-anna", "s", None, None, frozenset({"guest"}), thread_scope="t-a")
STAFF = Principal("jan", "jan", "s", "org-x", "Gemeente X", frozenset({"staff"}))


class Verifier:
    """Stands in for the kit's verifier: refuses guest tokens unless allowed, as it does."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def verify(self, token: str, *, allow_guest: bool = False) -> Principal:
        if token != "good":
            raise InvalidToken()
        if self.principal.is_guest and not allow_guest:
            raise GuestTokenRefused()
        return self.principal


class Clients:
    def __init__(self, principal: Principal) -> None:
        self.verifier = Verifier(principal)
        self.password_change_verifier = Verifier(principal)


def bearer(token: str = "good") -> HTTPAuthorizationCredentials:
    return HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)


async def test_a_guest_reaches_the_thread_routes_for_its_own_thread_only() -> None:
    caller = await get_thread_caller(Clients(GUEST), bearer())
    require_thread_scope(caller, "t-a")
    with pytest.raises(ProblemException) as refused:
        require_thread_scope(caller, "t-b")
    assert refused.value.status_code == 404


async def test_every_other_route_answers_a_guest_404() -> None:
    with pytest.raises(GuestTokenRefused):
        await get_caller_during_password_change(Clients(GUEST), bearer())


async def test_account_holders_pass_the_thread_routes_unscoped() -> None:
    caller = await get_thread_caller(Clients(STAFF), bearer())
    assert caller == Caller(STAFF, "good")
    require_thread_scope(caller, "any-thread")
    with pytest.raises(Exception) as refused:
        await get_thread_caller(Clients(STAFF), bearer("bad"))
    assert getattr(refused.value, "status_code", None) == 401
