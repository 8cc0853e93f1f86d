"""Second factors: enrolment (TOTP with QR code, SMS, e-mail), confirmation with a first
code, recovery codes, and checking a factor's code during a login or password reset."""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import qrcode
from qrcode.image.pure import PyPNGImage

from identity.domain.accounts import Account
from identity.domain.codes import CodeChannel, CodePurpose, IssuedCode
from identity.domain.errors import (
    IncorrectCode,
    SecondFactorAlreadyEnrolled,
    SecondFactorNotPending,
    SecondFactorUnavailable,
    WrongPassword,
)
from identity.domain.notices import Recipient
from identity.domain.second_factors import (
    EnrolledFactor,
    FactorMethod,
    choose_method,
    hash_recovery_code,
    matching_totp_step,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
)
from identity.service.callers import active_account, organisation_of
from identity.service.one_time_codes import OneTimeCodes
from identity.service.ports import PasswordHasher, Sealing, UnitOfWork
from zorgpost_kit.auth import Principal
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_required


@dataclass(frozen=True)
class Enrolment:
    """What starting an enrolment answers; the TOTP fields are empty for SMS and e-mail."""

    method: FactorMethod
    totp_secret: str = ""
    provisioning_uri: str = ""
    qr_png_base64: str = ""


@dataclass(frozen=True)
class FactorOverview:
    factors: list[EnrolledFactor]
    recovery_codes_left: int


def qr_png_base64(data: str) -> str:
    image = qrcode.make(data, image_factory=PyPNGImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def channel_of(method: FactorMethod) -> CodeChannel:
    return CodeChannel.SMS if method is FactorMethod.SMS else CodeChannel.EMAIL


def check_method(method: str, errors: FieldErrors) -> FactorMethod | None:
    if method not in {choice.value for choice in FactorMethod}:
        errors.add("method", "must be one of: sms, email, totp")
        return None
    return FactorMethod(method)


@dataclass(frozen=True)
class EnrolmentRequest:
    method: FactorMethod
    password: str


def check_enrolment(method: str, password: str) -> EnrolmentRequest:
    """The factor to enrol, confirmed with the account's current password."""
    errors = FieldErrors()
    check_required(errors, password=password)
    errors.raise_if_any()
    chosen = check_method(method, errors)
    errors.raise_if_any()
    assert chosen is not None
    return EnrolmentRequest(chosen, password)


@dataclass(frozen=True)
class EnrolmentConfirmation:
    method: FactorMethod
    code: str


def check_enrolment_confirmation(method: str, code: str) -> EnrolmentConfirmation:
    errors = FieldErrors()
    chosen = check_method(method, errors)
    errors.raise_if_any()
    check_required(errors, code=code)
    errors.raise_if_any()
    assert chosen is not None
    return EnrolmentConfirmation(chosen, code)


@dataclass
class SecondFactors:
    uow: Callable[[], UnitOfWork]
    codes: OneTimeCodes
    #: Seals TOTP secrets at rest (associated data: the account id).
    sealing: Sealing
    totp_issuer: str
    hasher: PasswordHasher
    clock: Clock = utcnow

    # --- during a login or reset --------------------------------------------------------

    async def method_for(self, uow: UnitOfWork, account: Account) -> FactorMethod | None:
        """The factor a login or password reset of ``account`` must pass (None: none)."""
        policy = await uow.security_policies.get(account.organisation_id)
        factors = await uow.second_factors.list_for_account(account.id)
        confirmed = frozenset(factor.method for factor in factors if factor.confirmed)
        return choose_method(policy.second_factor, account, confirmed)

    async def do_send_code(
        self, uow: UnitOfWork, account: Account, method: FactorMethod, *, purpose: CodePurpose, subject: str
    ) -> IssuedCode | None:
        """Sends a code by SMS or e-mail for ``method`` (nothing for TOTP, which the person
        reads from their app). A resend replaces the earlier code."""
        if method is FactorMethod.TOTP:
            return None
        if method is FactorMethod.SMS and not account.mobile:
            raise SecondFactorUnavailable(fields={"method": "the account has no mobile number"})
        policy = await uow.security_policies.get(account.organisation_id)
        organisation = await organisation_of(uow, account)
        return await self.codes.do_issue(
            uow,
            purpose=purpose,
            subject=subject,
            channel=channel_of(method),
            recipient=Recipient.of(account),
            organisation=organisation,
            lifetime=policy.code_lifetime,
        )

    async def check_code(
        self,
        uow: UnitOfWork,
        account: Account,
        method: FactorMethod,
        *,
        purpose: CodePurpose,
        subject: str,
        code: str,
    ) -> None:
        """Returns when ``code`` passes ``method`` (or is an unused recovery code, which is
        then used up); raises :class:`IncorrectCode` or ``CodeNoLongerValid`` otherwise.
        A TOTP time step is accepted once only, also under concurrent use."""
        now = self.clock()
        typed = code.strip()
        if not typed.isdigit():
            if await uow.recovery_codes.redeem(account.id, hash_recovery_code(typed), now):
                return
            raise IncorrectCode(fields={"code": "is not correct"})
        if method is FactorMethod.TOTP:
            factor = await uow.second_factors.get(account.id, FactorMethod.TOTP)
            if factor is None or not factor.confirmed or factor.totp_secret_sealed is None:
                raise SecondFactorUnavailable(fields={"method": "no authenticator app is enrolled"})
            step = matching_totp_step(self._unseal(factor), typed, now)
            if step is None or not await uow.second_factors.claim_totp_step(account.id, step):
                raise IncorrectCode(fields={"code": "is not correct"})
            return
        await self.codes.do_redeem(uow, purpose=purpose, subject=subject, code=typed)

    # --- the caller's own factors -----------------------------------------------------

    async def overview(self, principal: Principal) -> FactorOverview:
        """The caller's factors (confirmed or waiting for their first code)."""
        async with self.uow() as uow:
            account = await active_account(uow, principal, self.clock())
            factors = await uow.second_factors.list_for_account(account.id)
            left = await uow.recovery_codes.count_unused(account.id)
        return FactorOverview(factors, left)

    async def do_start_enrolment(self, principal: Principal, method: str, password: str) -> Enrolment:
        """Registers ``method`` as waiting for confirmation (replacing an unconfirmed
        earlier start) and answers what the person needs to confirm it: for TOTP the
        secret, URI and QR code; for SMS and e-mail a code is sent to the account's number
        or address. A confirmed factor is never replaced here (a stolen session must not
        be able to swap the factor that protects the account), and none is added without
        the account's current password."""
        request = check_enrolment(method, password)
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            if not self.hasher.verify(account.password_hash, request.password):
                raise WrongPassword(fields={"password": "is not correct"})
            existing = await uow.second_factors.get(account.id, request.method)
            if existing is not None and existing.confirmed:
                raise SecondFactorAlreadyEnrolled(fields={"method": "is already set up"})
            factor = EnrolledFactor(account.id, request.method, created_at=now)
            enrolment = Enrolment(request.method)
            if request.method is FactorMethod.TOTP:
                secret = new_totp_secret()
                factor.totp_secret_sealed = self.sealing.encrypt(secret.encode(), account.id)
                uri = provisioning_uri(secret, account_name=account.email, issuer=self.totp_issuer)
                enrolment = Enrolment(request.method, secret, uri, qr_png_base64(uri))
            else:
                await self.do_send_code(
                    uow, account, request.method, purpose=CodePurpose.FACTOR_ENROLMENT, subject=account.id
                )
            await uow.second_factors.put(factor)
            await uow.commit()
        return enrolment

    async def do_confirm(self, principal: Principal, method: str, code: str) -> list[str]:
        """Confirms a pending enrolment with its first code. From now on logins ask for a
        second factor. Answers fresh recovery codes (earlier ones stop working); they are
        stored hashed and cannot be shown again."""
        confirmation = check_enrolment_confirmation(method, code)
        now = self.clock()
        async with self.uow() as uow:
            account = await active_account(uow, principal, now)
            factor = await uow.second_factors.get(account.id, confirmation.method)
            if factor is None or factor.confirmed:
                raise SecondFactorNotPending(fields={"method": "has no enrolment waiting for its first code"})
            if confirmation.method is FactorMethod.TOTP:
                assert factor.totp_secret_sealed is not None
                step = matching_totp_step(self._unseal(factor), confirmation.code, now)
                if step is None:
                    raise IncorrectCode(fields={"code": "is not correct"})
                factor.last_totp_step = step
            else:
                await self.codes.do_redeem(
                    uow, purpose=CodePurpose.FACTOR_ENROLMENT, subject=account.id, code=confirmation.code
                )
            factor.confirmed_at = now
            await uow.second_factors.put(factor)
            recovery = new_recovery_codes()
            await uow.recovery_codes.replace_all(
                account.id, [hash_recovery_code(c) for c in recovery], [str(uuid.uuid4()) for _ in recovery], now
            )
            await uow.commit()
        return recovery

    def _unseal(self, factor: EnrolledFactor) -> str:
        assert factor.totp_secret_sealed is not None
        return self.sealing.decrypt(factor.totp_secret_sealed, factor.account_id).decode()
