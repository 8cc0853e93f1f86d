"""Searching one's own dossier: the same things the dossier's pages show the caller (a
parent acting for a child finds the child's reports, documents, results and medication,
and only their own diary notes), a page at a time."""

from __future__ import annotations

from portal.domain.people import PersonCaller
from portal.domain.search import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, DossierHit
from portal.service.common import Services, decode_keyset, encode_keyset, page_size
from zorgpost_kit.errors import InvalidArgument
from zorgpost_kit.validation import has_control_characters


def check_query(query: str) -> str:
    """The query trimmed, runs of white space as one space; 2 to 100 characters that are no
    control characters (a NUL could not even be compared)."""
    text = " ".join(query.split())
    if not MIN_QUERY_LENGTH <= len(text) <= MAX_QUERY_LENGTH:
        raise InvalidArgument(fields={"q": f"is {MIN_QUERY_LENGTH} to {MAX_QUERY_LENGTH} characters"})
    if has_control_characters(text):
        raise InvalidArgument(fields={"q": "contains characters that are not allowed"})
    return text


async def search_dossier(
    services: Services, caller: PersonCaller, query: str, cursor: str, limit: int
) -> tuple[list[DossierHit], str]:
    text = check_query(query)
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.dossier_search.search(
            caller.person_id,
            caller.organisation_id,
            caller.actor_id,
            text,
            services.today(),
            decode_keyset(cursor),
            count + 1,
        )
    page = found[:count]
    return page, encode_keyset(page[-1].at, page[-1].id) if len(found) > count else ""
