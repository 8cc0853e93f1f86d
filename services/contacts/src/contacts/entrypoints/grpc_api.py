"""The ContactsService gRPC servicer."""

from __future__ import annotations

import grpc

from contacts.domain.model import OrganisationProfile
from contacts.service.ports import UnitOfWorkFactory
from contacts.service.profile import ProfileDraft, check_profile, do_update_profile, get_profile
from zorgpost.contacts.v1 import contacts_pb2, contacts_pb2_grpc
from zorgpost_kit.auth import TokenVerifier

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


class ContactsServicer(contacts_pb2_grpc.ContactsServiceServicer):
    def __init__(self, uow_factory: UnitOfWorkFactory, verifier: TokenVerifier) -> None:
        self._uow = uow_factory
        self._verifier = verifier

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
