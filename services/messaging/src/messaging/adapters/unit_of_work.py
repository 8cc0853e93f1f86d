"""Messaging's unit of work: the kit's transaction-and-outbox, with messaging's repositories."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from messaging.adapters.ecounter import SqlEcounterRepository
from messaging.adapters.repositories import (
    ActivityRepository,
    AttachmentRepository,
    ConversationQueries,
    MessageRepository,
    ParticipantRepository,
    ReadLinkRepository,
    ReadMarkRepository,
    SendingLimitRepository,
    SettingsRepository,
    ThreadRepository,
)
from zorgpost_kit.db import UnitOfWork


class MessagingUnitOfWork(UnitOfWork):
    threads: ThreadRepository
    participants: ParticipantRepository
    messages: MessageRepository
    read_marks: ReadMarkRepository
    attachments: AttachmentRepository
    read_links: ReadLinkRepository
    settings: SettingsRepository
    sending_limits: SendingLimitRepository
    activity: ActivityRepository
    queries: ConversationQueries
    ecounter: SqlEcounterRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.threads = ThreadRepository(session)
        self.participants = ParticipantRepository(session)
        self.messages = MessageRepository(session)
        self.read_marks = ReadMarkRepository(session)
        self.attachments = AttachmentRepository(session)
        self.read_links = ReadLinkRepository(session)
        self.settings = SettingsRepository(session)
        self.sending_limits = SendingLimitRepository(session)
        self.activity = ActivityRepository(session)
        self.queries = ConversationQueries(session)
        self.ecounter = SqlEcounterRepository(session)
