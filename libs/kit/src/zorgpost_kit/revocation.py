"""Access that ended counts at once, in every service: a revocation list fed by identity.

An access token is valid until it expires (15 minutes by default) and every service checks it
on its own, without asking identity. When a staff member is deactivated, a session is logged
out or revoked, or someone's roles change, identity publishes ``identity.access.revoked``
(account and/or session, and the moment). Each service process keeps the recent ones in a
:class:`RevocationList` and its :class:`~zorgpost_kit.auth.TokenVerifier` refuses any token
of that account or session issued at or before that moment: the holder gets 401 and, where
their session still lives (a role change), refreshes to a token with what holds now.

:class:`RevocationFeed` fills the list: an ephemeral pull consumer on identity's stream that
starts ``lookback`` in the past (so a process that starts, or restarts, first catches up on
every revocation a still-valid token could be affected by) and then follows new ones. Entries
older than ``lookback`` are dropped: every token issued before them has expired by then.
``lookback`` must therefore be at least the access-token lifetime (the default, one hour, is
the longest lifetime identity allows).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from google.protobuf.message import DecodeError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from zorgpost.events.v1 import identity_events_pb2
from zorgpost_kit.auth import Principal
from zorgpost_kit.background import BackgroundLoop
from zorgpost_kit.jetstream import DEFAULT_STREAM_MAX_AGE_SECONDS, ensure_stream, stream_name
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)

#: The subject identity publishes an ended access on.
SUBJECT = "identity.access.revoked"
#: The longest an access token can live (identity refuses a longer lifetime setting).
DEFAULT_LOOKBACK = timedelta(hours=1)


@dataclass(frozen=True)
class Revocation:
    """Tokens issued at or before ``revoked_at`` stop working: every token of ``account_id``
    (when set), and every token of ``session_id`` (when set)."""

    account_id: str
    session_id: str
    revoked_at: datetime


class RevocationList:
    """The revocations of the last ``keep_for``, by account and by session."""

    def __init__(self, *, keep_for: timedelta = DEFAULT_LOOKBACK, clock: Callable[[], datetime] | None = None) -> None:
        self._keep_for = keep_for
        self._clock = clock or (lambda: datetime.now(UTC))
        self._accounts: dict[str, datetime] = {}
        self._sessions: dict[str, datetime] = {}
        #: Set once the feed has caught up with what was published before it started.
        self.caught_up = asyncio.Event()
        self._listeners: list[Callable[[], None]] = []

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Calls ``listener`` after each revocation is recorded: what holds access open
        beyond a single request (a live stream) re-checks it at once instead of on its next
        wake-up."""
        self._listeners.append(listener)

    def add(self, revocation: Revocation) -> None:
        """Records ``revocation`` (a later one of the same account or session replaces it)."""
        for key, table in ((revocation.account_id, self._accounts), (revocation.session_id, self._sessions)):
            if key and (key not in table or table[key] < revocation.revoked_at):
                table[key] = revocation.revoked_at
        self._prune()
        for listener in self._listeners:
            listener()

    def refuses(self, principal: Principal) -> bool:
        """True when the token of ``principal`` was issued at or before a revocation of its
        session, its account, or (acting for someone) the acting account. A token without an
        issue time counts as issued before any revocation."""
        moments = [
            self._sessions.get(principal.session_id),
            self._accounts.get(principal.subject_id),
            self._accounts.get(principal.actor_id),
        ]
        issued = principal.issued_at
        return any(moment is not None and (issued is None or issued <= moment) for moment in moments)

    def __len__(self) -> int:
        return len(self._accounts) + len(self._sessions)

    def _prune(self) -> None:
        horizon = self._clock() - self._keep_for
        for table in (self._accounts, self._sessions):
            for key in [key for key, moment in table.items() if moment < horizon]:
                del table[key]


def revocation_from_message(data: bytes) -> Revocation | None:
    """The revocation an event carries (None for an undecodable or empty one)."""
    try:
        event = identity_events_pb2.AccessRevoked.FromString(data)
    except DecodeError:
        return None
    if not (event.account_id or event.session_id) or not event.HasField("revoked_at"):
        return None
    return Revocation(event.account_id, event.session_id, event.revoked_at.ToDatetime(tzinfo=UTC))


class RevocationFeed:
    """Follows ``identity.access.revoked`` into a :class:`RevocationList`. Every process has
    its own (ephemeral) consumer: each needs every revocation, none is shared."""

    def __init__(
        self,
        js: JetStreamContext,
        revocations: RevocationList,
        *,
        lookback: timedelta = DEFAULT_LOOKBACK,
        stream_replicas: int = 1,
        stream_max_age_seconds: float = DEFAULT_STREAM_MAX_AGE_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._js = js
        self._revocations = revocations
        self._lookback = lookback
        self._replicas = stream_replicas
        self._stream_max_age = stream_max_age_seconds
        self._clock = clock or (lambda: datetime.now(UTC))
        self._subscription: JetStreamContext.PullSubscription | None = None
        #: The stream sequence of the last message handled: a consumer made again (after a
        #: NATS restart forgot the ephemeral one) continues right after it.
        self._last_sequence = 0
        self._batch = 1

    def background_loop(self) -> BackgroundLoop:
        return BackgroundLoop("revocation_feed", self._step, idle_seconds=0.0, final_step=self._close)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        await ensure_stream(self._js, "identity", replicas=self._replicas, max_age_seconds=self._stream_max_age)
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            filter_subject=SUBJECT,
            # Gone by itself a while after its process is: nothing to clean up after a crash.
            inactive_threshold=300.0,
        )
        if self._last_sequence:
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = self._last_sequence + 1
        else:
            config.deliver_policy = DeliverPolicy.BY_START_TIME
            config.opt_start_time = self._clock() - self._lookback
        return await self._js.pull_subscribe(SUBJECT, stream=stream_name("identity"), config=config)

    async def _step(self) -> bool:
        """Takes what is there; after the first empty fetch the list has caught up with
        everything published before. Idle it asks for one message (a waiting fetch of N
        returns only once N arrived or its timeout ran out, which would hold a lone
        revocation back); after a full batch there is a backlog and N come at once."""
        if self._subscription is None:
            self._subscription = await self._subscribe()
        try:
            messages = await self._subscription.fetch(self._batch, timeout=1.0)
        except (NatsTimeoutError, TimeoutError):
            self._batch = 1
            self._revocations.caught_up.set()
            return True
        except Exception:
            # The consumer is gone (NATS restarted): make it again from where we were.
            await self._close()
            raise
        for message in messages:
            revocation = revocation_from_message(message.data)
            if revocation is not None:
                self._revocations.add(revocation)
            self._last_sequence = max(self._last_sequence, message.metadata.sequence.stream)
        if messages:
            log.info("access_revocations_received", count=len(messages))
        self._batch = 100 if len(messages) == self._batch else 1
        return True

    async def _close(self) -> bool:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:
                await subscription.unsubscribe()
            except Exception as error:  # noqa: BLE001 - the connection may be gone already
                log.info("revocation_feed_unsubscribe_failed", error=type(error).__name__)
        return False


async def wait_until_caught_up(revocations: RevocationList, *, timeout: float) -> bool:
    """Waits (at most ``timeout`` s) until the feed caught up; False when it has not."""
    try:
        await asyncio.wait_for(revocations.caught_up.wait(), timeout=timeout)
    except TimeoutError:
        return False
    return True
