"""Identity's ways into an account over gRPC against the real process,
PostgreSQL and NATS: invitations, practice-made accounts, self-registration, profile,
delegations and the end of portal access. Secrets are read from identity's outbox, as
notifications receives them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import grpc
import jwt
import nats
import pytest
import pytest_asyncio
from contract_helpers import RPC_TIMEOUT, login, refusal
from journeys_support import create_client, outbox_events, valid_mobile, years_ago
from support import StaffMember, count_rows, create_staff_member, fetch, identity_uow, set_security_policy, wait_until

from identity.domain.policy import PasswordPolicy, PasswordPreset, SecurityPolicy
from identity.service.delegations import do_end_parental_delegations_at_sixteen
from zorgpost.events.v1 import identity_events_pb2 as events
from zorgpost.events.v1 import portal_events_pb2
from zorgpost.identity.v1 import (
    accounts_pb2,
    accounts_pb2_grpc,
    delegations_pb2,
    delegations_pb2_grpc,
    identity_pb2,
    identity_pb2_grpc,
    invitations_pb2,
    invitations_pb2_grpc,
)
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit import calendar
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "messaging")]

GOOD_PASSWORD = "Veilig-Gesprek-2026!"


@dataclass
class Stubs:
    identity: identity_pb2_grpc.IdentityServiceStub
    invitations: invitations_pb2_grpc.InvitationServiceStub
    client_accounts: accounts_pb2_grpc.ClientAccountServiceStub
    registrations: accounts_pb2_grpc.RegistrationServiceStub
    profiles: accounts_pb2_grpc.ProfileServiceStub
    delegations: delegations_pb2_grpc.DelegationServiceStub
    messaging: messaging_pb2_grpc.MessagingServiceStub


@pytest_asyncio.fixture(loop_scope="module")
async def rpc(stack: Stack) -> AsyncIterator[Stubs]:
    async with (
        grpc.aio.insecure_channel(stack.grpc_address("identity")) as channel,
        grpc.aio.insecure_channel(stack.grpc_address("messaging")) as messaging,
    ):
        yield Stubs(
            identity_pb2_grpc.IdentityServiceStub(channel),
            invitations_pb2_grpc.InvitationServiceStub(channel),
            accounts_pb2_grpc.ClientAccountServiceStub(channel),
            accounts_pb2_grpc.RegistrationServiceStub(channel),
            accounts_pb2_grpc.ProfileServiceStub(channel),
            delegations_pb2_grpc.DelegationServiceStub(channel),
            messaging_pb2_grpc.MessagingServiceStub(messaging),
        )


async def _practice(stack: Stack, preset: PasswordPreset = PasswordPreset.ASVS) -> StaffMember:
    staff = await create_staff_member(stack)
    await set_security_policy(stack, staff.organisation_id, SecurityPolicy(password=PasswordPolicy.for_preset(preset)))
    return staff


async def _auth(stack: Stack, username: str, password: str) -> tuple[tuple[str, str], ...]:
    return call_metadata((await login(stack, username, password)).access_token)


async def _staff_auth(stack: Stack, staff: StaffMember) -> tuple[tuple[str, str], ...]:
    return await _auth(stack, staff.email, staff.password)


# --------------------------------------------------------------------------- invitations
async def _invite(rpc: Stubs, auth: tuple[tuple[str, str], ...], email: str) -> invitations_pb2.Invitation:
    """Invites ``email`` into a chat the staff member starts for it."""
    chat = await rpc.messaging.CreateThread(
        messaging_pb2.CreateThreadRequest(kind="chat", subject="Gesprek"), metadata=auth, timeout=RPC_TIMEOUT
    )
    invitation: invitations_pb2.Invitation = await rpc.invitations.SendInvitation(
        invitations_pb2.SendInvitationRequest(email=email, thread_id=chat.summary.id),
        metadata=auth,
        timeout=RPC_TIMEOUT,
    )
    return invitation


async def _invitation_token(stack: Stack, invitation_id: str) -> str:
    sent = [e for e in await outbox_events(stack, "identity.invitation.sent", events.InvitationSent)]
    return next(e.token for e in sent if e.invitation_id == invitation_id)


async def test_an_invitation_makes_an_account_once_checked_against_the_organisation_s_password_policy(
    stack: Stack, rpc: Stubs
) -> None:
    staff = await _practice(stack, PasswordPreset.MESSENGER)
    auth = await _staff_auth(stack, staff)
    email = f"ketenpartner-{uuid.uuid4().hex[:6]}@example.org"
    invitation = await _invite(rpc, auth, email)
    assert invitation.state == "open"
    sent = next(
        e
        for e in await outbox_events(stack, "identity.invitation.sent", events.InvitationSent)
        if e.invitation_id == invitation.id
    )
    assert sent.recipient.email == email
    assert sent.organisation_name == staff.organisation_name
    assert sent.inviter_name == "Test Medewerker"
    token = sent.token

    view = await rpc.invitations.GetInvitation(invitations_pb2.InvitationTokenRequest(token=token), timeout=RPC_TIMEOUT)
    assert (view.email, view.state, view.organisation_name) == (email, "open", staff.organisation_name)
    assert {rule.code for rule in view.password_rules} >= {"min_length", "lower", "upper", "digits", "special"}

    before = await count_rows(stack.database_urls["identity"], ["accounts", "terms_acceptances"])
    bad = await refusal(
        rpc.invitations.AcceptInvitationWithNewAccount(
            invitations_pb2.AcceptWithNewAccountRequest(
                token=token, first_name="", last_name="X", password="kort", password_confirmation="anders"
            ),
            timeout=RPC_TIMEOUT,
        )
    )
    assert bad.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(bad.fields) == {
        "first_name",
        "password.min_length",
        "password.upper",
        "password.digits",
        "password.special",
        "password_confirmation",
        "terms_version",
        "privacy_version",
    }
    request = invitations_pb2.AcceptWithNewAccountRequest(
        token=token,
        first_name="Persoon",
        last_name="X",
        password=GOOD_PASSWORD,
        password_confirmation=GOOD_PASSWORD,
        terms_version=view.terms_version,
        privacy_version=view.privacy_version,
        dry_run=True,
    )
    checked = await rpc.invitations.AcceptInvitationWithNewAccount(request, timeout=RPC_TIMEOUT)
    assert checked.account_id == "" and checked.thread_id == invitation.thread_id
    assert await count_rows(stack.database_urls["identity"], ["accounts", "terms_acceptances"]) == before

    request.dry_run = False
    accepted = await rpc.invitations.AcceptInvitationWithNewAccount(request, timeout=RPC_TIMEOUT)
    assert accepted.account_id and accepted.thread_id == invitation.thread_id and accepted.login_name == email
    tokens = await login(stack, email, GOOD_PASSWORD)
    assert jwt.decode(tokens.access_token, options={"verify_signature": False})["sub"] == accepted.account_id
    after = await count_rows(stack.database_urls["identity"], ["terms_acceptances"])
    assert after["terms_acceptances"] == before["terms_acceptances"] + 2

    again = await refusal(rpc.invitations.AcceptInvitationWithNewAccount(request, timeout=RPC_TIMEOUT))
    assert (again.code, again.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "invitation_used")
    listed = await rpc.invitations.ListInvitations(invitations_pb2.ListInvitationsRequest(), metadata=auth)
    mine = next(i for i in listed.invitations if i.id == invitation.id)
    assert (mine.state, mine.account_id) == ("accepted", accepted.account_id)


async def test_staff_see_and_manage_only_their_own_organisation_s_invitations(stack: Stack, rpc: Stubs) -> None:
    staff, other = await _practice(stack), await _practice(stack)
    auth, other_auth = await _staff_auth(stack, staff), await _staff_auth(stack, other)
    invitation = await _invite(rpc, auth, f"a-{uuid.uuid4().hex[:6]}@example.org")
    listed = await rpc.invitations.ListInvitations(invitations_pb2.ListInvitationsRequest(), metadata=other_auth)
    assert invitation.id not in {i.id for i in listed.invitations}
    for call in (rpc.invitations.RevokeInvitation, rpc.invitations.ResendInvitation):
        failure = await refusal(
            call(invitations_pb2.InvitationIdRequest(invitation_id=invitation.id), metadata=other_auth)
        )
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "invitation_not_found")
    person = await create_client(stack, staff.organisation_id, years_ago(30))
    not_staff = await refusal(
        rpc.invitations.SendInvitation(
            invitations_pb2.SendInvitationRequest(email="x@example.org", thread_id="t"),
            metadata=await _auth(stack, person.email, person.password),
        )
    )
    assert not_staff.code == grpc.StatusCode.PERMISSION_DENIED


async def test_a_resent_invitation_kills_the_old_link_and_a_revoked_one_is_dead(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    auth = await _staff_auth(stack, staff)
    invitation = await _invite(rpc, auth, f"b-{uuid.uuid4().hex[:6]}@example.org")
    old = await _invitation_token(stack, invitation.id)
    await rpc.invitations.ResendInvitation(
        invitations_pb2.InvitationIdRequest(invitation_id=invitation.id), metadata=auth
    )
    new = next(
        e.token
        for e in await outbox_events(stack, "identity.invitation.sent", events.InvitationSent)
        if e.invitation_id == invitation.id
    )
    assert new != old
    gone = await refusal(rpc.invitations.GetInvitation(invitations_pb2.InvitationTokenRequest(token=old)))
    assert (gone.code, gone.reason) == (grpc.StatusCode.NOT_FOUND, "invitation_not_found")
    revoked = await rpc.invitations.RevokeInvitation(
        invitations_pb2.InvitationIdRequest(invitation_id=invitation.id), metadata=auth
    )
    assert revoked.state == "revoked"
    view = await rpc.invitations.GetInvitation(invitations_pb2.InvitationTokenRequest(token=new))
    assert view.state == "revoked"
    dead = await refusal(rpc.invitations.DeclineInvitation(invitations_pb2.InvitationTokenRequest(token=new)))
    assert (dead.code, dead.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "invitation_revoked")


async def test_declining_tells_the_inviter_and_an_existing_account_can_accept_instead(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    auth = await _staff_auth(stack, staff)
    declined = await _invite(rpc, auth, f"c-{uuid.uuid4().hex[:6]}@example.org")
    await rpc.invitations.DeclineInvitation(
        invitations_pb2.InvitationTokenRequest(token=await _invitation_token(stack, declined.id))
    )
    told = next(
        e
        for e in await outbox_events(stack, "identity.invitation.declined", events.InvitationDeclined)
        if e.invitation_id == declined.id
    )
    assert (told.inviter.email, told.invitee_email) == (staff.email, declined.email)

    person = await create_client(stack, staff.organisation_id, years_ago(40))
    attached = await _invite(rpc, auth, f"d-{uuid.uuid4().hex[:6]}@example.org")
    accepted = await rpc.invitations.AcceptInvitationWithAccount(
        invitations_pb2.InvitationTokenRequest(token=await _invitation_token(stack, attached.id)),
        metadata=await _auth(stack, person.email, person.password),
    )
    assert (accepted.account_id, accepted.thread_id) == (person.account_id, attached.thread_id)


# --------------------------------------------------------------------------- client accounts
async def _create_client_account(
    rpc: Stubs, auth: tuple[tuple[str, str], ...], born: date
) -> accounts_pb2.ClientAccount:
    account: accounts_pb2.ClientAccount = await rpc.client_accounts.CreateClientAccount(
        accounts_pb2.CreateClientAccountRequest(
            first_name="Jongere",
            last_name="Test",
            email=f"jongere-{uuid.uuid4().hex[:6]}@example.org",
            birth_date=born.isoformat(),
        ),
        metadata=auth,
    )
    return account


async def _activation_token(stack: Stack, account_id: str) -> str:
    created = await outbox_events(stack, "identity.client_account.created", events.ClientAccountCreated)
    return next(e.token for e in created if e.recipient.account_id == account_id)


async def test_a_practice_makes_accounts_from_twelve_and_the_birth_date_activates_them(
    stack: Stack, rpc: Stubs
) -> None:
    staff = await _practice(stack, PasswordPreset.CLIENT_PORTAL)
    auth = await _staff_auth(stack, staff)
    too_young = await refusal(
        rpc.client_accounts.CreateClientAccount(
            accounts_pb2.CreateClientAccountRequest(
                first_name="Kind",
                last_name="Test",
                email="kind@example.org",
                birth_date=years_ago(12, days=1).isoformat(),
            ),
            metadata=auth,
        )
    )
    assert (too_young.code, too_young.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "too_young_for_own_account")

    born = years_ago(12)
    account = await _create_client_account(rpc, auth, born)
    assert account.status == "pending_activation"
    token = await _activation_token(stack, account.id)
    wrong = await refusal(
        rpc.client_accounts.ActivateClientAccount(
            accounts_pb2.ActivateClientAccountRequest(token=token, birth_date="2001-01-01")
        )
    )
    assert (wrong.code, wrong.reason, wrong.fields) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "wrong_birth_date",
        {"birth_date": "does not match; 2 attempt(s) left"},
    )
    activated = await rpc.client_accounts.ActivateClientAccount(
        accounts_pb2.ActivateClientAccountRequest(token=token, birth_date=born.isoformat())
    )
    assert activated.login_name == account.email
    issued = next(
        e
        for e in await outbox_events(stack, "identity.temporary_password.issued", events.TemporaryPasswordIssued)
        if e.recipient.account_id == account.id
    )
    assert issued.login_name == account.email and len(issued.temporary_password) == 16
    # The temporary password opens nothing but the password change (the forced password change).
    first = await rpc.identity.Login(
        identity_pb2.LoginRequest(username=account.email, password=issued.temporary_password)
    )
    claims = jwt.decode(first.tokens.access_token, options={"verify_signature": False})
    assert claims["aud"] == "zorgpost-password-change"
    used = await refusal(
        rpc.client_accounts.ActivateClientAccount(
            accounts_pb2.ActivateClientAccountRequest(token=token, birth_date=born.isoformat())
        )
    )
    assert used.reason == "activation_used"


async def test_too_many_wrong_birth_dates_kill_the_link_until_staff_resend_it(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    auth = await _staff_auth(stack, staff)
    born = years_ago(14)
    account = await _create_client_account(rpc, auth, born)
    token = await _activation_token(stack, account.id)
    reasons = []
    for _ in range(3):
        failure = await refusal(
            rpc.client_accounts.ActivateClientAccount(
                accounts_pb2.ActivateClientAccountRequest(token=token, birth_date="2001-01-01")
            )
        )
        reasons.append(failure.reason)
    assert reasons == ["wrong_birth_date", "wrong_birth_date", "activation_blocked"]
    dead = await refusal(
        rpc.client_accounts.ActivateClientAccount(
            accounts_pb2.ActivateClientAccountRequest(token=token, birth_date=born.isoformat())
        )
    )
    assert dead.reason == "activation_blocked"
    view = await rpc.client_accounts.GetActivation(accounts_pb2.ActivationTokenRequest(token=token))
    assert (view.state, view.attempts_left) == ("blocked", 0)

    other = await _practice(stack)
    foreign = await refusal(
        rpc.client_accounts.ResendActivation(
            accounts_pb2.ResendActivationRequest(account_id=account.id), metadata=await _staff_auth(stack, other)
        )
    )
    assert (foreign.code, foreign.reason) == (grpc.StatusCode.NOT_FOUND, "person_not_found")
    await rpc.client_accounts.ResendActivation(
        accounts_pb2.ResendActivationRequest(account_id=account.id), metadata=auth
    )
    fresh = await _activation_token(stack, account.id)
    assert fresh != token
    await rpc.client_accounts.ActivateClientAccount(
        accounts_pb2.ActivateClientAccountRequest(token=fresh, birth_date=born.isoformat())
    )


# --------------------------------------------------------------------------- self-registration
async def test_self_registration_needs_approval_an_sms_code_and_a_policy_password(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack, PasswordPreset.GP_PORTAL)
    auth = await _staff_auth(stack, staff)
    email = f"jansen+kind{uuid.uuid4().hex[:4]}@gmail.com"
    mobile = valid_mobile()
    registration = await rpc.registrations.RequestRegistration(
        accounts_pb2.RequestRegistrationRequest(
            organisation_id=staff.organisation_id,
            first_name="Piet",
            last_name="Jansen",
            email=email,
            mobile=mobile,
            birth_date="1980-04-01",
        )
    )
    receipt = next(
        e
        for e in await outbox_events(stack, "identity.registration.requested", events.RegistrationRequested)
        if e.registration_id == registration.id
    )
    assert receipt.recipient.email == email
    other = await _practice(stack)
    others = await rpc.registrations.ListRegistrations(
        accounts_pb2.ListRegistrationsRequest(), metadata=await _staff_auth(stack, other)
    )
    assert registration.id not in {r.id for r in others.registrations}
    listed = await rpc.registrations.ListRegistrations(
        accounts_pb2.ListRegistrationsRequest(status="requested"), metadata=auth
    )
    assert registration.id in {r.id for r in listed.registrations}

    approved = await rpc.registrations.ApproveRegistration(
        accounts_pb2.RegistrationIdRequest(registration_id=registration.id), metadata=auth
    )
    assert approved.status == "approved"
    token = next(
        e.token
        for e in await outbox_events(stack, "identity.registration.approved", events.RegistrationApproved)
        if e.registration_id == registration.id
    )
    sent = await rpc.registrations.SendRegistrationCode(accounts_pb2.RegistrationTokenRequest(token=token))
    assert sent.masked_mobile.endswith(mobile[-2:]) and mobile not in sent.masked_mobile
    code = next(
        e
        for e in await outbox_events(stack, "identity.one_time_code.issued", events.OneTimeCodeIssued)
        if e.recipient.mobile == mobile
    )
    assert (code.purpose, code.channel) == ("registration", "sms")

    weak = await refusal(
        rpc.registrations.CompleteRegistration(
            accounts_pb2.CompleteRegistrationRequest(
                token=token, code=code.code, password="alleenkleineletters", password_confirmation="alleenkleineletters"
            )
        )
    )
    assert set(weak.fields) == {"password.upper", "password.digits", "terms_version", "privacy_version"}
    wrong_code = f"{(int(code.code) + 1) % 10**6:06d}"
    good = dict(
        password="Huisarts-2026",
        password_confirmation="Huisarts-2026",
        terms_version="2026-01",
        privacy_version="2026-01",
    )
    wrong = await refusal(
        rpc.registrations.CompleteRegistration(
            accounts_pb2.CompleteRegistrationRequest(token=token, code=wrong_code, **good)
        )
    )
    assert wrong.reason == "incorrect_code"
    completed = await rpc.registrations.CompleteRegistration(
        accounts_pb2.CompleteRegistrationRequest(token=token, code=code.code, **good)
    )
    assert completed.login_name == email
    assert (await login(stack, email, "Huisarts-2026")).access_token
    reused = await refusal(
        rpc.registrations.CompleteRegistration(
            accounts_pb2.CompleteRegistrationRequest(token=token, code=code.code, **good)
        )
    )
    assert reused.code == grpc.StatusCode.NOT_FOUND


# --------------------------------------------------------------------------- profile
async def test_profile_names_change_at_once_and_contact_details_only_when_confirmed(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    person = await create_client(stack, staff.organisation_id, years_ago(35))
    auth = await _auth(stack, person.email, person.password)
    bad = await refusal(
        rpc.profiles.UpdateProfile(
            accounts_pb2.UpdateProfileRequest(
                first_name="", language="fr", country="Nederland", email="geen", mobile="1"
            ),
            metadata=auth,
        )
    )
    assert set(bad.fields) == {"first_name", "language", "country", "email", "mobile"}
    new_email = f"nieuw-{uuid.uuid4().hex[:6]}@example.org"
    new_mobile = valid_mobile()
    without_password = await refusal(
        rpc.profiles.UpdateProfile(accounts_pb2.UpdateProfileRequest(email=new_email), metadata=auth)
    )
    assert (without_password.reason, set(without_password.fields)) == ("wrong_password", {"current_password"})
    profile = await rpc.profiles.UpdateProfile(
        accounts_pb2.UpdateProfileRequest(
            first_name="Anna", language="en", email=new_email, mobile=new_mobile, current_password=person.password
        ),
        metadata=auth,
    )
    assert (profile.first_name, profile.language, profile.email) == ("Anna", "en", person.email)
    assert (profile.pending_email, profile.pending_mobile) == (new_email, new_mobile)
    requested = next(
        e
        for e in await outbox_events(stack, "identity.email_change.requested", events.EmailChangeRequested)
        if e.new_email == new_email
    )
    assert requested.recipient.email == person.email  # the notice goes to the old address too
    code = next(
        e
        for e in await outbox_events(stack, "identity.one_time_code.issued", events.OneTimeCodeIssued)
        if e.recipient.mobile == new_mobile
    )
    assert code.purpose == "mobile_change"
    confirmed = await rpc.profiles.ConfirmEmailChange(
        accounts_pb2.ConfirmEmailChangeRequest(token=requested.token), metadata=auth
    )
    assert (confirmed.email, confirmed.pending_email) == (new_email, "")
    confirmed = await rpc.profiles.ConfirmMobileChange(
        accounts_pb2.ConfirmMobileChangeRequest(code=code.code), metadata=auth
    )
    assert (confirmed.mobile, confirmed.pending_mobile) == (new_mobile, "")
    twice = await refusal(
        rpc.profiles.ConfirmEmailChange(accounts_pb2.ConfirmEmailChangeRequest(token=requested.token), metadata=auth)
    )
    assert twice.reason == "contact_change_not_found"
    assert (await login(stack, new_email, person.password)).access_token


# --------------------------------------------------------------------------- delegations
async def _grant(
    rpc: Stubs, auth: tuple[tuple[str, str], ...], delegate_id: str, **person: object
) -> delegations_pb2.Delegation:
    request = delegations_pb2.GrantDelegationRequest(delegate_account_id=delegate_id)
    if "child" in person:
        request.child.CopyFrom(person["child"])  # type: ignore[arg-type]
    else:
        request.person_account_id = str(person["person_account_id"])
    delegation: delegations_pb2.Delegation = await rpc.delegations.GrantDelegation(request, metadata=auth)
    return delegation


async def test_a_parent_acts_for_a_child_under_twelve_until_the_delegation_is_revoked(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    staff_auth = await _staff_auth(stack, staff)
    parent = await create_client(stack, staff.organisation_id, years_ago(40))
    child = delegations_pb2.ChildRecord(first_name="Kind", last_name="Test", birth_date=years_ago(10).isoformat())
    delegation = await _grant(rpc, staff_auth, parent.account_id, child=child)
    assert (delegation.status, delegation.kind, delegation.person.has_login) == ("active", "parental", False)
    granted = next(
        e
        for e in await outbox_events(stack, "identity.delegation.granted", events.DelegationGranted)
        if e.delegation_id == delegation.id
    )
    assert granted.delegate.email == parent.email and granted.person.email == ""

    parent_auth = await _auth(stack, parent.email, parent.password)
    acting = await rpc.delegations.ActAs(
        delegations_pb2.ActAsRequest(person_id=delegation.person.account_id), metadata=parent_auth
    )
    claims = jwt.decode(acting.access_token, options={"verify_signature": False})
    assert (claims["sub"], claims["act"]) == (delegation.person.account_id, {"sub": parent.account_id})
    me = await rpc.identity.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(acting.access_token))
    assert me.id == delegation.person.account_id

    mine = await rpc.delegations.ListMyDelegations(delegations_pb2.ListMyDelegationsRequest(), metadata=parent_auth)
    assert [d.id for d in mine.by_me] == [delegation.id] and not mine.for_me
    preferred = await rpc.delegations.SetPreferredPortal(
        delegations_pb2.SetPreferredPortalRequest(person_id=delegation.person.account_id), metadata=parent_auth
    )
    assert preferred.preferred_person_id == delegation.person.account_id

    await rpc.delegations.RevokeDelegation(
        delegations_pb2.DelegationIdRequest(delegation_id=delegation.id), metadata=parent_auth
    )
    refused_me = await refusal(
        rpc.identity.GetMe(identity_pb2.GetMeRequest(), metadata=call_metadata(acting.access_token))
    )
    assert (refused_me.code, refused_me.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "delegation_not_active")
    again = await refusal(
        rpc.delegations.ActAs(
            delegations_pb2.ActAsRequest(person_id=delegation.person.account_id), metadata=parent_auth
        )
    )
    assert again.code == grpc.StatusCode.NOT_FOUND
    mine = await rpc.delegations.ListMyDelegations(delegations_pb2.ListMyDelegationsRequest(), metadata=parent_auth)
    assert mine.preferred_person_id == parent.account_id
    ended = next(
        e
        for e in await outbox_events(stack, "identity.delegation.ended", events.DelegationEnded)
        if e.delegation_id == delegation.id
    )
    assert ended.reason == "revoked"


async def test_from_twelve_the_child_consents_and_parental_access_ends_at_sixteen(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    staff_auth = await _staff_auth(stack, staff)
    parent = await create_client(stack, staff.organisation_id, years_ago(45))
    youth = await create_client(stack, staff.organisation_id, years_ago(16, days=1))  # 15, 16 tomorrow
    delegation = await _grant(rpc, staff_auth, parent.account_id, person_account_id=youth.account_id)
    assert (delegation.status, delegation.kind) == ("awaiting_consent", "parental")
    asked = next(
        e
        for e in await outbox_events(stack, "identity.delegation.consent_requested", events.DelegationConsentRequested)
        if e.delegation_id == delegation.id
    )
    assert asked.person.email == youth.email
    parent_auth = await _auth(stack, parent.email, parent.password)
    not_yet = await refusal(
        rpc.delegations.ActAs(delegations_pb2.ActAsRequest(person_id=youth.account_id), metadata=parent_auth)
    )
    assert not_yet.code == grpc.StatusCode.NOT_FOUND
    not_his = await refusal(
        rpc.delegations.AnswerDelegationConsent(
            delegations_pb2.AnswerDelegationConsentRequest(delegation_id=delegation.id, accept=True),
            metadata=parent_auth,
        )
    )
    assert not_his.code == grpc.StatusCode.NOT_FOUND
    youth_auth = await _auth(stack, youth.email, youth.password)
    consented = await rpc.delegations.AnswerDelegationConsent(
        delegations_pb2.AnswerDelegationConsentRequest(delegation_id=delegation.id, accept=True), metadata=youth_auth
    )
    assert consented.status == "active"
    assert (
        await rpc.delegations.ActAs(delegations_pb2.ActAsRequest(person_id=youth.account_id), metadata=parent_auth)
    ).access_token
    duplicate = await refusal(
        rpc.delegations.GrantDelegation(
            delegations_pb2.GrantDelegationRequest(
                delegate_account_id=parent.account_id, person_account_id=youth.account_id
            ),
            metadata=staff_auth,
        )
    )
    assert duplicate.reason == "delegation_exists"

    engine, uow = identity_uow(stack)
    try:
        # The calendar the service counts ages by (Amsterdam's day, not the machine's UTC date).
        now = calendar.utcnow()
        today = calendar.today()
        # Today the youth is 15: nothing of theirs ends; tomorrow they are 16.
        await do_end_parental_delegations_at_sixteen(uow, today, now)
        assert (await _status(stack, delegation.id)) == "active"
        tomorrow = date.fromordinal(today.toordinal() + 1)
        ended = await do_end_parental_delegations_at_sixteen(uow, tomorrow, now)
        assert ended >= 1
        assert await do_end_parental_delegations_at_sixteen(uow, tomorrow, now) == 0
    finally:
        await engine.dispose()
    youth_view = await rpc.delegations.ListMyDelegations(
        delegations_pb2.ListMyDelegationsRequest(), metadata=youth_auth
    )
    assert [(d.id, d.status, d.end_reason) for d in youth_view.for_me] == [(delegation.id, "ended", "turned_16")]


async def _status(stack: Stack, delegation_id: str) -> str:
    rows = await fetch(stack.database_urls["identity"], "SELECT status FROM delegations WHERE id = $1", delegation_id)
    return str(rows[0]["status"])


async def test_only_staff_of_the_practice_grant_and_a_child_record_must_be_under_twelve(
    stack: Stack, rpc: Stubs
) -> None:
    staff, other = await _practice(stack), await _practice(stack)
    parent = await create_client(stack, staff.organisation_id, years_ago(40))
    foreign = await refusal(
        rpc.delegations.GrantDelegation(
            delegations_pb2.GrantDelegationRequest(
                delegate_account_id=parent.account_id,
                child=delegations_pb2.ChildRecord(first_name="K", last_name="T", birth_date=years_ago(5).isoformat()),
            ),
            metadata=await _staff_auth(stack, other),
        )
    )
    assert (foreign.code, foreign.fields) == (
        grpc.StatusCode.NOT_FOUND,
        {"delegate_account_id": "is not a client of your organisation"},
    )
    too_old = await refusal(
        rpc.delegations.GrantDelegation(
            delegations_pb2.GrantDelegationRequest(
                delegate_account_id=parent.account_id,
                child=delegations_pb2.ChildRecord(first_name="K", last_name="T", birth_date=years_ago(12).isoformat()),
            ),
            metadata=await _staff_auth(stack, staff),
        )
    )
    assert too_old.reason == "delegation_not_allowed"
    by_parent = await refusal(
        rpc.delegations.GrantDelegation(
            delegations_pb2.GrantDelegationRequest(
                delegate_account_id=parent.account_id, person_account_id=parent.account_id
            ),
            metadata=await _auth(stack, parent.email, parent.password),
        )
    )
    assert by_parent.code == grpc.StatusCode.PERMISSION_DENIED


# --------------------------------------------------------------------------- end of care
async def test_the_end_of_the_last_trajectory_ends_portal_access(stack: Stack, rpc: Stubs) -> None:
    staff = await _practice(stack)
    parent = await create_client(stack, staff.organisation_id, years_ago(40))
    client = await create_client(stack, staff.organisation_id, years_ago(10))
    delegation = await _grant(
        rpc, await _staff_auth(stack, staff), parent.account_id, person_account_id=client.account_id
    )
    parent_tokens = await login(stack, parent.email, parent.password)

    connection = await nats.connect(stack.nats_url)
    try:
        js = connection.jetstream()

        async def publish(other_active: bool) -> None:
            event = portal_events_pb2.TrajectoryEnded(
                trajectory_id=str(uuid.uuid4()),
                person_account_id=parent.account_id,
                organisation_id=staff.organisation_id,
                other_trajectory_active=other_active,
            )
            await js.publish(
                "portal.trajectory.ended", event.SerializeToString(), headers={"Nats-Msg-Id": str(uuid.uuid4())}
            )

        await publish(other_active=True)
        await publish(other_active=False)

        async def access_ended() -> bool:
            try:
                await rpc.identity.GetMe(
                    identity_pb2.GetMeRequest(), metadata=call_metadata(parent_tokens.access_token)
                )
            except grpc.aio.AioRpcError:
                return True
            return False

        await wait_until(access_ended, within=15.0, what="portal access ended")
    finally:
        await connection.close()
    refused_login = await refusal(
        rpc.identity.Login(identity_pb2.LoginRequest(username=parent.email, password=parent.password))
    )
    assert refused_login.code == grpc.StatusCode.UNAUTHENTICATED
    refreshed = await refusal(
        rpc.identity.RefreshSession(identity_pb2.RefreshSessionRequest(refresh_token=parent_tokens.refresh_token))
    )
    assert refreshed.code == grpc.StatusCode.UNAUTHENTICATED
    ended = next(
        e
        for e in await outbox_events(stack, "identity.delegation.ended", events.DelegationEnded)
        if e.delegation_id == delegation.id
    )
    assert ended.reason == "access_ended"
