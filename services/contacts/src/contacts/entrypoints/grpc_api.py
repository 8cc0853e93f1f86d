"""The ContactsService gRPC servicer."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from contacts.domain.contact_persons import ContactPerson
from contacts.domain.model import OrganisationProfile
from contacts.domain.themes import Theme
from contacts.service.contact_persons import (
    ContactDraft,
    do_add_contact_person,
    do_confirm_contact_person,
    do_remove_contact_person,
    do_update_contact_person,
    ecounter_access,
    ecounter_access_after_change,
    list_contact_persons,
    list_tasks,
    list_themes,
    theme_contacts,
)
from contacts.service.ports import Clock, StaffDirectory, UnitOfWorkFactory
from contacts.service.profile import ProfileDraft, check_profile, do_update_profile, get_profile
from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY

SERVICE_NAME = contacts_pb2.DESCRIPTOR.services_by_name["ContactsService"].full_name


def _profile(profile: OrganisationProfile) -> contacts_pb2.OrganisationProfile:
    message = contacts_pb2.OrganisationProfile(
        organisation_id=profile.organisation_id,
        email=profile.email,
        phone=profile.phone,
        website=profile.website,
        visiting_address=profile.visiting_address,
        postal_address=profile.postal_address,
    )
    if profile.updated_at is not None:
        message.updated_at.FromDatetime(profile.updated_at)
    return message


def theme_message(theme: Theme) -> contacts_pb2.Theme:
    return contacts_pb2.Theme(
        id=theme.id,
        name=theme.name,
        name_en=theme.name_en,
        department_organisation_id=theme.department_organisation_id,
        department_name=theme.department_name,
        team_name=theme.team_name,
    )


def _token(context: grpc.aio.ServicerContext) -> str:
    """The caller's bearer token (verified already), to ask identity in their name."""
    for key, value in context.invocation_metadata() or ():
        if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


def person_message(person: ContactPerson, access: dict[str, bool] | None = None) -> contacts_pb2.ContactPerson:
    message = contacts_pb2.ContactPerson(
        id=person.id,
        organisation_id=person.organisation_id,
        first_name=person.details.first_name,
        last_name=person.details.last_name,
        email=person.details.email,
        phone=person.details.phone,
        theme_ids=list(person.details.theme_ids),
        confirmed=person.confirmed,
    )
    message.created_at.FromDatetime(person.created_at)
    if access is not None and person.id in access:
        message.has_ecounter_access = access[person.id]
    if person.confirmed_at is not None:
        message.confirmed_at.FromDatetime(person.confirmed_at)
    return message


def _draft(request: contacts_pb2.AddContactPersonRequest | contacts_pb2.UpdateContactPersonRequest) -> ContactDraft:
    return ContactDraft(
        first_name=request.first_name,
        last_name=request.last_name,
        email=request.email,
        phone=request.phone,
        theme_ids=list(request.theme_ids),
    )


def _now() -> datetime:
    return datetime.now(UTC)


class ContactsServicer(contacts_pb2_grpc.ContactsServiceServicer):
    def __init__(
        self, uow_factory: UnitOfWorkFactory, verifier: TokenVerifier, directory: StaffDirectory, clock: Clock = _now
    ) -> None:
        self._uow = uow_factory
        self._verifier = verifier
        self._directory = directory
        self._clock = clock

    async def GetOrganisationProfile(
        self, request: contacts_pb2.GetOrganisationProfileRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.OrganisationProfile:
        principal = await self._verifier.verify_metadata(context)
        return _profile(await get_profile(self._uow, principal))

    async def UpdateOrganisationProfile(
        self, request: contacts_pb2.UpdateOrganisationProfileRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.OrganisationProfile:
        principal = await self._verifier.verify_metadata(context)
        profile = check_profile(
            principal,
            ProfileDraft(
                email=request.email,
                phone=request.phone,
                website=request.website,
                visiting_address=request.visiting_address,
                postal_address=request.postal_address,
            ),
        )
        await do_update_profile(self._uow, profile)
        return _profile(profile)

    async def ListThemes(
        self, request: contacts_pb2.ListThemesRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ListThemesResponse:
        principal = await self._verifier.verify_metadata(context)
        return contacts_pb2.ListThemesResponse(
            themes=[
                theme_message(theme)
                for theme in await list_themes(
                    self._uow, principal, directory=self._directory, access_token=_token(context)
                )
            ]
        )

    async def ListContactPersons(
        self, request: contacts_pb2.ListContactPersonsRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ListContactPersonsResponse:
        principal = await self._verifier.verify_metadata(context)
        persons = await list_contact_persons(self._uow, principal)
        access = await ecounter_access(self._directory, principal, _token(context), persons)
        return contacts_pb2.ListContactPersonsResponse(contact_persons=[person_message(p, access) for p in persons])

    async def AddContactPerson(
        self, request: contacts_pb2.AddContactPersonRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ContactPerson:
        principal = await self._verifier.verify_metadata(context)
        person = await do_add_contact_person(
            self._uow, principal, _draft(request), self._clock, directory=self._directory, access_token=_token(context)
        )
        return person_message(
            person, await ecounter_access_after_change(self._directory, principal, _token(context), person)
        )

    async def UpdateContactPerson(
        self, request: contacts_pb2.UpdateContactPersonRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ContactPerson:
        principal = await self._verifier.verify_metadata(context)
        person = await do_update_contact_person(
            self._uow,
            principal,
            request.contact_person_id,
            _draft(request),
            self._clock,
            directory=self._directory,
            access_token=_token(context),
        )
        return person_message(
            person, await ecounter_access_after_change(self._directory, principal, _token(context), person)
        )

    async def RemoveContactPerson(
        self, request: contacts_pb2.RemoveContactPersonRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.RemoveContactPersonResponse:
        principal = await self._verifier.verify_metadata(context)
        await do_remove_contact_person(self._uow, principal, request.contact_person_id, self._clock)
        return contacts_pb2.RemoveContactPersonResponse()

    async def ConfirmContactPerson(
        self, request: contacts_pb2.ConfirmContactPersonRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ConfirmContactPersonResponse:
        # The mailed link is the credential: no token, as with identity's activation links.
        person = await do_confirm_contact_person(self._uow, request.token, self._clock)
        return contacts_pb2.ConfirmContactPersonResponse(
            contact_person_id=person.id, theme_ids=list(person.details.theme_ids)
        )

    async def ListTasks(
        self, request: contacts_pb2.ListTasksRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ListTasksResponse:
        principal = await self._verifier.verify_metadata(context)
        tasks = await list_tasks(self._uow, principal, directory=self._directory, access_token=_token(context))
        return contacts_pb2.ListTasksResponse(
            tasks=[contacts_pb2.Task(kind=t.kind, theme_id=t.theme.id, theme_name=t.theme.name) for t in tasks]
        )

    async def GetThemeContacts(
        self, request: contacts_pb2.GetThemeContactsRequest, context: grpc.aio.ServicerContext
    ) -> contacts_pb2.ThemeContacts:
        principal = await self._verifier.verify_metadata(context)
        view = await theme_contacts(
            self._uow,
            principal,
            request.organisation_id,
            request.theme_id,
            directory=self._directory,
            access_token=_token(context),
        )
        # Messaging asks this on every send: no look-up at identity in that path.
        return contacts_pb2.ThemeContacts(
            theme=theme_message(view.theme),
            contact_persons=[person_message(p) for p in view.contact_persons],
            organisation_emails=view.organisation_emails,
        )
