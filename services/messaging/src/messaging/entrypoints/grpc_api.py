"""The MessagingService gRPC servicer."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from messaging.adapters.unit_of_work import MessagingUnitOfWork
from messaging.service.secure_mail import SecureMailDraft, check_send_secure_mail, do_send_secure_mail
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_kit.auth import TokenVerifier

SERVICE_NAME = messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"].full_name


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    def __init__(self, uow_factory: Callable[[], MessagingUnitOfWork], verifier: TokenVerifier) -> None:
        self._uow = uow_factory
        self._verifier = verifier

    async def SendSecureMail(
        self, request: messaging_pb2.SendSecureMailRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SecureMail:
        principal = await self._verifier.verify_metadata(context)
        command = check_send_secure_mail(
            principal,
            SecureMailDraft(
                recipient_email=request.recipient_email,
                recipient_mobile=request.recipient_mobile,
                subject=request.subject,
                body=request.body,
            ),
        )
        mail = await do_send_secure_mail(self._uow, command)
        sent_at = Timestamp()
        sent_at.FromDatetime(mail.sent_at)
        return messaging_pb2.SecureMail(
            id=mail.id,
            thread_id=mail.thread_id,
            recipient_email=mail.recipient_email,
            recipient_mobile=mail.recipient_mobile or "",
            subject=mail.subject,
            sender_account_id=mail.sender_account_id,
            organisation_id=mail.organisation_id,
            sent_at=sent_at,
        )
