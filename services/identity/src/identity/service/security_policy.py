"""Reading an organisation's security policy, and setting it (operators and tests)."""

from __future__ import annotations

from collections.abc import Callable

from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.domain.errors import OrganisationNotFound
from identity.domain.policy import SecurityPolicy
from zorgpost_kit.auth import Principal


async def get_security_policy(
    uow_factory: Callable[[], IdentityUnitOfWork], principal: Principal
) -> tuple[str, SecurityPolicy]:
    """The policy of the caller's organisation (staff only: :class:`StaffOnly` otherwise)."""
    principal.require_staff()
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        policy = await uow.security_policies.get(principal.organisation_id)
    return principal.organisation_id, policy


async def do_set_security_policy(
    uow_factory: Callable[[], IdentityUnitOfWork], organisation_id: str, policy: SecurityPolicy
) -> None:
    """Replaces the organisation's policy; it holds for every login from now on."""
    async with uow_factory() as uow:
        if await uow.organisations.get(organisation_id) is None:
            raise OrganisationNotFound()
        await uow.security_policies.save(organisation_id, policy)
        await uow.commit()
