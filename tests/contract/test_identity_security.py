"""Identity's security contract over gRPC against the real process and PostgreSQL: one-time
codes are single-use under 16 concurrent redemptions, lockout starts and ends, a TOTP code
is never accepted twice, and the step-up login with an SMS code."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pyotp
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, refusal
from support import (
    Member,
    StaffMember,
    create_member,
    create_staff_member,
    fetch,
    identity_uow,
    set_security_policy,
    unique_mobile,
    wait_until,
)

from identity.config import Settings
from identity.domain.codes import CodeChannel, CodeHasher, CodePurpose
from identity.domain.errors import CodeNoLongerValid, IncorrectCode
from identity.domain.notices import Recipient
from identity.domain.policy import SecondFactor, SecurityPolicy
from identity.domain.rate_limits import CODES_PER_ACCOUNT
from identity.service.one_time_codes import OneTimeCodes
from zorgpost.events.v1 import identity_events_pb2
from zorgpost.identity.v1 import identity_pb2, identity_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity")]


@pytest_asyncio.fixture(loop_scope="module")
async def identity(stack: Stack) -> AsyncIterator[identity_pb2_grpc.IdentityServiceStub]:
    async with grpc.aio.insecure_channel(stack.grpc_address("identity")) as channel:
        yield identity_pb2_grpc.IdentityServiceStub(channel)


async def _issued_code(stack: Stack, *, purpose: str, email: str) -> str:
    """The newest code identity put in its outbox for ``email`` (what notifications sends)."""
    rows = await fetch(
        stack.database_urls["identity"],
        "SELECT payload FROM outbox_events WHERE subject = 'identity.one_time_code.issued' ORDER BY created_at DESC",
    )
    for row in rows:
        event = identity_events_pb2.OneTimeCodeIssued.FromString(row["payload"])
        if event.purpose == purpose and event.recipient.email == email:
            return str(event.code)
    raise AssertionError(f"no {purpose} code for {email}")


async def _issue(stack: Stack, codes: OneTimeCodes, purpose: CodePurpose, subject: str, staff: StaffMember) -> str:
    """Issues a code through the component, and reads it where notifications would."""
    async with codes.uow() as unit:
        await codes.do_issue(
            unit,
            purpose=purpose,
            subject=subject,
            channel=CodeChannel.EMAIL,
            recipient=Recipient(staff.account_id, staff.email),
            organisation=None,
            lifetime=timedelta(minutes=5),
        )
        await unit.commit()
    return await _issued_code(stack, purpose=purpose.value, email=staff.email)


async def _organisation(stack: Stack, policy: SecurityPolicy) -> StaffMember:
    staff = await create_staff_member(stack)
    await set_security_policy(stack, staff.organisation_id, policy)
    return staff


# --------------------------------------------------------------------------- one-time codes
async def test_sixteen_concurrent_redemptions_of_one_code_give_exactly_one_success(stack: Stack) -> None:
    staff = await create_staff_member(stack)
    engine, uow = identity_uow(stack)
    codes = OneTimeCodes(uow, CodeHasher(Settings().code_hash_key.get_secret_value().encode()))
    subject = str(uuid.uuid4())
    try:
        code = await _issue(stack, codes, CodePurpose.REGISTRATION, subject, staff)

        async def redeem() -> str:
            # Each redemption on a connection and transaction of its own, as on 16 instances.
            async with uow() as unit:
                try:
                    await codes.do_redeem(unit, purpose=CodePurpose.REGISTRATION, subject=subject, code=code)
                except CodeNoLongerValid:
                    return "refused"
                await asyncio.sleep(0.05)  # hold the row a moment: the others must wait, then fail
                await unit.commit()
                return "accepted"

        outcomes = await asyncio.gather(*(redeem() for _ in range(16)))
        assert sorted(outcomes).count("accepted") == 1
        assert outcomes.count("refused") == 15
    finally:
        await engine.dispose()


async def test_a_code_is_bound_to_its_purpose_and_dies_after_five_wrong_tries(stack: Stack) -> None:
    staff = await create_staff_member(stack)
    engine, uow = identity_uow(stack)
    codes = OneTimeCodes(uow, CodeHasher(Settings().code_hash_key.get_secret_value().encode()))
    subject = str(uuid.uuid4())
    try:
        code = await _issue(stack, codes, CodePurpose.ACTIVATION, subject, staff)
        async with uow() as unit:
            with pytest.raises(CodeNoLongerValid):  # the right code, the wrong purpose
                await codes.do_redeem(unit, purpose=CodePurpose.MOBILE_CHANGE, subject=subject, code=code)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(5):
            async with uow() as unit:
                with pytest.raises(IncorrectCode):
                    await codes.do_redeem(unit, purpose=CodePurpose.ACTIVATION, subject=subject, code=wrong)
        async with uow() as unit:
            # The wrong tries were counted although each block rolled back: now even the right code fails.
            with pytest.raises(CodeNoLongerValid):
                await codes.do_redeem(unit, purpose=CodePurpose.ACTIVATION, subject=subject, code=code)
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- SMS step-up
async def _login(identity: identity_pb2_grpc.IdentityServiceStub, member: Member) -> identity_pb2.LoginResponse:
    response: identity_pb2.LoginResponse = await identity.Login(
        identity_pb2.LoginRequest(username=member.email, password=member.password), timeout=RPC_TIMEOUT
    )
    return response


async def test_sms_login_challenge_completes_once_under_sixteen_concurrent_verifications(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await _organisation(stack, SecurityPolicy(second_factor=SecondFactor.SMS))
    member = await create_member(stack, staff.organisation_id, mobile=unique_mobile())
    response = await _login(identity, member)
    assert response.WhichOneof("result") == "challenge"
    assert response.challenge.method == "sms"
    code = await _issued_code(stack, purpose="login", email=member.email)

    async def verify() -> str:
        try:
            result = await identity.VerifyLoginChallenge(
                identity_pb2.VerifyLoginChallengeRequest(challenge_id=response.challenge.challenge_id, code=code),
                timeout=RPC_TIMEOUT,
            )
        except grpc.aio.AioRpcError as error:
            return error.code().name
        return result.WhichOneof("result") or ""

    outcomes = await asyncio.gather(*(verify() for _ in range(16)))
    assert outcomes.count("tokens") == 1
    assert set(outcomes) - {"tokens"} == {"UNAUTHENTICATED"}


async def test_a_wrong_sms_code_is_refused_and_a_resend_replaces_the_code(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await _organisation(stack, SecurityPolicy(second_factor=SecondFactor.SMS))
    member = await create_member(stack, staff.organisation_id, mobile=unique_mobile())
    challenge = (await _login(identity, member)).challenge
    first = await _issued_code(stack, purpose="login", email=member.email)
    await identity.ResendLoginCode(
        identity_pb2.ResendLoginCodeRequest(challenge_id=challenge.challenge_id), timeout=RPC_TIMEOUT
    )
    second = await _issued_code(stack, purpose="login", email=member.email)
    if first != second:  # one in a million they are equal; then there is nothing to show
        failure = await refusal(
            identity.VerifyLoginChallenge(
                identity_pb2.VerifyLoginChallengeRequest(challenge_id=challenge.challenge_id, code=first),
                timeout=RPC_TIMEOUT,
            )
        )
        assert (failure.code, failure.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "incorrect_code")
    verified = await identity.VerifyLoginChallenge(
        identity_pb2.VerifyLoginChallengeRequest(challenge_id=challenge.challenge_id, code=second),
        timeout=RPC_TIMEOUT,
    )
    assert verified.WhichOneof("result") == "tokens"


async def test_codes_are_sent_a_limited_number_of_times_per_account_and_then_429_with_a_wait(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await _organisation(stack, SecurityPolicy(second_factor=SecondFactor.SMS))
    member = await create_member(stack, staff.organisation_id, mobile=unique_mobile())
    challenge = (await _login(identity, member)).challenge  # the first code
    for _ in range(CODES_PER_ACCOUNT.max_count - 1):
        await identity.ResendLoginCode(
            identity_pb2.ResendLoginCodeRequest(challenge_id=challenge.challenge_id), timeout=RPC_TIMEOUT
        )

    limited = await refusal(
        identity.ResendLoginCode(
            identity_pb2.ResendLoginCodeRequest(challenge_id=challenge.challenge_id), timeout=RPC_TIMEOUT
        )
    )

    assert (limited.code, limited.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "too_many_requests")
    assert limited.retry_after_seconds is not None
    assert 0 < limited.retry_after_seconds <= CODES_PER_ACCOUNT.window.total_seconds()
    rows = await fetch(
        stack.database_urls["identity"],
        "SELECT payload FROM outbox_events WHERE subject = 'identity.one_time_code.issued'",
    )
    sent = [identity_events_pb2.OneTimeCodeIssued.FromString(row["payload"]) for row in rows]
    assert sum(1 for event in sent if event.recipient.account_id == member.account_id) == CODES_PER_ACCOUNT.max_count
    # The limit is the account's (and its number's): another account is not held up.
    other = await create_member(stack, staff.organisation_id, mobile=unique_mobile())
    assert (await _login(identity, other)).WhichOneof("result") == "challenge"


# --------------------------------------------------------------------------- TOTP
async def test_a_totp_code_is_never_accepted_twice(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await create_staff_member(stack)
    tokens = (await identity.Login(identity_pb2.LoginRequest(username=staff.email, password=staff.password))).tokens
    metadata = call_metadata(tokens.access_token)
    enrolment = await identity.StartSecondFactorEnrolment(
        identity_pb2.StartSecondFactorEnrolmentRequest(method="totp", password=staff.password),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolment.totp_secret)
    now = datetime.now(UTC)
    confirmed = await identity.ConfirmSecondFactor(
        identity_pb2.ConfirmSecondFactorRequest(method="totp", code=totp.at(now)),
        metadata=metadata,
        timeout=RPC_TIMEOUT,
    )
    assert len(confirmed.recovery_codes) == 10

    # The code that confirmed the enrolment cannot log in: its time step is used.
    challenge = (
        await identity.Login(identity_pb2.LoginRequest(username=staff.email, password=staff.password))
    ).challenge
    assert challenge.method == "totp"
    replayed = await refusal(
        identity.VerifyLoginChallenge(
            identity_pb2.VerifyLoginChallengeRequest(challenge_id=challenge.challenge_id, code=totp.at(now)),
            timeout=RPC_TIMEOUT,
        )
    )
    assert replayed.reason == "incorrect_code"
    next_code = totp.at(now + timedelta(seconds=30))
    verified = await identity.VerifyLoginChallenge(
        identity_pb2.VerifyLoginChallengeRequest(challenge_id=challenge.challenge_id, code=next_code),
        timeout=RPC_TIMEOUT,
    )
    assert verified.WhichOneof("result") == "tokens"

    # The next step's code, now used, is refused on another login too.
    again = (await identity.Login(identity_pb2.LoginRequest(username=staff.email, password=staff.password))).challenge
    failure = await refusal(
        identity.VerifyLoginChallenge(
            identity_pb2.VerifyLoginChallengeRequest(challenge_id=again.challenge_id, code=next_code),
            timeout=RPC_TIMEOUT,
        )
    )
    assert (failure.code, failure.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "incorrect_code")
    # A recovery code stands in once.
    recovered = await identity.VerifyLoginChallenge(
        identity_pb2.VerifyLoginChallengeRequest(challenge_id=again.challenge_id, code=confirmed.recovery_codes[0]),
        timeout=RPC_TIMEOUT,
    )
    assert recovered.WhichOneof("result") == "tokens"


# --------------------------------------------------------------------------- lockout
async def test_lockout_starts_after_the_threshold_and_ends_after_the_wait(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await _organisation(stack, SecurityPolicy(lockout_threshold=3, lockout_step=timedelta(seconds=2)))
    for _ in range(3):
        wrong = await refusal(identity.Login(identity_pb2.LoginRequest(username=staff.email, password="niet-goed")))
        assert wrong.reason == "invalid_credentials"
    locked = await refusal(
        identity.Login(identity_pb2.LoginRequest(username=staff.email, password=staff.password), timeout=RPC_TIMEOUT)
    )
    assert (locked.code, locked.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "too_many_attempts")
    assert locked.retry_after_seconds in (1, 2)
    rows = await fetch(
        stack.database_urls["identity"],
        "SELECT count(*) AS n FROM outbox_events WHERE subject = 'identity.account.locked'",
    )
    assert rows[0]["n"] >= 1

    # Attempts during the wait are not heard (they neither count nor extend it), so the
    # right password is simply tried until the wait is over.
    released: list[identity_pb2.LoginResponse] = []

    async def wait_is_over() -> bool:
        try:
            released.append(
                await identity.Login(
                    identity_pb2.LoginRequest(username=staff.email, password=staff.password), timeout=RPC_TIMEOUT
                )
            )
        except grpc.aio.AioRpcError as refused:
            assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            return False
        return True

    await wait_until(wait_is_over, within=15.0, what="the end of the lockout")
    assert released[-1].WhichOneof("result") == "tokens"
    # The success forgave the failures: one new failure does not lock again.
    await refusal(identity.Login(identity_pb2.LoginRequest(username=staff.email, password="niet-goed")))
    assert (await identity.Login(identity_pb2.LoginRequest(username=staff.email, password=staff.password))).WhichOneof(
        "result"
    ) == "tokens"


async def test_an_unknown_login_name_is_locked_exactly_like_a_known_one(
    stack: Stack, identity: identity_pb2_grpc.IdentityServiceStub
) -> None:
    staff = await create_staff_member(stack)  # the default policy: from the 5th failure
    unknown = f"niemand-{uuid.uuid4().hex[:6]}@test.example"
    for _ in range(5):
        for name in (staff.email, unknown):
            await refusal(identity.Login(identity_pb2.LoginRequest(username=name, password="niet-goed")))
    known_locked = await refusal(identity.Login(identity_pb2.LoginRequest(username=staff.email, password="x")))
    unknown_locked = await refusal(identity.Login(identity_pb2.LoginRequest(username=unknown, password="x")))
    assert known_locked.code == unknown_locked.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (known_locked.reason, known_locked.message) == (unknown_locked.reason, unknown_locked.message)
    assert abs((known_locked.retry_after_seconds or 0) - (unknown_locked.retry_after_seconds or 0)) <= 1
