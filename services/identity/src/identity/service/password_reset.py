"""Password reset by e-mail link, with the second factor when one applies and the secret
question where the organisation asks it (seed 4).

The request answers the same whether or not the address has an account; only an existing
account gets the mail, and at most a few an hour (beyond that nothing is sent, and the
answer still says nothing). Opening the link sends the SMS or e-mail code; confirming sets
the new password (policy-checked) and ends every session of the account.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from identity.domain.accounts import Account
from identity.domain.authentication import PasswordChanged, PasswordReset, PasswordResetRequested
from identity.domain.client_accounts import normalise_secret_answer
from identity.domain.codes import CodePurpose
from identity.domain.errors import (
    CodeNoLongerValid,
    IncorrectCode,
    IncorrectSecretAnswer,
    PasswordResetInvalid,
)
from identity.domain.links import hash_link_token, new_link_token
from identity.domain.notices import OrganisationNotice, Recipient
from identity.domain.policy import PasswordRule, check_new_password
from identity.domain.rate_limits import RESET_LINKS_PER_ACCOUNT
from identity.domain.second_factors import FactorMethod
from identity.domain.sessions import AccessRevoked, RevocationReason
from identity.domain.throttle import can_be_login_name
from identity.service.callers import organisation_of
from identity.service.ports import PasswordHasher, UnitOfWork
from identity.service.rate_limits import is_within
from identity.service.second_factors import SecondFactors
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.logging import get_logger
from zorgpost_kit.validation import check_required

log = get_logger(__name__)


@dataclass(frozen=True)
class ResetRequirements:
    """What the reset form must ask besides the new password."""

    second_factor: FactorMethod | None
    secret_question: str | None
    password_rules: list[PasswordRule]


def check_reset_request(email: str) -> str:
    errors = FieldErrors()
    check_required(errors, email=email)
    errors.raise_if_any()
    return email


def check_reset_token(token: str) -> str:
    errors = FieldErrors()
    check_required(errors, token=token)
    errors.raise_if_any()
    return token


@dataclass(frozen=True)
class ResetConfirmation:
    token: str
    new_password: str
    code: str
    secret_answer: str


def check_reset_confirmation(token: str, new_password: str, *, code: str, secret_answer: str) -> ResetConfirmation:
    """The link and the new password; whether a code or an answer is needed depends on the
    account (checked once the link is known)."""
    errors = FieldErrors()
    check_required(errors, token=token, new_password=new_password)
    errors.raise_if_any()
    return ResetConfirmation(token, new_password, code, secret_answer)


@dataclass
class PasswordResets:
    uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    factors: SecondFactors
    link_lifetime: timedelta
    clock: Clock = utcnow

    async def do_request(self, email: str) -> None:
        """Mails a reset link (PasswordResetRequested) when ``email`` belongs to an account
        that can log in and has not had its allowance of links this hour; does nothing
        otherwise. The caller answers the same either way."""
        address = check_reset_request(email)
        now = self.clock()
        async with self.uow() as uow:
            account = await uow.accounts.find_for_login(address) if can_be_login_name(address) else None
            if account is None or not account.can_log_in:
                log.info("password_reset_requested", account_known=False)
                return
            if not await is_within(uow, RESET_LINKS_PER_ACCOUNT, account.id, now):
                log.info("password_reset_limited", account_id=account.id)
                return
            token = new_link_token()
            expires_at = now + self.link_lifetime
            await uow.password_resets.add(
                PasswordReset(str(uuid.uuid4()), account.id, hash_link_token(token), now, expires_at)
            )
            uow.emit(
                PasswordResetRequested(
                    **OrganisationNotice.sender(await organisation_of(uow, account)),
                    recipient=Recipient.of(account),
                    token=token,
                    expires_at=expires_at,
                )
            )
            await uow.commit()
        log.info("password_reset_requested", account_known=True)

    async def do_open(self, token: str) -> ResetRequirements:
        """What the reset needs; sends the SMS or e-mail code of the account's second
        factor (a second opening sends a new code, replacing the first)."""
        checked = check_reset_token(token)
        async with self.uow() as uow:
            reset, account = await self._open_reset(uow, checked)
            requirements = await self._requirements(uow, account)
            if requirements.second_factor is not None:
                await self.factors.do_send_code(
                    uow, account, requirements.second_factor, purpose=CodePurpose.PASSWORD_RESET, subject=reset.id
                )
            await uow.commit()
        return requirements

    async def do_confirm(self, token: str, new_password: str, *, code: str, secret_answer: str) -> None:
        """Sets the new password once the link, the second factor's code and the secret
        answer (where asked) are right and the password meets the policy (every broken
        rule is named). Then: the link and every other open link are used up, every
        session of the account ends, a forced change is cleared, the owner is told
        (PasswordChanged). Wrong codes or answers count; after five the link is dead."""
        confirmation = check_reset_confirmation(token, new_password, code=code, secret_answer=secret_answer)
        code, secret_answer, new_password = confirmation.code, confirmation.secret_answer, confirmation.new_password
        async with self.uow() as uow:
            reset, account = await self._open_reset(uow, confirmation.token, lock_account=True)
            now = self.clock()  # under the account's row lock, as every revocation (see do_refresh)
            requirements = await self._requirements(uow, account)
            errors = FieldErrors()
            if requirements.second_factor is not None and not code.strip():
                errors.add("code", "is required")
            if requirements.secret_question is not None and not secret_answer.strip():
                errors.add("secret_answer", "is required")
            errors.raise_if_any()
            policy = await uow.security_policies.get(account.organisation_id)
            check_new_password(
                policy.password,
                new_password,
                field="new_password",
                personal=account.personal_words,
                language=account.language,
            )
            try:
                # The answer first: checking it changes nothing, while a passed code is used up.
                if requirements.secret_question is not None:
                    await self._check_secret_answer(uow, account, secret_answer)
                if requirements.second_factor is not None:
                    await self.factors.check_code(
                        uow,
                        account,
                        requirements.second_factor,
                        purpose=CodePurpose.PASSWORD_RESET,
                        subject=reset.id,
                        code=code,
                    )
            except (IncorrectCode, CodeNoLongerValid, IncorrectSecretAnswer):
                reset.attempts += 1
                await uow.password_resets.save(reset)
                await uow.commit()
                raise
            await uow.accounts.set_password(account.id, self.hasher.hash(new_password), must_change=False)
            await uow.password_resets.end_all_for_account(account.id, now)
            for session_id in await uow.sessions.revoke_all_except(account.id, None, now):
                uow.emit(AccessRevoked(session_id=session_id, revoked_at=now, reason=RevocationReason.SESSION_REVOKED))
            uow.emit(
                PasswordChanged(
                    **OrganisationNotice.sender(await organisation_of(uow, account)),
                    recipient=Recipient.of(account),
                    changed_at=now,
                )
            )
            await uow.commit()
        log.info("password_reset", account_id=account.id)

    async def _open_reset(
        self, uow: UnitOfWork, token: str, *, lock_account: bool = False
    ) -> tuple[PasswordReset, Account]:
        token_hash = hash_link_token(token)
        if lock_account:
            # The account first, then the link, as every flow that ends access or mints a
            # token (see Authentication.do_refresh): two links confirmed at once queue on
            # the account instead of deadlocking.
            account_id = await uow.password_resets.account_id_of(token_hash)
            if account_id is not None:
                await uow.accounts.get_for_update(account_id)
        reset = await uow.password_resets.get_by_token_hash_for_update(token_hash)
        if reset is None or not reset.is_open(self.clock()):
            raise PasswordResetInvalid(fields={"token": "is unknown, used or expired"})
        account = await uow.accounts.get(reset.account_id)
        if account is None or not account.can_log_in:
            raise PasswordResetInvalid(fields={"token": "is unknown, used or expired"})
        return reset, account

    async def _requirements(self, uow: UnitOfWork, account: Account) -> ResetRequirements:
        policy = await uow.security_policies.get(account.organisation_id)
        question = None
        if policy.secret_question:
            # Asked only when the person has set one (seed 4 asks for it after the first login).
            stored = await uow.secret_questions.get(account.id)
            question = stored.question if stored else None
        return ResetRequirements(await self.factors.method_for(uow, account), question, policy.password.rules())

    async def _check_secret_answer(self, uow: UnitOfWork, account: Account, answer: str) -> None:
        stored = await uow.secret_questions.get(account.id)
        if stored is None or not self.hasher.verify(stored.answer_hash, normalise_secret_answer(answer)):
            raise IncorrectSecretAnswer(fields={"secret_answer": "is not correct"})
