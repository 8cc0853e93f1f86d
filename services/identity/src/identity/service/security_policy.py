"""Reading and changing an organisation's security policy (its administrators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from identity.domain.errors import OrganisationNotFound
from identity.domain.policy import PasswordPolicy, PasswordPreset, SecondFactor, SecurityPolicy, SecurityPolicyChanged
from identity.service.ports import UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.roles import Capability


async def get_security_policy(
    uow_factory: Callable[[], UnitOfWork], principal: Principal
) -> tuple[str, SecurityPolicy]:
    """The policy of the caller's organisation (its administrators: :class:`NotPermitted`
    otherwise)."""
    principal.require(Capability.MANAGE_SECURITY_POLICY)
    assert principal.organisation_id is not None
    async with uow_factory() as uow:
        policy = await uow.security_policies.get(principal.organisation_id)
    return principal.organisation_id, policy


@dataclass(frozen=True)
class SecurityPolicyDraft:
    """What staff typed, unchecked."""

    password_preset: str
    second_factor: str
    code_lifetime_seconds: int
    lockout_threshold: int
    lockout_step_seconds: int
    lockout_max_seconds: int
    max_failures_per_hour: int
    secret_question: bool


#: Bounds that keep a policy safe to live with: a code lasts long enough to type and not
#: much longer; a lockout neither lets guessing run free nor locks people out for days.
_BOUNDS = {
    "code_lifetime_seconds": (60, 3600),
    "lockout_threshold": (3, 20),
    "lockout_step_seconds": (1, 3600),
    "lockout_max_seconds": (60, 86_400),
    "max_failures_per_hour": (10, 1000),
}


def check_security_policy(principal: Principal, draft: SecurityPolicyDraft) -> tuple[str, SecurityPolicy]:
    """Administrators only; every invalid field is named at once."""
    principal.require(Capability.MANAGE_SECURITY_POLICY)
    assert principal.organisation_id is not None
    errors = FieldErrors()
    presets = {preset.value for preset in PasswordPreset}
    factors = {factor.value for factor in SecondFactor}
    if draft.password_preset not in presets:
        errors.add("password_preset", f"must be one of {', '.join(sorted(presets))}")
    if draft.second_factor not in factors:
        errors.add("second_factor", f"must be one of {', '.join(sorted(factors))}")
    for name, (low, high) in _BOUNDS.items():
        value = getattr(draft, name)
        if not low <= value <= high:
            errors.add(name, f"must be between {low} and {high}")
    if draft.lockout_max_seconds < draft.lockout_step_seconds:
        errors.add("lockout_max_seconds", "must not be shorter than lockout_step_seconds")
    errors.raise_if_any()
    return principal.organisation_id, SecurityPolicy(
        password=PasswordPolicy.for_preset(PasswordPreset(draft.password_preset)),
        second_factor=SecondFactor(draft.second_factor),
        code_lifetime=timedelta(seconds=draft.code_lifetime_seconds),
        lockout_threshold=draft.lockout_threshold,
        lockout_step=timedelta(seconds=draft.lockout_step_seconds),
        lockout_max=timedelta(seconds=draft.lockout_max_seconds),
        max_failures_per_hour=draft.max_failures_per_hour,
        secret_question=draft.secret_question,
    )


async def do_set_security_policy(
    uow_factory: Callable[[], UnitOfWork], organisation_id: str, policy: SecurityPolicy, *, changed_by: str = ""
) -> None:
    """Replaces the organisation's policy; it holds for every login from now on.
    ``changed_by`` is the administrator's account id (empty: the operator)."""
    async with uow_factory() as uow:
        if await uow.organisations.get(organisation_id) is None:
            raise OrganisationNotFound()
        await uow.security_policies.save(organisation_id, policy)
        uow.emit(
            SecurityPolicyChanged(
                organisation_id=organisation_id,
                password_preset=policy.password.preset.value,
                second_factor=policy.second_factor.value,
                changed_by_account_id=changed_by,
            )
        )
        await uow.commit()
