"""The MessagingService gRPC servicer: verifies the caller, calls a use case, answers in
protobuf. Guest tokens are accepted by GetThread, ListMessages, MarkRead, CheckPostAccess,
PostMessage and DownloadAttachment only (each checks the token's one thread)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import grpc

from messaging.adapters.events import timestamp
from messaging.domain.ecounter import EcounterEntry
from messaging.domain.threads import AttachmentInfo, Message, Participant, ThreadKind
from messaging.service import activity as activity_service
from messaging.service import attachments as attachment_service
from messaging.service import conversations, ecounter, helpdesk, secure_mail
from messaging.service.common import Caller, Services, ThreadSummaryView, ThreadView
from zorgpost.messaging.v1 import messaging_pb2, messaging_pb2_grpc
from zorgpost_kit.auth import TokenVerifier
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.grpc_client import AUTHORIZATION_METADATA_KEY

SERVICE_NAME = messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"].full_name
#: Sent as WatchActivity's initial metadata once the stream is admitted.
STREAM_OPEN_METADATA_KEY = "x-zorgpost-stream"


def _token(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == AUTHORIZATION_METADATA_KEY and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


# ----------------------------------------------------------------------------- to protobuf
def participant_pb(participant: Participant) -> messaging_pb2.Participant:
    return messaging_pb2.Participant(
        id=participant.id,
        kind=participant.kind.value,
        account_id=participant.account_id or "",
        organisation_id=participant.organisation_id or "",
        display_name=participant.display_name,
    )


def attachment_pb(attachment: AttachmentInfo) -> messaging_pb2.Attachment:
    return messaging_pb2.Attachment(
        id=attachment.id,
        file_name=attachment.file_name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        scan_status=attachment.scan_status,
    )


def message_pb(message: Message, *, liked: bool = False, seen: int = 0) -> messaging_pb2.Message:
    sender = message.sender
    forwarded = message.forwarded_from
    return messaging_pb2.Message(
        id=message.id,
        thread_id=message.thread_id,
        seq=message.seq,
        body=message.body,
        sender=messaging_pb2.Participant(
            id=sender.participant_id,
            kind=sender.kind.value,
            account_id=sender.account_id or "",
            organisation_id=sender.organisation_id or "",
            display_name=sender.display_name,
        ),
        sent_at=timestamp(message.sent_at),
        attachments=[attachment_pb(a) for a in message.attachments],
        like_count=message.like_count,
        liked_by_me=liked,
        seen_by_count=seen,
        forwarded_from=(
            messaging_pb2.Forwarded(sender_name=forwarded.sender_name, sent_at=timestamp(forwarded.sent_at))
            if forwarded
            else None
        ),
    )


def summary_pb(summary: ThreadSummaryView) -> messaging_pb2.ThreadSummary:
    thread = summary.thread
    last = summary.last_message
    return messaging_pb2.ThreadSummary(
        id=thread.id,
        kind=thread.kind.value,
        subject=thread.subject,
        state=thread.state.value,
        reference=thread.reference or "",
        organisation_id=thread.organisation_id or "",
        organisation_name=thread.organisation_name,
        other_party_name=summary.other_party_name,
        last_message=(
            messaging_pb2.MessagePreview(
                message_id=last.id,
                sender_name=last.sender.display_name,
                snippet=last.body[:200],
                sent_at=timestamp(last.sent_at),
            )
            if last
            else None
        ),
        last_activity_at=timestamp(thread.last_activity_at or thread.created_at),
        unread_count=summary.unread_count,
        assigned_to_account_id=thread.assigned_to_account_id or "",
        assigned_to_name=thread.assigned_to_name or "",
        created_at=timestamp(thread.created_at),
        opened_by_recipient=summary.opened_by_recipient,
        message_count=thread.last_seq,
    )


def view_pb(view: ThreadView) -> messaging_pb2.ThreadView:
    return messaging_pb2.ThreadView(
        summary=summary_pb(view.summary),
        participants=[participant_pb(p) for p in view.participants],
        messages=[message_pb(m, liked=m.id in view.liked, seen=view.seen_counts.get(m.id, 0)) for m in view.messages],
        older_cursor=view.older_cursor,
        withdrawable_by_me=view.withdrawable_by_me,
    )


# ----------------------------------------------------------------------------- servicer
def ecounter_entry_pb(entry: EcounterEntry) -> messaging_pb2.EcounterEntry:
    return messaging_pb2.EcounterEntry(
        id=entry.id,
        thread_id=entry.thread_id,
        message_id=entry.message_id,
        box=entry.box.value,
        theme_id=entry.theme_id,
        theme_name=entry.theme_name,
        reference=entry.reference,
        title=entry.title,
        sender_name=entry.sender_name,
        sender_organisation_name=entry.sender_organisation_name,
        counterpart_name=entry.counterpart_name,
        status=entry.status.value,
        sent_at=timestamp(entry.sent_at),
    )


def _contact_changes(contacts: list[messaging_pb2.EcounterContactInput], removed: list[str]) -> ecounter.ContactChanges:
    return ecounter.ContactChanges(
        add=tuple(ecounter.ContactInput(c.first_name, c.last_name, c.email, c.phone, c.standard) for c in contacts),
        remove=tuple(removed),
    )


def _sent_pb(sent: ecounter.SentView) -> messaging_pb2.EcounterSent:
    return messaging_pb2.EcounterSent(entry=ecounter_entry_pb(sent.entry), received_by=sent.received_by)


#: A message that streams in with its files: the header first, then each file's start and bytes.
Chunk = TypeVar(
    "Chunk",
    messaging_pb2.StartThreadChunk,
    messaging_pb2.PostMessageChunk,
    messaging_pb2.SendEcounterMessageChunk,
    messaging_pb2.ReplyEcounterMessageChunk,
)


async def receive_upload(
    chunks: AsyncIterator[Chunk],
    receiver: attachment_service.FileReceiver,
    *,
    named: str,
    before_files: Callable[[Chunk], Awaitable[object]],
) -> Chunk:
    """The header chunk of a message that streams in, every file handed to ``receiver``.
    ``before_files`` runs on the header before a byte of a file is taken (a 404 comes first);
    a malformed stream is an error naming ``named``."""
    header: Chunk | None = None
    async for chunk in chunks:
        part = chunk.WhichOneof("part")
        if header is None:
            if part != "header":
                raise InvalidArgument(fields={named: "the message header must come first"})
            header = chunk
            await before_files(chunk)
        elif part == "file":
            receiver.start(chunk.file.file_name, chunk.file.content_type)
        elif part == "data":
            receiver.write(chunk.data)
        else:
            raise InvalidArgument(fields={named: "a message has one header"})
    if header is None:
        raise InvalidArgument(fields={named: "is required"})
    return header


async def _check_ecounter_send(caller: Caller, organisation_id: str) -> None:
    ecounter.check_ecounter_send(caller, organisation_id=organisation_id)


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    def __init__(self, services: Services, verifier: TokenVerifier, hub: activity_service.ActivityHub) -> None:
        self._services = services
        self._verifier = verifier
        self._hub = hub

    async def _caller(self, context: grpc.aio.ServicerContext, *, allow_guest: bool = False) -> Caller:
        principal = await self._verifier.verify_metadata(context, allow_guest=allow_guest)
        return Caller(principal, _token(context))

    # -- secure mail ---------------------------------------------------------
    async def SendSecureMail(
        self, request: messaging_pb2.SendSecureMailRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SecureMail:
        caller = await self._caller(context)
        command = secure_mail.check_send_secure_mail(
            caller,
            secure_mail.SecureMailDraft(
                recipient_email=request.recipient_email,
                recipient_mobile=request.recipient_mobile,
                subject=request.subject,
                body=request.body,
                language=request.language,
            ),
        )
        sent = await secure_mail.do_send_secure_mail(self._services, caller, command)
        return messaging_pb2.SecureMail(
            id=sent.thread.id,
            thread_id=sent.thread.id,
            recipient_email=sent.guest.email or "",
            recipient_mobile=sent.guest.mobile or "",
            subject=sent.thread.subject,
            sender_account_id=sent.sender_account_id,
            organisation_id=sent.thread.organisation_id or "",
            sent_at=timestamp(sent.message.sent_at),
        )

    async def WriteToOrganisation(
        self, request: messaging_pb2.WriteToOrganisationRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadView:
        caller = await self._caller(context)
        subject, body = secure_mail.check_write_to_organisation(caller, request.subject, request.body)
        return view_pb(await secure_mail.do_write_to_organisation(self._services, caller, subject, body))

    async def ListInbox(
        self, request: messaging_pb2.ListInboxRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.InboxPage:
        caller = await self._caller(context)
        items, next_cursor, unread = await secure_mail.list_inbox(
            self._services,
            caller,
            request.folder,
            request.cursor,
            request.limit,
            assigned_to_me=request.assigned_to_me,
            kinds=list(request.kinds),
        )
        return messaging_pb2.InboxPage(
            items=[summary_pb(item) for item in items], next_cursor=next_cursor, unread_threads=unread
        )

    async def AssignThread(
        self, request: messaging_pb2.AssignThreadRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadSummary:
        caller = await self._caller(context)
        return summary_pb(
            await secure_mail.do_assign(self._services, caller, request.thread_id, request.assignee_account_id)
        )

    async def WithdrawSecureMail(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadSummary:
        caller = await self._caller(context)
        return summary_pb(await secure_mail.do_withdraw(self._services, caller, request.thread_id))

    async def ResendReadLink(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ReadLinkResent:
        caller = await self._caller(context)
        expires_at = await secure_mail.do_resend_read_link(self._services, caller, request.thread_id)
        return messaging_pb2.ReadLinkResent(thread_id=request.thread_id, expires_at=timestamp(expires_at))

    async def GetSecureMailSettings(
        self, request: messaging_pb2.GetSecureMailSettingsRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SecureMailSettings:
        caller = await self._caller(context)
        settings = await secure_mail.get_settings(self._services, caller)
        return messaging_pb2.SecureMailSettings(
            organisation_id=settings.organisation_id, read_link_days=settings.read_link_days
        )

    async def UpdateSecureMailSettings(
        self, request: messaging_pb2.SecureMailSettings, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SecureMailSettings:
        caller = await self._caller(context)
        settings = await secure_mail.do_update_settings(self._services, caller, request.read_link_days)
        return messaging_pb2.SecureMailSettings(
            organisation_id=settings.organisation_id, read_link_days=settings.read_link_days
        )

    async def ResolveReadLink(
        self, request: messaging_pb2.ResolveReadLinkRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ReadLink:
        # No access token: possession of the read-link token is the credential.
        resolved = await secure_mail.resolve_read_link(self._services, request.token)
        return messaging_pb2.ReadLink(
            thread_id=resolved.thread.id,
            participant_id=resolved.guest.id,
            email=resolved.guest.email or "",
            mobile=resolved.guest.mobile or "",
            organisation_id=resolved.thread.organisation_id or "",
            organisation_name=resolved.thread.organisation_name,
            language=resolved.guest.language,
            expires_at=timestamp(resolved.link.expires_at),
        )

    # -- threads -------------------------------------------------------------
    async def CreateThread(
        self, request: messaging_pb2.CreateThreadRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadView:
        caller = await self._caller(context)
        kind, subject, body, reference = conversations.check_create_thread(
            caller, request.kind, request.subject, request.body, request.reference
        )
        return view_pb(await conversations.do_create_thread(self._services, caller, kind, subject, body, reference))

    async def StartThread(
        self, request_iterator: AsyncIterator[messaging_pb2.StartThreadChunk], context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadView:
        caller = await self._caller(context)
        receiver = attachment_service.FileReceiver(self._services)
        checked: list[tuple[tuple[ThreadKind, str, str, str | None], conversations.StartWith]] = []

        async def check_start(first: messaging_pb2.StartThreadChunk) -> None:
            # May the caller start it, with these participants? Before any file is taken.
            refs = [
                conversations.ParticipantRef(account_id=ref.account_id, organisation_id=ref.organisation_id)
                for ref in first.header.participants
            ]
            start = conversations.check_start_thread(
                caller, first.header.kind, first.header.subject, first.header.body, first.header.reference, refs
            )
            checked.append((start, await conversations.resolve_start_with(self._services, caller, refs)))

        try:
            header = (await receive_upload(request_iterator, receiver, named="kind", before_files=check_start)).header
            [((kind, subject, body, reference), start_with)] = checked
            if not header.participants and not body and not receiver.has_files:
                # A person's conversation (no one named) starts with what they ask; staff, who
                # name whom it is for, may open one first.
                raise InvalidArgument(fields={"body": "is required"})
            stored = await attachment_service.store_files(self._services, receiver.finish())
            try:
                view = await conversations.do_create_thread(
                    self._services, caller, kind, subject, body, reference, start_with=start_with, files=stored
                )
            except BaseException:
                await attachment_service.discard_files(self._services, stored)
                raise
        finally:
            receiver.close()
        return view_pb(view)

    async def ListThreads(
        self, request: messaging_pb2.ListThreadsRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadPage:
        caller = await self._caller(context)
        items, next_cursor = await conversations.list_threads(
            self._services, caller, request.cursor, request.limit, list(request.kinds)
        )
        return messaging_pb2.ThreadPage(items=[summary_pb(item) for item in items], next_cursor=next_cursor)

    async def GetThread(
        self, request: messaging_pb2.GetThreadRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadView:
        caller = await self._caller(context, allow_guest=True)
        return view_pb(await conversations.do_open_thread(self._services, caller, request.thread_id, request.limit))

    async def GetThreadSummary(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadSummary:
        caller = await self._caller(context)
        return summary_pb(await conversations.thread_summary(self._services, caller, request.thread_id))

    async def ListMessages(
        self, request: messaging_pb2.ListMessagesRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.MessagePage:
        caller = await self._caller(context, allow_guest=True)
        view, next_cursor = await conversations.list_messages(
            self._services, caller, request.thread_id, request.cursor, request.limit
        )
        return messaging_pb2.MessagePage(messages=view_pb(view).messages, next_cursor=next_cursor)

    async def CheckPostAccess(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadRef:
        caller = await self._caller(context, allow_guest=True)
        return messaging_pb2.ThreadRef(
            thread_id=await conversations.check_post_access(self._services, caller, request.thread_id)
        )

    async def PostMessage(
        self, request_iterator: AsyncIterator[messaging_pb2.PostMessageChunk], context: grpc.aio.ServicerContext
    ) -> messaging_pb2.Message:
        caller = await self._caller(context, allow_guest=True)
        receiver = attachment_service.FileReceiver(self._services)
        try:
            # 404 before a single byte of a file is taken.
            header = (
                await receive_upload(
                    request_iterator,
                    receiver,
                    named="thread_id",
                    before_files=lambda first: conversations.check_post_access(
                        self._services, caller, first.header.thread_id
                    ),
                )
            ).header
            body = conversations.check_message_body(header.body, has_files=receiver.has_files)
            stored = await attachment_service.store_files(self._services, receiver.finish())
            try:
                message = await conversations.do_post_message(self._services, caller, header.thread_id, body, stored)
            except BaseException:
                await attachment_service.discard_files(self._services, stored)
                raise
        finally:
            receiver.close()
        return message_pb(message)

    async def MarkRead(
        self, request: messaging_pb2.MarkReadRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ReadState:
        caller = await self._caller(context, allow_guest=True)
        me = await conversations.do_mark_read(self._services, caller, request.thread_id, request.up_to_message_id)
        return messaging_pb2.ReadState(
            thread_id=me.thread_id, read_up_to_seq=me.last_read_seq, unread_count=me.unread_count
        )

    async def LikeMessage(
        self, request: messaging_pb2.MessageRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.LikeState:
        return await self._like(request, context, liked=True)

    async def UnlikeMessage(
        self, request: messaging_pb2.MessageRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.LikeState:
        return await self._like(request, context, liked=False)

    async def _like(
        self, request: messaging_pb2.MessageRef, context: grpc.aio.ServicerContext, *, liked: bool
    ) -> messaging_pb2.LikeState:
        caller = await self._caller(context)
        message_id, count, now_liked = await conversations.do_set_like(
            self._services, caller, request.message_id, liked
        )
        return messaging_pb2.LikeState(message_id=message_id, like_count=count, liked_by_me=now_liked)

    async def ListSeenBy(
        self, request: messaging_pb2.MessageRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SeenBy:
        caller = await self._caller(context)
        message_id, readers = await conversations.seen_by(self._services, caller, request.message_id)
        return messaging_pb2.SeenBy(
            message_id=message_id,
            readers=[
                messaging_pb2.Reader(participant_id=p.id, display_name=p.display_name, seen_at=timestamp(at))
                for p, at in readers
            ],
        )

    async def ForwardMessage(
        self, request: messaging_pb2.ForwardMessageRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.Message:
        caller = await self._caller(context)
        return message_pb(
            await conversations.do_forward(self._services, caller, request.message_id, request.to_thread_id)
        )

    async def SearchMessages(
        self, request: messaging_pb2.SearchMessagesRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.SearchPage:
        caller = await self._caller(context)
        results, next_cursor = await conversations.search(
            self._services, caller, request.query, request.cursor, request.limit
        )
        return messaging_pb2.SearchPage(
            hits=[
                messaging_pb2.SearchHit(
                    thread_id=result.thread.id,
                    thread_subject=result.thread.subject,
                    thread_kind=result.thread.kind.value,
                    message=message_pb(result.message),
                )
                for result in results
            ],
            next_cursor=next_cursor,
        )

    # -- streams -------------------------------------------------------------
    async def DownloadAttachment(
        self, request: messaging_pb2.AttachmentRef, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[messaging_pb2.AttachmentChunk]:
        caller = await self._caller(context, allow_guest=True)
        attachment, chunks = await attachment_service.open_download(
            self._services, caller, request.thread_id, request.attachment_id
        )
        yield messaging_pb2.AttachmentChunk(meta=attachment_pb(attachment))
        async for data in chunks:
            yield messaging_pb2.AttachmentChunk(data=data)

    async def WatchActivity(
        self, request: messaging_pb2.WatchActivityRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[messaging_pb2.Activity]:
        caller = await self._caller(context)
        subscription = await self._hub.subscribe(caller, request.after_position)
        try:
            # Admitted: the gateway waits for this before it answers 200.
            await context.send_initial_metadata(((STREAM_OPEN_METADATA_KEY, "open"),))
            async for item in activity_service.watch_activity(self._services, subscription, caller):
                yield _activity_pb(item)
        finally:
            self._hub.unsubscribe(subscription)

    # ------------------------------------------------------------------ the e-counter
    async def CheckEcounterSend(
        self, request: messaging_pb2.EcounterSendCheck, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.EcounterSendCheck:
        caller = await self._caller(context)
        ecounter.check_ecounter_send(caller, organisation_id=request.organisation_id)
        return request

    async def SendEcounterMessage(
        self,
        request_iterator: AsyncIterator[messaging_pb2.SendEcounterMessageChunk],
        context: grpc.aio.ServicerContext,
    ) -> messaging_pb2.EcounterSent:
        caller = await self._caller(context)
        receiver = attachment_service.FileReceiver(self._services)
        try:
            request = (
                await receive_upload(
                    request_iterator,
                    receiver,
                    named="theme_id",
                    before_files=lambda first: _check_ecounter_send(caller, first.header.organisation_id),
                )
            ).header
            sent = await ecounter.do_send_ecounter_message(
                self._services,
                caller,
                theme_id=request.theme_id,
                title=request.title,
                body=request.body,
                organisation_id=request.organisation_id,
                changes=_contact_changes(list(request.contacts), list(request.removed_contact_ids)),
                files=receiver.finish(),
            )
        finally:
            receiver.close()
        return _sent_pb(sent)

    async def CheckEcounterReply(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.ThreadRef:
        caller = await self._caller(context)
        return messaging_pb2.ThreadRef(
            thread_id=await ecounter.check_ecounter_reply(self._services, caller, request.thread_id)
        )

    async def ReplyEcounterMessage(
        self,
        request_iterator: AsyncIterator[messaging_pb2.ReplyEcounterMessageChunk],
        context: grpc.aio.ServicerContext,
    ) -> messaging_pb2.EcounterSent:
        caller = await self._caller(context)
        receiver = attachment_service.FileReceiver(self._services)
        try:
            # 404, 403 or 409 not_supervised before a single byte of a file is taken.
            request = (
                await receive_upload(
                    request_iterator,
                    receiver,
                    named="thread_id",
                    before_files=lambda first: ecounter.check_ecounter_reply(
                        self._services, caller, first.header.thread_id
                    ),
                )
            ).header
            sent = await ecounter.do_reply_ecounter_message(
                self._services,
                caller,
                thread_id=request.thread_id,
                title=request.title,
                body=request.body,
                changes=_contact_changes(list(request.contacts), list(request.removed_contact_ids)),
                files=receiver.finish(),
            )
        finally:
            receiver.close()
        return _sent_pb(sent)

    async def ListEcounterMessages(
        self, request: messaging_pb2.ListEcounterMessagesRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.EcounterPage:
        caller = await self._caller(context)
        entries, next_cursor = await ecounter.list_ecounter_messages(
            self._services,
            caller,
            ecounter.ListRequest(
                box=request.box,
                theme_id=request.theme_id,
                reference=request.reference,
                title=request.title,
                sender=request.sender,
                status=request.status,
                sent_from=request.sent_from,
                sent_until=request.sent_until,
                cursor=request.cursor,
                limit=request.limit,
            ),
        )
        return messaging_pb2.EcounterPage(items=[ecounter_entry_pb(e) for e in entries], next_cursor=next_cursor)

    async def GetEcounterCase(
        self, request: messaging_pb2.ThreadRef, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.EcounterCase:
        caller = await self._caller(context)
        view = await ecounter.do_open_case(self._services, caller, request.thread_id)
        case = view.case
        return messaging_pb2.EcounterCase(
            thread_id=case.thread_id,
            reference=case.reference,
            theme_id=case.theme_id,
            theme_name=case.theme_name,
            title=view.history[0][0].title if view.history else "",
            organisation_id=case.organisation_id,
            organisation_name=case.organisation_name,
            department_id=case.department_id,
            department_name=case.department_name,
            team_name=case.team_name,
            history=[
                messaging_pb2.EcounterHistoryItem(
                    entry=ecounter_entry_pb(entry),
                    body=message.body if message is not None else "",
                    attachments=[attachment_pb(a) for a in message.attachments] if message is not None else [],
                )
                for entry, message in view.history
            ],
            contacts=[
                messaging_pb2.EcounterCaseContact(
                    id=c.id,
                    first_name=c.first_name,
                    last_name=c.last_name,
                    email=c.email,
                    phone=c.phone,
                    standard=c.standard,
                    confirmed=c.confirmed,
                    excluded=c.excluded,
                )
                for c in view.contacts
            ],
            told=[t.email for t in view.told],
        )

    # ------------------------------------------------------------------ the technical helpdesk
    async def AskHelpdesk(
        self, request: messaging_pb2.AskHelpdeskRequest, context: grpc.aio.ServicerContext
    ) -> messaging_pb2.HelpdeskTicket:
        caller = await self._caller(context)
        ticket = await helpdesk.do_ask_helpdesk(
            self._services, caller, email=request.email, question=request.question, language=request.language
        )
        return messaging_pb2.HelpdeskTicket(thread_id=ticket.thread_id, organisation_name=ticket.organisation_name)


def _activity_pb(item: activity_service.ActivityItem) -> messaging_pb2.Activity:
    entry = item.entry
    return messaging_pb2.Activity(
        position=entry.position,
        kind=entry.kind.value,
        thread_id=entry.thread_id,
        message_id=entry.message_id or "",
        actor_participant_id=entry.actor_participant_id or "",
        actor_name=entry.actor_name,
        occurred_at=timestamp(entry.occurred_at),
        message=message_pb(item.message) if item.message is not None else None,
        value=entry.value,
    )
