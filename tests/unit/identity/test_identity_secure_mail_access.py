"""Secure-mail access on identity's fakes: the access code goes by SMS when the sender gave
a mobile number and by mail otherwise, in the organisation's name; it works for 15
minutes, once, five wrong tries; asking again replaces it, three times an hour and ten times
a day per link; access codes count apart from an address's login codes; the right code buys
a guest token for the one thread, as the guest participant, for at most 15 minutes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import jwt
import pytest
from identity_fakes import AUDIENCE, World, make_world

from identity.domain.codes import CodeChannel, CodePurpose, OneTimeCodeIssued
from identity.domain.errors import (
    AccessCodeAttemptsUsedUp,
    AccessCodeNoLongerValid,
    AccessCodesUsedUp,
    IncorrectAccessCode,
    ReadLinkNotFound,
    TooManyRequests,
)
from identity.domain.notices import Recipient
from identity.domain.secure_mail_access import ReadLink
from zorgpost_kit.auth import GuestTokenRefused
from zorgpost_kit.errors import InvalidArgument

TOKEN = "leeslink-token-abc"


def read_link(*, mobile: str = "", expires_in: timedelta = timedelta(days=30), world: World) -> ReadLink:
    return ReadLink(
        thread_id="thread-a",
        participant_id="guest-participant-1",
        email="burger@example.org",
        mobile=mobile,
        organisation_id="org-1",
        organisation_name="Gemeente Haarlemmermeer",
        language="nl",
        expires_at=world.clock() + expires_in,
    )


@pytest.fixture
def world() -> World:
    world = make_world()
    world.conversations.read_links[TOKEN] = read_link(world=world)
    return world


async def code_sent(world: World) -> str:
    """Asks for a code; answers the code the notice carries."""
    await world.secure_mail_access.do_send_code(TOKEN)
    return str(world.database.events_of(OneTimeCodeIssued)[-1].code)


def claims(world: World, token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(
        token,
        key=world.key.active.private_key.public_key(),
        algorithms=["EdDSA"],
        audience=AUDIENCE,
        options={"verify_exp": False, "verify_iat": False},
    )
    return decoded


async def test_without_a_mobile_number_the_code_goes_by_mail_in_the_organisations_name(world: World) -> None:
    sent = await world.secure_mail_access.do_send_code(TOKEN)

    [issued] = world.database.events_of(OneTimeCodeIssued)
    assert (issued.channel, issued.purpose) == ("email", "secure_mail_access")
    assert (issued.recipient.email, issued.recipient.account_id) == ("burger@example.org", "")
    assert (issued.organisation_id, issued.organisation_name) == ("org-1", "Gemeente Haarlemmermeer")
    assert issued.expires_at == world.clock() + timedelta(minutes=15)
    assert (sent.channel.value, sent.destination, sent.expires_at) == ("email", "b***@example.org", issued.expires_at)


async def test_with_a_mobile_number_the_code_goes_by_sms(world: World) -> None:
    world.conversations.read_links[TOKEN] = read_link(mobile="+31612345678", world=world)

    sent = await world.secure_mail_access.do_send_code(TOKEN)

    [issued] = world.database.events_of(OneTimeCodeIssued)
    assert (issued.channel, issued.recipient.mobile) == ("sms", "+31612345678")
    assert sent.destination == "+316******78"


async def test_the_right_code_opens_the_one_thread_as_the_guest_for_at_most_15_minutes(world: World) -> None:
    code = await code_sent(world)

    access = await world.secure_mail_access.do_open(TOKEN, code)

    assert access.thread_id == "thread-a"
    assert access.expires_in == 15 * 60
    token_claims = claims(world, access.access_token)
    assert token_claims["sub"] == "guest-participant-1"
    assert token_claims["roles"] == ["guest"]
    assert token_claims["thread"] == "thread-a"
    assert str(token_claims["sid"]).startswith("guest-")
    assert "org" not in token_claims and "act" not in token_claims
    assert int(str(token_claims["exp"])) - int(str(token_claims["iat"])) <= 15 * 60
    # Identity itself never takes it for an account holder.
    with pytest.raises(GuestTokenRefused):
        await world.key.verifier().verify(access.access_token)
    assert (await world.key.verifier().verify(access.access_token, allow_guest=True)).thread_scope == "thread-a"


async def test_a_guest_token_does_not_outlive_its_link(world: World) -> None:
    world.conversations.read_links[TOKEN] = read_link(expires_in=timedelta(minutes=4), world=world)
    code = await code_sent(world)

    access = await world.secure_mail_access.do_open(TOKEN, code)

    assert access.expires_in == 4 * 60


async def test_a_code_opens_once(world: World) -> None:
    code = await code_sent(world)
    await world.secure_mail_access.do_open(TOKEN, code)

    with pytest.raises(AccessCodeNoLongerValid):
        await world.secure_mail_access.do_open(TOKEN, code)


async def test_a_code_expires_after_15_minutes(world: World) -> None:
    code = await code_sent(world)
    world.clock.advance(timedelta(minutes=15))

    with pytest.raises(AccessCodeNoLongerValid):
        await world.secure_mail_access.do_open(TOKEN, code)


async def test_five_wrong_tries_and_the_code_is_used_up_even_for_the_right_code(world: World) -> None:
    code = await code_sent(world)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(5):
        with pytest.raises(IncorrectAccessCode) as refused:
            await world.secure_mail_access.do_open(TOKEN, wrong)
        assert refused.value.fields == {"code": "is not correct"}

    with pytest.raises(AccessCodeAttemptsUsedUp):
        await world.secure_mail_access.do_open(TOKEN, code)
    # A new code starts afresh.
    await world.secure_mail_access.do_open(TOKEN, await code_sent(world))


async def test_asking_again_replaces_the_code(world: World) -> None:
    first = await code_sent(world)
    second = await code_sent(world)
    if first == second:  # one in a million: the new code happens to be the same digits
        pytest.skip("the replacement code equals the old one")

    with pytest.raises(IncorrectAccessCode):
        await world.secure_mail_access.do_open(TOKEN, first)
    await world.secure_mail_access.do_open(TOKEN, second)


async def test_no_code_is_sent_for_a_link_that_does_not_work(world: World) -> None:
    for token in ("unknown-link", "", "x" * 201):
        with pytest.raises(ReadLinkNotFound):
            await world.secure_mail_access.do_send_code(token)
        with pytest.raises(ReadLinkNotFound):
            await world.secure_mail_access.do_open(token, "123456")

    assert world.database.events_of(OneTimeCodeIssued) == []
    assert world.conversations.resolved == 2, "an empty or overlong token is not even looked up"


async def test_a_withdrawn_mail_opens_no_more(world: World) -> None:
    code = await code_sent(world)
    del world.conversations.read_links[TOKEN]  # messaging no longer resolves it

    with pytest.raises(ReadLinkNotFound):
        await world.secure_mail_access.do_open(TOKEN, code)


async def test_an_empty_code_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await world.secure_mail_access.do_open(TOKEN, "  ")

    assert set(refused.value.fields) == {"code"}


def _another_mail(world: World, n: int) -> str:
    """Another secure mail to the same address: its own link and guest participant."""
    token = f"{TOKEN}-{n}"
    world.conversations.read_links[token] = dataclasses.replace(read_link(world=world), participant_id=f"guest-{n}")
    return token


async def test_the_sending_limit_per_address_holds_for_access_codes(world: World) -> None:
    tokens = [_another_mail(world, n) for n in range(4)]
    for n in range(10):
        await world.secure_mail_access.do_send_code(tokens[n // 3])

    with pytest.raises(TooManyRequests) as refused:
        await world.secure_mail_access.do_send_code(tokens[3])

    assert refused.value.retry_after_seconds is not None
    assert len(world.database.events_of(OneTimeCodeIssued)) == 10


async def test_three_codes_an_hour_per_recipient_then_wait(world: World) -> None:
    for _ in range(3):
        await world.secure_mail_access.do_send_code(TOKEN)

    with pytest.raises(TooManyRequests) as refused:
        await world.secure_mail_access.do_send_code(TOKEN)
    assert refused.value.retry_after_seconds is not None
    assert len(world.database.events_of(OneTimeCodeIssued)) == 3
    world.clock.advance(timedelta(hours=1))
    await world.secure_mail_access.do_send_code(TOKEN)


async def test_ten_codes_a_day_per_link_then_only_a_new_link_from_the_sender_helps(world: World) -> None:
    for _ in range(10):
        await world.secure_mail_access.do_send_code(TOKEN)
        world.clock.advance(timedelta(hours=1, seconds=1))

    with pytest.raises(AccessCodesUsedUp) as refused:
        await world.secure_mail_access.do_send_code(TOKEN)
    assert refused.value.code == "access_codes_used_up"
    assert "new link" in refused.value.message
    assert len(world.database.events_of(OneTimeCodeIssued)) == 10

    # The sender's new link (the same recipient) gets codes again.
    world.conversations.read_links["nieuwe-leeslink"] = read_link(world=world)
    await world.secure_mail_access.do_send_code("nieuwe-leeslink")


async def test_access_codes_do_not_use_up_the_login_codes_of_the_address(world: World) -> None:
    tokens = [_another_mail(world, n) for n in range(4)]
    for n in range(10):
        await world.secure_mail_access.do_send_code(tokens[n // 3])

    # The person behind the address still gets their own codes (login, password reset).
    async with world.codes.uow() as uow:
        await world.codes.do_issue(
            uow,
            purpose=CodePurpose.LOGIN,
            subject="account-of-burger",
            channel=CodeChannel.EMAIL,
            recipient=Recipient(account_id="account-of-burger", email="burger@example.org"),
            organisation=None,
            lifetime=timedelta(minutes=10),
        )
        await uow.commit()
    assert len(world.database.events_of(OneTimeCodeIssued)) == 11
