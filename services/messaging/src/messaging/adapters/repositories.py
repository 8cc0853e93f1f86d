"""Messaging's repositories."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.adapters.orm import messages, secure_mail_recipients, threads
from messaging.domain.model import SecureMail, ThreadKind


class SecureMailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, mail: SecureMail) -> None:
        await self._session.execute(
            insert(threads).values(
                id=mail.thread_id,
                organisation_id=mail.organisation_id,
                kind=ThreadKind.SECURE_MAIL,
                subject=mail.subject,
                created_by=mail.sender_account_id,
                created_at=mail.sent_at,
            )
        )
        message = mail.first_message
        await self._session.execute(
            insert(messages).values(
                id=message.id,
                thread_id=message.thread_id,
                author_account_id=message.author_account_id,
                body=message.body,
                created_at=message.created_at,
            )
        )
        await self._session.execute(
            insert(secure_mail_recipients).values(
                thread_id=mail.thread_id,
                email=mail.recipient_email,
                mobile=mail.recipient_mobile,
                read_token_hash=mail.read_token_hash,
            )
        )
