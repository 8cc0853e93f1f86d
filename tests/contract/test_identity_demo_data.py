"""The journeys' demo data (``identity seed-demo``, development only): loaded twice without
change, and every demo account of the README works as the table says."""

from __future__ import annotations

import grpc
import pytest
from contract_helpers import RPC_TIMEOUT, login
from support import count_rows

from zorgpost.identity.v1 import (
    delegations_pb2,
    delegations_pb2_grpc,
    identity_pb2,
    identity_pb2_grpc,
    organisations_pb2,
    organisations_pb2_grpc,
)
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", demo_data=("identity",))]

DEMO_PASSWORD = "ZorgpostDemo!2026"
TABLES = [
    "organisations", "accounts", "delegations", "second_factors", "terms_acceptances", "client_links", "supervisions",
]  # fmt: skip


async def test_loading_the_demo_data_again_changes_nothing(stack: Stack) -> None:
    before = await count_rows(stack.database_urls["identity"], TABLES)
    stack.run_command("identity", "seed-demo")
    assert await count_rows(stack.database_urls["identity"], TABLES) == before


async def test_the_parent_acts_for_the_child_of_ten_and_the_youth_of_thirteen(
    stack: Stack, channel: grpc.aio.Channel
) -> None:
    parent = call_metadata((await login(stack, "ouder@kindenmeer.example", DEMO_PASSWORD)).access_token)
    delegations = delegations_pb2_grpc.DelegationServiceStub(channel)
    mine = await delegations.ListMyDelegations(
        delegations_pb2.ListMyDelegationsRequest(), metadata=parent, timeout=RPC_TIMEOUT
    )
    people = {(d.person.display_name, d.person.has_login, d.status) for d in mine.by_me}
    assert people == {("Sam Ouder", False, "active"), ("Jip Ouder", True, "active")}
    for delegation in mine.by_me:
        acting = await delegations.ActAs(
            delegations_pb2.ActAsRequest(person_id=delegation.person.account_id), metadata=parent, timeout=RPC_TIMEOUT
        )
        assert acting.person_name == delegation.person.display_name
    youth = await login(stack, "jongere@kindenmeer.example", DEMO_PASSWORD)
    assert youth.access_token
    staff = await login(stack, "medewerker@kindenmeer.example", DEMO_PASSWORD)
    assert staff.access_token


async def test_the_gp_patient_signs_in_with_an_sms_code(channel: grpc.aio.Channel) -> None:
    identity = identity_pb2_grpc.IdentityServiceStub(channel)
    response = await identity.Login(
        identity_pb2.LoginRequest(username="patient@delinde.example", password=DEMO_PASSWORD), timeout=RPC_TIMEOUT
    )
    assert (response.WhichOneof("result"), response.challenge.method) == ("challenge", "sms")


@pytest.mark.parametrize(
    ("email", "organisation", "kind", "roles"),
    [
        ("beheerder@vlaardingen.example", "Gemeente Vlaardingen", "municipality", ["admin"]),
        (
            "beheerder@igj.example",
            "Inspectie Gezondheidszorg en Jeugd",
            "government_department",
            ["admin", "case_handler"],
        ),
        ("beheerder@delinde.example", "Huisartsenpraktijk De Linde", "gp_practice", ["admin"]),
        ("beheerder@kindenmeer.example", "Kind & meer", "youth_care_practice", ["admin"]),
        ("medewerker@delinde.example", "Huisartsenpraktijk De Linde", "gp_practice", ["practitioner", "staff"]),
        ("medewerker@vlaardingen.example", "Gemeente Vlaardingen", "municipality", ["staff"]),
        # The e-counter's demo logins: the department's case handler and the care organisation's user.
        ("behandelaar@departementzorg.example", "Departement Zorg", "government_department", ["case_handler"]),
        ("helpdesk@departementzorg.example", "Departement Zorg", "government_department", ["helpdesk"]),
        ("beheerder@departementzorg.example", "Departement Zorg", "government_department", ["admin"]),
        ("medewerker@hetanker.example", "Woonzorgcentrum Het Anker", "care_organisation", ["staff"]),
        ("beheerder@hetanker.example", "Woonzorgcentrum Het Anker", "care_organisation", ["admin"]),
    ],
)
async def test_every_demo_organisation_has_its_administrator_and_staff_with_their_roles(
    stack: Stack, channel: grpc.aio.Channel, email: str, organisation: str, kind: str, roles: list[str]
) -> None:
    # Administrators sign in with the e-mail code (login() reads it as the person would).
    token = (await login(stack, email, DEMO_PASSWORD)).access_token
    me = await identity_pb2_grpc.IdentityServiceStub(channel).GetMe(
        identity_pb2.GetMeRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    assert (me.organisation.name, me.organisation.kind, list(me.roles)) == (organisation, kind, roles)


async def test_the_department_supervises_both_practices(stack: Stack, channel: grpc.aio.Channel) -> None:
    token = (await login(stack, "beheerder@igj.example", DEMO_PASSWORD)).access_token
    links = await organisations_pb2_grpc.OrganisationServiceStub(channel).ListSupervisedOrganisations(
        organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    assert {(link.organisation.name, tuple(link.themes)) for link in links.links} == {
        ("Huisartsenpraktijk De Linde", ("jeugdzorg", "kwaliteit-van-zorg")),
        ("Kind & meer", ("jeugdzorg", "kwaliteit-van-zorg")),
    }


async def test_departement_zorg_supervises_het_anker_in_the_ecounter_themes(
    stack: Stack, channel: grpc.aio.Channel
) -> None:
    token = (await login(stack, "beheerder@departementzorg.example", DEMO_PASSWORD)).access_token
    links = await organisations_pb2_grpc.OrganisationServiceStub(channel).ListSupervisedOrganisations(
        organisations_pb2.ListSupervisionRequest(), metadata=call_metadata(token), timeout=RPC_TIMEOUT
    )
    assert {(link.organisation.name, tuple(link.themes)) for link in links.links} == {
        ("Woonzorgcentrum Het Anker", ("erkenning", "subsidies")),
    }
