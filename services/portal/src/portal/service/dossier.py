"""About me, change requests and consents (seed 4, "Mijn Dossier"): the person's side and the
practice's. ``check_*`` validates and authorises; ``do_*`` changes state in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from portal.domain.dossier import (
    CHANGEABLE_FIELDS,
    ChangeRequest,
    ClientRecord,
    ConsentDecision,
    ConsentItem,
    ConsentState,
    RequestStatus,
    apply_changes,
    check_consent_items,
    check_record_fields,
    consent_states,
)
from portal.domain.errors import ChangeRequestNotFound, ClientNotFound, ConsentItemNotFound
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.service.common import (
    Services,
    decode_name_keyset,
    encode_name_keyset,
    page_size,
    parse_day,
    parse_id,
    record_action,
)
from portal.service.ports import PortalUnitOfWork
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_text

LANGUAGES = ("nl", "en")
MAX_NOTE_LENGTH = 2000


async def require_client(uow: PortalUnitOfWork, person_id: str, organisation_id: str, field: str) -> ClientRecord:
    """The practice's client, or :class:`ClientNotFound` naming ``field`` (also for an id of
    another practice's client: whether it exists there is not this practice's business)."""
    identifier = parse_id(person_id)
    record = await uow.clients.get(identifier, organisation_id) if identifier else None
    if record is None:
        raise ClientNotFound(fields={field: "is not a client of this practice"})
    return record


# ----------------------------------------------------------------------------- the person
async def get_about_me(services: Services, caller: PersonCaller) -> ClientRecord:
    """The practice's record of the person (404 while the practice has none)."""
    async with services.uow() as uow:
        record = await uow.clients.get(caller.person_id, caller.organisation_id)
    if record is None:
        raise ClientNotFound()
    return record


def check_change_request(changes: dict[str, str], note: str) -> tuple[dict[str, str], str]:
    errors = FieldErrors()
    if not changes:
        errors.add("changes", f"name one or more of {', '.join(CHANGEABLE_FIELDS)}")
    checked = check_record_fields(changes, errors, prefix="changes.")
    text = check_text(note, "note", errors, max_length=MAX_NOTE_LENGTH, required=False)
    errors.raise_if_any()
    return checked, text


async def do_request_change(
    services: Services, caller: PersonCaller, changes: dict[str, str], note: str
) -> ChangeRequest:
    """Stores the request for the practice; the record changes only when the practice accepts."""
    now = services.clock()
    async with services.uow() as uow:
        if await uow.clients.get(caller.person_id, caller.organisation_id) is None:
            raise ClientNotFound()
        request = ChangeRequest(new_id(), caller.person_id, caller.organisation_id, changes, note, now, caller.actor_id)
        await uow.change_requests.add(request)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "record.change_requested", request.id, now
        )
        await uow.commit()
    return request


async def list_my_change_requests(services: Services, caller: PersonCaller) -> list[ChangeRequest]:
    async with services.uow() as uow:
        return await uow.change_requests.of_person(caller.person_id, caller.organisation_id)


async def list_consents(services: Services, person_id: str, organisation_id: str) -> list[ConsentState]:
    async with services.uow() as uow:
        items = await uow.consents.items(organisation_id)
        decisions = await uow.consents.decisions(person_id, organisation_id)
    return consent_states(items, decisions)


async def do_set_consent(services: Services, caller: PersonCaller, code: str, granted: bool) -> ConsentState:
    """A new decision for one item; every earlier one stays in its history."""
    now = services.clock()
    async with services.uow() as uow:
        items = await uow.consents.items(caller.organisation_id)
        if code not in {item.code for item in items}:
            raise ConsentItemNotFound(fields={"code": "the practice asks no consent for this"})
        decision = ConsentDecision(
            new_id(), caller.person_id, caller.organisation_id, code, granted, now, caller.actor_id
        )
        await uow.consents.add_decision(decision)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "consent.changed", decision.id, now
        )
        decisions = await uow.consents.decisions(caller.person_id, caller.organisation_id)
        await uow.commit()
    return next(state for state in consent_states(items, decisions) if state.item.code == code)


# ----------------------------------------------------------------------------- the practice
@dataclass(frozen=True)
class ClientDraft:
    person_id: str
    first_name: str
    last_name: str
    birth_date: str
    email: str = ""
    phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    insurer: str = ""
    policy_number: str = ""
    language: str = ""


def check_client(draft: ClientDraft, today: date) -> tuple[str, date | None, dict[str, str], str]:
    """(person id, birth date, the other fields normalised, language); every bad field named."""
    errors = FieldErrors()
    person_id = parse_id(draft.person_id)
    if person_id is None:
        errors.add("person_id", "is not an account id")
    born = parse_day(draft.birth_date, "birth_date", errors, required=False)
    if born is not None and born > today:
        errors.add("birth_date", "is in the future")
    values = {
        name: getattr(draft, name)
        for name in (
            "first_name",
            "last_name",
            "email",
            "phone",
            "street",
            "postal_code",
            "city",
            "insurer",
            "policy_number",
        )
    }
    checked = check_record_fields(values, errors)
    language = draft.language or "nl"
    if language not in LANGUAGES:
        errors.add("language", "is nl or en")
    errors.raise_if_any()
    assert person_id is not None
    return person_id, born, checked, language


async def do_register_client(
    services: Services,
    practice: PracticeCaller,
    person_id: str,
    born: date | None,
    fields: dict[str, str],
    language: str,
) -> ClientRecord:
    """Creates or updates the practice's record of the person; the version before stays."""
    now = services.clock()
    record = ClientRecord(
        person_id=person_id,
        organisation_id=practice.organisation_id,
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        birth_date=born,
        language=language,
        updated_at=now,
        updated_by=practice.account_id,
        **{name: value for name, value in fields.items() if name not in ("first_name", "last_name")},
    )
    async with services.uow() as uow:
        await uow.clients.save(record)
        await record_action(
            uow, person_id, practice.organisation_id, practice.account_id, "record.saved", person_id, now
        )
        await uow.commit()
    return record


async def get_client(services: Services, practice: PracticeCaller, person_id: str) -> ClientRecord:
    async with services.uow() as uow:
        return await require_client(uow, person_id, practice.organisation_id, "person_id")


async def list_clients(
    services: Services, practice: PracticeCaller, cursor: str, limit: int
) -> tuple[list[ClientRecord], str]:
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.clients.page(practice.organisation_id, decode_name_keyset(cursor), count + 1)
    page = found[:count]
    next_cursor = encode_name_keyset(page[-1].sort_key, page[-1].person_id) if len(found) > count else ""
    return page, next_cursor


def parse_status(value: str) -> RequestStatus | None:
    if value in ("", "open"):
        return RequestStatus.OPEN
    if value == "all":
        return None
    try:
        return RequestStatus(value)
    except ValueError:
        raise InvalidArgument(fields={"status": "is open, accepted, rejected or all"}) from None


async def list_change_requests(services: Services, practice: PracticeCaller, status: str) -> list[ChangeRequest]:
    wanted = parse_status(status)
    async with services.uow() as uow:
        return await uow.change_requests.of_organisation(practice.organisation_id, wanted)


async def do_resolve_change_request(
    services: Services, practice: PracticeCaller, request_id: str, accept: bool, answer: str
) -> ChangeRequest:
    """Accepting applies the changes to the record (its version before stays)."""
    errors = FieldErrors()
    text = check_text(answer, "answer", errors, max_length=MAX_NOTE_LENGTH, required=False)
    errors.raise_if_any()
    now = services.clock()
    identifier = parse_id(request_id)
    async with services.uow() as uow:
        request = await uow.change_requests.get(identifier, practice.organisation_id, lock=True) if identifier else None
        if request is None:
            raise ChangeRequestNotFound()
        request.resolve(accept, text, now, practice.account_id)
        if accept:
            record = await require_client(uow, request.person_id, practice.organisation_id, "change_request_id")
            await uow.clients.save(apply_changes(record, request.changes, now, practice.account_id))
        await uow.change_requests.save(request)
        await record_action(
            uow,
            request.person_id,
            practice.organisation_id,
            practice.account_id,
            "record.change_accepted" if accept else "record.change_rejected",
            request.id,
            now,
        )
        await uow.commit()
    return request


async def get_consent_items(services: Services, practice: PracticeCaller) -> list[ConsentItem]:
    async with services.uow() as uow:
        return await uow.consents.items(practice.organisation_id)


async def do_set_consent_items(
    services: Services, practice: PracticeCaller, items: list[ConsentItem]
) -> list[ConsentItem]:
    """Replaces the practice's items and defaults. Clients' decisions stay, also for an item
    taken away; an item that returns finds them again."""
    checked = check_consent_items(items)
    async with services.uow() as uow:
        await uow.consents.replace_items(practice.organisation_id, checked)
        await uow.commit()
    return [replace(item) for item in checked]


async def client_consents(services: Services, practice: PracticeCaller, person_id: str) -> list[ConsentState]:
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
    return await list_consents(services, record.person_id, practice.organisation_id)
