"""Messaging's repositories and read queries on PostgreSQL (SQLAlchemy Core). Each query is
named for what it does; repositories return domain objects, not rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from messaging.adapters.orm import (
    activity,
    activity_horizon,
    attachments,
    message_likes,
    messages,
    organisation_settings,
    participants,
    read_links,
    read_marks,
    sending_counts,
    threads,
)
from messaging.domain.activity import ActivityChange, ActivityEntry, ActivityKind
from messaging.domain.secure_mail import DEFAULT_READ_LINK_DAYS, ReadLink, SecureMailSettings
from messaging.domain.threads import (
    AttachmentInfo,
    Forwarded,
    Message,
    Participant,
    ParticipantKind,
    Sender,
    Thread,
    ThreadKind,
    ThreadState,
)
from messaging.service.ports import ListCursor, Listing, SearchResult

#: The channel feed watchers LISTEN on; a commit with activity NOTIFYs it.
ACTIVITY_CHANNEL = "messaging_activity"
#: Serialises the feed's writers for the rest of their transaction, so positions become
#: visible in the order they were handed out: a reader that saw position N never later
#: finds a smaller one appear. Taken as the last step before commit, so held briefly.
ACTIVITY_LOCK_ID = 0x6D736761  # "msga"
#: The shared inbox's unread-thread count stops here.
UNREAD_COUNT_CAP = 1000


# ----------------------------------------------------------------------------- row mapping
def _activity_entry(row: Any) -> ActivityEntry:
    return ActivityEntry(
        position=row.position,
        kind=ActivityKind(row.kind),
        thread_id=row.thread_id,
        occurred_at=row.occurred_at,
        message_id=row.message_id,
        actor_participant_id=row.actor_participant_id,
        actor_name=row.actor_name,
        value=row.value,
    )


def _thread(row: Any) -> Thread:
    return Thread(
        id=row.id,
        kind=ThreadKind(row.kind),
        subject=row.subject,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name,
        created_by_account_id=row.created_by,
        created_at=row.created_at,
        state=ThreadState(row.state),
        reference=row.reference,
        last_seq=row.last_seq,
        last_activity_at=row.last_activity_at,
        last_message_id=row.last_message_id,
        assigned_to_account_id=row.assigned_to_account_id,
        assigned_to_name=row.assigned_to_name,
    )


def _thread_values(thread: Thread) -> dict[str, Any]:
    return {
        "kind": thread.kind.value,
        "subject": thread.subject,
        "organisation_id": thread.organisation_id,
        "organisation_name": thread.organisation_name,
        "state": thread.state.value,
        "reference": thread.reference,
        "created_by": thread.created_by_account_id,
        "created_at": thread.created_at,
        "last_seq": thread.last_seq,
        "last_activity_at": thread.last_activity_at,
        "last_message_id": thread.last_message_id,
        "assigned_to_account_id": thread.assigned_to_account_id,
        "assigned_to_name": thread.assigned_to_name,
    }


def _participant(row: Any) -> Participant:
    return Participant(
        id=row.id,
        thread_id=row.thread_id,
        kind=ParticipantKind(row.kind),
        display_name=row.display_name,
        joined_at=row.joined_at,
        account_id=row.account_id,
        organisation_id=row.organisation_id,
        email=row.email,
        mobile=row.mobile,
        language=row.language,
        last_read_seq=row.last_read_seq,
        last_read_at=row.last_read_at,
        unread_count=row.unread_count,
        opened_at=row.opened_at,
        last_activity_at=row.last_activity_at,
        last_received_at=row.last_received_at,
        last_sent_at=row.last_sent_at,
    )


def _participant_values(participant: Participant) -> dict[str, Any]:
    return {
        "thread_id": participant.thread_id,
        "kind": participant.kind.value,
        "account_id": participant.account_id,
        "organisation_id": participant.organisation_id,
        "display_name": participant.display_name,
        "email": participant.email,
        "mobile": participant.mobile,
        "language": participant.language,
        "joined_at": participant.joined_at,
        "last_read_seq": participant.last_read_seq,
        "last_read_at": participant.last_read_at,
        "unread_count": participant.unread_count,
        "opened_at": participant.opened_at,
        "last_activity_at": participant.last_activity_at or participant.joined_at,
        "last_received_at": participant.last_received_at,
        "last_sent_at": participant.last_sent_at,
    }


def _attachment(row: Any) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        file_name=row.file_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        storage_key=row.storage_key,
        scan_status=row.scan_status,
        created_at=row.created_at,
        scan_attempts=row.scan_attempts,
    )


def _message(row: Any, files: list[AttachmentInfo]) -> Message:
    forwarded = None
    if row.forwarded_from_sent_at is not None:
        forwarded = Forwarded(row.forwarded_from_name or "", row.forwarded_from_sent_at)
    return Message(
        id=row.id,
        thread_id=row.thread_id,
        seq=row.seq,
        sender=Sender(
            participant_id=row.sender_participant_id,
            kind=ParticipantKind(row.sender_kind),
            display_name=row.sender_name,
            account_id=row.sender_account_id,
            organisation_id=row.sender_organisation_id,
        ),
        body=row.body,
        sent_at=row.created_at,
        forwarded_from=forwarded,
        like_count=row.like_count,
        attachments=files,
    )


_MESSAGE_COLUMNS = [column for column in messages.c if column.name != "search_vector"]


async def _load_messages(session: AsyncSession, rows: list[Any]) -> list[Message]:
    """Messages with their attachments (one extra query for the whole page)."""
    if not rows:
        return []
    found = await session.execute(
        select(attachments)
        .where(attachments.c.message_id.in_([row.id for row in rows]))
        .order_by(attachments.c.created_at, attachments.c.id)
    )
    by_message: dict[str, list[AttachmentInfo]] = defaultdict(list)
    for row in found:
        by_message[row.message_id].append(_attachment(row))
    return [_message(row, by_message.get(row.id, [])) for row in rows]


# ----------------------------------------------------------------------------- repositories
class ThreadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, thread: Thread) -> None:
        await self._session.execute(insert(threads).values(id=thread.id, **_thread_values(thread)))

    async def get(self, thread_id: str, *, lock: bool = False) -> Thread | None:
        query = select(threads).where(threads.c.id == thread_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _thread(row) if row is not None else None

    async def save(self, thread: Thread) -> None:
        await self._session.execute(update(threads).where(threads.c.id == thread.id).values(**_thread_values(thread)))


class ParticipantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_thread(self, thread_id: str) -> list[Participant]:
        rows = await self._session.execute(
            select(participants).where(participants.c.thread_id == thread_id).order_by(participants.c.joined_at)
        )
        return [_participant(row) for row in rows]

    async def add(self, participant: Participant) -> bool:
        values = {"id": participant.id, **_participant_values(participant)}
        query = pg_insert(participants).values(**values)
        if participant.kind is ParticipantKind.ACCOUNT:
            query = query.on_conflict_do_nothing(
                index_elements=["thread_id", "account_id"], index_where=text("kind = 'account'")
            )
        elif participant.kind is ParticipantKind.ORGANISATION:
            query = query.on_conflict_do_nothing(
                index_elements=["thread_id", "organisation_id"], index_where=text("kind = 'organisation'")
            )
        result = await self._session.execute(query.returning(participants.c.id))
        return result.first() is not None

    async def save(self, participant: Participant) -> None:
        await self._session.execute(
            update(participants).where(participants.c.id == participant.id).values(**_participant_values(participant))
        )


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: Message) -> None:
        forwarded = message.forwarded_from
        await self._session.execute(
            insert(messages).values(
                id=message.id,
                thread_id=message.thread_id,
                seq=message.seq,
                sender_participant_id=message.sender.participant_id,
                sender_kind=message.sender.kind.value,
                sender_name=message.sender.display_name,
                sender_account_id=message.sender.account_id,
                sender_organisation_id=message.sender.organisation_id,
                body=message.body,
                created_at=message.sent_at,
                forwarded_from_name=forwarded.sender_name if forwarded else None,
                forwarded_from_sent_at=forwarded.sent_at if forwarded else None,
                like_count=message.like_count,
            )
        )
        if message.attachments:
            await self._session.execute(
                insert(attachments),
                [
                    {
                        "id": a.id,
                        "message_id": a.message_id,
                        "thread_id": a.thread_id,
                        "file_name": a.file_name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                        "storage_key": a.storage_key,
                        "scan_status": a.scan_status,
                        "created_at": a.created_at,
                    }
                    for a in message.attachments
                ],
            )

    async def get(self, message_id: str) -> Message | None:
        rows = list(await self._session.execute(select(*_MESSAGE_COLUMNS).where(messages.c.id == message_id)))
        loaded = await _load_messages(self._session, rows)
        return loaded[0] if loaded else None

    async def latest(self, thread_id: str, *, before_seq: int | None, limit: int) -> list[Message]:
        query = select(*_MESSAGE_COLUMNS).where(messages.c.thread_id == thread_id)
        if before_seq is not None:
            query = query.where(messages.c.seq < before_seq)
        rows = list(await self._session.execute(query.order_by(messages.c.seq.desc()).limit(limit)))
        return await _load_messages(self._session, rows)

    async def count_unread(self, thread_id: str, after_seq: int, reader: Participant) -> int:
        query = select(func.count()).where(messages.c.thread_id == thread_id, messages.c.seq > after_seq)
        if reader.kind is ParticipantKind.ORGANISATION:
            query = query.where(
                or_(
                    messages.c.sender_organisation_id.is_(None),
                    messages.c.sender_organisation_id != reader.organisation_id,
                )
            )
        else:
            query = query.where(messages.c.sender_participant_id != reader.id)
        return int((await self._session.execute(query)).scalar_one())

    async def set_like(self, message_id: str, participant_id: str, liked: bool, at: datetime) -> int:
        if liked:
            changed = await self._session.execute(
                pg_insert(message_likes)
                .values(message_id=message_id, participant_id=participant_id, created_at=at)
                .on_conflict_do_nothing()
                .returning(message_likes.c.message_id)
            )
            delta = 1 if changed.first() is not None else 0
        else:
            changed = await self._session.execute(
                delete(message_likes)
                .where(message_likes.c.message_id == message_id, message_likes.c.participant_id == participant_id)
                .returning(message_likes.c.message_id)
            )
            delta = -1 if changed.first() is not None else 0
        count = await self._session.execute(
            update(messages)
            .where(messages.c.id == message_id)
            .values(like_count=messages.c.like_count + delta)
            .returning(messages.c.like_count)
        )
        return int(count.scalar_one())

    async def liked(self, message_ids: list[str], participant_id: str) -> set[str]:
        if not message_ids:
            return set()
        rows = await self._session.execute(
            select(message_likes.c.message_id).where(
                message_likes.c.message_id.in_(message_ids), message_likes.c.participant_id == participant_id
            )
        )
        return {row.message_id for row in rows}


class ReadMarkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, thread_id: str, participant_id: str, up_to_seq: int, at: datetime) -> None:
        await self._session.execute(
            pg_insert(read_marks)
            .values(thread_id=thread_id, participant_id=participant_id, up_to_seq=up_to_seq, read_at=at)
            .on_conflict_do_nothing()
        )

    async def first_seen(self, thread_id: str, seq: int) -> dict[str, datetime]:
        rows = await self._session.execute(
            select(read_marks.c.participant_id, func.min(read_marks.c.read_at).label("seen_at"))
            .where(read_marks.c.thread_id == thread_id, read_marks.c.up_to_seq >= seq)
            .group_by(read_marks.c.participant_id)
        )
        return {row.participant_id: row.seen_at for row in rows}


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, attachment_id: str) -> AttachmentInfo | None:
        row = (await self._session.execute(select(attachments).where(attachments.c.id == attachment_id))).first()
        return _attachment(row) if row is not None else None

    async def claim_pending(self, limit: int, now: datetime) -> list[AttachmentInfo]:
        rows = await self._session.execute(
            select(attachments)
            .where(
                attachments.c.scan_status == "pending",
                or_(attachments.c.scan_retry_at.is_(None), attachments.c.scan_retry_at <= now),
            )
            .order_by(attachments.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_attachment(row) for row in rows]

    async def postpone_scan(self, storage_key: str, attempts: int, retry_at: datetime) -> None:
        await self._session.execute(
            update(attachments)
            .where(attachments.c.storage_key == storage_key, attachments.c.scan_status == "pending")
            .values(scan_attempts=attempts, scan_retry_at=retry_at)
        )

    async def set_scan_status(self, storage_key: str, status: str) -> list[AttachmentInfo]:
        rows = await self._session.execute(
            update(attachments)
            .where(attachments.c.storage_key == storage_key, attachments.c.scan_status == "pending")
            .values(scan_status=status)
            .returning(*attachments.c)
        )
        return [_attachment(row) for row in rows]


class ReadLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, link: ReadLink) -> None:
        await self._session.execute(
            insert(read_links).values(
                token_hash=link.token_hash,
                thread_id=link.thread_id,
                participant_id=link.participant_id,
                created_at=link.created_at,
                expires_at=link.expires_at,
                revoked_at=link.revoked_at,
            )
        )

    async def find(self, token_hash: str) -> ReadLink | None:
        row = (await self._session.execute(select(read_links).where(read_links.c.token_hash == token_hash))).first()
        if row is None:
            return None
        return ReadLink(
            row.token_hash, row.thread_id, row.participant_id, row.created_at, row.expires_at, row.revoked_at
        )

    async def revoke_all(self, thread_id: str, at: datetime) -> None:
        await self._session.execute(
            update(read_links)
            .where(read_links.c.thread_id == thread_id, read_links.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class SettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, organisation_id: str) -> SecureMailSettings:
        row = (
            await self._session.execute(
                select(organisation_settings).where(organisation_settings.c.organisation_id == organisation_id)
            )
        ).first()
        days = row.read_link_days if row is not None else DEFAULT_READ_LINK_DAYS
        return SecureMailSettings(organisation_id, days)

    async def save(self, settings: SecureMailSettings, at: datetime) -> None:
        query = pg_insert(organisation_settings).values(
            organisation_id=settings.organisation_id, read_link_days=settings.read_link_days, updated_at=at
        )
        await self._session.execute(
            query.on_conflict_do_update(
                index_elements=["organisation_id"],
                set_={"read_link_days": query.excluded.read_link_days, "updated_at": query.excluded.updated_at},
            )
        )


class SendingLimitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hit(self, scope: str, key: str, window_start: datetime) -> int:
        query = pg_insert(sending_counts).values(scope=scope, key=key, window_start=window_start, count=1)
        result = await self._session.execute(
            query.on_conflict_do_update(
                index_elements=["scope", "key", "window_start"], set_={"count": sending_counts.c.count + 1}
            ).returning(sending_counts.c.count)
        )
        return int(result.scalar_one())


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def publish(self, keys: list[str], change: ActivityChange) -> None:
        if not keys:
            return
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ACTIVITY_LOCK_ID})
        await self._session.execute(
            insert(activity),
            [
                {
                    "reader": key,
                    "kind": change.kind.value,
                    "thread_id": change.thread_id,
                    "message_id": change.message_id,
                    "actor_participant_id": change.actor_participant_id,
                    "actor_name": change.actor_name,
                    "value": change.value,
                    "occurred_at": change.occurred_at,
                }
                for key in keys
            ],
        )
        # Delivered to every listener when (and only if) the transaction commits.
        await self._session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": ACTIVITY_CHANNEL})


# ----------------------------------------------------------------------------- read side
def _reached(beyond_inbox: frozenset[str]) -> ColumnElement[bool]:
    """The participant row's thread is of none of ``beyond_inbox`` (the kinds the caller does
    not reach through the shared inbox, ``domain.threads.kinds_beyond_inbox``): a condition
    on the thread joined to the row (:func:`_with_thread`), so the keyset walk looks each
    row's thread up by its primary key and stops at the page's end. (A sub-select instead,
    inside the ``OR`` of :func:`_own_rows`, is hashed from every thread of those kinds.)"""
    return threads.c.kind.not_in(beyond_inbox)


def _with_thread() -> Any:
    return participants.join(threads, threads.c.id == participants.c.thread_id)


def _own_rows(account_id: str, staff_of: str | None, beyond_inbox: frozenset[str] = frozenset()) -> ColumnElement[bool]:
    """The caller's own participant rows that still count (``domain.threads.staff_organisation``):
    a row acquired via an organisation only while ``staff_of`` (what the token says) is it,
    and only in a thread of a kind the caller reaches through its shared inbox."""
    via_counts: ColumnElement[bool] = participants.c.organisation_id.is_(None)
    if staff_of is not None:
        via_is_theirs = participants.c.organisation_id == staff_of
        if beyond_inbox:
            via_is_theirs = and_(via_is_theirs, _reached(beyond_inbox))
        via_counts = or_(via_counts, via_is_theirs)
    return and_(participants.c.kind == "account", participants.c.account_id == account_id, via_counts)


class ConversationQueries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _listings(self, rows: Any) -> list[Listing]:
        found = list(rows)
        if not found:
            return []
        ids = [row.thread_id for row in found]
        by_id = {
            row.id: _thread(row) for row in await self._session.execute(select(threads).where(threads.c.id.in_(ids)))
        }
        return [Listing(by_id[row.thread_id], _participant(row)) for row in found]

    async def threads_of_account(
        self,
        account_id: str,
        staff_of: str | None,
        after: ListCursor | None,
        limit: int,
        *,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[Listing]:
        """Newest activity first, on ix_participants_account_activity."""
        query = select(participants).where(_own_rows(account_id, staff_of, beyond_inbox))
        if beyond_inbox:
            query = query.select_from(_with_thread())
        if kinds:
            query = query.where(participants.c.thread_id.in_(select(threads.c.id).where(threads.c.kind.in_(kinds))))
        if after is not None:
            query = query.where(
                tuple_(participants.c.last_activity_at, participants.c.thread_id) < tuple_(after.at, after.id)
            )
        query = query.order_by(participants.c.last_activity_at.desc(), participants.c.thread_id.desc()).limit(limit)
        return await self._listings(await self._session.execute(query))

    async def inbox(
        self,
        organisation_id: str,
        folder: str,
        after: ListCursor | None,
        limit: int,
        assigned_to: str | None,
        *,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[Listing]:
        """The organisation's rows, newest received (or sent) first, on the matching partial index."""
        at = participants.c.last_received_at if folder == "received" else participants.c.last_sent_at
        query = select(participants).where(
            participants.c.kind == "organisation", participants.c.organisation_id == organisation_id, at.is_not(None)
        )
        if after is not None:
            query = query.where(tuple_(at, participants.c.thread_id) < tuple_(after.at, after.id))
        if assigned_to is not None:
            query = query.where(
                participants.c.thread_id.in_(
                    select(threads.c.id).where(threads.c.assigned_to_account_id == assigned_to)
                )
            )
        if kinds:
            query = query.where(participants.c.thread_id.in_(select(threads.c.id).where(threads.c.kind.in_(kinds))))
        if beyond_inbox:
            query = query.select_from(_with_thread()).where(_reached(beyond_inbox))
        query = query.order_by(at.desc(), participants.c.thread_id.desc()).limit(limit)
        return await self._listings(await self._session.execute(query))

    async def unread_inbox_threads(self, organisation_id: str, *, beyond_inbox: frozenset[str] = frozenset()) -> int:
        """Counted up to UNREAD_COUNT_CAP (a badge shows "999+"), so a large backlog costs
        what a small one does."""
        query = select(participants.c.id).where(
            participants.c.kind == "organisation",
            participants.c.organisation_id == organisation_id,
            participants.c.unread_count > 0,
        )
        if beyond_inbox:
            query = query.select_from(_with_thread()).where(_reached(beyond_inbox))
        unread = query.limit(UNREAD_COUNT_CAP).subquery()
        return int((await self._session.execute(select(func.count()).select_from(unread))).scalar_one())

    async def participants_of(self, thread_ids: list[str]) -> dict[str, list[Participant]]:
        if not thread_ids:
            return {}
        rows = await self._session.execute(
            select(participants).where(participants.c.thread_id.in_(thread_ids)).order_by(participants.c.joined_at)
        )
        found: dict[str, list[Participant]] = defaultdict(list)
        for row in rows:
            found[row.thread_id].append(_participant(row))
        return dict(found)

    async def messages_by_id(self, message_ids: list[str]) -> dict[str, Message]:
        if not message_ids:
            return {}
        rows = list(await self._session.execute(select(*_MESSAGE_COLUMNS).where(messages.c.id.in_(message_ids))))
        return {message.id: message for message in await _load_messages(self._session, rows)}

    async def search(
        self,
        account_id: str,
        organisation_id: str | None,
        words: list[str],
        after: ListCursor | None,
        limit: int,
        kinds: frozenset[str] = frozenset(),
        beyond_inbox: frozenset[str] = frozenset(),
    ) -> list[SearchResult]:
        """Full text on ix_messages_search, limited to the caller's threads; newest first."""
        # Words are \\w+ only (see search_words), so the prefix query cannot be malformed.
        tsquery = " & ".join(f"{word}:*" for word in words)
        mine = _own_rows(account_id, organisation_id, beyond_inbox)
        if organisation_id is not None:
            inbox = and_(participants.c.kind == "organisation", participants.c.organisation_id == organisation_id)
            if beyond_inbox:
                inbox = and_(inbox, _reached(beyond_inbox))
            mine = or_(mine, inbox)
        reachable = select(participants.c.thread_id).where(mine)
        if beyond_inbox:
            reachable = reachable.select_from(_with_thread())
        query = select(*_MESSAGE_COLUMNS).where(
            messages.c.search_vector.op("@@")(func.to_tsquery(text("'simple'::regconfig"), tsquery)),
            messages.c.thread_id.in_(reachable),
        )
        if kinds:
            query = query.where(messages.c.thread_id.in_(select(threads.c.id).where(threads.c.kind.in_(kinds))))
        if after is not None:
            query = query.where(tuple_(messages.c.created_at, messages.c.id) < tuple_(after.at, after.id))
        rows = list(
            await self._session.execute(query.order_by(messages.c.created_at.desc(), messages.c.id.desc()).limit(limit))
        )
        found = await _load_messages(self._session, rows)
        ids = list({message.thread_id for message in found})
        by_id: dict[str, Thread] = {}
        if ids:
            by_id = {
                row.id: _thread(row)
                for row in await self._session.execute(select(threads).where(threads.c.id.in_(ids)))
            }
        return [SearchResult(by_id[message.thread_id], message) for message in found]

    async def activity_after(self, keys: list[str], position: int, limit: int) -> list[ActivityEntry]:
        rows = await self._session.execute(
            select(activity)
            .where(activity.c.reader.in_(keys), activity.c.position > position)
            .order_by(activity.c.position)
            .limit(limit)
        )
        entries: list[ActivityEntry] = []
        seen: set[tuple[str, str, str | None, str | None, int]] = set()
        for row in rows:
            entry = _activity_entry(row)
            # A staff member reads both their own and their organisation's rows: one change
            # written for both comes once.
            identity = (entry.kind.value, entry.thread_id, entry.message_id, entry.actor_participant_id, entry.value)
            if identity in seen:
                continue
            seen.add(identity)
            entries.append(entry)
        return entries

    async def activity_since(self, position: int, limit: int) -> list[tuple[str, ActivityEntry]]:
        rows = await self._session.execute(
            select(activity).where(activity.c.position > position).order_by(activity.c.position).limit(limit)
        )
        return [(row.reader, _activity_entry(row)) for row in rows]

    async def activity_head(self) -> int:
        newest = (await self._session.execute(select(func.max(activity.c.position)))).scalar()
        return max(int(newest or 0), await self.activity_horizon())

    async def activity_horizon(self) -> int:
        row = (
            await self._session.execute(select(activity_horizon.c.pruned_through).where(activity_horizon.c.id == 1))
        ).first()
        return int(row.pruned_through) if row is not None else 0


async def prune_activity(session: AsyncSession, before: datetime) -> int:
    """Deletes feed rows older than ``before`` and moves the horizon past them."""
    result = await session.execute(
        delete(activity).where(activity.c.occurred_at < before).returning(activity.c.position)
    )
    positions = [row.position for row in result]
    if positions:
        query = pg_insert(activity_horizon).values(id=1, pruned_through=max(positions))
        await session.execute(
            query.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "pruned_through": func.greatest(activity_horizon.c.pruned_through, query.excluded.pruned_through)
                },
            )
        )
    return len(positions)


async def prune_sending_counts(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(sending_counts).where(sending_counts.c.window_start < before))
