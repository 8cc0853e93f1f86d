"""Database access shared by every service: the async engine, the outbox and inbox tables,
and the unit of work that writes a change and its events in one transaction.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from sqlalchemy import Column, DateTime, Index, LargeBinary, MetaData, String, Table, Text, func, insert
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from zorgpost_kit.errors import Unavailable
from zorgpost_kit.events import DomainEvent, EventCodec
from zorgpost_kit.logging import REQUEST_ID_HEADER, current_request_id

#: The kit's own tables. Every service's first migration creates them (see
#: :func:`zorgpost_kit.migrations.create_kit_tables`).
kit_metadata = MetaData()

outbox_events = Table(
    "outbox_events",
    kit_metadata,
    Column("id", String(64), primary_key=True, comment="event id; becomes Nats-Msg-Id"),
    Column("subject", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False, server_default="{}"),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_events_unpublished", "created_at", postgresql_where="published_at IS NULL"),
    # The retention pruner's: published rows, oldest first (payloads hold codes and tokens).
    Index("ix_outbox_events_published", "published_at", postgresql_where="published_at IS NOT NULL"),
)

inbox_events = Table(
    "inbox_events",
    kit_metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_inbox_events_processed_at", "processed_at"),
)


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    """One engine per process, built by the service's bootstrap (never at import time)."""
    # hide_parameters: a database error's text must never carry the values of the statement
    # (a read token, an address, a message body) into a log line.
    return create_async_engine(
        database_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


class DatabaseUnavailable(Unavailable):
    """The database refused or lost the connection, or no connection was free in time: the
    request did nothing and may be sent again in a moment (gRPC UNAVAILABLE with RetryInfo,
    HTTP 503 with Retry-After), never INTERNAL."""

    code = "temporarily_unavailable"
    default_message = "Zorgpost is briefly unavailable; try again in a moment."

    def __init__(self, message: str = "", *, retry_after_seconds: int | None = 2) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds)


#: SQLSTATEs of a database that cannot serve right now: every connection exception (class
#: 08), an administrator's or a crash's shutdown and a server still starting (57P01–57P03),
#: and no connection slot left (53300).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps: SQLAlchemy's ``orig``, then ``__cause__``/``__context__``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        original = getattr(current, "orig", None)
        current = original if isinstance(original, BaseException) else current.__cause__ or current.__context__


def database_unavailable(error: BaseException) -> DatabaseUnavailable | None:
    """:class:`DatabaseUnavailable` when ``error`` comes from a database that cannot be
    reached (refused, lost, starting or stopping, pool exhausted), else None: any other
    failure stays what it is (a bug answers INTERNAL)."""
    for cause in _causes(error):
        if isinstance(cause, sqlalchemy_errors.TimeoutError):  # no pooled connection free in time
            return DatabaseUnavailable()
        if isinstance(cause, sqlalchemy_errors.DBAPIError) and cause.connection_invalidated:
            return DatabaseUnavailable()
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return DatabaseUnavailable()
        # Connecting: asyncpg raises the socket's own error (refused, reset, unknown host);
        # asyncio joins the failures of several addresses into one plain OSError.
        if isinstance(cause, ConnectionError | socket.gaierror):
            return DatabaseUnavailable()
        if type(cause) is OSError and str(cause).startswith("Multiple exceptions"):
            return DatabaseUnavailable()
    return None


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """One transaction, and the events raised while it was open.

    Use cases open it with ``async with uow:``, change state through the repositories a
    service's subclass adds in :meth:`_open_repositories`, raise events with :meth:`emit`, and
    call :meth:`commit`. The events are written to ``outbox_events`` in the same transaction,
    so a change is never committed without its event nor an event published without its
    change. Leaving the block without commit rolls everything back.
    """

    session: AsyncSession

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        codec: EventCodec,
        *,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._codec = codec
        self._on_commit = on_commit
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._events = []
        self._open_repositories(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    def _open_repositories(self, session: AsyncSession) -> None:
        """Subclasses attach their repositories to ``self`` here."""

    def emit(self, event: DomainEvent) -> None:
        """Queues an event; it is stored in the outbox when the unit of work commits."""
        self._events.append(event)

    async def flush(self) -> None:
        """Sends pending changes (so constraint violations surface) without committing."""
        await self.session.flush()

    async def commit(self) -> None:
        events, self._events = self._events, []
        if events:
            request_id = current_request_id()
            headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
            rows = []
            for event in events:
                encoded = self._codec.encode(event)
                rows.append(
                    {
                        "id": encoded.event_id,
                        "subject": encoded.subject,
                        "event_type": encoded.event_type,
                        "payload": encoded.payload,
                        "headers": headers,
                        "occurred_at": encoded.occurred_at,
                    }
                )
            await self.session.execute(insert(outbox_events), rows)
        await self.session.commit()
        # After every commit, not only those with events: a service's workers (e.g. the
        # delivery worker) are woken by rows a commit wrote, not only by events.
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._events = []
        await self.session.rollback()
