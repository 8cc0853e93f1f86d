"""The diary (seed 4, "Dagboek"): each author's own notes in a person's portal, private or
shared with the practitioner."""

from __future__ import annotations

from portal.domain.diary import MAX_BODY_LENGTH, DiaryEntry
from portal.domain.errors import DiaryEntryNotFound
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.service.common import Services, decode_keyset, encode_keyset, page_size, parse_id, record_action
from portal.service.dossier import require_client
from zorgpost_kit.errors import FieldErrors
from zorgpost_kit.validation import check_text


def check_body(body: str) -> str:
    errors = FieldErrors()
    text = check_text(body, "body", errors, max_length=MAX_BODY_LENGTH)
    errors.raise_if_any()
    return text


def _next(found: list[DiaryEntry], count: int) -> tuple[list[DiaryEntry], str]:
    page = found[:count]
    return page, encode_keyset(page[-1].written_at, page[-1].id) if len(found) > count else ""


async def list_mine(services: Services, caller: PersonCaller, cursor: str, limit: int) -> tuple[list[DiaryEntry], str]:
    """The caller's own notes in this portal (a parent never reads a child's notes here)."""
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.diary.of_author(
            caller.person_id, caller.organisation_id, caller.actor_id, decode_keyset(cursor), count + 1
        )
    return _next(found, count)


def _authored(entry: DiaryEntry | None, caller: PersonCaller) -> DiaryEntry:
    """Only the author's own notes, in the portal they are in (404 for anyone else)."""
    if (
        entry is None
        or entry.person_id != caller.person_id
        or entry.organisation_id != caller.organisation_id
        or not entry.visible_to(caller.actor_id)
    ):
        raise DiaryEntryNotFound()
    return entry


async def get_mine(services: Services, caller: PersonCaller, entry_id: str) -> DiaryEntry:
    """One of the caller's own notes (404 for anyone else's, the person's included)."""
    identifier = parse_id(entry_id)
    async with services.uow() as uow:
        entry = await uow.diary.get(identifier) if identifier else None
    return _authored(entry, caller)


async def do_write(services: Services, caller: PersonCaller, body: str, shared: bool) -> DiaryEntry:
    text = check_body(body)
    now = services.clock()
    entry = DiaryEntry(new_id(), caller.person_id, caller.organisation_id, caller.actor_id, text, shared, now, now)
    async with services.uow() as uow:
        await uow.diary.add(entry)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "diary.written", entry.id, now
        )
        await uow.commit()
    return entry


async def do_update(services: Services, caller: PersonCaller, entry_id: str, body: str, shared: bool) -> DiaryEntry:
    """Only the author changes a note (404 for anyone else, the person included)."""
    text = check_body(body)
    now = services.clock()
    identifier = parse_id(entry_id)
    async with services.uow() as uow:
        entry = _authored(await uow.diary.get(identifier, lock=True) if identifier else None, caller)
        entry.body, entry.shared, entry.updated_at = text, shared, now
        await uow.diary.save(entry)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "diary.updated", entry.id, now
        )
        await uow.commit()
    return entry


async def list_shared(
    services: Services, practice: PracticeCaller, person_id: str, cursor: str, limit: int
) -> tuple[list[DiaryEntry], str]:
    count = page_size(limit)
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        found = await uow.diary.shared(record.person_id, practice.organisation_id, decode_keyset(cursor), count + 1)
    return _next(found, count)
