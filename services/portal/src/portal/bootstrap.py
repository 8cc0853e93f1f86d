"""The portal's composition root."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial

from portal.adapters.events import event_codec
from portal.adapters.exports import result_csv, result_pdf
from portal.adapters.identity import IdentityAccountSecurity
from portal.adapters.unit_of_work import SqlPortalUnitOfWork
from portal.config import Settings
from portal.domain.dossier import ClientRecord
from portal.domain.results import LabResult
from portal.entrypoints.consumers import DelegationEndedConsumer, DelegationGrantedConsumer, MessageSentConsumer
from portal.entrypoints.grpc_api import PORTAL_SERVICE, PRACTICE_SERVICE, PortalServicer, PracticeServicer
from portal.service.common import Services
from zorgpost.portal.v1 import portal_pb2_grpc
from zorgpost_kit.calendar import Clock, utcnow
from zorgpost_kit.runtime import Infrastructure, ServiceParts


class FileExporter:
    """The result exports (CSV and PDF) of :mod:`portal.adapters.exports`."""

    def csv(self, result: LabResult) -> bytes:
        return result_csv(result)

    def pdf(self, result: LabResult, record: ClientRecord | None, organisation_name: str) -> bytes:
        return result_pdf(result, record, organisation_name)


def running_from(start: datetime) -> Clock:
    """A clock that reads ``start`` now and runs on at the real pace (development and tests)."""
    origin = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return now


async def bootstrap(infra: Infrastructure) -> ServiceParts:
    settings = infra.settings
    assert isinstance(settings, Settings)
    codec = event_codec()
    clock = running_from(settings.clock_start) if settings.clock_start is not None else utcnow

    def uow() -> SqlPortalUnitOfWork:
        return SqlPortalUnitOfWork(infra.session_factory, codec, on_commit=infra.relay.wake)

    identity_channel = infra.channel(settings.identity_address)
    services = Services(
        uow=uow,
        clock=clock,
        identity=IdentityAccountSecurity(identity_channel, timeout=settings.rpc_timeout_seconds),
        exporter=FileExporter(),
        max_file_bytes=settings.max_file_bytes,
    )
    verifier = infra.remote_token_verifier()
    return ServiceParts(
        servicers=[
            (
                PORTAL_SERVICE,
                partial(portal_pb2_grpc.add_PortalServiceServicer_to_server, PortalServicer(services, verifier)),
            ),
            (
                PRACTICE_SERVICE,
                partial(portal_pb2_grpc.add_PracticeServiceServicer_to_server, PracticeServicer(services, verifier)),
            ),
        ],
        uow_factory=uow,
        consumers=[DelegationGrantedConsumer(clock), DelegationEndedConsumer(clock), MessageSentConsumer(clock)],
    )
