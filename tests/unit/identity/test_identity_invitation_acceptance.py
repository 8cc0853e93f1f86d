"""An invitation goes only into a chat the inviter takes part in (as messaging answers the
inviter's own token), and every way of accepting it tells messaging, in the same unit of
work, that the account joins that conversation (``InvitationAccepted``)."""

from __future__ import annotations

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Role
from identity.domain.errors import ConversationNotFound, ConversationNotInvitable, InvitationUsed
from identity.domain.invitations import InvitationAccepted, InvitationSent
from identity.service.authentication import ClientInfo
from identity.service.invitations import NewAccount

PASSWORD = "Lange-zin-als-wachtwoord-2026"
STAFF_TOKEN = "token-of-the-staff-member"


@pytest.fixture
def world() -> World:
    world = make_world()
    world.add_organisation("Gemeente Vlaardingen")
    world.add_account("medewerker@vlaardingen.example", password=PASSWORD, role=Role.STAFF, display_name="Mila")
    world.add_account(
        "partner@example.org", password=PASSWORD, role=Role.PERSON, organisation_id=None, display_name="Keten Partner"
    )
    world.conversations.add_thread("chat-1", "chat", tokens={STAFF_TOKEN})
    world.conversations.add_thread("mail-1", "secure_mail", tokens={STAFF_TOKEN})
    return world


async def invite(world: World, email: str, thread_id: str = "chat-1") -> str:
    staff = await world.principal("medewerker@vlaardingen.example", PASSWORD)
    await world.invitations.do_send(staff, STAFF_TOKEN, email=email, thread_id=thread_id, language="nl")
    return str(world.database.events_of(InvitationSent)[-1].token)


@pytest.mark.parametrize("thread_id", ["chat-of-someone-else", "does-not-exist"])
async def test_an_invitation_into_a_conversation_the_inviter_is_not_in_is_404_naming_the_thread(
    world: World, thread_id: str
) -> None:
    world.conversations.add_thread("chat-of-someone-else", "chat", tokens={"another-token"})

    with pytest.raises(ConversationNotFound) as refused:
        await invite(world, "partner@example.org", thread_id)

    assert set(refused.value.fields) == {"thread_id"}
    assert world.tables.invitations == {}
    assert world.database.events_of(InvitationSent) == []


async def test_nobody_is_invited_into_a_secure_mail(world: World) -> None:
    with pytest.raises(ConversationNotInvitable) as refused:
        await invite(world, "partner@example.org", "mail-1")

    assert set(refused.value.fields) == {"thread_id"}
    assert world.tables.invitations == {}


async def test_messaging_is_asked_about_the_chat_before_any_transaction_opens(world: World) -> None:
    await invite(world, "partner@example.org")

    assert world.conversations.looked_with_open_units == [0]
    assert len(world.database.events_of(InvitationSent)) == 1


async def test_a_new_account_joins_the_conversation(world: World) -> None:
    token = await invite(world, "nieuw@example.org")
    details = NewAccount("Persoon", "X", "", PASSWORD, PASSWORD, "2026-01", "2026-01")

    await world.invitations.do_accept_with_new_account(token, details, dry_run=True)
    assert world.database.events_of(InvitationAccepted) == [], "a dry run tells nobody"
    accepted = await world.invitations.do_accept_with_new_account(token, details, dry_run=False)

    [event] = world.database.events_of(InvitationAccepted)
    [invitation] = world.tables.invitations.values()
    assert (event.invitation_id, event.thread_id, event.account_id) == (invitation.id, "chat-1", accepted.account_id)
    assert event.display_name == "Persoon X"
    assert (event.organisation_id, event.inviter_account_id) == ("org-1", "account-medewerker")
    assert event.accepted_at == world.clock()


async def test_logging_in_on_the_invitation_page_joins_the_conversation(world: World) -> None:
    token = await invite(world, "partner@example.org")

    await world.invitations.do_accept_with_login(
        token, username="partner@example.org", password=PASSWORD, client=ClientInfo()
    )

    [event] = world.database.events_of(InvitationAccepted)
    assert (event.account_id, event.display_name, event.thread_id) == ("account-partner", "Keten Partner", "chat-1")


async def test_accepting_while_signed_in_joins_the_conversation_and_only_once(world: World) -> None:
    token = await invite(world, "partner@example.org")
    partner = await world.principal("partner@example.org", PASSWORD)

    await world.invitations.do_accept_with_account(token, partner)
    with pytest.raises(InvitationUsed):
        await world.invitations.do_accept_with_account(token, partner)

    [event] = world.database.events_of(InvitationAccepted)
    assert (event.account_id, event.thread_id) == ("account-partner", "chat-1")
