"""How a document the practice publishes enters a person's dossier: stored with its file
(checked by the kit's file rules), logged, and announced to the person and their delegates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain.documents import Document, DocumentKind, DocumentSource
from portal.domain.notices import DocumentPublished
from portal.domain.people import PracticeCaller, new_id
from portal.service.common import check_upload, recipients_of, record_action
from portal.service.ports import PortalUnitOfWork


@dataclass(frozen=True)
class FileUpload:
    file_name: str
    content_type: str
    data: bytes


async def add_published(
    uow: PortalUnitOfWork,
    practice: PracticeCaller,
    person_id: str,
    kind: DocumentKind,
    title: str,
    upload: FileUpload,
    *,
    requires_approval: bool,
    trajectory_id: str | None,
    max_bytes: int,
    now: datetime,
) -> Document:
    """Stores a document the practice publishes and tells the person (and their delegates),
    in the caller's unit of work."""
    stored, _ = check_upload(upload.file_name, upload.content_type, upload.data, max_bytes)
    document = Document(
        id=new_id(),
        person_id=person_id,
        organisation_id=practice.organisation_id,
        kind=kind,
        source=DocumentSource.PRACTICE,
        title=title,
        file=stored,
        created_at=now,
        created_by=practice.account_id,
        created_by_name=practice.name,
        requires_approval=requires_approval,
        trajectory_id=trajectory_id,
    )
    await uow.documents.add(document, upload.data)
    await record_action(
        uow, person_id, practice.organisation_id, practice.account_id, "document.published", document.id, now
    )
    uow.emit(
        DocumentPublished(
            organisation_id=practice.organisation_id,
            organisation_name=practice.organisation_name,
            person_id=person_id,
            recipients=await recipients_of(uow, person_id, practice.organisation_id),
            document_id=document.id,
            kind=kind.value,
            requires_approval=requires_approval,
            occurred_at=now,
        )
    )
    return document
