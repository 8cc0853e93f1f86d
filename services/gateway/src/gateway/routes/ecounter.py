"""The e-counter (seed 3): themes, an organisation's contact persons per theme and their
confirmation, the start page's tasks, and messages by theme and reference number (threads
of kind ``org_case``; read them at ``GET /threads/{id}`` too)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import SINGLE_LINE, email, errors, identifier, line, optional, text
from gateway.routes.thread_models import AttachmentOut, attachment_out
from gateway.routes.threads import TRANSFER_TIMEOUT_SECONDS
from gateway.timestamps import to_datetime
from gateway.uploads import close_files, file_parts, inline_schema, message_parts, multipart_schema
from zorgpost.contacts.v1 import contacts_pb2
from zorgpost.messaging.v1 import messaging_pb2

router = APIRouter(tags=["e-counter"])

MAX_TITLE = 200
MAX_BODY = 100_000
PHONE = "A phone number (E.164, or Dutch/Belgian without the country code)."


# ----------------------------------------------------------------------------- themes
class ThemeOut(BaseModel):
    #: A lower-case slug ("erkenning").
    id: str
    name: str
    name_en: str
    department_organisation_id: str
    department_name: str
    #: The department's team that answers messages about the theme.
    team_name: str


def _theme(theme: contacts_pb2.Theme) -> ThemeOut:
    return ThemeOut(
        id=theme.id,
        name=theme.name,
        name_en=theme.name_en,
        department_organisation_id=theme.department_organisation_id,
        department_name=theme.department_name,
        team_name=theme.team_name,
    )


@router.get("/ecounter/themes", response_model=list[ThemeOut], responses=errors())
async def list_themes(caller: CurrentCaller, clients: Clients) -> list[ThemeOut]:
    """The themes the departments keep (staff)."""
    answer = await clients.call(clients.contacts.ListThemes, contacts_pb2.ListThemesRequest(), caller)
    return [_theme(theme) for theme in answer.themes]


# ----------------------------------------------------------------------------- contact persons
class ContactPersonIn(BaseModel):
    """Every field is required; the service names every missing or malformed one."""

    first_name: str = line(max_length=100)
    last_name: str = line(max_length=100)
    email: str = email()
    # Emptiness is the service's to name, together with every other missing field.
    phone: str = Field(max_length=40, description=PHONE, json_schema_extra={"format": "phone"})
    theme_ids: list[str] = Field(max_length=50, description="one or more theme ids")


class ContactPersonOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    theme_ids: list[str]
    #: False until the person follows the link in the confirmation mail; only confirmed
    #: contact persons count for a theme and are told of messages.
    confirmed: bool
    confirmed_at: datetime | None
    created_at: datetime
    #: Whether an active staff member of the organisation with this address works its
    #: e-counter (a contact person needs that to read the messages they are told of); null
    #: in a theme's contacts (``/ecounter/themes/{id}/contacts``), which do not look it up.
    has_ecounter_access: bool | None


def _person(person: contacts_pb2.ContactPerson) -> ContactPersonOut:
    return ContactPersonOut(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        theme_ids=list(person.theme_ids),
        confirmed=person.confirmed,
        confirmed_at=to_datetime(person.confirmed_at) if person.HasField("confirmed_at") else None,
        created_at=to_datetime(person.created_at),
        has_ecounter_access=person.has_ecounter_access if person.HasField("has_ecounter_access") else None,
    )


@router.get("/organisation/contacts", response_model=list[ContactPersonOut], responses=errors())
async def list_contact_persons(caller: CurrentCaller, clients: Clients) -> list[ContactPersonOut]:
    """The organisation's contact persons, confirmed or not (staff)."""
    answer = await clients.call(clients.contacts.ListContactPersons, contacts_pb2.ListContactPersonsRequest(), caller)
    return [_person(person) for person in answer.contact_persons]


@router.post("/organisation/contacts", status_code=201, response_model=ContactPersonOut, responses=errors())
async def add_contact_person(body: ContactPersonIn, caller: CurrentCaller, clients: Clients) -> ContactPersonOut:
    """Adds a contact person, unconfirmed: a confirmation mail goes to ``email``. 422 names
    every missing or malformed field, and ``email`` when the organisation has that contact
    person already; nothing is saved then."""
    person = await clients.call(
        clients.contacts.AddContactPerson, contacts_pb2.AddContactPersonRequest(**body.model_dump()), caller
    )
    return _person(person)


@router.put("/organisation/contacts/{contact_id}", response_model=ContactPersonOut, responses=errors(404))
async def update_contact_person(
    contact_id: str, body: ContactPersonIn, caller: CurrentCaller, clients: Clients
) -> ContactPersonOut:
    """Replaces a contact person's details; they are mailed which fields changed. A new
    e-mail address makes them unconfirmed: a confirmation goes to the new address and an
    information mail to the old one."""
    person = await clients.call(
        clients.contacts.UpdateContactPerson,
        contacts_pb2.UpdateContactPersonRequest(contact_person_id=contact_id, **body.model_dump()),
        caller,
    )
    return _person(person)


@router.delete("/organisation/contacts/{contact_id}", status_code=204, responses=errors(404))
async def remove_contact_person(contact_id: str, caller: CurrentCaller, clients: Clients) -> None:
    """Removes a contact person; they are mailed that they were removed."""
    await clients.call(
        clients.contacts.RemoveContactPerson,
        contacts_pb2.RemoveContactPersonRequest(contact_person_id=contact_id),
        caller,
    )


class ConfirmContactIn(BaseModel):
    token: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


class ConfirmedContactOut(BaseModel):
    contact_person_id: str
    theme_ids: list[str]


@router.post("/contact-persons/confirm", response_model=ConfirmedContactOut, responses=errors(404))
async def confirm_contact_person(body: ConfirmContactIn, clients: Clients) -> ConfirmedContactOut:
    """The link of the confirmation mail (no login needed): from now on the person counts
    for their themes. 404 for a link that does not work (used, expired, superseded)."""
    answer = await clients.call(
        clients.contacts.ConfirmContactPerson, contacts_pb2.ConfirmContactPersonRequest(token=body.token)
    )
    return ConfirmedContactOut(contact_person_id=answer.contact_person_id, theme_ids=list(answer.theme_ids))


class TaskOut(BaseModel):
    #: "confirm_contact_for_theme": the theme has no confirmed contact person.
    kind: str
    theme_id: str
    theme_name: str


@router.get("/ecounter/tasks", response_model=list[TaskOut], responses=errors())
async def list_tasks(caller: CurrentCaller, clients: Clients) -> list[TaskOut]:
    """The start page's tasks: one per theme without a confirmed contact person."""
    answer = await clients.call(clients.contacts.ListTasks, contacts_pb2.ListTasksRequest(), caller)
    return [TaskOut(kind=t.kind, theme_id=t.theme_id, theme_name=t.theme_name) for t in answer.tasks]


class ThemeContactsOut(BaseModel):
    theme: ThemeOut
    contact_persons: list[ContactPersonOut]


@router.get("/ecounter/themes/{theme_id}/contacts", response_model=ThemeContactsOut, responses=errors(404))
async def theme_contacts(
    theme_id: str,
    caller: CurrentCaller,
    clients: Clients,
    organisation_id: Annotated[str, Query(max_length=64, description="the department: whose contacts")] = "",
) -> ThemeContactsOut:
    """An organisation's contact persons for a theme: its own staff, and the staff of the
    department keeping the theme (``organisation_id``) while it supervises that organisation
    in the theme; 404 for anyone else."""
    answer = await clients.call(
        clients.contacts.GetThemeContacts,
        contacts_pb2.GetThemeContactsRequest(
            organisation_id=organisation_id or (caller.principal.organisation_id or ""), theme_id=theme_id
        ),
        caller,
    )
    return ThemeContactsOut(theme=_theme(answer.theme), contact_persons=[_person(p) for p in answer.contact_persons])


# ----------------------------------------------------------------------------- messages
class MessageContactIn(BaseModel):
    """A contact for this message. ``standard``: also one of the organisation's contact
    persons for the theme (they get a confirmation mail)."""

    first_name: str = line(max_length=100)
    last_name: str = line(max_length=100)
    email: str = email()
    phone: str = Field(min_length=1, max_length=40, description=PHONE, json_schema_extra={"format": "phone"})
    standard: bool = False


class NewMessageIn(BaseModel):
    theme_id: str = Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")
    title: str = line(max_length=MAX_TITLE)
    body: str = text(max_length=MAX_BODY)
    organisation_id: str = identifier(
        required=False, description="Only the department: the organisation the message is for."
    )
    contacts: list[MessageContactIn] = Field(default_factory=list, max_length=20)
    removed_contact_ids: list[str] = Field(
        default_factory=list, max_length=50, description="standard contact persons to take off this message"
    )


class ReplyIn(BaseModel):
    title: str = optional({"pattern": SINGLE_LINE}, max_length=MAX_TITLE, description="Empty: the message's title.")
    body: str = text(max_length=MAX_BODY)
    contacts: list[MessageContactIn] = Field(default_factory=list, max_length=20)
    removed_contact_ids: list[str] = Field(default_factory=list, max_length=50)


class EntryOut(BaseModel):
    #: The thread (kind org_case): ``GET /ecounter/messages/{id}``, ``GET /threads/{id}``.
    id: str
    message_id: str
    box: Literal["received", "sent"]
    theme_id: str
    theme_name: str
    #: Kept by every reply: "2026-000123".
    reference: str
    title: str
    sender_name: str
    sender_organisation_name: str
    counterpart_name: str
    status: Literal["new", "read", "answered", "sent"]
    sent_at: datetime


_Status = Literal["new", "read", "answered", "sent"]
_STATUSES: dict[str, _Status] = {"new": "new", "read": "read", "answered": "answered", "sent": "sent"}


def _entry(entry: messaging_pb2.EcounterEntry) -> EntryOut:
    return EntryOut(
        id=entry.thread_id,
        message_id=entry.message_id,
        box="sent" if entry.box == "sent" else "received",
        theme_id=entry.theme_id,
        theme_name=entry.theme_name,
        reference=entry.reference,
        title=entry.title,
        sender_name=entry.sender_name,
        sender_organisation_name=entry.sender_organisation_name,
        counterpart_name=entry.counterpart_name,
        status=_STATUSES.get(entry.status, "new"),
        sent_at=to_datetime(entry.sent_at),
    )


class SentOut(EntryOut):
    #: Who received it: the department's team (or the organisation, from the department).
    received_by: str


def _sent(sent: messaging_pb2.EcounterSent) -> SentOut:
    return SentOut(**_entry(sent.entry).model_dump(), received_by=sent.received_by)


def _contacts(items: list[MessageContactIn]) -> list[messaging_pb2.EcounterContactInput]:
    return [messaging_pb2.EcounterContactInput(**c.model_dump()) for c in items]


def _multipart(model: type[BaseModel]) -> dict[str, Any]:
    """JSON, or the same fields as a form with ``files``: ``contacts`` one JSON text (the
    list of objects), ``removed_contact_ids`` repeated."""
    schema = inline_schema(model)
    properties = dict(schema["properties"])
    properties["contacts"] = {
        "type": "string",
        "contentMediaType": "application/json",
        "description": "the contacts as JSON (a list of objects as in the JSON form)",
    }
    properties["removed_contact_ids"] = {"type": "array", "items": {"type": "string", "maxLength": 64}}
    body: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": multipart_schema(properties),
            },
        }
    }
    return body


#: How a form carries what the JSON form holds in lists.
_LISTS = ("removed_contact_ids",)
_JSON_PARTS = ("contacts",)


async def _new_message_chunks(
    request: messaging_pb2.SendEcounterMessageRequest, files: list[UploadFile]
) -> AsyncIterator[messaging_pb2.SendEcounterMessageChunk]:
    yield messaging_pb2.SendEcounterMessageChunk(header=request)
    async for part in file_parts(files):
        if isinstance(part, bytes):
            yield messaging_pb2.SendEcounterMessageChunk(data=part)
        else:
            yield messaging_pb2.SendEcounterMessageChunk(file=part)


async def _reply_chunks(
    request: messaging_pb2.ReplyEcounterMessageRequest, files: list[UploadFile]
) -> AsyncIterator[messaging_pb2.ReplyEcounterMessageChunk]:
    yield messaging_pb2.ReplyEcounterMessageChunk(header=request)
    async for part in file_parts(files):
        if isinstance(part, bytes):
            yield messaging_pb2.ReplyEcounterMessageChunk(data=part)
        else:
            yield messaging_pb2.ReplyEcounterMessageChunk(file=part)


@router.post(
    "/ecounter/messages",
    status_code=201,
    response_model=SentOut,
    responses=errors(403, 404, 409, 413, 415, 422),
    openapi_extra=_multipart(NewMessageIn),
)
async def send_message(request: Request, caller: CurrentCaller, clients: Clients) -> SentOut:
    """A new message under a new reference number; ``id`` is its thread. JSON
    ``{"theme_id","title","body",…}``, or the same fields as a multipart form with ``files``
    (the rules of ``POST /threads/{id}/messages``: 413 a file too large, 415 a type not
    allowed, 422 naming ``files[i]``). An organisation writes to the department keeping the
    theme, which must supervise it in that theme (422 naming ``theme_id`` otherwise): 409
    ``no_contact_for_theme`` when the theme has no confirmed contact person and the message
    adds none. The department's case handlers write to ``organisation_id``, an organisation
    the department supervises (422 naming ``organisation_id`` for any other, as for one that
    does not exist) in a theme of that link (422 naming ``theme_id`` otherwise); its
    contacts for the theme are told by mail (never the text). ``received_by`` names who
    received it. Nothing is stored when anything is refused; 403 for a caller who works no
    e-counter (or writes to another organisation without being a case handler) before a
    byte of a file is read."""
    body, files = await message_parts(
        request,
        NewMessageIn,
        # the target is in the form itself: messaging checks it before taking in a file
        before_form=lambda: clients.call(
            clients.messaging.CheckEcounterSend, messaging_pb2.EcounterSendCheck(), caller
        ),
        lists=_LISTS,
        json_parts=_JSON_PARTS,
    )
    try:
        sent = await clients.call(
            clients.messaging.SendEcounterMessage,
            _new_message_chunks(
                messaging_pb2.SendEcounterMessageRequest(
                    theme_id=body.theme_id,
                    title=body.title,
                    body=body.body,
                    organisation_id=body.organisation_id,
                    contacts=_contacts(body.contacts),
                    removed_contact_ids=body.removed_contact_ids,
                ),
                files,
            ),
            caller,
            timeout=TRANSFER_TIMEOUT_SECONDS,
        )
    finally:
        await close_files(files)
    return _sent(sent)


async def _check_reply(clients: Clients, caller: CurrentCaller, thread_id: str) -> None:
    """Before the form is read, as messaging checks a reply: the caller works the e-counter
    (403), may write in this open case (404), and the department still supervises the
    organisation in its theme (409 ``not_supervised``)."""
    await clients.call(clients.messaging.CheckEcounterReply, messaging_pb2.ThreadRef(thread_id=thread_id), caller)


@router.post(
    "/ecounter/messages/{thread_id}/replies",
    status_code=201,
    response_model=SentOut,
    responses=errors(403, 404, 409, 413, 415, 422),
    openapi_extra=_multipart(ReplyIn),
)
async def reply(thread_id: str, request: Request, caller: CurrentCaller, clients: Clients) -> SentOut:
    """A reply under the same reference number, by either side (the department's: a case
    handler), while the department supervises the organisation in the theme (409
    ``not_supervised`` once the link ended); 404 for anyone else. Both are answered before a
    byte of a file is read. JSON or a multipart form with ``files``, as a new message takes
    them."""
    body, files = await message_parts(
        request,
        ReplyIn,
        before_form=lambda: _check_reply(clients, caller, thread_id),
        lists=_LISTS,
        json_parts=_JSON_PARTS,
    )
    try:
        sent = await clients.call(
            clients.messaging.ReplyEcounterMessage,
            _reply_chunks(
                messaging_pb2.ReplyEcounterMessageRequest(
                    thread_id=thread_id,
                    title=body.title,
                    body=body.body,
                    contacts=_contacts(body.contacts),
                    removed_contact_ids=body.removed_contact_ids,
                ),
                files,
            ),
            caller,
            timeout=TRANSFER_TIMEOUT_SECONDS,
        )
    finally:
        await close_files(files)
    return _sent(sent)


class EntryPageOut(BaseModel):
    items: list[EntryOut]
    #: Pass as ?cursor= for the next page; null on the last page.
    next_cursor: str | None


_Filter = Annotated[str, Query(max_length=200, pattern=r"^[^\u0000-\u001f\u007f]*$")]
_Date = Annotated[str, Query(max_length=10, description="YYYY-MM-DD (inclusive)")]


@router.get("/ecounter/messages", response_model=EntryPageOut, responses=errors())
async def list_messages(
    caller: CurrentCaller,
    clients: Clients,
    box: Literal["received", "sent", ""] = "",
    theme_id: _Filter = "",
    reference: _Filter = "",
    title: _Filter = "",
    sender: _Filter = "",
    status: Literal["new", "read", "answered", "sent", ""] = "",
    sent_from: _Date = "",
    sent_until: _Date = "",
    cursor: Annotated[str, Query(max_length=200, description="next_cursor of the previous page")] = "",
    limit: Annotated[int, Query(ge=1, le=100, description="page size")] = 5,
) -> EntryPageOut:
    """The organisation's messages, newest first, 5 a page: ``box=received`` or ``sent``, or
    both (a theme page's In/Out with ``theme_id``). Every filter narrows; ``title`` and
    ``sender`` match a part. Every staff member of the organisation sees all of them."""
    page = await clients.call(
        clients.messaging.ListEcounterMessages,
        messaging_pb2.ListEcounterMessagesRequest(
            box=box,
            theme_id=theme_id,
            reference=reference,
            title=title,
            sender=sender,
            status=status,
            sent_from=sent_from,
            sent_until=sent_until,
            cursor=cursor,
            limit=limit,
        ),
        caller,
    )
    return EntryPageOut(items=[_entry(e) for e in page.items], next_cursor=page.next_cursor or None)


class HistoryItemOut(BaseModel):
    entry: EntryOut
    body: str
    #: Download each at its ``download_url`` (``GET /threads/{id}/attachments/{attachment_id}``).
    attachments: list[AttachmentOut]


class CaseContactOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    #: One of the organisation's contact persons for the theme; else this message's own.
    standard: bool
    confirmed: bool
    #: Taken off this message.
    excluded: bool


class CaseOut(BaseModel):
    id: str
    reference: str
    theme_id: str
    theme_name: str
    title: str
    organisation_id: str
    organisation_name: str
    department_id: str
    department_name: str
    team_name: str
    #: Every message in and out under the reference, oldest first.
    history: list[HistoryItemOut]
    contacts: list[CaseContactOut]
    #: The addresses told of the department's answers.
    told: list[str]


@router.get("/ecounter/messages/{thread_id}", response_model=CaseOut, responses=errors(404))
async def get_message(thread_id: str, caller: CurrentCaller, clients: Clients) -> CaseOut:
    """A message with its history and contacts; 404 for anyone but the two organisations."""
    case = await clients.call(clients.messaging.GetEcounterCase, messaging_pb2.ThreadRef(thread_id=thread_id), caller)
    return CaseOut(
        id=case.thread_id,
        reference=case.reference,
        theme_id=case.theme_id,
        theme_name=case.theme_name,
        title=case.title,
        organisation_id=case.organisation_id,
        organisation_name=case.organisation_name,
        department_id=case.department_id,
        department_name=case.department_name,
        team_name=case.team_name,
        history=[
            HistoryItemOut(
                entry=_entry(item.entry),
                body=item.body,
                attachments=[attachment_out(case.thread_id, a) for a in item.attachments],
            )
            for item in case.history
        ],
        contacts=[
            CaseContactOut(
                id=c.id,
                first_name=c.first_name,
                last_name=c.last_name,
                email=c.email,
                phone=c.phone,
                standard=c.standard,
                confirmed=c.confirmed,
                excluded=c.excluded,
            )
            for c in case.contacts
        ],
        told=list(case.told),
    )
