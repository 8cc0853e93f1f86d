"""The person's own data as a FHIR R4 Bundle, and the log of who changed what in their portal."""

from __future__ import annotations

import json

from portal.domain.activity import Action
from portal.domain.dossier import consent_states
from portal.domain.fhir import PersonData, fhir_bundle
from portal.domain.people import PersonCaller
from portal.service.common import Services, decode_keyset, encode_keyset, page_size

#: The conversations' messages a bundle lists at most (the newest).
MAX_COMMUNICATIONS = 1000


async def export_fhir(services: Services, caller: PersonCaller) -> str:
    """The Bundle as JSON: everything of the person's own at their practice."""
    now = services.clock()
    person, organisation = caller.person_id, caller.organisation_id
    async with services.uow() as uow:
        data = PersonData(
            person_id=person,
            organisation_name=caller.organisation_name,
            record=await uow.clients.get(person, organisation),
            appointments=await uow.appointments.all_of(person, organisation),
            medications=await uow.medications.of_person(person, organisation),
            results=await uow.results.page(person, organisation, None, 10_000),
            documents=await uow.documents.all_of(person, organisation),
            messages=await uow.message_activity.of_person(person, organisation, MAX_COMMUNICATIONS),
            consents=consent_states(
                await uow.consents.items(organisation), await uow.consents.decisions(person, organisation)
            ),
        )
    return json.dumps(fhir_bundle(data, now, services.today()), ensure_ascii=False)


async def list_actions(services: Services, caller: PersonCaller, cursor: str, limit: int) -> tuple[list[Action], str]:
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.actions.page(caller.person_id, caller.organisation_id, decode_keyset(cursor), count + 1)
    page = found[:count]
    return page, encode_keyset(page[-1].at, page[-1].id) if len(found) > count else ""
