"""Use case: keep the address book up to date with identity's announcements."""

from __future__ import annotations

from notifications.domain.address_book import AddressBookEntry
from notifications.service.ports import NotificationsUnitOfWork
from zorgpost_kit.logging import get_logger

log = get_logger(__name__)


async def do_record(uow: NotificationsUnitOfWork, entry: AddressBookEntry) -> bool:
    """Stores how to reach an account, unless a later state of it is stored already (an
    older announcement delivered late changes nothing). Inside the consumer's unit of work,
    which commits; True when the book changed."""
    stored = await uow.address_book.put(entry)
    if not stored:
        log.info("address_book_entry_outdated", account_id=entry.account_id)
    return stored
