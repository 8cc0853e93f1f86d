"""The contacts service, as the e-counter needs it: a theme with an organisation's contact
persons for it, and adding a standard contact person from a message. Every call carries
the caller's own token: contacts authorises it against them."""

from __future__ import annotations

import grpc

from messaging.domain.ecounter import StandardContact
from messaging.service.ports import NewContactPerson, ThemeContacts
from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost_kit.errors import InvalidArgument, PermissionDenied, Unauthenticated, Unavailable
from zorgpost_kit.grpc_client import call_metadata, read_failure


class ContactsRefused(InvalidArgument):
    code = "contact_refused"


class ContactsRefusedCaller(Unauthenticated):
    code = "unauthenticated"
    default_message = "Your session has ended; log in again."


class ContactsNotAllowed(PermissionDenied):
    code = "not_allowed"
    default_message = "You may not do this."


def _refusal(error: grpc.aio.AioRpcError) -> Exception:
    """What a refusal by contacts means here: the caller is not (any more) who the token
    says (401), or may not do this (403); anything else is contacts being unreachable."""
    if error.code() is grpc.StatusCode.UNAUTHENTICATED:
        return ContactsRefusedCaller()
    if error.code() is grpc.StatusCode.PERMISSION_DENIED:
        return ContactsNotAllowed(read_failure(error).message or ContactsNotAllowed.default_message)
    return Unavailable()


class ContactsClient:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = contacts_pb2_grpc.ContactsServiceStub(channel)
        self._timeout = timeout

    async def theme_contacts(self, access_token: str, organisation_id: str, theme_id: str) -> ThemeContacts | None:
        try:
            answer = await self._stub.GetThemeContacts(
                contacts_pb2.GetThemeContactsRequest(organisation_id=organisation_id, theme_id=theme_id),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND:
                return None
            raise _refusal(error) from None
        theme = answer.theme
        return ThemeContacts(
            theme_id=theme.id,
            theme_name=theme.name,
            department_id=theme.department_organisation_id,
            department_name=theme.department_name,
            team_name=theme.team_name,
            contact_persons=[
                StandardContact(p.id, p.first_name, p.last_name, p.email, p.phone, p.confirmed)
                for p in answer.contact_persons
            ],
            organisation_emails={email.lower() for email in answer.organisation_emails},
        )

    async def add_contact_person(self, access_token: str, person: NewContactPerson) -> None:
        try:
            await self._stub.AddContactPerson(
                contacts_pb2.AddContactPersonRequest(
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=person.email,
                    phone=person.phone,
                    theme_ids=person.theme_ids,
                ),
                metadata=call_metadata(access_token),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.INVALID_ARGUMENT:
                failure = read_failure(error)
                raise ContactsRefused(failure.message, fields=failure.fields) from None
            raise _refusal(error) from None
