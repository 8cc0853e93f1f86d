"""The staff roles the gateway's OpenAPI offers are the kit's: one list of roles, spelled out
once more only because an OpenAPI enum needs a ``Literal``."""

from typing import get_args

from gateway.routes.organisation_staff import StaffRole
from zorgpost_kit.roles import STAFF_ROLES


def test_the_gateways_staff_roles_are_the_kits() -> None:
    assert list(get_args(StaffRole)) == [role.value for role in STAFF_ROLES]
