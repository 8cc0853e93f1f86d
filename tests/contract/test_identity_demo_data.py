"""The journeys' demo data (``identity seed-demo``, development only): loaded twice without
change, and every demo account of the README works as the table says."""

from __future__ import annotations

import grpc
import pytest
from contract_helpers import RPC_TIMEOUT, login
from support import count_rows

from zorgpost.identity.v1 import delegations_pb2, delegations_pb2_grpc, identity_pb2, identity_pb2_grpc
from zorgpost_devstack.stack import Stack
from zorgpost_kit.grpc_client import call_metadata

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.services("identity", demo_data=("identity",))]

DEMO_PASSWORD = "ZorgpostDemo!2026"
TABLES = ["organisations", "accounts", "delegations", "second_factors", "terms_acceptances"]


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
