"""Identity's contract, spoken over gRPC to the real process: login and its refusals, the
JWKS every other service verifies tokens with, GetMe, refresh rotation, logout, and the
standard health and reflection services."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable

import grpc
import jwt
import pytest
from contract_helpers import (
    RPC_TIMEOUT,
    Person,
    health_status,
    jwks_keys,
    reflected_file_names,
    reflected_services,
    refusal,
    refused,
    resign_with_foreign_key,
    status_details,
)
from grpc_health.v1 import health_pb2
from support import StaffMember

from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.auth import JwksCache, TokenVerifier
from zorgpost_kit.grpc_client import call_metadata, read_failure

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity")]

SERVICE = "zorgpost.identity.v1.IdentityService"
ISSUER = "zorgpost-identity"
AUDIENCE = "zorgpost"


@pytest.fixture
def identity(channel: grpc.aio.Channel) -> identity_pb2_grpc.IdentityServiceStub:
    return identity_pb2_grpc.IdentityServiceStub(channel)


async def _tokens(
    identity: identity_pb2_grpc.IdentityServiceStub, account: StaffMember | Person
) -> identity_pb2.TokenPair:
    response = await identity.Login(
        identity_pb2.LoginRequest(username=account.email, password=account.password), timeout=RPC_TIMEOUT
    )
    assert response.WhichOneof("result") == "tokens"
    return response.tokens


async def _me(identity: identity_pb2_grpc.IdentityServiceStub, token: str | None) -> identity_pb2.Account:
    result: identity_pb2.Account = await identity.GetMe(
        identity_pb2.GetMeRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return result


# --------------------------------------------------------------------------- Login
async def test_login_answers_a_bearer_token_pair(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    tokens = await _tokens(identity, staff)
    assert tokens.token_type == "Bearer"
    assert tokens.expires_in == 900
    assert tokens.access_token.count(".") == 2
    assert len(tokens.refresh_token) >= 32
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert claims["sub"] == staff.account_id
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["roles"] == ["staff"]
    assert claims["org"] == {"id": staff.organisation_id, "name": staff.organisation_name, "kind": "other"}
    assert claims["exp"] - int(claims["iat"]) == tokens.expires_in
    # Every login is a session of its own.
    again = await _tokens(identity, staff)
    assert jwt.decode(again.access_token, options={"verify_signature": False})["sid"] != claims["sid"]
    assert again.refresh_token != tokens.refresh_token


async def test_login_name_is_case_insensitive_and_trimmed(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    response = await identity.Login(
        identity_pb2.LoginRequest(username=f"  {staff.email.upper()} ", password=staff.password), timeout=RPC_TIMEOUT
    )
    assert response.WhichOneof("result") == "tokens"
    assert jwt.decode(response.tokens.access_token, options={"verify_signature": False})["sub"] == staff.account_id


async def test_wrong_password_and_unknown_account_are_refused_identically(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    wrong = await refused(
        identity.Login(identity_pb2.LoginRequest(username=staff.email, password="niet-goed"), timeout=RPC_TIMEOUT)
    )
    unknown = await refused(
        identity.Login(
            identity_pb2.LoginRequest(username=f"niemand-{uuid.uuid4().hex[:6]}@test.example", password="niet-goed"),
            timeout=RPC_TIMEOUT,
        )
    )
    assert wrong.code() == unknown.code() == grpc.StatusCode.UNAUTHENTICATED
    assert wrong.details() == unknown.details()
    details = status_details(wrong)
    assert details is not None
    assert details == status_details(unknown)
    assert read_failure(wrong).reason == read_failure(unknown).reason == "invalid_credentials"
    assert read_failure(wrong).fields == {}


async def test_a_username_with_a_nul_character_is_just_an_unknown_account(
    identity: identity_pb2_grpc.IdentityServiceStub,
) -> None:
    failure = await refusal(
        identity.Login(
            identity_pb2.LoginRequest(username="medewerker\x00@test.example", password="niet-goed"),
            timeout=RPC_TIMEOUT,
        )
    )
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_credentials"


@pytest.mark.parametrize(
    ("username", "password", "fields"),
    [
        ("", "", {"username", "password"}),
        ("   ", "iets", {"username"}),
        ("iemand@test.example", "", {"password"}),
    ],
)
async def test_login_without_username_or_password_names_the_fields(
    identity: identity_pb2_grpc.IdentityServiceStub, username: str, password: str, fields: set[str]
) -> None:
    failure = await refusal(
        identity.Login(identity_pb2.LoginRequest(username=username, password=password), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "invalid_argument"
    assert set(failure.fields) == fields
    assert all(description == "is required" for description in failure.fields.values())


# --------------------------------------------------------------------------- JWKS
async def test_jwks_publishes_only_public_ed25519_keys(identity: identity_pb2_grpc.IdentityServiceStub) -> None:
    response = await identity.GetJwks(identity_pb2.GetJwksRequest(), timeout=RPC_TIMEOUT)
    keys = jwks_keys(response.jwks_json)
    assert keys
    for key in keys:
        assert key["kty"] == "OKP"
        assert key["crv"] == "Ed25519"
        assert key["alg"] == "EdDSA"
        assert key["use"] == "sig"
        assert key["kid"]
        assert len(base64.urlsafe_b64decode(key["x"] + "==")) == 32
        # The private half never leaves identity.
        assert "d" not in key


async def test_jwks_verifies_the_access_token_with_the_kit_verifier(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    tokens = await _tokens(identity, staff)

    async def fetch() -> str:
        return (await identity.GetJwks(identity_pb2.GetJwksRequest(), timeout=RPC_TIMEOUT)).jwks_json

    verifier = TokenVerifier(JwksCache(fetch), issuer=ISSUER, audience=AUDIENCE)
    principal = await verifier.verify(tokens.access_token)
    assert principal.subject_id == principal.actor_id == staff.account_id
    assert principal.organisation_id == staff.organisation_id
    assert principal.organisation_name == staff.organisation_name
    assert principal.roles == frozenset({"staff"})
    assert principal.works_for_organisation
    assert principal.session_id
    kid = jwt.get_unverified_header(tokens.access_token)["kid"]
    assert kid in {key["kid"] for key in jwks_keys(await fetch())}


# --------------------------------------------------------------------------- GetMe
async def test_get_me_answers_the_calling_staff_account(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    me = await _me(identity, (await _tokens(identity, staff)).access_token)
    assert me.id == staff.account_id
    assert me.email == staff.email
    assert me.display_name == "Test Medewerker"
    assert me.HasField("organisation")
    assert (me.organisation.id, me.organisation.name) == (staff.organisation_id, staff.organisation_name)
    assert list(me.roles) == ["staff"]
    assert me.language == "nl"


async def test_get_me_of_a_person_has_no_organisation(
    identity: identity_pb2_grpc.IdentityServiceStub, person: Person
) -> None:
    me = await _me(identity, (await _tokens(identity, person)).access_token)
    assert me.id == person.account_id
    assert me.email == person.email
    assert not me.HasField("organisation")
    assert list(me.roles) == ["person"]


def _tamper_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    # A character in the middle: every bit of it is signature (the last one is partly padding).
    middle = len(signature) // 2
    replacement = "A" if signature[middle] != "A" else "B"
    return ".".join((header, payload, signature[:middle] + replacement + signature[middle + 1 :]))


def _tamper_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(uuid.uuid4())
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join((header, forged, signature))


def _foreign_kid(token: str) -> str:
    return resign_with_foreign_key(token, kid=uuid.uuid4().hex)


def _unsigned(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, None, algorithm="none", headers={"kid": kid})


def _hs256_with_public_key(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, "a-guessable-secret-of-32-bytes!!", algorithm="HS256", headers={"kid": kid})


@pytest.mark.parametrize(
    "forge",
    [_tamper_signature, _tamper_payload, resign_with_foreign_key, _foreign_kid, _unsigned, _hs256_with_public_key],
    ids=["tampered-signature", "tampered-claims", "foreign-key-same-kid", "foreign-key-own-kid", "alg-none", "hs256"],
)
async def test_get_me_refuses_a_forged_token(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember, forge: Callable[[str], str]
) -> None:
    genuine = (await _tokens(identity, staff)).access_token
    failure = await refusal(
        identity.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(forge(genuine)), timeout=RPC_TIMEOUT)
    )
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_token"
    # The genuine token still works: the refusal was about the forgery.
    assert (await _me(identity, genuine)).id == staff.account_id


@pytest.mark.parametrize(
    "metadata",
    [
        (),
        (("authorization", "Bearer"),),
        (("authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),),
        (("authorization", "Bearer not-a-jwt"),),
    ],
    ids=["none", "empty-bearer", "basic", "not-a-jwt"],
)
async def test_get_me_without_a_token_is_unauthenticated(
    identity: identity_pb2_grpc.IdentityServiceStub, metadata: tuple[tuple[str, str], ...]
) -> None:
    failure = await refusal(identity.GetMe(identity_pb2.GetMeRequest(), metadata=metadata, timeout=RPC_TIMEOUT))
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_token"


# --------------------------------------------------------------------------- sessions
async def test_refresh_rotates_the_pair_and_a_reused_refresh_token_ends_the_session(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    first = await _tokens(identity, staff)
    rotated = await identity.RefreshSession(
        identity_pb2.RefreshSessionRequest(refresh_token=first.refresh_token), timeout=RPC_TIMEOUT
    )
    assert rotated.refresh_token and rotated.refresh_token != first.refresh_token
    assert rotated.access_token != first.access_token
    assert rotated.token_type == "Bearer"
    assert rotated.expires_in == 900
    first_claims = jwt.decode(first.access_token, options={"verify_signature": False})
    rotated_claims = jwt.decode(rotated.access_token, options={"verify_signature": False})
    assert rotated_claims["sid"] == first_claims["sid"]
    assert (await _me(identity, rotated.access_token)).id == staff.account_id

    reused = await refusal(
        identity.RefreshSession(
            identity_pb2.RefreshSessionRequest(refresh_token=first.refresh_token), timeout=RPC_TIMEOUT
        )
    )
    assert reused.code == grpc.StatusCode.UNAUTHENTICATED
    assert reused.reason == "invalid_refresh_token"

    # The reuse revoked the whole session: the rotated refresh token and the session's
    # access tokens are refused from now on.
    after = await refusal(
        identity.RefreshSession(
            identity_pb2.RefreshSessionRequest(refresh_token=rotated.refresh_token), timeout=RPC_TIMEOUT
        )
    )
    assert after.code == grpc.StatusCode.UNAUTHENTICATED
    assert after.reason == "invalid_refresh_token"
    me = await refusal(
        identity.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(rotated.access_token), timeout=RPC_TIMEOUT)
    )
    assert me.code == grpc.StatusCode.UNAUTHENTICATED
    # Refused by the session's end in the database, or already by the revocation it announced.
    assert me.reason in ("session_ended", "invalid_token")

    # Another session of the same account is untouched.
    other = await _tokens(identity, staff)
    assert (await _me(identity, other.access_token)).id == staff.account_id


async def test_refresh_with_an_unknown_or_missing_token_is_refused(
    identity: identity_pb2_grpc.IdentityServiceStub,
) -> None:
    unknown = await refusal(
        identity.RefreshSession(identity_pb2.RefreshSessionRequest(refresh_token="onbekend"), timeout=RPC_TIMEOUT)
    )
    assert unknown.code == grpc.StatusCode.UNAUTHENTICATED
    assert unknown.reason == "invalid_refresh_token"
    missing = await refusal(identity.RefreshSession(identity_pb2.RefreshSessionRequest(), timeout=RPC_TIMEOUT))
    assert missing.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(missing.fields) == {"refresh_token"}


async def test_logout_ends_the_session_at_once(
    identity: identity_pb2_grpc.IdentityServiceStub, staff: StaffMember
) -> None:
    tokens = await _tokens(identity, staff)
    await identity.Logout(
        identity_pb2.LogoutRequest(), metadata=call_metadata(tokens.access_token), timeout=RPC_TIMEOUT
    )
    me = await refusal(
        identity.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(tokens.access_token), timeout=RPC_TIMEOUT)
    )
    assert me.code == grpc.StatusCode.UNAUTHENTICATED
    assert me.reason == "session_ended"
    refresh = await refusal(
        identity.RefreshSession(
            identity_pb2.RefreshSessionRequest(refresh_token=tokens.refresh_token), timeout=RPC_TIMEOUT
        )
    )
    assert refresh.code == grpc.StatusCode.UNAUTHENTICATED
    assert refresh.reason == "invalid_refresh_token"


async def test_logout_without_a_token_is_unauthenticated(identity: identity_pb2_grpc.IdentityServiceStub) -> None:
    failure = await refusal(identity.Logout(identity_pb2.LogoutRequest(), timeout=RPC_TIMEOUT))
    assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    assert failure.reason == "invalid_token"


async def test_no_password_or_token_reaches_the_log(
    identity: identity_pb2_grpc.IdentityServiceStub, stack: Stack, staff: StaffMember
) -> None:
    wrong_password = f"Fout-{uuid.uuid4().hex}"
    await refused(
        identity.Login(identity_pb2.LoginRequest(username=staff.email, password=wrong_password), timeout=RPC_TIMEOUT)
    )
    tokens = await _tokens(identity, staff)
    rotated = await identity.RefreshSession(
        identity_pb2.RefreshSessionRequest(refresh_token=tokens.refresh_token), timeout=RPC_TIMEOUT
    )
    await identity.Logout(
        identity_pb2.LogoutRequest(), metadata=call_metadata(rotated.access_token), timeout=RPC_TIMEOUT
    )
    log = (stack.log_dir / "identity.log").read_text()
    assert "login_succeeded" in log  # the log is the one this process writes
    secrets = [staff.password, wrong_password, tokens.refresh_token, rotated.refresh_token]
    # A JWT's signature part is what makes it usable.
    secrets += [token.split(".")[2] for token in (tokens.access_token, rotated.access_token)]
    for secret in secrets:
        assert secret not in log


# --------------------------------------------------------------------------- health and reflection
@pytest.mark.parametrize("service", ["", SERVICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_health_of_an_unknown_service_is_not_found(channel: grpc.aio.Channel) -> None:
    error = await refused(health_status(channel, "zorgpost.nope.v1.NoService"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_the_service_and_serves_its_proto(channel: grpc.aio.Channel) -> None:
    services = await reflected_services(channel)
    assert {SERVICE, "grpc.health.v1.Health"} <= services
    assert "zorgpost/identity/v1/identity.proto" in await reflected_file_names(channel, SERVICE)
