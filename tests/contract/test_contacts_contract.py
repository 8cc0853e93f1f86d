"""Contacts' contract over gRPC: the caller's organisation profile, empty until filled in,
replaced as a whole by its administrators, refused field by field with nothing saved, and
for staff only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import pytest_asyncio
from contract_helpers import (
    RPC_TIMEOUT,
    access_token,
    create_person,
    health_status,
    reflected_services,
    refusal,
    resign_with_foreign_key,
)
from grpc_health.v1 import health_pb2
from support import StaffMember, count_rows, create_staff_member

from identity.domain.accounts import Role
from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", "contacts")]

SERVICE = "zorgpost.contacts.v1.ContactsService"
PROFILE_FIELDS = ("email", "phone", "website", "visiting_address", "postal_address")


@pytest.fixture
def contacts(channel: grpc.aio.Channel) -> contacts_pb2_grpc.ContactsServiceStub:
    return contacts_pb2_grpc.ContactsServiceStub(channel)


@pytest_asyncio.fixture(loop_scope="module")
async def staff(stack: Stack) -> StaffMember:
    """A new organisation per test, with its administrator: each test starts from a profile
    nobody filled in."""
    return await create_staff_member(
        stack, organisation_name=f"Gemeente Vlaardingen {uuid.uuid4().hex[:6]}", roles=frozenset({Role.ADMIN})
    )


@pytest_asyncio.fixture(loop_scope="module")
async def token(stack: Stack, staff: StaffMember) -> str:
    return await access_token(stack, staff)


async def _get(contacts: contacts_pb2_grpc.ContactsServiceStub, token: str | None) -> contacts_pb2.OrganisationProfile:
    profile: contacts_pb2.OrganisationProfile = await contacts.GetOrganisationProfile(
        contacts_pb2.GetOrganisationProfileRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return profile


async def _update(
    contacts: contacts_pb2_grpc.ContactsServiceStub, token: str | None, **fields: str
) -> contacts_pb2.OrganisationProfile:
    profile: contacts_pb2.OrganisationProfile = await contacts.UpdateOrganisationProfile(
        contacts_pb2.UpdateOrganisationProfileRequest(**fields), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    return profile


def _fields(profile: contacts_pb2.OrganisationProfile) -> dict[str, str]:
    return {name: getattr(profile, name) for name in PROFILE_FIELDS}


async def test_a_new_organisation_has_an_empty_profile(
    contacts: contacts_pb2_grpc.ContactsServiceStub, staff: StaffMember, token: str
) -> None:
    profile = await _get(contacts, token)
    assert profile.organisation_id == staff.organisation_id
    assert _fields(profile) == dict.fromkeys(PROFILE_FIELDS, "")
    assert not profile.HasField("updated_at")


async def test_a_valid_profile_is_saved_normalised_and_read_back(
    contacts: contacts_pb2_grpc.ContactsServiceStub, staff: StaffMember, token: str
) -> None:
    before = datetime.now(UTC)
    saved = await _update(
        contacts,
        token,
        email="  Burgerzaken@Vlaardingen.EXAMPLE ",
        phone="010 248 4000",
        website=" https://www.vlaardingen.nl ",
        visiting_address="  Westnieuwland 6, 3131 VX Vlaardingen ",
        postal_address="Postbus 1002, 3130 EB Vlaardingen",
    )
    expected = {
        "email": "Burgerzaken@vlaardingen.example",
        "phone": "+31102484000",
        "website": "https://www.vlaardingen.nl",
        "visiting_address": "Westnieuwland 6, 3131 VX Vlaardingen",
        "postal_address": "Postbus 1002, 3130 EB Vlaardingen",
    }
    assert saved.organisation_id == staff.organisation_id
    assert _fields(saved) == expected
    assert saved.HasField("updated_at")
    assert before - timedelta(seconds=2) <= saved.updated_at.ToDatetime(tzinfo=UTC) <= datetime.now(UTC)

    read = await _get(contacts, token)
    assert _fields(read) == expected
    assert read.updated_at == saved.updated_at


async def test_an_update_replaces_the_whole_profile(
    contacts: contacts_pb2_grpc.ContactsServiceStub, token: str
) -> None:
    await _update(contacts, token, email="info@example.org", phone="0201234567", website="https://example.org")
    replaced = await _update(contacts, token, website="https://nieuw.example.org")
    assert _fields(replaced) == {**dict.fromkeys(PROFILE_FIELDS, ""), "website": "https://nieuw.example.org"}
    assert _fields(await _get(contacts, token)) == _fields(replaced)


async def test_invalid_fields_are_all_named_and_nothing_is_saved(
    contacts: contacts_pb2_grpc.ContactsServiceStub, stack: Stack, token: str
) -> None:
    rows_before = await count_rows(stack.database_urls["contacts"], ["organisation_profiles"])
    failure = await refusal(
        contacts.UpdateOrganisationProfile(
            contacts_pb2.UpdateOrganisationProfileRequest(
                email="geen-adres",
                phone="1",
                website="ftp://x",
                visiting_address="x" * 301,
                postal_address="Postbus 1, Vlaardingen",
            ),
            metadata=call_metadata(token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.reason == "invalid_argument"
    assert set(failure.fields) == {"email", "phone", "website", "visiting_address"}
    assert all(failure.fields.values())

    profile = await _get(contacts, token)
    assert _fields(profile) == dict.fromkeys(PROFILE_FIELDS, "")
    assert not profile.HasField("updated_at")
    assert await count_rows(stack.database_urls["contacts"], ["organisation_profiles"]) == rows_before


@pytest.mark.parametrize("field", ["visiting_address", "postal_address", "website"])
async def test_a_nul_character_is_refused_naming_the_field(
    contacts: contacts_pb2_grpc.ContactsServiceStub, token: str, field: str
) -> None:
    value = "https://www.vlaar\x00dingen.nl" if field == "website" else "Westnieuwland\x00 6"
    failure = await refusal(
        contacts.UpdateOrganisationProfile(
            contacts_pb2.UpdateOrganisationProfileRequest(**{field: value}),
            metadata=call_metadata(token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert not (await _get(contacts, token)).HasField("updated_at")
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(failure.fields) == {field}


async def test_a_refused_update_keeps_the_saved_profile(
    contacts: contacts_pb2_grpc.ContactsServiceStub, token: str
) -> None:
    saved = await _update(contacts, token, email="info@example.org", website="https://example.org")
    failure = await refusal(
        contacts.UpdateOrganisationProfile(
            contacts_pb2.UpdateOrganisationProfileRequest(email="info@example.org", website="niet een adres"),
            metadata=call_metadata(token),
            timeout=RPC_TIMEOUT,
        )
    )
    assert set(failure.fields) == {"website"}
    read = await _get(contacts, token)
    assert _fields(read) == _fields(saved)
    assert read.updated_at == saved.updated_at


async def test_each_organisation_sees_only_its_own_profile(
    contacts: contacts_pb2_grpc.ContactsServiceStub, stack: Stack, token: str
) -> None:
    await _update(contacts, token, email="info@eigen.example.org")
    other = await create_staff_member(stack)
    other_profile = await _get(contacts, await access_token(stack, other))
    assert other_profile.organisation_id == other.organisation_id
    assert _fields(other_profile) == dict.fromkeys(PROFILE_FIELDS, "")


async def test_a_person_may_neither_read_nor_change_a_profile(
    contacts: contacts_pb2_grpc.ContactsServiceStub, stack: Stack
) -> None:
    person_token = await access_token(stack, await create_person(stack))
    read = await refusal(
        contacts.GetOrganisationProfile(
            contacts_pb2.GetOrganisationProfileRequest(), metadata=call_metadata(person_token), timeout=RPC_TIMEOUT
        )
    )
    change = await refusal(
        contacts.UpdateOrganisationProfile(
            contacts_pb2.UpdateOrganisationProfileRequest(email="info@example.org"),
            metadata=call_metadata(person_token),
            timeout=RPC_TIMEOUT,
        )
    )
    for failure in (read, change):
        assert failure.code == grpc.StatusCode.PERMISSION_DENIED
        assert failure.reason == "not_permitted"


@pytest.mark.parametrize("token_kind", ["none", "foreign-key"])
async def test_without_a_valid_token_both_calls_are_unauthenticated(
    contacts: contacts_pb2_grpc.ContactsServiceStub, token: str, token_kind: str
) -> None:
    presented = None if token_kind == "none" else resign_with_foreign_key(token)
    read = await refusal(
        contacts.GetOrganisationProfile(
            contacts_pb2.GetOrganisationProfileRequest(), metadata=call_metadata(presented), timeout=RPC_TIMEOUT
        )
    )
    change = await refusal(
        contacts.UpdateOrganisationProfile(
            contacts_pb2.UpdateOrganisationProfileRequest(email="info@example.org"),
            metadata=call_metadata(presented),
            timeout=RPC_TIMEOUT,
        )
    )
    for failure in (read, change):
        assert failure.code == grpc.StatusCode.UNAUTHENTICATED
        assert failure.reason == "invalid_token"
    assert not (await _get(contacts, token)).HasField("updated_at")


@pytest.mark.parametrize("service", ["", SERVICE])
async def test_health_reports_serving(channel: grpc.aio.Channel, service: str) -> None:
    assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service(channel: grpc.aio.Channel) -> None:
    assert SERVICE in await reflected_services(channel)


async def test_every_staff_role_reads_the_profile_and_only_an_administrator_changes_it(
    contacts: contacts_pb2_grpc.ContactsServiceStub, stack: Stack, token: str
) -> None:
    await _update(contacts, token, email="info@example.org")
    for role in (Role.STAFF, Role.PRACTITIONER, Role.CASE_HANDLER, Role.HELPDESK):
        colleague = await create_staff_member(stack, roles=frozenset({role}))
        colleague_token = await access_token(stack, colleague)

        assert (await _get(contacts, colleague_token)).organisation_id == colleague.organisation_id
        refused = await refusal(_update(contacts, colleague_token, email="info@example.org"))
        assert refused.code == grpc.StatusCode.PERMISSION_DENIED
        assert refused.reason == "not_permitted"
