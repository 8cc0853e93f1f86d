"""Results (seed 5, "Uitslagen inzien"): the practitioner publishes, the patient views and
downloads; the mail says only that a result is ready."""

from __future__ import annotations

from datetime import datetime

from portal.domain.errors import ResultNotFound
from portal.domain.notices import ResultPublished
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.domain.results import LabResult, ObservationDraft, check_observations
from portal.service.common import (
    Services,
    decode_keyset,
    encode_keyset,
    page_size,
    parse_id,
    recipients_of,
    record_action,
)
from portal.service.dossier import require_client
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_single_line

EXPORT_FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


async def _page(
    services: Services, person_id: str, organisation_id: str, cursor: str, limit: int
) -> tuple[list[LabResult], str]:
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.results.page(person_id, organisation_id, decode_keyset(cursor), count + 1)
    page = found[:count]
    next_cursor = encode_keyset(page[-1].published_at, page[-1].id) if len(found) > count else ""
    return page, next_cursor


async def list_results(
    services: Services, caller: PersonCaller, cursor: str, limit: int
) -> tuple[list[LabResult], str]:
    return await _page(services, caller.person_id, caller.organisation_id, cursor, limit)


async def get_result(services: Services, caller: PersonCaller, result_id: str) -> LabResult:
    identifier = parse_id(result_id)
    async with services.uow() as uow:
        result = await uow.results.get(identifier) if identifier else None
    if result is None or result.person_id != caller.person_id or result.organisation_id != caller.organisation_id:
        raise ResultNotFound()
    return result


async def export_result(
    services: Services, caller: PersonCaller, result_id: str, file_format: str
) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a result as PDF or CSV."""
    if file_format not in EXPORT_FORMATS:
        raise InvalidArgument(fields={"format": "is pdf or csv"})
    result = await get_result(services, caller, result_id)
    async with services.uow() as uow:
        record = await uow.clients.get(caller.person_id, caller.organisation_id)
    day = result.taken_at.date().isoformat()
    if file_format == "csv":
        data = services.exporter.csv(result)
    else:
        data = services.exporter.pdf(result, record, caller.organisation_name)
    return f"uitslag-{day}.{file_format}", EXPORT_FORMATS[file_format], data


async def do_publish_result(
    services: Services,
    practice: PracticeCaller,
    person_id: str,
    title: str,
    taken_at: datetime | None,
    drafts: list[ObservationDraft],
) -> LabResult:
    """Stores the result and queues the notice (``portal.result.published``) without values."""
    errors = FieldErrors()
    text = check_single_line(title, "title", errors, max_length=200)
    now = services.clock()
    if taken_at is None:
        errors.add("taken_at", "is required")
    elif taken_at > now:
        errors.add("taken_at", "is in the future")
    observations = check_observations(drafts, errors)
    errors.raise_if_any()
    assert taken_at is not None
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
        result = LabResult(
            id=new_id(),
            person_id=record.person_id,
            organisation_id=practice.organisation_id,
            title=text,
            taken_at=taken_at,
            published_at=now,
            published_by=practice.account_id,
            published_by_name=practice.name,
            observations=observations,
        )
        await uow.results.add(result)
        await record_action(
            uow, record.person_id, practice.organisation_id, practice.account_id, "result.published", result.id, now
        )
        uow.emit(
            ResultPublished(
                organisation_id=practice.organisation_id,
                organisation_name=practice.organisation_name,
                person_id=record.person_id,
                recipients=await recipients_of(uow, record.person_id, practice.organisation_id),
                result_id=result.id,
                occurred_at=now,
            )
        )
        await uow.commit()
    return result


async def client_results(
    services: Services, practice: PracticeCaller, person_id: str, cursor: str, limit: int
) -> tuple[list[LabResult], str]:
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
    return await _page(services, record.person_id, practice.organisation_id, cursor, limit)
