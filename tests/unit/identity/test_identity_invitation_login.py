"""Accepting an invitation by logging in checks the link before the password: an unknown,
expired, used or withdrawn link answers so without trying the password (no password hash
is checked, no failed login counted), so the link page is no way to guess passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Role
from identity.domain.errors import (
    InvalidCredentials,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsed,
)
from identity.domain.invitations import INVITATION_LIFETIME, InvitationSent
from identity.service.authentication import ClientInfo, Tokens

PASSWORD = "Lange-zin-als-wachtwoord-2026"
BROWSER = ClientInfo("192.0.2.1", "Firefox")


@pytest.fixture
def world() -> World:
    world = make_world()
    world.add_organisation("Gemeente Vlaardingen")
    world.add_account("medewerker@vlaardingen.example", password=PASSWORD, role=Role.STAFF)
    world.add_account("partner@example.org", password=PASSWORD, role=Role.PERSON, organisation_id=None)
    return world


async def invite(world: World) -> str:
    """Staff invite an address; answers the link token of the mail."""
    staff = await world.principal("medewerker@vlaardingen.example", PASSWORD)
    world.conversations.add_thread("thread-1")
    await world.invitations.do_send(
        staff, "staff-token", email="partner@example.org", thread_id="thread-1", language="nl"
    )
    [sent] = world.database.events_of(InvitationSent)
    token: str = sent.token
    world.hasher.verifications = 0
    return token


async def test_an_unknown_link_never_reaches_the_password_check(world: World) -> None:
    for _ in range(10):
        with pytest.raises(InvitationNotFound):
            await world.invitations.do_accept_with_login(
                "no-such-link", username="partner@example.org", password="a guess", client=BROWSER
            )

    assert world.hasher.verifications == 0
    assert "partner@example.org" not in world.tables.throttles


async def test_an_expired_link_never_reaches_the_password_check(world: World) -> None:
    token = await invite(world)
    world.clock.advance(INVITATION_LIFETIME)

    with pytest.raises(InvitationExpired):
        await world.invitations.do_accept_with_login(
            token, username="partner@example.org", password="a guess", client=BROWSER
        )

    assert world.hasher.verifications == 0
    assert "partner@example.org" not in world.tables.throttles


@pytest.mark.parametrize("ended_by", ["revoked", "declined"])
async def test_a_link_that_was_used_or_withdrawn_never_reaches_the_password_check(world: World, ended_by: str) -> None:
    token = await invite(world)
    [invitation] = world.tables.invitations.values()
    if ended_by == "revoked":
        invitation.revoke(world.clock())
    else:
        invitation.decline(world.clock())

    with pytest.raises(InvitationRevoked if ended_by == "revoked" else InvitationUsed):
        await world.invitations.do_accept_with_login(
            token, username="partner@example.org", password="a guess", client=BROWSER
        )

    assert world.hasher.verifications == 0


async def test_an_open_link_and_a_wrong_password_count_as_a_failed_login(world: World) -> None:
    token = await invite(world)

    with pytest.raises(InvalidCredentials):
        await world.invitations.do_accept_with_login(
            token, username="partner@example.org", password="a guess", client=BROWSER
        )

    assert world.hasher.verifications == 1
    assert world.tables.throttles["partner@example.org"].consecutive_failures == 1
    assert world.tables.invitations[next(iter(world.tables.invitations))].state_on(world.clock()) == "open"


async def test_an_open_link_and_the_right_password_attach_the_invitation(world: World) -> None:
    token = await invite(world)
    world.clock.advance(timedelta(days=1))

    result = await world.invitations.do_accept_with_login(
        token, username="partner@example.org", password=PASSWORD, client=BROWSER
    )

    assert isinstance(result.login, Tokens)
    assert result.accepted is not None
    assert (result.accepted.account_id, result.accepted.thread_id) == ("account-partner", "thread-1")
    [invitation] = world.tables.invitations.values()
    assert (invitation.state_on(world.clock()), invitation.account_id) == ("accepted", "account-partner")
    assert invitation.decided_at == world.clock()


async def test_the_link_page_shows_the_invitation_and_tries_no_password(world: World) -> None:
    token = await invite(world)

    view = await world.invitations.view(token)

    assert (view.state, view.email, view.organisation_name) == ("open", "partner@example.org", "Gemeente Vlaardingen")
    assert world.hasher.verifications == 0
