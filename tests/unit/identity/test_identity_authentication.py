"""Logging in and out: sessions, refresh-token rotation and reuse detection.

The use cases run against the shared in-memory fakes (``identity_fakes``), whose changes
only count once committed, as with the real unit of work.
"""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from identity_fakes import World, make_world

from identity.adapters.passwords import PasswordHasher
from identity.domain.accounts import Account, AccountStatus, Organisation, Role
from identity.domain.authentication import AccountLocked
from identity.domain.errors import InvalidCredentials, InvalidRefreshToken, SessionEnded, TooManyAttempts
from identity.domain.policy import SecurityPolicy
from identity.domain.sessions import Session
from identity.service.authentication import ClientInfo, Tokens, hash_refresh_token
from zorgpost_kit.auth import Principal

PASSWORD = "Lange-zin-als-wachtwoord-2026"
IDLE_TTL = timedelta(days=7)
ABSOLUTE_TTL = timedelta(days=30)
LAPTOP = ClientInfo(ip_address="192.0.2.10", user_agent="Firefox on Linux")
PHONE = ClientInfo(ip_address="198.51.100.7", user_agent="Safari on iPhone")
#: A lockout from the 3rd failure, for every organisation and for unknown names alike.
LOCKOUT = SecurityPolicy(lockout_threshold=3, lockout_step=timedelta(seconds=30))


class Auth:
    """The world of these tests: an organisation, its accounts, and helpers."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.database = world.database
        self.clock = world.clock
        self.hasher = world.hasher
        self.auth = world.auth
        self.verifier = world.key.verifier()

    def add_account(
        self, email: str, *, status: AccountStatus = AccountStatus.ACTIVE, password_hash: str | None = ""
    ) -> Account:
        """An account of the organisation; its password is PASSWORD unless a hash (or None) is given."""
        account = self.world.add_account(email, password=PASSWORD, role=Role.STAFF, status=status)
        if password_hash != "":
            account.password_hash = password_hash
        return account

    async def login(self, login_name: str, password: str, client: ClientInfo) -> Tokens:
        """A login of an account without a second factor: tokens."""
        tokens = await self.auth.do_login(login_name, password, client)
        assert isinstance(tokens, Tokens)
        return tokens

    async def principal(self, tokens: Tokens) -> Principal:
        return await self.verifier.verify(tokens.access_token)

    @property
    def sessions(self) -> list[Session]:
        return list(self.database.tables.sessions.values())


@pytest.fixture
def world() -> Auth:
    world = make_world()
    world.add_organisation("Gemeente Vlaardingen")
    world.tables.policies["org-1"] = LOCKOUT
    world.tables.default_policy = LOCKOUT
    return Auth(world)


# --- login --------------------------------------------------------------------------------


async def test_login_opens_a_session_on_this_device(world: Auth) -> None:
    anna = world.add_account("anna@example.nl")

    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)

    principal = await world.principal(tokens)
    assert principal.subject_id == principal.actor_id == anna.id
    assert principal.organisation_name == "Gemeente Vlaardingen"
    # The name others see next to what Anna writes travels in the token.
    assert principal.display_name == "Anna de Vries"
    assert principal.works_for_organisation
    assert tokens.expires_in == 15 * 60
    [device] = world.sessions
    assert (device.id, device.account_id) == (principal.session_id, anna.id)
    assert (device.user_agent, device.ip_address) == (LAPTOP.user_agent, LAPTOP.ip_address)
    assert device.expires_at == world.clock.now + ABSOLUTE_TTL
    assert device.is_active(world.clock.now)


async def test_the_refresh_token_is_stored_only_as_its_hash(world: Auth) -> None:
    world.add_account("anna@example.nl")

    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)

    [stored] = world.database.tables.refresh_tokens.values()
    assert stored.token_hash == hash_refresh_token(tokens.refresh_token)
    assert tokens.refresh_token not in repr(world.database.tables)


async def test_each_login_is_a_session_of_its_own(world: Auth) -> None:
    world.add_account("anna@example.nl")

    on_laptop = await world.principal(await world.login("anna@example.nl", PASSWORD, LAPTOP))
    on_phone = await world.principal(await world.login("anna@example.nl", PASSWORD, PHONE))

    assert on_laptop.session_id != on_phone.session_id
    assert len(world.sessions) == 2


@pytest.mark.parametrize(
    ("login_name", "password"),
    [
        pytest.param("anna@example.nl", "wrong password", id="wrong password"),
        pytest.param("nobody@example.nl", PASSWORD, id="unknown account"),
        pytest.param("disabled@example.nl", PASSWORD, id="disabled account"),
        pytest.param("pending@example.nl", PASSWORD, id="account not yet activated"),
        pytest.param("nopassword@example.nl", PASSWORD, id="account without password"),
    ],
)
async def test_every_refused_login_gives_the_same_answer_and_opens_no_session(
    world: Auth, login_name: str, password: str
) -> None:
    world.add_account("anna@example.nl")
    world.add_account("disabled@example.nl", status=AccountStatus.DISABLED)
    world.add_account("pending@example.nl", status=AccountStatus.PENDING_ACTIVATION)
    world.add_account("nopassword@example.nl", password_hash=None)

    with pytest.raises(InvalidCredentials) as refused:
        await world.login(login_name, password, LAPTOP)

    assert (refused.value.code, refused.value.message, refused.value.fields) == (
        "invalid_credentials",
        "The username or password is incorrect.",
        {},
    )
    assert world.sessions == []
    assert world.database.tables.refresh_tokens == {}
    # Only the failure was recorded, under the name as typed (known account or not).
    assert world.database.tables.throttles[login_name].consecutive_failures == 1


async def test_an_unknown_account_costs_a_password_check_like_a_known_one(world: Auth) -> None:
    # Otherwise the response time would tell which e-mail addresses have an account.
    with pytest.raises(InvalidCredentials):
        await world.login("nobody@example.nl", PASSWORD, LAPTOP)

    assert world.hasher.verifications == 1


async def test_login_upgrades_a_hash_made_with_old_parameters(world: Auth) -> None:
    old_hash = PasswordHasher(time_cost=1, memory_cost_kib=4 * 1024).hash(PASSWORD)
    anna = world.add_account("anna@example.nl", password_hash=old_hash)

    await world.login("anna@example.nl", PASSWORD, LAPTOP)

    new_hash = world.database.tables.accounts[anna.id].password_hash
    assert new_hash != old_hash
    assert new_hash is not None and "m=8192,t=1,p=1" in new_hash
    assert world.hasher.verify(new_hash, PASSWORD)


# --- refresh ------------------------------------------------------------------------------


async def test_refresh_rotates_the_tokens_within_the_same_session(world: Auth) -> None:
    world.add_account("anna@example.nl")
    first = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    session_id = (await world.principal(first)).session_id
    world.clock.advance(timedelta(minutes=20))

    second = await world.auth.do_refresh(first.refresh_token, PHONE)

    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    # Issued 20 minutes "from now" by the test clock, so read without the verifier's time checks.
    assert jwt.decode(second.access_token, options={"verify_signature": False})["sid"] == session_id
    [device] = world.sessions
    assert device.last_seen_at == world.clock.now
    assert (device.user_agent, device.ip_address) == (PHONE.user_agent, PHONE.ip_address)


async def test_a_rotated_session_stays_alive_past_the_idle_time_of_its_start(world: Auth) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)

    for _ in range(3):
        world.clock.advance(IDLE_TTL - timedelta(hours=1))
        tokens = await world.auth.do_refresh(tokens.refresh_token, LAPTOP)

    assert world.sessions[0].is_active(world.clock.now)


async def test_reused_refresh_token_revokes_the_session(world: Auth) -> None:
    world.add_account("anna@example.nl")
    first = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    second = await world.auth.do_refresh(first.refresh_token, LAPTOP)

    # Someone presents the already rotated token: owner or thief, the session is compromised.
    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(first.refresh_token, PHONE)

    assert world.sessions[0].revoked_at == world.clock.now
    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(second.refresh_token, LAPTOP)
    with pytest.raises(SessionEnded):
        await world.auth.me(await world.principal(second))


async def test_reuse_revokes_only_the_session_of_that_token(world: Auth) -> None:
    world.add_account("anna@example.nl")
    laptop = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    phone = await world.login("anna@example.nl", PASSWORD, PHONE)
    await world.auth.do_refresh(laptop.refresh_token, LAPTOP)

    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(laptop.refresh_token, LAPTOP)

    assert (await world.auth.do_refresh(phone.refresh_token, PHONE)).refresh_token


async def test_refresh_after_logout_fails(world: Auth) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)

    await world.auth.do_logout(await world.principal(tokens))

    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(tokens.refresh_token, LAPTOP)


async def test_logout_ends_only_the_callers_session(world: Auth) -> None:
    world.add_account("anna@example.nl")
    laptop = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    phone = await world.login("anna@example.nl", PASSWORD, PHONE)

    await world.auth.do_logout(await world.principal(laptop))

    assert (await world.auth.me(await world.principal(phone))).account.id == "account-anna"
    with pytest.raises(SessionEnded):
        await world.auth.me(await world.principal(laptop))


async def test_an_unknown_refresh_token_fails(world: Auth) -> None:
    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh("made-up-token", LAPTOP)


async def test_refresh_of_a_session_unused_for_the_idle_time_fails(world: Auth) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    world.clock.advance(IDLE_TTL + timedelta(seconds=1))

    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(tokens.refresh_token, LAPTOP)


async def test_refresh_fails_once_the_account_is_disabled(world: Auth) -> None:
    anna = world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    world.database.tables.accounts[anna.id].status = AccountStatus.DISABLED

    with pytest.raises(InvalidRefreshToken):
        await world.auth.do_refresh(tokens.refresh_token, LAPTOP)


# --- me -----------------------------------------------------------------------------------


async def test_me_describes_the_callers_account_and_organisation(world: Auth) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)

    me = await world.auth.me(await world.principal(tokens))

    assert me.account.email == "anna@example.nl"
    assert me.organisation == Organisation("org-1", "Gemeente Vlaardingen")
    assert me.roles == frozenset({Role.STAFF})


async def test_me_refuses_a_still_valid_access_token_of_an_ended_session(world: Auth) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.login("anna@example.nl", PASSWORD, LAPTOP)
    principal = await world.principal(tokens)

    await world.auth.do_logout(principal)

    with pytest.raises(SessionEnded) as refused:
        await world.auth.me(principal)
    assert refused.value.code == "session_ended"


async def test_me_refuses_a_session_that_went_idle(world: Auth) -> None:
    world.add_account("anna@example.nl")
    principal = await world.principal(await world.login("anna@example.nl", PASSWORD, LAPTOP))
    world.clock.advance(IDLE_TTL)

    with pytest.raises(SessionEnded):
        await world.auth.me(principal)


# --- brute force --------------------------------------------------------------------------


@pytest.mark.parametrize("login_name", ["anna@example.nl", "nobody@example.nl"], ids=["known", "unknown"])
async def test_repeated_failures_make_the_name_wait_and_the_wait_ends(world: Auth, login_name: str) -> None:
    world.add_account("anna@example.nl")
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.login(login_name, "wrong password", LAPTOP)

    # Even the right password is not heard while the wait runs: guessing gains nothing.
    with pytest.raises(TooManyAttempts) as waiting:
        await world.login(login_name, PASSWORD, LAPTOP)
    assert waiting.value.retry_after_seconds == 30
    assert world.hasher.verifications == 3

    world.clock.advance(timedelta(seconds=30))
    if login_name == "anna@example.nl":
        await world.login(login_name, PASSWORD, LAPTOP)
        assert world.database.tables.throttles[login_name].consecutive_failures == 0
    else:
        with pytest.raises(InvalidCredentials):
            await world.login(login_name, PASSWORD, LAPTOP)


async def test_a_lock_is_told_to_the_owner_once_when_it_starts(world: Auth) -> None:
    world.add_account("anna@example.nl")
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.login("anna@example.nl", "wrong password", LAPTOP)

    assert [type(event) for event in world.database.events] == [AccountLocked]
    with pytest.raises(TooManyAttempts):
        await world.login("anna@example.nl", "wrong password", LAPTOP)
    assert len(world.database.events) == 1
