"""Contacts' use cases on the shared fakes: staff read their own organisation's profile
(empty until filled in); its administrators save what :func:`check_profile` accepted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from contacts_fakes import FakeUnitOfWork, Store

from contacts.domain.model import OrganisationProfile
from contacts.service.profile import ProfileDraft, check_profile, do_update_profile, get_profile
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import InvalidArgument, PermissionDenied

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
#: An administrator (who may change the profile); any staff role may read it.
STAFF = Principal("account-jan", "account-jan", "s-1", "org-vlaardingen", "Gemeente Vlaardingen", frozenset({"admin"}))
OTHER_STAFF = dataclasses.replace(STAFF, subject_id="account-els", actor_id="account-els", organisation_id="org-x")
DRAFT = ProfileDraft(
    email=" Info@Vlaardingen.nl ",
    phone="010 248 4000",
    website="https://www.vlaardingen.nl",
    visiting_address="Westnieuwland 6, 3131 VX Vlaardingen",
    postal_address="",
)


@pytest.fixture
def store() -> Store:
    return Store()


async def test_an_organisation_that_never_filled_in_its_profile_gets_an_empty_one(store: Store) -> None:
    profile = await get_profile(lambda: FakeUnitOfWork(store), STAFF)

    assert profile == OrganisationProfile.empty("org-vlaardingen")
    assert store.profiles == {}


async def test_staff_save_a_checked_profile_and_read_it_back(store: Store) -> None:
    checked = check_profile(STAFF, DRAFT, now=NOW)

    await do_update_profile(lambda: FakeUnitOfWork(store), checked)
    profile = await get_profile(lambda: FakeUnitOfWork(store), STAFF)

    assert profile == checked
    assert (profile.updated_at, profile.updated_by) == (NOW, "account-jan")
    assert profile.visiting_address == "Westnieuwland 6, 3131 VX Vlaardingen"
    assert store.commits == 1


async def test_staff_see_only_their_own_organisations_profile(store: Store) -> None:
    await do_update_profile(lambda: FakeUnitOfWork(store), check_profile(STAFF, DRAFT, now=NOW))

    assert await get_profile(lambda: FakeUnitOfWork(store), OTHER_STAFF) == OrganisationProfile.empty("org-x")


async def test_a_rejected_draft_never_reaches_the_store(store: Store) -> None:
    with pytest.raises(InvalidArgument):
        check_profile(STAFF, dataclasses.replace(DRAFT, website="javascript:alert(1)"), now=NOW)

    assert store.profiles == {} and store.commits == 0


async def test_every_staff_role_reads_the_profile_and_only_administrators_change_it(store: Store) -> None:
    await do_update_profile(lambda: FakeUnitOfWork(store), check_profile(STAFF, DRAFT, now=NOW))
    for role in ("staff", "practitioner", "case_handler", "helpdesk"):
        colleague = dataclasses.replace(STAFF, roles=frozenset({role}))

        assert (await get_profile(lambda: FakeUnitOfWork(store), colleague)).phone == "+31102484000"
        with pytest.raises(PermissionDenied):
            check_profile(colleague, DRAFT, now=NOW)


async def test_a_citizen_cannot_read_an_organisation_profile(store: Store) -> None:
    citizen = dataclasses.replace(STAFF, roles=frozenset({"person"}))

    with pytest.raises(PermissionDenied):
        await get_profile(lambda: FakeUnitOfWork(store), citizen)
