"""An organisation run by its administrators, on the shared fakes: invitations into the staff
(a new account, an existing one, a former colleague), roles that change at once, the last
administrator who stays, deactivation, teams, and the operator's onboarding."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from identity_fakes import World, make_world

from identity.domain.accounts import Account, AccountStatus, ClientLink, OrganisationKind, OrganisationStatus, Role
from identity.domain.errors import (
    AlreadyStaff,
    LastAdministrator,
    OrganisationKindDiffers,
    StaffMemberDeactivated,
    StaffMemberNotFound,
    StaffOfAnotherOrganisation,
    SupervisionNotAllowed,
    TeamExists,
)
from identity.domain.invitations import InvitationAccepted, InvitationSent
from identity.domain.organisations import OrganisationCreated, OrganisationDeactivated
from identity.domain.policy import SecondFactor
from identity.domain.second_factors import FactorMethod, choose_method
from identity.domain.sessions import AccessRevoked, RevocationReason, Session
from identity.domain.staff import StaffDeactivated, StaffInvitationSent, StaffJoined, StaffRolesChanged
from identity.domain.terms import CURRENT_VERSIONS, Document
from identity.service.invitations import NewAccount
from identity.service.organisations import check_onboarding
from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.errors import InvalidArgument

PASSWORD = "Lange-zin-als-wachtwoord-2026"


def add_staff(world: World, email: str, **kwargs: Any) -> Account:
    """An account with an id as identity makes them (a uuid): an id that is not one is unknown."""
    return world.add_account(email, account_id=str(uuid.uuid5(uuid.NAMESPACE_URL, email)), **kwargs)


def signed_in(world: World, account: Account) -> Principal:
    """The account with a session of its own, as its token says (roles as they were then)."""
    now = world.clock()
    session = Session(f"session-{account.id}", account.id, now, now, now + timedelta(days=1), timedelta(days=1))
    world.tables.sessions[session.id] = session
    return Principal(
        account.id, account.id, session.id, account.organisation_id, "Gemeente Vlaardingen", frozenset(account.roles)
    )


@pytest.fixture
def world() -> World:
    world = make_world()
    world.add_organisation("Gemeente Vlaardingen", kind=OrganisationKind.MUNICIPALITY)
    world.add_organisation("Gemeente Schiedam", organisation_id="org-2")
    return world


def admin_of(world: World, name: str = "bas", organisation_id: str = "org-1") -> Account:
    return add_staff(
        world,
        f"{name}@vlaardingen.example",
        password=PASSWORD,
        roles=frozenset({Role.ADMIN}),
        organisation_id=organisation_id,
    )


def new_account(first: str = "Mila") -> NewAccount:
    return NewAccount(
        first_name=first,
        last_name="Collega",
        username="",
        password=PASSWORD,
        password_confirmation=PASSWORD,
        terms_version=CURRENT_VERSIONS[Document.TERMS],
        privacy_version=CURRENT_VERSIONS[Document.PRIVACY],
    )


def last_token(world: World) -> str:
    token: str = world.database.events_of(StaffInvitationSent)[-1].token
    return token


# --- invitations into the staff ------------------------------------------------------------


async def test_an_administrator_invites_a_colleague_who_joins_with_those_roles(world: World) -> None:
    admin = signed_in(world, admin_of(world))

    invitation = await world.staff.do_invite(
        admin, email=" Mila@Vlaardingen.example ", roles=["staff", "practitioner"], language="en"
    )
    [sent] = world.database.events_of(StaffInvitationSent)
    assert (sent.recipient.email, sent.inviter_name, sent.administrator) == (
        "mila@vlaardingen.example",
        "Anna de Vries",
        False,
    )
    assert invitation.roles == {Role.STAFF, Role.PRACTITIONER}

    accepted = await world.invitations.do_accept_with_new_account(sent.token, new_account(), dry_run=False)
    account = world.tables.accounts[accepted.account_id]
    assert (account.organisation_id, account.roles, account.language) == (
        "org-1",
        frozenset({Role.STAFF, Role.PRACTITIONER}),
        "en",
    )
    assert accepted.thread_id == ""
    assert world.tables.client_links == {}
    [joined] = world.database.events_of(StaffJoined)
    assert (joined.account_id, joined.roles) == (account.id, ("practitioner", "staff"))
    # No conversation to join: messaging is not asked to add anyone.
    assert not world.database.events_of(InvitationAccepted)


async def test_inviting_an_address_again_renews_the_open_invitation(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    first = await world.staff.do_invite(admin, email="mila@vlaardingen.example", roles=["staff"], language="nl")
    old_token = last_token(world)
    again = await world.staff.do_invite(admin, email="mila@vlaardingen.example", roles=["helpdesk"], language="nl")

    assert again.id == first.id
    assert again.roles == {Role.HELPDESK}
    assert last_token(world) != old_token
    assert len([i for i in world.tables.invitations.values() if i.is_staff_invitation]) == 1


async def test_only_an_administrator_invites_and_a_role_taken_away_counts_at_once(world: World) -> None:
    colleague = add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF)
    with pytest.raises(NotPermitted):
        await world.staff.do_invite(signed_in(world, colleague), email="x@example.org", roles=["staff"], language="nl")

    former_admin = admin_of(world)
    token_says_admin = signed_in(world, former_admin)
    world.tables.accounts[former_admin.id].roles = frozenset({Role.STAFF})
    with pytest.raises(NotPermitted):
        await world.staff.do_invite(token_says_admin, email="x@example.org", roles=["staff"], language="nl")


async def test_bad_roles_and_addresses_are_named_and_a_colleague_is_not_invited_twice(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    with pytest.raises(InvalidArgument) as refused:
        await world.staff.do_invite(admin, email="geen-adres", roles=["person"], language="de")
    assert set(refused.value.fields) == {"email", "roles", "language"}
    with pytest.raises(InvalidArgument):
        await world.staff.do_invite(admin, email="x@example.org", roles=[], language="nl")

    add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF)
    with pytest.raises(AlreadyStaff):
        await world.staff.do_invite(admin, email="MILA@vlaardingen.example", roles=["staff"], language="nl")


async def test_an_existing_personal_account_joins_and_its_earlier_tokens_end(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    person = add_staff(world, "mila@example.org", password=PASSWORD, role=Role.PERSON, organisation_id="org-2")
    await world.staff.do_invite(admin, email="mila@example.org", roles=["staff"], language="nl")

    await world.invitations.do_accept_with_account(last_token(world), signed_in(world, person))

    account = world.tables.accounts[person.id]
    assert (account.organisation_id, account.roles) == ("org-1", frozenset({Role.STAFF}))
    [revoked] = world.database.events_of(AccessRevoked)
    assert (revoked.account_id, revoked.reason) == (person.id, RevocationReason.ROLES_CHANGED)


async def test_staff_of_another_organisation_cannot_join_with_that_account(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    elsewhere = add_staff(world, "jan@schiedam.example", password=PASSWORD, role=Role.STAFF, organisation_id="org-2")
    await world.staff.do_invite(admin, email="jan@schiedam.example", roles=["staff"], language="nl")

    with pytest.raises(StaffOfAnotherOrganisation):
        await world.invitations.do_accept_with_account(last_token(world), signed_in(world, elsewhere))
    assert world.tables.accounts[elsewhere.id].organisation_id == "org-2"


async def test_a_former_colleague_comes_back_with_the_same_account(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    former = add_staff(
        world,
        "mila@vlaardingen.example",
        password="Een-oud-wachtwoord-2020",
        role=Role.STAFF,
        status=AccountStatus.DISABLED,
    )
    await world.staff.do_invite(admin, email="mila@vlaardingen.example", roles=["helpdesk"], language="nl")

    accepted = await world.invitations.do_accept_with_new_account(last_token(world), new_account(), dry_run=False)

    assert accepted.account_id == former.id
    account = world.tables.accounts[former.id]
    assert (account.status, account.roles) == (AccountStatus.ACTIVE, frozenset({Role.HELPDESK}))
    assert world.hasher.verify(account.password_hash, PASSWORD)


async def test_a_conversation_invitation_links_the_person_to_the_organisation(world: World) -> None:
    staff = signed_in(world, add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF))
    world.conversations.add_thread("thread-1", "chat")
    await world.invitations.do_send(staff, "token", email="burger@example.org", thread_id="thread-1", language="nl")
    [sent] = world.database.events_of(InvitationSent)

    accepted = await world.invitations.do_accept_with_new_account(sent.token, new_account("Piet"), dry_run=False)

    person = world.tables.accounts[accepted.account_id]
    assert (person.organisation_id, person.roles) == ("org-1", frozenset({Role.PERSON}))
    assert list(world.tables.client_links) == [(person.id, "org-1")]
    assert isinstance(world.tables.client_links[(person.id, "org-1")], ClientLink)
    [joined] = world.database.events_of(InvitationAccepted)
    assert (joined.thread_id, joined.account_id) == ("thread-1", person.id)
    assert not world.database.events_of(StaffJoined)


# --- roles and deactivation ------------------------------------------------------------------


async def test_changed_roles_are_told_and_end_the_earlier_tokens(world: World) -> None:
    admin_account = admin_of(world)
    colleague = add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF)

    changed = await world.staff.do_change_roles(signed_in(world, admin_account), colleague.id, ["helpdesk", "admin"])

    assert changed.roles == {Role.HELPDESK, Role.ADMIN}
    [told] = world.database.events_of(StaffRolesChanged)
    assert (told.roles, told.previous_roles, told.changed_by_name) == (
        ("admin", "helpdesk"),
        ("staff",),
        "Anna de Vries",
    )
    [revoked] = world.database.events_of(AccessRevoked)
    assert revoked.account_id == colleague.id
    # The same roles again change nothing and tell nobody.
    await world.staff.do_change_roles(signed_in(world, admin_account), colleague.id, ["admin", "helpdesk"])
    assert len(world.database.events_of(StaffRolesChanged)) == 1


async def test_the_last_administrator_cannot_leave_the_role_or_the_organisation(world: World) -> None:
    admin_account = admin_of(world)
    admin = signed_in(world, admin_account)
    with pytest.raises(LastAdministrator) as refused:
        await world.staff.do_change_roles(admin, admin_account.id, ["staff"])
    assert "last administrator" in refused.value.message
    with pytest.raises(LastAdministrator):
        await world.staff.do_deactivate(admin, admin_account.id)

    other = admin_of(world, "iris")
    await world.staff.do_change_roles(admin, admin_account.id, ["staff"])
    assert world.tables.accounts[admin_account.id].roles == {Role.STAFF}
    assert world.tables.accounts[other.id].roles == {Role.ADMIN}


async def test_another_organisations_staff_are_unknown(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    stranger = add_staff(world, "jan@schiedam.example", password=PASSWORD, role=Role.STAFF, organisation_id="org-2")
    person = add_staff(world, "burger@example.org", password=PASSWORD, role=Role.PERSON)

    for account_id in (stranger.id, person.id, "no-such-account"):
        with pytest.raises(StaffMemberNotFound):
            await world.staff.do_change_roles(admin, account_id, ["staff"])
        with pytest.raises(StaffMemberNotFound):
            await world.staff.do_deactivate(admin, account_id)


async def test_deactivation_ends_every_session_and_team_and_is_told(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    colleague = add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF)
    colleague_session = signed_in(world, colleague)
    team = await world.teams.do_create(admin, "Assistenten", [colleague.id])

    gone = await world.staff.do_deactivate(admin, colleague.id)

    assert gone.status is AccountStatus.DISABLED
    assert world.tables.sessions[colleague_session.session_id].revoked_at is not None
    assert world.tables.teams[team.id].member_account_ids == frozenset()
    [revoked] = world.database.events_of(AccessRevoked)
    assert (revoked.account_id, revoked.reason) == (colleague.id, RevocationReason.DEACTIVATED)
    [told] = world.database.events_of(StaffDeactivated)
    assert told.recipient.email == "mila@vlaardingen.example"
    # Deactivating again changes nothing; changing a deactivated member's roles is refused.
    await world.staff.do_deactivate(admin, colleague.id)
    assert len(world.database.events_of(StaffDeactivated)) == 1
    with pytest.raises(StaffMemberDeactivated):
        await world.staff.do_change_roles(admin, colleague.id, ["staff"])
    listed = {listing.account.id: listing.active for listing in await world.staff.list_staff(admin)}
    assert listed[colleague.id] is False


# --- teams ------------------------------------------------------------------------------------


async def test_teams_have_unique_names_and_only_active_staff_of_the_organisation(world: World) -> None:
    admin = signed_in(world, admin_of(world))
    colleague = add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.CASE_HANDLER)
    stranger = add_staff(world, "jan@schiedam.example", password=PASSWORD, role=Role.STAFF, organisation_id="org-2")

    team = await world.teams.do_create(admin, "Zaakbehandelaars", [colleague.id])
    with pytest.raises(TeamExists):
        await world.teams.do_create(admin, "zaakBEHANDELAARS", [])
    with pytest.raises(InvalidArgument) as refused:
        await world.teams.do_set_members(admin, team.id, [colleague.id, stranger.id])
    assert set(refused.value.fields) == {"member_account_ids"}
    with pytest.raises(NotPermitted):
        await world.teams.do_create(signed_in(world, colleague), "Eigen team", [])
    assert [t.name for t in await world.teams.list(signed_in(world, colleague))] == ["Zaakbehandelaars"]


# --- the operator -----------------------------------------------------------------------------


async def test_onboarding_makes_the_organisation_and_invites_its_administrator_once(world: World) -> None:
    request = check_onboarding(
        name="Huisartsenpraktijk De Es",
        kind="gp_practice",
        password_preset="gp-portal",
        second_factor="sms",
        administrator_email="Beheer@De-Es.example",
        language="nl",
    )
    first = await world.organisations.do_onboard(request)
    assert (first.created, first.administrator) == (True, "invited")
    assert first.organisation.kind is OrganisationKind.GP_PRACTICE
    assert world.tables.policies[first.organisation.id].second_factor is SecondFactor.SMS
    [created] = world.database.events_of(OrganisationCreated)
    assert created.password_preset == "gp-portal"
    [sent] = world.database.events_of(StaffInvitationSent)
    assert (sent.administrator, sent.inviter_name, sent.recipient.email) == (True, "", "beheer@de-es.example")

    again = await world.organisations.do_onboard(request)
    assert (again.created, again.administrator, again.organisation.id) == (
        False,
        "invitation_open",
        first.organisation.id,
    )
    assert len(world.database.events_of(StaffInvitationSent)) == 1

    # Once the invitation no longer works, running the command again mails a new one.
    world.clock.advance(timedelta(days=15))
    assert (await world.organisations.do_onboard(request)).administrator == "invited"
    # Once the administrator joined, nothing is mailed.
    await world.invitations.do_accept_with_new_account(last_token(world), new_account("Bas"), dry_run=False)
    assert (await world.organisations.do_onboard(request)).administrator == "joined"


async def test_onboarding_refuses_a_name_of_another_kind_and_staff_of_another_organisation(world: World) -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_onboarding(
            name="", kind="bakery", password_preset="x", second_factor="y", administrator_email="z", language="fr"
        )
    assert set(refused.value.fields) == {
        "name", "kind", "password_preset", "second_factor", "administrator_email", "language",
    }  # fmt: skip
    with pytest.raises(OrganisationKindDiffers):
        await world.organisations.do_onboard(
            check_onboarding(
                name="Gemeente Vlaardingen",
                kind="gp_practice",
                password_preset="asvs",
                second_factor="none",
                administrator_email="x@example.org",
                language="nl",
            )
        )
    add_staff(world, "jan@schiedam.example", password=PASSWORD, role=Role.STAFF, organisation_id="org-2")
    with pytest.raises(StaffOfAnotherOrganisation):
        await world.organisations.do_onboard(
            check_onboarding(
                name="Huisartsenpraktijk De Es",
                kind="gp_practice",
                password_preset="asvs",
                second_factor="none",
                administrator_email="jan@schiedam.example",
                language="nl",
            )
        )


async def test_deactivating_an_organisation_ends_its_staffs_access(world: World) -> None:
    colleague = add_staff(world, "mila@vlaardingen.example", password=PASSWORD, role=Role.STAFF)
    admin_account = admin_of(world)
    person = add_staff(world, "burger@example.org", password=PASSWORD, role=Role.PERSON)

    organisation, count = await world.organisations.do_deactivate("Gemeente Vlaardingen")

    assert (organisation.status, count) == (OrganisationStatus.DEACTIVATED, 2)
    for account in (colleague, admin_account):
        assert world.tables.accounts[account.id].status is AccountStatus.DISABLED
    assert world.tables.accounts[person.id].status is AccountStatus.ACTIVE
    assert {event.account_id for event in world.database.events_of(AccessRevoked)} == {colleague.id, admin_account.id}
    [event] = world.database.events_of(OrganisationDeactivated)
    assert event.staff_deactivated == 2
    assert (await world.organisations.do_deactivate("org-1"))[1] == 0


async def test_only_a_government_department_supervises_in_named_themes(world: World) -> None:
    world.add_organisation("IGJ", organisation_id="org-igj", kind=OrganisationKind.GOVERNMENT_DEPARTMENT)

    link, changed = await world.organisations.do_link_supervision("IGJ", "Gemeente Vlaardingen", ["jeugdzorg", "wmo"])
    assert (link.themes, changed) == (("jeugdzorg", "wmo"), True)
    assert (await world.organisations.do_link_supervision("org-igj", "org-1", ["jeugdzorg", "wmo"]))[1] is False
    with pytest.raises(SupervisionNotAllowed):
        await world.organisations.do_link_supervision("Gemeente Vlaardingen", "Gemeente Schiedam", ["jeugdzorg"])
    with pytest.raises(InvalidArgument):
        await world.organisations.do_link_supervision("IGJ", "org-2", ["Jeugd Zorg"])
    assert await world.organisations.do_end_supervision("IGJ", "org-1") is True
    assert await world.organisations.do_end_supervision("IGJ", "org-1") is False


def test_an_administrator_always_signs_in_with_a_second_factor() -> None:
    admin = Account("a1", "bas@example.org", "Bas", None, "org-1", frozenset({Role.ADMIN}))
    colleague = Account("a2", "mila@example.org", "Mila", None, "org-1", frozenset({Role.STAFF}))

    assert choose_method(SecondFactor.NONE, admin, frozenset()) is FactorMethod.EMAIL
    assert choose_method(SecondFactor.NONE, admin, frozenset({FactorMethod.TOTP})) is FactorMethod.TOTP
    assert choose_method(SecondFactor.NONE, colleague, frozenset()) is None
