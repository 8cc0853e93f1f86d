"""Contacts' composition root."""

from __future__ import annotations

from functools import partial

from contacts.adapters.events import event_codec
from contacts.adapters.identity import IdentityStaffDirectory
from contacts.adapters.unit_of_work import SqlContactsUnitOfWork
from contacts.entrypoints.grpc_api import SERVICE_NAME, ContactsServicer
from zorgpost.contacts.v1 import contacts_pb2_grpc
from zorgpost_kit.runtime import Infrastructure, ServiceParts


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    settings = infra.settings
    codec = event_codec()

    def uow() -> SqlContactsUnitOfWork:
        return SqlContactsUnitOfWork(infra.session_factory, codec, on_commit=infra.relay.wake)

    directory = IdentityStaffDirectory(infra.channel(settings.identity_address), timeout=settings.rpc_timeout_seconds)
    servicer = ContactsServicer(uow, infra.remote_token_verifier(), directory)
    return ServiceParts(
        servicers=[(SERVICE_NAME, partial(contacts_pb2_grpc.add_ContactsServiceServicer_to_server, servicer))],
        uow_factory=uow,
    )
