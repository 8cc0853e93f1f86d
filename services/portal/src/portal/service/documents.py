"""Reports and documents (seed 4): the practice publishes, the person (or whoever acts for
them) reads, downloads, approves ("ik ga akkoord") and uploads their own. An agreement
approved by every party makes its care trajectory active."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.documents import (
    MAX_TITLE_LENGTH,
    Approval,
    Document,
    DocumentKind,
    DocumentSource,
)
from portal.domain.errors import DocumentNotFound, NoApprovalAsked, TrajectoryNotFound
from portal.domain.people import PersonCaller, PracticeCaller, new_id
from portal.service.agreements import activate_if_agreed
from portal.service.common import (
    Services,
    check_upload,
    decode_keyset,
    encode_keyset,
    page_size,
    parse_id,
    record_action,
)
from portal.service.dossier import require_client
from portal.service.ports import PortalUnitOfWork
from portal.service.publishing import FileUpload, add_published
from zorgpost_kit.errors import FieldErrors, InvalidArgument
from zorgpost_kit.validation import check_single_line

_KIND_FILTERS: dict[str, set[DocumentKind] | None] = {
    "": None,
    "report": {DocumentKind.REPORT},
    # Seed 4: the agreement is found under "documenten".
    "document": {DocumentKind.DOCUMENT, DocumentKind.AGREEMENT},
}


def kinds_for(kind: str) -> set[DocumentKind] | None:
    try:
        return _KIND_FILTERS[kind]
    except KeyError:
        raise InvalidArgument(fields={"kind": "is report, document or empty"}) from None


async def _persons_document(uow: PortalUnitOfWork, person_id: str, organisation_id: str, document_id: str) -> Document:
    identifier = parse_id(document_id)
    document = await uow.documents.get(identifier) if identifier else None
    if document is None or document.person_id != person_id or document.organisation_id != organisation_id:
        raise DocumentNotFound()
    return document


async def _page(
    services: Services, person_id: str, organisation_id: str, kind: str, cursor: str, limit: int
) -> tuple[list[Document], str]:
    kinds = kinds_for(kind)
    count = page_size(limit)
    async with services.uow() as uow:
        found = await uow.documents.page(person_id, organisation_id, kinds, decode_keyset(cursor), count + 1)
    page = found[:count]
    next_cursor = encode_keyset(page[-1].created_at, page[-1].id) if len(found) > count else ""
    return page, next_cursor


# ----------------------------------------------------------------------------- the person
async def list_documents(
    services: Services, caller: PersonCaller, kind: str, cursor: str, limit: int
) -> tuple[list[Document], str]:
    """Newest first; each knows whether it waits for the caller's approval."""
    return await _page(services, caller.person_id, caller.organisation_id, kind, cursor, limit)


async def document_file(services: Services, caller: PersonCaller, document_id: str) -> tuple[Document, bytes]:
    async with services.uow() as uow:
        document = await _persons_document(uow, caller.person_id, caller.organisation_id, document_id)
        return document, await uow.documents.data(document.id)


async def _actor_name(uow: PortalUnitOfWork, caller: PersonCaller) -> str:
    if not caller.on_behalf:
        record = await uow.clients.get(caller.person_id, caller.organisation_id)
        return record.display_name if record else ""
    links = await uow.delegates.active_for(caller.person_id, caller.organisation_id)
    return next((link.delegate_name for link in links if link.delegate_id == caller.actor_id), "")


async def do_approve(services: Services, caller: PersonCaller, document_id: str) -> Document:
    """The caller's approval, with its time, once: approving again keeps the first. The
    approval of an agreement counts for whoever gives it (a parent acting in a child's portal
    approves as that parent); when every party has, the trajectory becomes active."""
    now = services.clock()
    async with services.uow() as uow:
        document = await _persons_document(uow, caller.person_id, caller.organisation_id, document_id)
        if not document.requires_approval:
            raise NoApprovalAsked()
        approval = Approval(document.id, caller.person_id, caller.actor_id, await _actor_name(uow, caller), now)
        if await uow.documents.add_approval(approval):
            await record_action(
                uow, caller.person_id, caller.organisation_id, caller.actor_id, "document.approved", document.id, now
            )
            if document.kind is DocumentKind.AGREEMENT:
                await activate_if_agreed(uow, document.id, services.today(), now, caller.actor_id)
            await uow.commit()
        approved = await _persons_document(uow, caller.person_id, caller.organisation_id, document.id)
    return approved


def check_title(title: str) -> str:
    errors = FieldErrors()
    text = check_single_line(title, "title", errors, max_length=MAX_TITLE_LENGTH)
    errors.raise_if_any()
    return text


async def do_upload(services: Services, caller: PersonCaller, title: str, upload: FileUpload) -> Document:
    """A document of the person's own, checked on its content before anything is stored."""
    text = check_title(title)
    stored, _ = check_upload(upload.file_name, upload.content_type, upload.data, services.max_file_bytes)
    now = services.clock()
    async with services.uow() as uow:
        document = Document(
            id=new_id(),
            person_id=caller.person_id,
            organisation_id=caller.organisation_id,
            kind=DocumentKind.DOCUMENT,
            source=DocumentSource.CLIENT,
            title=text,
            file=stored,
            created_at=now,
            created_by=caller.actor_id,
            created_by_name=await _actor_name(uow, caller),
        )
        await uow.documents.add(document, upload.data)
        await record_action(
            uow, caller.person_id, caller.organisation_id, caller.actor_id, "document.uploaded", document.id, now
        )
        await uow.commit()
    return document


# ----------------------------------------------------------------------------- the practice
@dataclass(frozen=True)
class PublishDraft:
    person_id: str
    kind: str
    title: str
    requires_approval: bool
    upload: FileUpload
    trajectory_id: str = ""


def check_publish(draft: PublishDraft, max_bytes: int) -> tuple[DocumentKind, str]:
    errors = FieldErrors()
    kind = {"report": DocumentKind.REPORT, "document": DocumentKind.DOCUMENT}.get(draft.kind)
    if kind is None:
        errors.add("kind", "is report or document")
    title = check_single_line(draft.title, "title", errors, max_length=MAX_TITLE_LENGTH)
    errors.raise_if_any()
    check_upload(draft.upload.file_name, draft.upload.content_type, draft.upload.data, max_bytes)
    assert kind is not None
    return kind, title


async def do_publish(services: Services, practice: PracticeCaller, draft: PublishDraft) -> Document:
    kind, title = check_publish(draft, services.max_file_bytes)
    now = services.clock()
    async with services.uow() as uow:
        record = await require_client(uow, draft.person_id, practice.organisation_id, "person_id")
        trajectory_id = None
        if draft.trajectory_id:
            identifier = parse_id(draft.trajectory_id)
            trajectory = await uow.trajectories.get(identifier, practice.organisation_id) if identifier else None
            if trajectory is None or trajectory.person_id != record.person_id:
                raise TrajectoryNotFound(fields={"trajectory_id": "is not a trajectory of this client"})
            trajectory_id = trajectory.id
        document = await add_published(
            uow,
            practice,
            record.person_id,
            kind,
            title,
            draft.upload,
            requires_approval=draft.requires_approval,
            trajectory_id=trajectory_id,
            max_bytes=services.max_file_bytes,
            now=now,
        )
        await uow.commit()
    return document


async def list_client_documents(
    services: Services, practice: PracticeCaller, person_id: str, cursor: str, limit: int
) -> tuple[list[Document], str]:
    async with services.uow() as uow:
        record = await require_client(uow, person_id, practice.organisation_id, "person_id")
    return await _page(services, record.person_id, practice.organisation_id, "", cursor, limit)


async def client_document_file(
    services: Services, practice: PracticeCaller, document_id: str
) -> tuple[Document, bytes]:
    identifier = parse_id(document_id)
    async with services.uow() as uow:
        document = await uow.documents.get(identifier) if identifier else None
        if document is None or document.organisation_id != practice.organisation_id:
            raise DocumentNotFound()
        return document, await uow.documents.data(document.id)
