"""The one table of who may do what: every capability is given to some role, staff
capabilities need the organisation a token names, a guest has none, and a principal asks
the table rather than its roles."""

from __future__ import annotations

import pytest

from zorgpost_kit.auth import NotPermitted, Principal
from zorgpost_kit.roles import (
    DESCRIPTIONS,
    GRANTED_BY,
    STAFF_ROLES,
    Capability,
    Role,
    capabilities_of,
    check_staff_roles,
)


def principal(*roles: str, organisation: str | None = "org-1", thread: str | None = None) -> Principal:
    return Principal("a1", "a1", "s1", organisation, "Gemeente X", frozenset(roles), thread_scope=thread)


def test_every_capability_is_described_and_given_to_at_least_one_role() -> None:
    assert set(GRANTED_BY) == set(Capability) == set(DESCRIPTIONS)
    assert all(GRANTED_BY[capability] for capability in Capability)


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        (Role.ADMIN, {Capability.MANAGE_STAFF, Capability.MANAGE_SECURITY_POLICY}, {Capability.SEND_SECURE_MAIL}),
        (Role.STAFF, {Capability.SEND_SECURE_MAIL, Capability.WORK_SHARED_INBOX}, {Capability.MANAGE_STAFF}),
        (Role.PRACTITIONER, {Capability.PRACTISE_CARE, Capability.MANAGE_CLIENTS}, {Capability.SEND_SECURE_MAIL}),
        (Role.CASE_HANDLER, {Capability.HANDLE_CASES, Capability.WORK_SHARED_INBOX}, {Capability.MANAGE_CLIENTS}),
        (Role.HELPDESK, {Capability.VIEW_DELIVERIES, Capability.WORK_SHARED_INBOX}, {Capability.MANAGE_TEAMS}),
        (Role.PERSON, {Capability.USE_PORTAL, Capability.WRITE_TO_ORGANISATION}, {Capability.VIEW_ORGANISATION}),
    ],
)
def test_each_role_gives_what_its_description_says(
    role: Role, may: set[Capability], may_not: set[Capability]
) -> None:
    held = capabilities_of([role.value], in_organisation=True)

    assert may <= held
    assert not may_not & held


def test_staff_capabilities_need_the_organisation_the_token_names() -> None:
    assert principal("admin", "staff", organisation=None).capabilities == frozenset()
    assert principal("person", organisation=None).can(Capability.USE_PORTAL)


def test_a_guest_may_nothing_and_unknown_role_names_give_nothing() -> None:
    assert principal("guest", organisation=None, thread="t1").capabilities == frozenset()
    assert capabilities_of(["superuser", "root"], in_organisation=True) == frozenset()


def test_several_roles_add_up_and_a_refusal_names_what_was_missing() -> None:
    both = principal("admin", "staff")
    assert both.can(Capability.MANAGE_STAFF) and both.can(Capability.SEND_SECURE_MAIL)
    assert both.works_for_organisation

    with pytest.raises(NotPermitted) as refused:
        principal("helpdesk").require(Capability.SEND_SECURE_MAIL)
    assert refused.value.code == "not_permitted"
    assert refused.value.capability is Capability.SEND_SECURE_MAIL
    assert "send secure mail" in refused.value.message


def test_only_staff_roles_are_staff_roles() -> None:
    roles, unknown = check_staff_roles(["admin", "person", "staff", "guest"])

    assert roles == {Role.ADMIN, Role.STAFF}
    assert unknown == ["person", "guest"]
    assert set(STAFF_ROLES) == {Role.ADMIN, Role.STAFF, Role.PRACTITIONER, Role.CASE_HANDLER, Role.HELPDESK}
