"""The SecureMailAccessService servicer: protobuf in, use case, protobuf out. Nothing else.
Neither RPC takes an access token: the read link's token is the credential."""

from __future__ import annotations

import grpc

from identity.adapters.protobuf import timestamp
from identity.service.secure_mail_access import SecureMailAccess
from zorgpost.identity.v1 import secure_mail_access_pb2, secure_mail_access_pb2_grpc

SERVICE_NAME = secure_mail_access_pb2.DESCRIPTOR.services_by_name["SecureMailAccessService"].full_name


class SecureMailAccessServicer(secure_mail_access_pb2_grpc.SecureMailAccessServiceServicer):
    def __init__(self, access: SecureMailAccess) -> None:
        self._access = access

    async def RequestAccessCode(
        self, request: secure_mail_access_pb2.RequestAccessCodeRequest, context: grpc.aio.ServicerContext
    ) -> secure_mail_access_pb2.AccessCodeSent:
        sent = await self._access.do_send_code(request.token)
        return secure_mail_access_pb2.AccessCodeSent(
            channel=sent.channel.value, destination=sent.destination, expires_at=timestamp(sent.expires_at)
        )

    async def OpenSecureMail(
        self, request: secure_mail_access_pb2.OpenSecureMailRequest, context: grpc.aio.ServicerContext
    ) -> secure_mail_access_pb2.GuestAccess:
        access = await self._access.do_open(request.token, request.code)
        return secure_mail_access_pb2.GuestAccess(
            access_token=access.access_token,
            token_type="Bearer",
            expires_in=access.expires_in,
            thread_id=access.thread_id,
        )
