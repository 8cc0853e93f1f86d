"""What notifications' use cases need from the world, as protocols: the unit of work and its
repositories, the channels that hand a notice over, and the renderer that words it. The
adapters implement them (``notifications.adapters``); the unit tests pass fakes
(``tests/unit/notifications/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from notifications.domain.address_book import AddressBookEntry
from notifications.domain.model import Delivery
from notifications.domain.preferences import Preferences


class DeliveryRepository(Protocol):
    async def add(self, delivery: Delivery) -> None: ...

    async def save(self, delivery: Delivery) -> None:
        """Stores what a delivery's life changes: status, attempts, times, parameters."""

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Queued deliveries due at ``now``, oldest first, locked for this unit of work
        (another worker skips them)."""

    async def claim_digest(self, digest_key: str, exclude: set[str]) -> list[Delivery]:
        """The other queued deliveries of a digest, locked for this unit of work."""

    async def open_digest_send_time(self, digest_key: str) -> datetime | None:
        """When the queued digest ``digest_key`` goes out; None when none is open."""

    async def get_for_update(self, delivery_id: str) -> Delivery | None: ...

    async def list_for_source(self, organisation_id: str, source_id: str) -> list[Delivery]:
        """An organisation's deliveries about one object, newest first."""

    async def list_failed(self, *, limit: int, for_update: bool = False) -> list[Delivery]:
        """Dead letters, oldest first (locked, skipping locked ones, with ``for_update``)."""

    async def claim_failed_with_secrets(self, created_before: datetime, limit: int) -> list[Delivery]:
        """Dead letters queued before ``created_before`` that still hold a secret parameter,
        oldest first, locked for this unit of work (another instance skips them)."""


class PreferencesRepository(Protocol):
    async def get(self, account_id: str) -> Preferences | None: ...

    async def save(self, preferences: Preferences) -> None:
        """Inserts or replaces the account's preferences."""


class AddressBookRepository(Protocol):
    async def get(self, account_id: str) -> AddressBookEntry | None: ...

    async def put(self, entry: AddressBookEntry) -> bool:
        """Stores ``entry`` unless a later state of the account is stored (then False)."""


class NotificationsUnitOfWork(Protocol):
    """One transaction over the repositories; nothing is kept unless :meth:`commit` ran."""

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def preferences(self) -> PreferencesRepository: ...

    @property
    def address_book(self) -> AddressBookRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], NotificationsUnitOfWork]


# --------------------------------------------------------------------------- channels
class DeliveryFailed(Exception):
    """A channel refused or could not take a notice. ``permanent`` means: do not retry.

    ``reason`` is shown to senders and operators: it never holds the notice's text.
    """

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class RenderedMail:
    """A mail notice in words: what the recipient reads."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class OutgoingMail:
    """One mail to hand over: the words, the address, and the headers a delivery fixes."""

    to: str
    mail: RenderedMail
    #: Stable per delivery: a retry after an unclear failure carries the same id, so a
    #: receiving system can recognise the duplicate.
    message_id: str
    #: Where an optional notice can be switched off (List-Unsubscribe); None for mandatory ones.
    unsubscribe_url: str | None = None


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Returns once the mail server accepted the message; raises :class:`DeliveryFailed`."""


class SmsSender(Protocol):
    async def send(self, to: str, text: str, *, reference: str) -> None:
        """Returns once the provider accepted the SMS to ``to`` (E.164); raises
        :class:`DeliveryFailed`. ``reference`` is the delivery id, for the provider's logs."""


class CannotRender(Exception):
    """A notice cannot be worded (a template or parameter is missing): a bug no retry fixes.

    ``reason`` names the kind of problem only, never a parameter's value.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoticeRenderer(Protocol):
    """Words a notice from its template, language and parameters; raises
    :class:`CannotRender` when it cannot."""

    @property
    def preferences_url(self) -> str:
        """Where a person changes which notices they receive."""

    def render_mail(
        self, template: str, language: str, params: dict[str, Any], *, optional: bool = False
    ) -> RenderedMail: ...

    def render_sms(self, template: str, language: str, params: dict[str, Any]) -> str: ...
