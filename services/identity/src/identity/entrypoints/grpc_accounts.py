"""The ClientAccountService, RegistrationService and ProfileService servicers: protobuf
in, use case, protobuf out. Nothing else."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import timestamp
from identity.domain.accounts import Account
from identity.domain.client_accounts import PersonForm
from identity.domain.registrations import Registration, RegistrationStatus
from identity.entrypoints.callers import Callers
from identity.service.client_accounts import ClientAccounts
from identity.service.profile import Profile, ProfileChanges, Profiles
from identity.service.registrations import Registrations
from zorgpost.identity.v1 import accounts_pb2, accounts_pb2_grpc
from zorgpost_kit.errors import FieldErrors

CLIENT_ACCOUNT_SERVICE = accounts_pb2.DESCRIPTOR.services_by_name["ClientAccountService"].full_name
REGISTRATION_SERVICE = accounts_pb2.DESCRIPTOR.services_by_name["RegistrationService"].full_name
PROFILE_SERVICE = accounts_pb2.DESCRIPTOR.services_by_name["ProfileService"].full_name


def _person_form(
    request: accounts_pb2.CreateClientAccountRequest | accounts_pb2.RequestRegistrationRequest,
) -> PersonForm:
    return PersonForm(
        first_name=request.first_name,
        last_name=request.last_name,
        email=request.email,
        mobile=request.mobile,
        birth_date=request.birth_date,
        language=request.language,
    )


def _client_account(account: Account) -> accounts_pb2.ClientAccount:
    return accounts_pb2.ClientAccount(
        id=account.id,
        email=account.email,
        display_name=account.display_name,
        mobile=account.mobile or "",
        birth_date=account.birth_date.isoformat() if account.birth_date else "",
        status=account.status.value,
    )


def _registration(registration: Registration) -> accounts_pb2.Registration:
    return accounts_pb2.Registration(
        id=registration.id,
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        mobile=registration.mobile,
        birth_date=registration.birth_date.isoformat(),
        status=registration.status.value,
        requested_at=timestamp(registration.requested_at),
    )


def _profile(profile: Profile) -> accounts_pb2.Profile:
    account = profile.account
    return accounts_pb2.Profile(
        account_id=account.id,
        first_name=account.first_name,
        last_name=account.last_name,
        display_name=account.display_name,
        email=account.email,
        mobile=account.mobile or "",
        language=account.language,
        country=account.country,
        birth_date=account.birth_date.isoformat() if account.birth_date else "",
        pending_email=profile.pending_email or "",
        pending_mobile=profile.pending_mobile or "",
    )


class ClientAccountServicer(accounts_pb2_grpc.ClientAccountServiceServicer):
    def __init__(self, client_accounts: ClientAccounts, callers: Callers) -> None:
        self._accounts = client_accounts
        self._callers = callers

    async def CreateClientAccount(
        self, request: accounts_pb2.CreateClientAccountRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.ClientAccount:
        account = await self._accounts.do_create(await self._callers.principal(context), _person_form(request))
        return _client_account(account)

    async def ResendActivation(
        self, request: accounts_pb2.ResendActivationRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.ResendActivationResponse:
        await self._accounts.do_resend_activation(await self._callers.principal(context), request.account_id)
        return accounts_pb2.ResendActivationResponse()

    async def GetActivation(
        self, request: accounts_pb2.ActivationTokenRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.ActivationView:
        view = await self._accounts.view_activation(request.token)
        return accounts_pb2.ActivationView(
            organisation_name=view.organisation_name, state=view.state, attempts_left=view.attempts_left
        )

    async def ActivateClientAccount(
        self, request: accounts_pb2.ActivateClientAccountRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.ActivateClientAccountResponse:
        login_name = await self._accounts.do_activate(request.token, request.birth_date)
        return accounts_pb2.ActivateClientAccountResponse(login_name=login_name)

    async def SetSecretQuestion(
        self, request: accounts_pb2.SetSecretQuestionRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.SecretQuestionResponse:
        principal = await self._callers.principal(context)
        await self._accounts.do_set_secret_question(
            principal, password=request.password, question=request.question, answer=request.answer
        )
        return accounts_pb2.SecretQuestionResponse(question=request.question.strip())

    async def GetSecretQuestion(
        self, request: accounts_pb2.GetSecretQuestionRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.SecretQuestionResponse:
        question = await self._accounts.secret_question(await self._callers.principal(context))
        return accounts_pb2.SecretQuestionResponse(question=question or "")


class RegistrationServicer(accounts_pb2_grpc.RegistrationServiceServicer):
    def __init__(self, registrations: Registrations, callers: Callers) -> None:
        self._registrations = registrations
        self._callers = callers

    async def RequestRegistration(
        self, request: accounts_pb2.RequestRegistrationRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Registration:
        registration = await self._registrations.do_request(request.organisation_id, _person_form(request))
        return _registration(registration)

    async def ListRegistrations(
        self, request: accounts_pb2.ListRegistrationsRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.ListRegistrationsResponse:
        status: RegistrationStatus | None = None
        if request.status:
            try:
                status = RegistrationStatus(request.status)
            except ValueError:
                errors = FieldErrors()
                errors.add("status", "must be one of: " + ", ".join(s.value for s in RegistrationStatus))
                errors.raise_if_any()
        found = await self._registrations.list_for_staff(await self._callers.principal(context), status)
        return accounts_pb2.ListRegistrationsResponse(registrations=[_registration(r) for r in found])

    async def ApproveRegistration(
        self, request: accounts_pb2.RegistrationIdRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Registration:
        principal = await self._callers.principal(context)
        return _registration(await self._registrations.do_approve(principal, request.registration_id))

    async def RejectRegistration(
        self, request: accounts_pb2.RegistrationIdRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Registration:
        principal = await self._callers.principal(context)
        return _registration(await self._registrations.do_reject(principal, request.registration_id))

    async def SendRegistrationCode(
        self, request: accounts_pb2.RegistrationTokenRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.RegistrationCodeSent:
        sent = await self._registrations.do_send_code(request.token)
        return accounts_pb2.RegistrationCodeSent(
            organisation_name=sent.organisation_name,
            masked_mobile=sent.masked_mobile,
            expires_at=timestamp(sent.expires_at),
        )

    async def CompleteRegistration(
        self, request: accounts_pb2.CompleteRegistrationRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.RegistrationCompleted:
        completed = await self._registrations.do_complete(
            request.token,
            code=request.code,
            password=request.password,
            password_confirmation=request.password_confirmation,
            terms_version=request.terms_version,
            privacy_version=request.privacy_version,
        )
        return accounts_pb2.RegistrationCompleted(account_id=completed.account_id, login_name=completed.login_name)


class ProfileServicer(accounts_pb2_grpc.ProfileServiceServicer):
    def __init__(self, profiles: Profiles, callers: Callers) -> None:
        self._profiles = profiles
        self._callers = callers

    async def GetProfile(
        self, request: accounts_pb2.GetProfileRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Profile:
        return _profile(await self._profiles.get(await self._callers.principal(context)))

    async def UpdateProfile(
        self, request: accounts_pb2.UpdateProfileRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Profile:
        def given(name: str) -> str | None:
            return str(getattr(request, name)) if request.HasField(name) else None

        changes = ProfileChanges(
            first_name=given("first_name"),
            last_name=given("last_name"),
            language=given("language"),
            country=given("country"),
            email=given("email"),
            mobile=given("mobile"),
            current_password=given("current_password"),
        )
        return _profile(await self._profiles.do_update(await self._callers.principal(context), changes))

    async def ConfirmEmailChange(
        self, request: accounts_pb2.ConfirmEmailChangeRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Profile:
        principal = await self._callers.principal(context)
        return _profile(await self._profiles.do_confirm_email(principal, request.token))

    async def ConfirmMobileChange(
        self, request: accounts_pb2.ConfirmMobileChangeRequest, context: grpc.aio.ServicerContext
    ) -> accounts_pb2.Profile:
        principal = await self._callers.principal(context)
        return _profile(await self._profiles.do_confirm_mobile(principal, request.code))
