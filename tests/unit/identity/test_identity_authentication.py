"""Logging in and out: sessions, refresh-token rotation and reuse detection.

The use case runs against an in-memory unit of work whose changes only count once
committed, as with the real one.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.adapters.passwords import PasswordHasher
from identity.adapters.signing_keys import AccessTokenIssuer, SigningKey
from identity.domain.errors import InvalidCredentials, InvalidRefreshToken, SessionEnded, TooManyAttempts
from identity.domain.model import Account, AccountStatus, Organisation, RefreshToken, Role, Session
from identity.domain.policy import SecurityPolicy
from identity.domain.throttle import LoginThrottle
from identity.service.authentication import Authentication, ClientInfo, Tokens, hash_refresh_token
from zorgpost_kit.auth import JwksCache, Principal, TokenVerifier

PASSWORD = "Lange-zin-als-wachtwoord-2026"
IDLE_TTL = timedelta(days=7)
ABSOLUTE_TTL = timedelta(days=30)
LAPTOP = ClientInfo(ip_address="192.0.2.10", user_agent="Firefox on Linux")
PHONE = ClientInfo(ip_address="198.51.100.7", user_agent="Safari on iPhone")


# --- in-memory unit of work -------------------------------------------------------------


@dataclass
class Tables:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    throttles: dict[str, LoginThrottle] = field(default_factory=dict)


class FakeOrganisations:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def get(self, organisation_id: str) -> Organisation | None:
        return self._tables.organisations.get(organisation_id)


class FakeAccounts:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def get(self, account_id: str) -> Account | None:
        return copy.deepcopy(self._tables.accounts.get(account_id))

    async def find_for_login(self, login_name: str) -> Account | None:
        name = login_name.strip().lower()
        for account in self._tables.accounts.values():
            if name in (account.email, account.username):
                return copy.deepcopy(account)
        return None

    async def set_password_hash(self, account_id: str, password_hash: str) -> None:
        self._tables.accounts[account_id].password_hash = password_hash


class FakeSessions:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, device: Session) -> None:
        self._tables.sessions[device.id] = copy.deepcopy(device)

    async def get_for_update(self, session_id: str) -> Session | None:
        return copy.deepcopy(self._tables.sessions.get(session_id))

    async def save(self, device: Session) -> None:
        self._tables.sessions[device.id] = copy.deepcopy(device)

    async def is_active(self, session_id: str, now: datetime) -> bool:
        device = self._tables.sessions.get(session_id)
        return device is not None and device.is_active(now)


class FakeRefreshTokens:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, token: RefreshToken) -> None:
        self._tables.refresh_tokens[token.id] = token

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self._tables.refresh_tokens.values() if t.token_hash == token_hash), None)

    async def mark_used(self, token_id: str, now: datetime) -> None:
        self._tables.refresh_tokens[token_id] = dataclasses.replace(self._tables.refresh_tokens[token_id], used_at=now)


class FakeThrottles:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def lock(self, login_name: str, now: datetime) -> LoginThrottle:
        return copy.deepcopy(self._tables.throttles.setdefault(login_name, LoginThrottle(login_name, now)))

    async def save(self, throttle: LoginThrottle) -> None:
        self._tables.throttles[throttle.login_name] = copy.deepcopy(throttle)


class FakePolicies:
    """Every organisation has the default policy, but a lockout from the 3rd failure."""

    async def get(self, organisation_id: str | None) -> SecurityPolicy:
        return SecurityPolicy(lockout_threshold=3, lockout_step=timedelta(seconds=30))


class NoSecondFactors:
    """No account here has a second factor (the step-up is tested over real PostgreSQL)."""

    async def method_for(self, uow: object, account: Account) -> None:
        return None


class Database:
    """Committed state; each unit of work works on a copy and writes it back on commit."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._database.tables)
        self.organisations = FakeOrganisations(self._working)
        self.accounts = FakeAccounts(self._working)
        self.sessions = FakeSessions(self._working)
        self.refresh_tokens = FakeRefreshTokens(self._working)
        self.login_throttles = FakeThrottles(self._working)
        self.security_policies = FakePolicies()
        self.events: list[object] = []
        return self

    def emit(self, event: object) -> None:
        self.events.append(event)

    async def __aexit__(self, *exc_info: object) -> None:
        self._working = Tables()  # whatever was not committed is gone

    async def commit(self) -> None:
        self._database.tables = copy.deepcopy(self._working)
        self._database.commits += 1


# --- the use case and its collaborators ---------------------------------------------------


class Clock:
    def __init__(self) -> None:
        # Real time: the access tokens issued must pass the verifier's expiry check.
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class CountingHasher(PasswordHasher):
    def __init__(self, **params: int) -> None:
        super().__init__(**params)
        self.verifications = 0

    def verify(self, password_hash: str | None, password: str) -> bool:
        self.verifications += 1
        return super().verify(password_hash, password)


@dataclass
class KeyStore:
    active: SigningKey

    @classmethod
    def generate(cls) -> KeyStore:
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return cls(SigningKey("kid-1", private, {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "kid-1"}))


# A cheap hash keeps the tests fast; the production parameters are tested in test_identity_passwords.
FAST = {"time_cost": 1, "memory_cost_kib": 8 * 1024}


@dataclass
class World:
    database: Database
    clock: Clock
    hasher: CountingHasher
    auth: Authentication
    verifier: TokenVerifier

    def add_account(self, email: str, *, status: AccountStatus = AccountStatus.ACTIVE, **extra: Any) -> Account:
        account = Account(
            id=f"account-{email.split('@')[0]}",
            email=email,
            display_name="Anna de Vries",
            password_hash=extra.pop("password_hash", self.hasher.hash(PASSWORD)),
            organisation_id="org-1",
            roles=frozenset({Role.STAFF}),
            status=status,
            **extra,
        )
        self.database.tables.accounts[account.id] = account
        return account

    async def principal(self, tokens: Tokens) -> Principal:
        return await self.verifier.verify(tokens.access_token)

    @property
    def sessions(self) -> list[Session]:
        return list(self.database.tables.sessions.values())


@pytest.fixture
def world() -> World:
    database = Database()
    database.tables.organisations["org-1"] = Organisation("org-1", "Gemeente Vlaardingen")
    clock = Clock()
    keys = KeyStore.generate()
    hasher = CountingHasher(**FAST)
    auth = Authentication(
        uow=database.unit_of_work,  # type: ignore[arg-type]
        hasher=hasher,
        access_tokens=AccessTokenIssuer(
            keys,  # type: ignore[arg-type]
            issuer="zorgpost-identity",
            audience="zorgpost",
            ttl=timedelta(minutes=15),
        ),
        session_idle_ttl=IDLE_TTL,
        session_absolute_ttl=ABSOLUTE_TTL,
        factors=NoSecondFactors(),  # type: ignore[arg-type]
        clock=clock,
    )

    async def jwks() -> str:
        return json.dumps({"keys": [keys.active.public_jwk]})

    verifier = TokenVerifier(JwksCache(jwks), issuer="zorgpost-identity", audience="zorgpost")
    return World(database, clock, hasher, auth, verifier)


# --- login --------------------------------------------------------------------------------


async def test_login_opens_a_session_on_this_device(world: World) -> None:
    anna = world.add_account("anna@example.nl")

    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    principal = await world.principal(tokens)
    assert principal.subject_id == principal.actor_id == anna.id
    assert principal.organisation_name == "Gemeente Vlaardingen"
    assert principal.is_staff
    assert tokens.expires_in == 15 * 60
    [device] = world.sessions
    assert (device.id, device.account_id) == (principal.session_id, anna.id)
    assert (device.user_agent, device.ip_address) == (LAPTOP.user_agent, LAPTOP.ip_address)
    assert device.expires_at == world.clock.now + ABSOLUTE_TTL
    assert device.is_active(world.clock.now)


async def test_the_refresh_token_is_stored_only_as_its_hash(world: World) -> None:
    world.add_account("anna@example.nl")

    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    [stored] = world.database.tables.refresh_tokens.values()
    assert stored.token_hash == hash_refresh_token(tokens.refresh_token)
    assert tokens.refresh_token not in repr(world.database.tables)


async def test_each_login_is_a_session_of_its_own(world: World) -> None:
    world.add_account("anna@example.nl")

    on_laptop = await world.principal(await world.auth.login("anna@example.nl", PASSWORD, LAPTOP))
    on_phone = await world.principal(await world.auth.login("anna@example.nl", PASSWORD, PHONE))

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
    world: World, login_name: str, password: str
) -> None:
    world.add_account("anna@example.nl")
    world.add_account("disabled@example.nl", status=AccountStatus.DISABLED)
    world.add_account("pending@example.nl", status=AccountStatus.PENDING_ACTIVATION)
    world.add_account("nopassword@example.nl", password_hash=None)

    with pytest.raises(InvalidCredentials) as refused:
        await world.auth.login(login_name, password, LAPTOP)

    assert (refused.value.code, refused.value.message, refused.value.fields) == (
        "invalid_credentials",
        "The username or password is incorrect.",
        {},
    )
    assert world.sessions == []
    assert world.database.tables.refresh_tokens == {}
    # Only the failure was recorded, under the name as typed (known account or not).
    assert world.database.tables.throttles[login_name].consecutive_failures == 1


async def test_an_unknown_account_costs_a_password_check_like_a_known_one(world: World) -> None:
    # Otherwise the response time would tell which e-mail addresses have an account.
    with pytest.raises(InvalidCredentials):
        await world.auth.login("nobody@example.nl", PASSWORD, LAPTOP)

    assert world.hasher.verifications == 1


async def test_login_upgrades_a_hash_made_with_old_parameters(world: World) -> None:
    old_hash = PasswordHasher(time_cost=1, memory_cost_kib=4 * 1024).hash(PASSWORD)
    anna = world.add_account("anna@example.nl", password_hash=old_hash)

    await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    new_hash = world.database.tables.accounts[anna.id].password_hash
    assert new_hash != old_hash
    assert new_hash is not None and "m=8192,t=1,p=1" in new_hash
    assert world.hasher.verify(new_hash, PASSWORD)


# --- refresh ------------------------------------------------------------------------------


async def test_refresh_rotates_the_tokens_within_the_same_session(world: World) -> None:
    world.add_account("anna@example.nl")
    first = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    session_id = (await world.principal(first)).session_id
    world.clock.advance(timedelta(minutes=20))

    second = await world.auth.refresh(first.refresh_token, PHONE)

    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    # Issued 20 minutes "from now" by the test clock, so read without the verifier's time checks.
    assert jwt.decode(second.access_token, options={"verify_signature": False})["sid"] == session_id
    [device] = world.sessions
    assert device.last_seen_at == world.clock.now
    assert (device.user_agent, device.ip_address) == (PHONE.user_agent, PHONE.ip_address)


async def test_a_rotated_session_stays_alive_past_the_idle_time_of_its_start(world: World) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    for _ in range(3):
        world.clock.advance(IDLE_TTL - timedelta(hours=1))
        tokens = await world.auth.refresh(tokens.refresh_token, LAPTOP)

    assert world.sessions[0].is_active(world.clock.now)


async def test_reused_refresh_token_revokes_the_session(world: World) -> None:
    world.add_account("anna@example.nl")
    first = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    second = await world.auth.refresh(first.refresh_token, LAPTOP)

    # Someone presents the already rotated token: owner or thief, the session is compromised.
    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(first.refresh_token, PHONE)

    assert world.sessions[0].revoked_at == world.clock.now
    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(second.refresh_token, LAPTOP)
    with pytest.raises(SessionEnded):
        await world.auth.me(await world.principal(second))


async def test_reuse_revokes_only_the_session_of_that_token(world: World) -> None:
    world.add_account("anna@example.nl")
    laptop = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    phone = await world.auth.login("anna@example.nl", PASSWORD, PHONE)
    await world.auth.refresh(laptop.refresh_token, LAPTOP)

    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(laptop.refresh_token, LAPTOP)

    assert (await world.auth.refresh(phone.refresh_token, PHONE)).refresh_token


async def test_refresh_after_logout_fails(world: World) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    await world.auth.logout(await world.principal(tokens))

    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(tokens.refresh_token, LAPTOP)


async def test_logout_ends_only_the_callers_session(world: World) -> None:
    world.add_account("anna@example.nl")
    laptop = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    phone = await world.auth.login("anna@example.nl", PASSWORD, PHONE)

    await world.auth.logout(await world.principal(laptop))

    assert (await world.auth.me(await world.principal(phone))).account.id == "account-anna"
    with pytest.raises(SessionEnded):
        await world.auth.me(await world.principal(laptop))


async def test_an_unknown_refresh_token_fails(world: World) -> None:
    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh("made-up-token", LAPTOP)


async def test_refresh_of_a_session_unused_for_the_idle_time_fails(world: World) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    world.clock.advance(IDLE_TTL + timedelta(seconds=1))

    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(tokens.refresh_token, LAPTOP)


async def test_refresh_fails_once_the_account_is_disabled(world: World) -> None:
    anna = world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    world.database.tables.accounts[anna.id].status = AccountStatus.DISABLED

    with pytest.raises(InvalidRefreshToken):
        await world.auth.refresh(tokens.refresh_token, LAPTOP)


# --- me -----------------------------------------------------------------------------------


async def test_me_describes_the_callers_account_and_organisation(world: World) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)

    me = await world.auth.me(await world.principal(tokens))

    assert me.account.email == "anna@example.nl"
    assert me.organisation == Organisation("org-1", "Gemeente Vlaardingen")
    assert me.roles == frozenset({Role.STAFF})


async def test_me_refuses_a_still_valid_access_token_of_an_ended_session(world: World) -> None:
    world.add_account("anna@example.nl")
    tokens = await world.auth.login("anna@example.nl", PASSWORD, LAPTOP)
    principal = await world.principal(tokens)

    await world.auth.logout(principal)

    with pytest.raises(SessionEnded) as refused:
        await world.auth.me(principal)
    assert refused.value.code == "session_ended"


async def test_me_refuses_a_session_that_went_idle(world: World) -> None:
    world.add_account("anna@example.nl")
    principal = await world.principal(await world.auth.login("anna@example.nl", PASSWORD, LAPTOP))
    world.clock.advance(IDLE_TTL)

    with pytest.raises(SessionEnded):
        await world.auth.me(principal)


# --- brute force --------------------------------------------------------------------------


@pytest.mark.parametrize("login_name", ["anna@example.nl", "nobody@example.nl"], ids=["known", "unknown"])
async def test_repeated_failures_make_the_name_wait_and_the_wait_ends(world: World, login_name: str) -> None:
    world.add_account("anna@example.nl")
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.auth.login(login_name, "wrong password", LAPTOP)

    # Even the right password is not heard while the wait runs: guessing gains nothing.
    with pytest.raises(TooManyAttempts) as waiting:
        await world.auth.login(login_name, PASSWORD, LAPTOP)
    assert waiting.value.retry_after_seconds == 30
    assert world.hasher.verifications == 3

    world.clock.advance(timedelta(seconds=30))
    if login_name == "anna@example.nl":
        await world.auth.login(login_name, PASSWORD, LAPTOP)
        assert world.database.tables.throttles[login_name].consecutive_failures == 0
    else:
        with pytest.raises(InvalidCredentials):
            await world.auth.login(login_name, PASSWORD, LAPTOP)


async def test_a_lock_is_told_to_the_owner_once_when_it_starts(world: World) -> None:
    world.add_account("anna@example.nl")
    recorded: list[object] = []
    original = world.database.unit_of_work

    def recording() -> FakeUnitOfWork:
        uow = original()
        real_commit = uow.commit

        async def commit() -> None:
            recorded.extend(uow.events)
            await real_commit()

        uow.commit = commit  # type: ignore[method-assign]
        return uow

    world.auth.uow = recording  # type: ignore[assignment]
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.auth.login("anna@example.nl", "wrong password", LAPTOP)

    assert [type(event).__name__ for event in recorded] == ["AccountLocked"]
    with pytest.raises(TooManyAttempts):
        await world.auth.login("anna@example.nl", "wrong password", LAPTOP)
    assert len(recorded) == 1
